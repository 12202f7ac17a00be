"""PDF/A-2 rules about dictionaries, checked on every object of the file wherever it sits (pages, annotations, form
fields, outlines, name trees): actions (ISO 19005-2 6.5), annotations (6.3.1, 6.3.2), interactive forms (6.4),
external content and XObjects (6.1.7.1, 6.2.8, 6.2.9), graphics states and halftones (6.2.5), permissions
(6.1.12), embedded files (6.8). Every indirect object is visited once, with the direct objects inside it.

Each finding is (check, what); pdfcheck turns them into problems. Besides, the walk notes what decides whether the
rendering walk (pdfa_render) is needed: fonts without a font program, and device colour space names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from dsd_cli.verify.pdfa_render import DEVICE, RENDERING_INTENTS, font_embedded

# ISO 19005-2 6.5.1: actions that shall not be used (the PDF 1.2 set-state and no-op actions included).
FORBIDDEN_ACTIONS = {"/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/Hide", "/SetOCGState",
                     "/Rendition", "/Trans", "/GoTo3DView", "/SetState", "/NOP"}
NAMED_ACTIONS = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}
"""The only named actions PDF/A-2 allows."""
EXTERNAL_LINKS = {"/GoToR": "remote go-to", "/GoToE": "embedded go-to", "/SubmitForm": "form submission",
                  "/URI": "web link"}
# ISO 32000-1 12.5.6 annotation types; PDF/A-2 6.3.1 forbids 3D, Sound, Screen and Movie, and any other type.
ANNOTATIONS = {"/Text", "/Link", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine",
               "/Highlight", "/Underline", "/Squiggly", "/StrikeOut", "/Stamp", "/Caret", "/Ink", "/Popup",
               "/FileAttachment", "/Widget", "/PrinterMark", "/TrapNet", "/Watermark", "/Redact"}
FORBIDDEN_ANNOTATIONS = {"/3D", "/Sound", "/Screen", "/Movie"}
PRINT, HIDDEN_FLAGS = 4, 1 | 2 | 32 | 256  # Print; Invisible, Hidden, NoView, ToggleNoView
PRIMARY_COLORANTS = {"/Cyan", "/Magenta", "/Yellow", "/Black", "/Default"}
"""The components of a type 5 halftone that must not have a transfer function; every other one must (6.2.5, as
the veraPDF test corpus reads it: Red, Green and Blue count as non-primary)."""
MAX_DEPTH = 100


@dataclass
class ObjectFindings:
    items: dict[str, set[str]] = field(default_factory=dict)
    unembedded_fonts: bool = False
    signatures: int = 0
    """Signature and document timestamp dictionaries (a /ByteRange)."""
    device_names: set[str] = field(default_factory=set)
    """Device colour spaces named anywhere outside content streams."""
    embedded_files: list[Stream] = field(default_factory=list)
    content_streams: list[Stream] = field(default_factory=list)
    """Form XObject, pattern, glyph and appearance streams (page contents are read from the pages)."""

    def add(self, check: str, what: str) -> None:
        self.items.setdefault(check, set()).add(what)


def _name(value: object) -> str:
    return str(value) if isinstance(value, Name) else ""


def walk_objects(pdf: pikepdf.Pdf) -> ObjectFindings:
    found = ObjectFindings()
    for obj in [*pdf.objects, pdf.trailer]:
        try:
            _walk(obj, found)
        except UnicodeDecodeError:  # str() of a name that is not UTF-8 (ISO 19005-2 6.1.8)
            found.add("pdfa.file-structure", "a name object that is not valid UTF-8")
    return found


def _walk(obj: object, found: ObjectFindings, depth: int = 0) -> None:
    """Inspect a dictionary or array and its direct children (indirect ones are visited on their own)."""
    if depth > MAX_DEPTH:
        found.add("pdf.unreadable", f"objects nested deeper than {MAX_DEPTH} levels")
        return
    if isinstance(obj, Stream):
        _inspect(obj.stream_dict, found, obj)
        children = obj.stream_dict.values()
    elif isinstance(obj, Dictionary):
        _inspect(obj, found, None)
        children = obj.values()
    elif isinstance(obj, Array):
        children = list(obj)
        for value in children:
            if isinstance(value, Name) and str(value) in DEVICE:
                found.device_names.add(DEVICE[str(value)])
    else:
        return
    for value in children:
        if isinstance(value, Dictionary | Array) and not value.is_indirect:
            _walk(value, found, depth + 1)
        elif isinstance(value, Name) and str(value) in DEVICE:
            found.device_names.add(DEVICE[str(value)])


def _inspect(d: Dictionary, found: ObjectFindings, stream: Stream | None) -> None:
    kind, subtype = _name(d.get("/Type")), _name(d.get("/Subtype"))
    if "/ByteRange" in d and "/Contents" in d:
        found.signatures += 1
    if kind in ("", "/Action") and "/S" in d:
        _action(d, found)
    if "/JS" in d:
        found.add("pdfa.javascript", "JavaScript")
    if "/AA" in d:
        found.add("pdfa.action", "additional actions (AA)")
    if kind == "/EmbeddedFile" and stream is not None:
        found.embedded_files.append(stream)
    if stream is not None:
        external = [k[1:] for k in ("/F", "/FFilter", "/FDecodeParms") if k in d]
        if external:
            found.add("pdfa.external-content", f"a stream with {', '.join(external)} (data in an external file)")
        if subtype in ("/Form", "/Pattern") or kind == "/Pattern" or "/PatternType" in d:
            found.content_streams.append(stream)
    if subtype == "/Image":
        _image(d, found)
    elif subtype == "/Form":
        _form_xobject(d, found)
    elif subtype == "/PS" and (kind in ("", "/XObject")):
        found.add("pdfa.xobject", "a PostScript XObject")
    if kind == "/Font" or ("/BaseFont" in d and subtype):
        if subtype != "/Type0" and not font_embedded(d):
            found.unembedded_fonts = True
        procs = d.get("/CharProcs")
        if isinstance(procs, Dictionary):
            found.content_streams += [g for g in procs.values() if isinstance(g, Stream)]
    if kind == "/Annot" or ("/Rect" in d and subtype and kind == ""):
        _annotation(d, subtype, found)
    if "/FT" in d and "/A" in d:
        found.add("pdfa.form", "a form field with an action (A)")
    if "/ExtGState" in d and isinstance(d["/ExtGState"], Dictionary):
        for name, gs in d["/ExtGState"].items():
            if isinstance(gs, Dictionary):
                _graphics_state(name, gs, found)
    if "/TransformMethod" in d and any(k in d for k in ("/DigestLocation", "/DigestMethod", "/DigestValue")):
        found.add("pdfa.permissions", "a signature reference with DigestLocation, DigestMethod or DigestValue")
    if "/AP" in d and isinstance(d["/AP"], Dictionary):
        for value in d["/AP"].values():
            found.content_streams += [value] if isinstance(value, Stream) else [
                v for v in (value.values() if isinstance(value, Dictionary) else ()) if isinstance(v, Stream)]


def _action(d: Dictionary, found: ObjectFindings) -> None:
    action = _name(d.get("/S"))
    if action == "/JavaScript":
        found.add("pdfa.javascript", "JavaScript")
    elif action in FORBIDDEN_ACTIONS:
        found.add("pdfa.action", action[1:] + " action")
    elif action in EXTERNAL_LINKS:
        found.add("pdf.external-link", EXTERNAL_LINKS[action])
    elif action == "/Named" and _name(d.get("/N")) not in NAMED_ACTIONS:
        found.add("pdfa.action", f"named action {_name(d.get('/N'))[1:] or '(none)'}")


def _image(d: Dictionary, found: ObjectFindings) -> None:
    for key in ("/Alternates", "/OPI"):
        if key in d:
            found.add("pdfa.xobject", f"an image with {key[1:]}")
    if d.get("/Interpolate") is True:
        found.add("pdfa.xobject", "an image with Interpolate true")
    intent = d.get("/Intent")
    if isinstance(intent, Name) and str(intent) not in RENDERING_INTENTS:
        found.add("pdfa.xobject", f"an image with rendering intent {str(intent)[1:]}")


def _form_xobject(d: Dictionary, found: ObjectFindings) -> None:
    if "/Ref" in d:
        found.add("pdfa.external-content", "a reference XObject (page imported from another file)")
    if "/OPI" in d:
        found.add("pdfa.xobject", "a form XObject with OPI")
    if d.get("/Subtype2") == "/PS" or "/PS" in d:
        found.add("pdfa.xobject", "a form XObject with PostScript (PS, Subtype2 PS)")


def _annotation(d: Dictionary, subtype: str, found: ObjectFindings) -> None:
    if subtype in FORBIDDEN_ANNOTATIONS:
        found.add("pdfa.annotation", f"a {subtype[1:]} annotation")
    elif subtype and subtype not in ANNOTATIONS:
        found.add("pdfa.annotation", f"a non-standard {subtype[1:]} annotation")
    if subtype != "/Popup":
        flags = d.get("/F")
        if not isinstance(flags, int):
            found.add("pdfa.annotation", f"a {subtype[1:] or 'untyped'} annotation without flags (F)")
        elif not flags & PRINT or flags & HIDDEN_FLAGS:
            found.add("pdfa.annotation", f"a {subtype[1:]} annotation that is hidden or not printed")
    if subtype == "/Widget" and "/A" in d:
        found.add("pdfa.form", "a form widget with an action (A)")


def _graphics_state(name: object, gs: Dictionary, found: ObjectFindings) -> None:
    what = f"graphics state {name}"
    for key in ("/TR", "/HTP"):
        if key in gs:
            found.add("pdfa.graphics-state", f"{what} with {key[1:]}")
    if "/TR2" in gs and gs["/TR2"] != "/Default":
        found.add("pdfa.graphics-state", f"{what} with a TR2 transfer function other than Default")
    intent = gs.get("/RI")
    if isinstance(intent, Name) and str(intent) not in RENDERING_INTENTS:
        found.add("pdfa.graphics-state", f"{what} with rendering intent {str(intent)[1:]}")
    halftone = gs.get("/HT")
    if isinstance(halftone, Dictionary | Stream):
        _halftone(halftone, what, found)


def _halftone(ht: Dictionary | Stream, what: str, found: ObjectFindings) -> None:
    kind = ht.get("/HalftoneType")
    if kind not in (1, 5):
        found.add("pdfa.graphics-state", f"{what}: halftone type {kind} (only 1 and 5 are allowed)")
    if "/HalftoneName" in ht:
        found.add("pdfa.graphics-state", f"{what}: a halftone with HalftoneName")
    if kind != 5:
        return
    for colorant, sub in ht.items():
        if not isinstance(sub, Dictionary | Stream) or colorant in ("/Type", "/HalftoneType", "/HalftoneName"):
            continue
        has = "/TransferFunction" in sub
        if colorant in PRIMARY_COLORANTS and has:
            found.add("pdfa.graphics-state", f"{what}: a transfer function for primary colorant {colorant[1:]}")
        elif colorant not in PRIMARY_COLORANTS and not has:
            found.add("pdfa.graphics-state", f"{what}: no transfer function for colorant {colorant[1:]}")


def catalog_rules(pdf: pikepdf.Pdf, found: ObjectFindings) -> None:
    """Rules that look at the document catalog itself (6.1.12, 6.4.1, 6.4.2)."""
    root = pdf.Root
    form = root.get("/AcroForm")
    if isinstance(form, Dictionary):
        if form.get("/NeedAppearances") is True:
            found.add("pdfa.form", "NeedAppearances true in the interactive form")
        if "/XFA" in form:
            found.add("pdfa.form", "an XFA form")
    if "/NeedsRendering" in root:
        found.add("pdfa.form", "NeedsRendering in the document catalog")
    perms = root.get("/Perms")
    if isinstance(perms, Dictionary):
        others = sorted(str(k)[1:] for k in perms.keys() if k not in ("/UR3", "/DocMDP"))
        if others:
            found.add("pdfa.permissions", f"permissions other than UR3 and DocMDP ({', '.join(others)})")
    names = root.get("/Names")
    if isinstance(names, Dictionary) and "/JavaScript" in names:
        found.add("pdfa.javascript", "document-level JavaScript")
