"""Small PDF/A-2b files made with pikepdf, one pass and one or more fail variants for each PDF/A rule dsd checks.

`base()` is a one-page PDF/A-2b: an XMP packet with the identification, an sRGB GTS_PDFA1 output intent, a file
identifier, and a page that paints a DeviceRGB rectangle (allowed by the RGB intent). Each case changes one thing;
`expected` is the check that must flag it, or None when the change is one PDF/A-2 allows.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream
from PIL import ImageCms

PDFAID = "http://www.aiim.org/pdfa/ns/id/"
RECT = b"10 10 100 100 re f\n"


def icc(space: bytes = b"RGB ", version: int = 2, device_class: bytes = b"mntr") -> bytes:
    """An sRGB profile from Pillow with its header changed as asked (dsd reads only the header)."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    data[8], data[12:16], data[16:20] = version, device_class, space
    return bytes(data)


def xmp(part: str = "2", conformance: str | None = "B", *, prefix: str = "pdfaid", namespace: str = PDFAID,
        extra: str = "", header: str = "begin='\ufeff' id='W5M0MpCehiHzreSzNTczkc9d'") -> bytes:
    ident = f' {prefix}:part="{part}"' if part else ""
    ident += f' {prefix}:conformance="{conformance}"' if conformance is not None else ""
    return (f"<?xpacket {header}?>\n<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF "
            f"xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"\" "
            f"xmlns:{prefix}=\"{namespace}\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"{ident}{extra}>"
            f"<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Aanvraag</rdf:li></rdf:Alt></dc:title>"
            f"</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end='w'?>").encode()


def set_xmp(pdf: pikepdf.Pdf, data: bytes) -> None:
    pdf.Root.Metadata = pdf.make_indirect(Stream(pdf, data, Type=Name.Metadata, Subtype=Name.XML))


def intent(pdf: pikepdf.Pdf, profile: bytes | Stream | None = None, kind: str = "/GTS_PDFA1") -> Dictionary:
    stream = profile if isinstance(profile, Stream) else pdf.make_indirect(Stream(pdf, profile or icc(), N=3))
    return Dictionary(Type=Name.OutputIntent, S=Name(kind), OutputConditionIdentifier="sRGB",
                      DestOutputProfile=stream)


def base(path: Path) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    pdf.pages[0].obj.Contents = pdf.make_indirect(Stream(pdf, b"0.2 0.4 0.6 rg\n" + RECT))
    set_xmp(pdf, xmp())
    pdf.Root.OutputIntents = Array([intent(pdf)])
    pdf.docinfo["/Title"] = "Aanvraag"
    pdf.save(path, fix_metadata_version=False)
    return path


def page(pdf: pikepdf.Pdf) -> Dictionary:
    return pdf.pages[0].obj


def content(pdf: pikepdf.Pdf, data: bytes, **resources: object) -> None:
    page(pdf).Contents = pdf.make_indirect(Stream(pdf, data))
    page(pdf).Resources = Dictionary({f"/{k}": v for k, v in resources.items()})


def icc_space(pdf: pikepdf.Pdf) -> Array:
    return Array([Name.ICCBased, pdf.make_indirect(Stream(pdf, icc(), N=3))])


def annotate(pdf: pikepdf.Pdf, **entries: object) -> Dictionary:
    annot = pdf.make_indirect(Dictionary(Type=Name.Annot, Rect=Array([0, 0, 10, 10]), **entries))
    page(pdf).Annots = Array([annot])
    return annot


def action(kind: str, **entries: object) -> Callable[[pikepdf.Pdf], None]:
    def change(pdf: pikepdf.Pdf) -> None:
        annotate(pdf, Subtype=Name.Link, F=4, A=Dictionary(Type=Name.Action, S=Name(kind), **entries))
    return change


def font(pdf: pikepdf.Pdf, embedded: bool = False) -> Dictionary:
    entries = {"Type": Name.Font, "Subtype": Name.TrueType, "BaseFont": Name.Arial}
    if embedded:
        entries["FontDescriptor"] = Dictionary(Type=Name.FontDescriptor, FontName=Name.Arial, Flags=32,
                                               FontFile2=pdf.make_indirect(Stream(pdf, b"\0\1\0\0 font program")))
    return pdf.make_indirect(Dictionary(**entries))


def image(pdf: pikepdf.Pdf, space: object = Name.DeviceRGB, **entries: object) -> Stream:
    return pdf.make_indirect(Stream(pdf, b"\x80\x80\x80", Type=Name.XObject, Subtype=Name.Image, Width=1, Height=1,
                                    BitsPerComponent=8, ColorSpace=space, **entries))


def form(pdf: pikepdf.Pdf, data: bytes, **entries: object) -> Stream:
    return pdf.make_indirect(Stream(pdf, data, Type=Name.XObject, Subtype=Name.Form, BBox=Array([0, 0, 10, 10]),
                                    **entries))


def graphics_state(**entries: object) -> Callable[[pikepdf.Pdf], None]:
    def change(pdf: pikepdf.Pdf) -> None:
        content(pdf, b"/GS1 gs 0.2 0.4 0.6 rg\n" + RECT, ExtGState=Dictionary(GS1=Dictionary(**entries)))
    return change


def embed(data: bytes) -> Callable[[pikepdf.Pdf], None]:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.attachments["bijlage"] = pikepdf.AttachedFileSpec(pdf, data, mime_type="application/pdf")
    return change


def pdfa_file() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    set_xmp(pdf, xmp())
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def blank_id(data: bytes) -> bytes:
    return re.sub(rb"/ID \[<[0-9a-f]*><[0-9a-f]*>\]", lambda m: b" " * len(m[0]), data)


def header(version: bytes = b"1.7", comment: bytes | None = None) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        line_end = data.index(b"\n")
        data = b"%PDF-" + version + data[line_end:]
        if comment is not None:
            start = data.index(b"\n") + 1
            data = data[:start] + comment + data[start + len(comment):]
        return data
    return change


@dataclass(frozen=True)
class Case:
    clause: str
    name: str
    expected: str | None
    change: Callable[[pikepdf.Pdf], None] | None = None
    after: Callable[[bytes], bytes] | None = None
    """A change to the saved bytes (same length where offsets matter)."""
    encrypt: bool = False

    @property
    def id(self) -> str:
        return f"{self.clause}-{self.name}-{'pass' if self.expected is None else 'fail'}"

    def build(self, folder: Path) -> Path:
        path = base(folder / f"{self.id}.pdf")
        if self.change or self.encrypt:
            with pikepdf.open(path, allow_overwriting_input=True) as pdf:
                if self.change:
                    self.change(pdf)
                pdf.save(path, encryption=pikepdf.Encryption(owner="eigenaar", user="") if self.encrypt else False,
                         fix_metadata_version=False)
        if self.after:
            path.write_bytes(self.after(path.read_bytes()))
        return path


def _set(key: str, value: object) -> Callable[[pikepdf.Pdf], None]:
    return lambda pdf: pdf.Root.__setitem__(key, value)


def _cmyk(pdf: pikepdf.Pdf) -> None:
    content(pdf, b"0 0 0 1 k\n" + RECT)


def _cmyk_defaulted(pdf: pikepdf.Pdf) -> None:
    content(pdf, b"0 0 0 1 k\n" + RECT, ColorSpace=Dictionary(DefaultCMYK=icc_space(pdf)))


def _icc_only(pdf: pikepdf.Pdf, with_intent: str | None = None) -> None:
    content(pdf, b"/CS0 cs 0.2 0.4 0.6 sc\n" + RECT, ColorSpace=Dictionary(CS0=icc_space(pdf)))
    if with_intent is None:
        del pdf.Root["/OutputIntents"]
    else:
        pdf.Root.OutputIntents = Array([intent(pdf, kind=with_intent)])


def _no_intent(pdf: pikepdf.Pdf) -> None:
    del pdf.Root["/OutputIntents"]


def _pdfx_only(pdf: pikepdf.Pdf) -> None:
    pdf.Root.OutputIntents = Array([intent(pdf, kind="/GTS_PDFX")])


def _two_profiles(same: bool) -> Callable[[pikepdf.Pdf], None]:
    def change(pdf: pikepdf.Pdf) -> None:
        shared = pdf.make_indirect(Stream(pdf, icc(), N=3))
        pdf.Root.OutputIntents = Array([intent(pdf, shared), intent(pdf, shared if same else None, "/GTS_PDFX")])
    return change


def _unused_cmyk_form(pdf: pikepdf.Pdf) -> None:
    content(pdf, b"0.2 0.4 0.6 rg\n" + RECT, XObject=Dictionary(Fm1=form(pdf, b"0 0 0 1 k 0 0 5 5 re f")))


def _used_cmyk_form(pdf: pikepdf.Pdf) -> None:
    content(pdf, b"/Fm1 Do\n", XObject=Dictionary(Fm1=form(pdf, b"0 0 0 1 k 0 0 5 5 re f")))


def _default_gray(pdf: pikepdf.Pdf, defaulted: bool = False) -> None:
    del pdf.Root["/OutputIntents"]
    spaces = Dictionary(DefaultGray=Array([Name.CalGray, Dictionary(WhitePoint=Array([0.9505, 1, 1.089]))]))
    content(pdf, RECT, **({"ColorSpace": spaces} if defaulted else {}))


def _separation(alternate: str) -> Callable[[pikepdf.Pdf], None]:
    def change(pdf: pikepdf.Pdf) -> None:
        alt = Name.DeviceCMYK if alternate == "cmyk" else icc_space(pdf)
        tint = pdf.make_indirect(Dictionary(FunctionType=2, Domain=Array([0, 1]), C0=Array([0, 0, 0, 0] if
                                 alternate == "cmyk" else [0, 0, 0]), C1=Array([0, 0, 0, 1] if alternate == "cmyk"
                                 else [1, 1, 1]), N=1))
        content(pdf, b"/Sp cs 1 sc\n" + RECT, ColorSpace=Dictionary(Sp=Array([Name.Separation, Name.Spot, alt, tint])))
    return change


def _image_drawn(drawn: bool) -> Callable[[pikepdf.Pdf], None]:
    def change(pdf: pikepdf.Pdf) -> None:
        img = image(pdf, Name.DeviceCMYK)
        img.write(b"\0\0\0\x80")
        content(pdf, b"q 10 0 0 10 0 0 cm /Im1 Do Q\n" if drawn else b"0.2 0.4 0.6 rg\n" + RECT,
                XObject=Dictionary(Im1=img))
    return change


def _inline_cmyk(pdf: pikepdf.Pdf) -> None:
    content(pdf, b"q 10 0 0 10 0 0 cm BI /W 1 /H 1 /BPC 8 /CS /CMYK ID \0\0\0\x80 EI Q\n")


def _text(mode: int = 0, embedded: bool = False) -> Callable[[pikepdf.Pdf], None]:
    def change(pdf: pikepdf.Pdf) -> None:
        content(pdf, b"BT /F1 12 Tf %d Tr 20 20 Td (Hallo) Tj ET\n" % mode,
                Font=Dictionary(F1=font(pdf, embedded)))
    return change


def _font_in_form_defaults(pdf: pikepdf.Pdf) -> None:
    widget = annotate(pdf, Subtype=Name.Widget, F=4, FT=Name.Tx, T="naam", DA="/Helv 0 Tf 0 g")
    pdf.Root.AcroForm = Dictionary(Fields=Array([widget]), DR=Dictionary(Font=Dictionary(Helv=font(pdf))),
                                   DA="/Helv 0 Tf 0 g")


def _image_entries(**entries: object) -> Callable[[pikepdf.Pdf], None]:
    def change(pdf: pikepdf.Pdf) -> None:
        content(pdf, b"q 10 0 0 10 0 0 cm /Im1 Do Q\n", XObject=Dictionary(Im1=image(pdf, **entries)))
    return change


def _form_entries(**entries: object) -> Callable[[pikepdf.Pdf], None]:
    def change(pdf: pikepdf.Pdf) -> None:
        content(pdf, b"/Fm1 Do\n", XObject=Dictionary(Fm1=form(pdf, b"0.2 0.4 0.6 rg 0 0 5 5 re f", **entries)))
    return change


def _postscript_xobject(pdf: pikepdf.Pdf) -> None:
    ps = pdf.make_indirect(Stream(pdf, b"showpage", Type=Name.XObject, Subtype=Name.PS))
    content(pdf, b"0.2 0.4 0.6 rg\n" + RECT, XObject=Dictionary(PS1=ps))


def _annotation(**entries: object) -> Callable[[pikepdf.Pdf], None]:
    return lambda pdf: annotate(pdf, **entries)


def _form_dict(**entries: object) -> Callable[[pikepdf.Pdf], None]:
    def change(pdf: pikepdf.Pdf) -> None:
        widget = annotate(pdf, Subtype=Name.Widget, F=4, FT=Name.Btn, T="knop")
        pdf.Root.AcroForm = Dictionary(Fields=Array([widget]), **entries)
    return change


def _widget_action(pdf: pikepdf.Pdf) -> None:
    widget = annotate(pdf, Subtype=Name.Widget, F=4, FT=Name.Btn, T="knop",
                      A=Dictionary(S=Name.GoTo, D=Array([page(pdf), Name.Fit])))
    pdf.Root.AcroForm = Dictionary(Fields=Array([widget]))


def _page_aa(pdf: pikepdf.Pdf) -> None:
    page(pdf).AA = Dictionary(O=Dictionary(S=Name.GoTo, D=Array([page(pdf), Name.Fit])))


def _goto(pdf: pikepdf.Pdf) -> None:
    annotate(pdf, Subtype=Name.Link, F=4, A=Dictionary(S=Name.GoTo, D=Array([page(pdf), Name.Fit])))


def _named(name: str) -> Callable[[pikepdf.Pdf], None]:
    return lambda pdf: pdf.Root.__setitem__("/OpenAction", Dictionary(S=Name.Named, N=Name(name)))


def _perms(**entries: object) -> Callable[[pikepdf.Pdf], None]:
    return lambda pdf: pdf.Root.__setitem__("/Perms", Dictionary({f"/{k}": v for k, v in entries.items()}))


def _sig_reference(pdf: pikepdf.Pdf) -> None:
    reference = Dictionary(Type=Name.SigRef, TransformMethod=Name.DocMDP, DigestMethod=Name.MD5)
    sig = pdf.make_indirect(Dictionary(Type=Name.Sig, Filter=Name("/Adobe.PPKLite"), Reference=Array([reference])))
    pdf.Root.Perms = Dictionary(DocMDP=sig)


def _stream_key(key: str) -> Callable[[pikepdf.Pdf], None]:
    def change(pdf: pikepdf.Pdf) -> None:
        page(pdf).Contents.stream_dict[key] = Dictionary(Type=Name.Filespec, F="elders.bin") \
            if key == "/F" else Name.FlateDecode
    return change


def _info_title(part: str) -> Callable[[pikepdf.Pdf], None]:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.docinfo["/Title"] = "Iets anders"
        set_xmp(pdf, xmp(part=part, conformance="B"))
    return change


CASES: list[Case] = [
    # 6.1.2 file header, 6.1.3 trailer
    Case("6.1.2", "header", None),
    Case("6.1.2", "version-1.9", "pdfa.file-structure", after=header(b"1.9")),
    Case("6.1.2", "comment-not-binary", "pdfa.file-structure", after=header(b"1.7", b"%abcd")),
    Case("6.1.2", "header-not-at-0", "pdfa.file-structure", after=lambda d: b"\n" + d),
    Case("6.1.3", "trailer", None),
    Case("6.1.3", "no-id", "pdfa.file-structure", after=blank_id),
    Case("6.1.3", "data-after-eof", "pdfa.file-structure", after=lambda d: d + b"trailing data\n"),
    Case("6.1.3", "encrypted", "pdfa.encrypted", encrypt=True),
    Case("6.1.5", "info-differs-pdfa2", None, _info_title("2")),
    Case("6.1.5", "info-differs-pdfa1", "pdfa.metadata-mismatch", _info_title("1")),
    Case("6.1.7.1", "stream-f", "pdfa.external-content", _stream_key("/F")),
    Case("6.1.7.1", "stream-ffilter", "pdfa.external-content", _stream_key("/FFilter")),
    Case("6.1.12", "perms-ur3", None, _perms(UR3=Dictionary(Type=Name.Sig))),
    Case("6.1.12", "perms-other", "pdfa.permissions", _perms(UR3=Dictionary(Type=Name.Sig), Other=Dictionary())),
    Case("6.1.12", "sigref-digest", "pdfa.permissions", _sig_reference),
    # 6.2.3 output intent, 6.2.4 colour spaces
    Case("6.2.3", "icc-colour-no-intent", None, _icc_only),
    Case("6.2.3", "icc-colour-pdfx-intent", None, lambda pdf: _icc_only(pdf, "/GTS_PDFX")),
    Case("6.2.3", "device-colour-no-intent", "pdfa.output-intent", _no_intent),
    Case("6.2.3", "device-colour-pdfx-intent-only", "pdfa.output-intent", _pdfx_only),
    Case("6.2.3", "profile-version-5", "pdfa.output-intent",
         lambda pdf: pdf.Root.__setitem__("/OutputIntents", Array([intent(pdf, icc(version=5))]))),
    Case("6.2.3", "profile-scanner-class", "pdfa.output-intent",
         lambda pdf: pdf.Root.__setitem__("/OutputIntents", Array([intent(pdf, icc(device_class=b"scnr"))]))),
    Case("6.2.3", "two-intents-same-profile", None, _two_profiles(True)),
    Case("6.2.3", "two-intents-two-profiles", "pdfa.output-intent", _two_profiles(False)),
    Case("6.2.4.3", "cmyk-with-rgb-intent", "pdfa.colour", _cmyk),
    Case("6.2.4.3", "cmyk-with-default-cmyk", None, _cmyk_defaulted),
    Case("6.2.4.3", "cmyk-form-not-drawn", None, _unused_cmyk_form),
    Case("6.2.4.3", "cmyk-form-drawn", "pdfa.colour", _used_cmyk_form),
    Case("6.2.4.3", "cmyk-image-drawn", "pdfa.colour", _image_drawn(True)),
    Case("6.2.4.3", "cmyk-image-not-drawn", None, _image_drawn(False)),
    Case("6.2.4.3", "cmyk-inline-image", "pdfa.colour", _inline_cmyk),
    Case("6.2.4.3", "default-gray-no-intent", "pdfa.output-intent", _default_gray),
    Case("6.2.4.3", "default-gray-calgray-default", None, lambda pdf: _default_gray(pdf, True)),
    Case("6.2.4.4", "separation-cmyk-alternate", "pdfa.colour", _separation("cmyk")),
    Case("6.2.4.4", "separation-icc-alternate", None, _separation("icc")),
    # 6.2.5 graphics state, 6.2.6 rendering intents
    Case("6.2.5", "tr2-default", None, graphics_state(TR2=Name.Default)),
    Case("6.2.5", "tr", "pdfa.graphics-state", graphics_state(TR=Name.Identity)),
    Case("6.2.5", "htp", "pdfa.graphics-state", graphics_state(HTP=Name.Foo)),
    Case("6.2.5", "halftone-type-6", "pdfa.graphics-state", graphics_state(HT=Dictionary(HalftoneType=6))),
    Case("6.2.5", "ri-standard", None, graphics_state(RI=Name.Perceptual)),
    Case("6.2.5", "ri-custom", "pdfa.graphics-state", graphics_state(RI=Name.Custom)),
    Case("6.2.6", "ri-operator-standard", None, lambda pdf: content(pdf, b"/Saturation ri 0.2 0.4 0.6 rg\n" + RECT)),
    Case("6.2.6", "ri-operator-custom", "pdfa.graphics-state",
         lambda pdf: content(pdf, b"/Custom ri 0.2 0.4 0.6 rg\n" + RECT)),
    # 6.2.8 images, 6.2.9 XObjects
    Case("6.2.8", "interpolate-false", None, _image_entries(Interpolate=False)),
    Case("6.2.8", "interpolate-true", "pdfa.xobject", _image_entries(Interpolate=True)),
    Case("6.2.8", "alternates", "pdfa.xobject", _image_entries(Alternates=Array())),
    Case("6.2.8", "opi", "pdfa.xobject", _image_entries(OPI=Dictionary())),
    Case("6.2.8", "intent-custom", "pdfa.xobject", _image_entries(Intent=Name.Custom)),
    Case("6.2.8", "inline-interpolate", "pdfa.xobject",
         lambda pdf: content(pdf, b"q BI /W 1 /H 1 /BPC 8 /CS /RGB /I true ID \x80\x80\x80 EI Q\n")),
    Case("6.2.9", "form", None, _form_entries()),
    Case("6.2.9", "form-ps", "pdfa.xobject", _form_entries(Subtype2=Name.PS)),
    Case("6.2.9", "reference-xobject", "pdfa.external-content",
         _form_entries(Ref=Dictionary(F="elders.pdf", Page=0))),
    Case("6.2.9", "postscript-xobject", "pdfa.xobject", _postscript_xobject),
    # 6.2.11.4.1 fonts
    Case("6.2.11.4.1", "font-embedded", None, _text(embedded=True)),
    Case("6.2.11.4.1", "font-not-embedded", "pdfa.fonts", _text()),
    Case("6.2.11.4.1", "font-not-embedded-invisible", None, _text(mode=3)),
    Case("6.2.11.4.1", "font-only-in-form-defaults", None, _font_in_form_defaults),
    # 6.3 annotations
    Case("6.3.2", "text-annotation-printed", None, _annotation(Subtype=Name.Text, F=4)),
    Case("6.3.2", "popup-without-flags", None, _annotation(Subtype=Name.Popup)),
    Case("6.3.2", "text-annotation-without-flags", "pdfa.annotation", _annotation(Subtype=Name.Text)),
    Case("6.3.2", "text-annotation-hidden", "pdfa.annotation", _annotation(Subtype=Name.Text, F=6)),
    Case("6.3.1", "3d-annotation", "pdfa.annotation", _annotation(Subtype=Name("/3D"), F=4)),
    Case("6.3.1", "non-standard-annotation", "pdfa.annotation", _annotation(Subtype=Name.Sticker, F=4)),
    # 6.4 interactive forms
    Case("6.4.1", "need-appearances-false", None, _form_dict(NeedAppearances=False)),
    Case("6.4.1", "need-appearances-true", "pdfa.form", _form_dict(NeedAppearances=True)),
    Case("6.4.1", "widget-action", "pdfa.form", _widget_action),
    Case("6.4.2", "xfa", "pdfa.form", _form_dict(XFA=Array())),
    Case("6.4.2", "needs-rendering", "pdfa.form", _set("/NeedsRendering", False)),
    # 6.5 actions
    Case("6.5.1", "goto", None, _goto),
    Case("6.5.1", "named-next-page", None, _named("/NextPage")),
    Case("6.5.1", "uri", None, action("/URI", URI="https://example.org")),
    Case("6.5.1", "named-print", "pdfa.action", _named("/Print")),
    *(Case("6.5.1", kind[1:].lower(), "pdfa.action", action(kind)) for kind in (
        "/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/Hide", "/SetOCGState", "/Rendition",
        "/Trans", "/GoTo3DView", "/SetState", "/NOP")),
    Case("6.5.1", "javascript", "pdfa.javascript", action("/JavaScript", JS="app.alert(1)")),
    Case("6.5.2", "page-additional-actions", "pdfa.action", _page_aa),
    # 6.6 metadata
    Case("6.6.2.1", "no-metadata", "pdfa.identification", lambda pdf: pdf.Root.__delitem__("/Metadata")),
    Case("6.6.2.1", "packet-bytes-attribute", "pdfa.identification", lambda pdf: set_xmp(pdf, xmp(
        header="bytes='999' begin='\ufeff' id='W5M0MpCehiHzreSzNTczkc9d'"))),
    Case("6.6.4", "corrigendum", None, lambda pdf: set_xmp(pdf, xmp(extra=' pdfaid:corr="1:2007"'))),
    Case("6.6.4", "wrong-prefix", "pdfa.identification", lambda pdf: set_xmp(pdf, xmp(prefix="pdfa"))),
    Case("6.6.4", "wrong-namespace", "pdfa.identification",
         lambda pdf: set_xmp(pdf, xmp(namespace="http://www.aiim.org/pdfa/"))),
    Case("6.6.4", "no-part", "pdfa.identification", lambda pdf: set_xmp(pdf, xmp(part=""))),
    Case("6.6.4", "part-0", "pdfa.identification", lambda pdf: set_xmp(pdf, xmp(part="0"))),
    Case("6.6.4", "no-conformance", "pdfa.identification", lambda pdf: set_xmp(pdf, xmp(conformance=None))),
    Case("6.6.4", "conformance-r", "pdfa.identification", lambda pdf: set_xmp(pdf, xmp(conformance="R"))),
    # 6.8 embedded files
    Case("6.8", "embedded-pdfa", None, embed(pdfa_file())),
    Case("6.8", "embedded-other", "pdfa.embedded-file", embed(b"MZ\x90\x00 not a PDF/A")),
]
