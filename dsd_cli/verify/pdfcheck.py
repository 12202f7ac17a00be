"""Structural PDF/A checks with pikepdf, each a named check (docs/verification.md lists them).

pikepdf's own PDF/A check answers `not_checked` for signed files, so dsd walks the objects itself: every indirect
object once, and the direct objects inside it. Checked: the XMP identification (pdfaid:part and conformance, valid
values), an output intent with a profile, every font embedded, no encryption, no JavaScript, no actions PDF/A-2
forbids (and no additional-actions entries), no embedded files or file attachments, no external content (external
streams, reference XObjects), links to outside the file (warning), and that the Info dictionary agrees with the
XMP metadata. Not checked (veraPDF's job): colour spaces against the output intent, transparency, every
content-stream operator, XMP schema validity, dates' equivalence.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pikepdf

from dsd_cli.models import Problem

# PDF/A-2 §6.5.1: actions that shall not be used.
FORBIDDEN_ACTIONS = {"/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/Hide", "/SetOCGState",
                     "/Rendition", "/Trans", "/GoTo3DView"}
NAMED_ACTIONS = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}
"""The only named actions PDF/A-2 allows."""
EXTERNAL_LINKS = {"/GoToR": "remote go-to", "/GoToE": "embedded go-to", "/SubmitForm": "form submission",
                  "/URI": "web link"}
CONFORMANCE = {"1": {"A", "B"}, "2": {"A", "B", "U"}, "3": {"A", "B", "U"}, "4": {"", "E", "F"}}
# Info entry -> XMP property that PDF/A requires to be equivalent; the tool-written ones differ more often.
INFO_XMP = {"/Title": "dc:title", "/Author": "dc:creator", "/Subject": "dc:description", "/Keywords": "pdf:Keywords",
            "/Creator": "xmp:CreatorTool", "/Producer": "pdf:Producer"}
TOOL_FIELDS = {"/Creator", "/Producer"}
MAX_DEPTH = 100
Report = Callable[..., None]
"""report(check, message, severity='error')"""


class _Findings:
    def __init__(self) -> None:
        self.items: dict[str, set[str]] = {}

    def add(self, check: str, what: str) -> None:
        self.items.setdefault(check, set()).add(what)


def _walk(obj: object, found: _Findings, depth: int = 0) -> None:
    """Inspect a dictionary or array and its direct children (indirect ones are visited on their own)."""
    if depth > MAX_DEPTH:
        found.add("pdf.unreadable", f"objects nested deeper than {MAX_DEPTH} levels")
        return
    if isinstance(obj, pikepdf.Stream):
        _inspect(obj.stream_dict, found, stream=True)
        for value in obj.stream_dict.values():
            if _direct_container(value):
                _walk(value, found, depth + 1)
    elif isinstance(obj, pikepdf.Dictionary):
        _inspect(obj, found, stream=False)
        for value in obj.values():
            if _direct_container(value):
                _walk(value, found, depth + 1)
    elif isinstance(obj, pikepdf.Array):
        for value in obj:
            if _direct_container(value):
                _walk(value, found, depth + 1)


def _direct_container(value: object) -> bool:
    return isinstance(value, pikepdf.Dictionary | pikepdf.Array) and not value.is_indirect


def _name(value: object) -> str:
    return str(value) if isinstance(value, pikepdf.Name) else ""


def _inspect(d: pikepdf.Dictionary, found: _Findings, *, stream: bool) -> None:
    kind, subtype, action = _name(d.get("/Type")), _name(d.get("/Subtype")), _name(d.get("/S"))
    if "/JS" in d or (action == "/JavaScript" and kind in ("", "/Action")):
        found.add("pdfa.javascript", "JavaScript")
    elif kind in ("", "/Action") and action in FORBIDDEN_ACTIONS:
        found.add("pdfa.action", action[1:] + " action")
    elif kind in ("", "/Action") and action in EXTERNAL_LINKS:
        found.add("pdf.external-link", EXTERNAL_LINKS[action])
    elif kind in ("", "/Action") and action == "/Named" and _name(d.get("/N")) not in NAMED_ACTIONS:
        found.add("pdfa.action", f"named action {_name(d.get('/N'))[1:] or '(none)'}")
    if "/AA" in d:
        found.add("pdfa.action", "additional actions (AA)")
    if kind == "/EmbeddedFile" or "/EF" in d or subtype == "/FileAttachment":
        found.add("pdfa.embedded-file", "an embedded file" if subtype != "/FileAttachment" else "a file attachment")
    if stream and "/F" in d:
        found.add("pdfa.external-content", "a stream whose data is in an external file")
    if subtype == "/Form" and "/Ref" in d:
        found.add("pdfa.external-content", "a reference XObject (page imported from another file)")
    if kind == "/Font" and subtype not in ("/Type0", "/Type3", ""):
        descriptor = d.get("/FontDescriptor")
        if not isinstance(descriptor, pikepdf.Dictionary) or not any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            found.add("pdfa.fonts", str(d.get("/BaseFont", "unnamed font")).lstrip("/"))


def _xmp_text(meta: pikepdf.models.PdfMetadata, key: str) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, list | set | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def check_pdfa(path: Path, display: str, bag: str = "") -> tuple[list[Problem], tuple[str, str]]:
    """Problems found, and the (part, conformance) the file claims."""
    problems: list[Problem] = []

    def report(check: str, message: str, severity: str = "error") -> None:
        problems.append(Problem(display, check, message, severity, bag))

    _file_structure(path, report)
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        report("pdfa.encrypted", "the PDF is encrypted with a password (PDF/A forbids encryption)")
        return problems, ("", "")
    except Exception as exc:  # any parser failure: the file is not usable
        report("pdf.unreadable", f"the PDF cannot be parsed: {type(exc).__name__}")
        return problems, ("", "")
    with pdf:
        try:
            return _check_open(pdf, report, problems)
        except Exception as exc:  # a hostile file that breaks a later step is unusable, not a crash
            report("pdf.unreadable", f"the PDF cannot be read to the end: {type(exc).__name__}")
            return problems, ("", "")


def _file_structure(path: Path, report: Report) -> None:
    """PDF/A file structure: the header at byte 0, nothing after the last %%EOF but one end-of-line."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
            size = handle.seek(0, 2)
            handle.seek(max(0, size - 1024))
            tail = handle.read()
    except OSError as exc:
        report("pdf.unreadable", f"cannot read: {exc.strerror}")
        return
    if not size:
        return  # the parser reports an empty file
    if not head.startswith(b"%PDF-"):
        report("pdfa.file-structure", "the file does not start with the %PDF- header (PDF/A requires it at byte 0)")
    end = tail.rfind(b"%%EOF")
    if end >= 0 and tail[end + 5:] not in (b"", b"\n", b"\r\n", b"\r"):
        report("pdfa.file-structure", f"{len(tail) - end - 5} bytes follow the last %%EOF marker")


def _check_open(pdf: pikepdf.Pdf, report: Report, problems: list[Problem]
                ) -> tuple[list[Problem], tuple[str, str]]:
    if len(pdf.pages) == 0:
        report("pdf.unreadable", "the PDF has no pages")
    try:
        meta = pdf.open_metadata()
        part, conformance = str(meta.get("pdfaid:part", "") or ""), str(meta.get("pdfaid:conformance", "") or "")
    except Exception:  # broken XMP counts as no identification
        meta, part, conformance = None, "", ""
    if not part:
        report("pdfa.identification", "no PDF/A identification (pdfaid:part) in the XMP metadata")
    elif part not in CONFORMANCE or conformance not in CONFORMANCE[part]:
        report("pdfa.identification", f"invalid PDF/A identification: part {part!r}, conformance {conformance!r}")
    if pdf.is_encrypted:
        report("pdfa.encrypted", "the PDF is encrypted (PDF/A forbids encryption)")
    intents = pdf.Root.get("/OutputIntents")
    if not isinstance(intents, pikepdf.Array) or not any(
            isinstance(i, pikepdf.Dictionary) and "/DestOutputProfile" in i for i in intents):
        report("pdfa.output-intent", "no output intent with an ICC profile (PDF/A needs one)")
    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        if "/EmbeddedFiles" in names:
            report("pdfa.embedded-file", "the PDF carries embedded files (dsd archives none; PDF/A-2 only allows "
                                         "PDF/A attachments, which dsd cannot verify)")
        if "/JavaScript" in names:
            report("pdfa.javascript", "the PDF carries document-level JavaScript")
    found = _Findings()
    for obj in pdf.objects:
        _walk(obj, found)
    _walk(pdf.trailer, found)
    messages = {
        "pdfa.javascript": ("the PDF contains {}, forbidden in PDF/A", "error"),
        "pdfa.action": ("the PDF contains actions forbidden in PDF/A: {}", "error"),
        "pdfa.embedded-file": ("the PDF contains {}", "error"),
        "pdfa.external-content": ("the PDF depends on content outside the file: {}", "error"),
        "pdfa.fonts": ("fonts not embedded: {}", "error"),
        "pdf.external-link": ("the PDF links to outside the file ({}); allowed by PDF/A, worth a look", "warning"),
        "pdf.unreadable": ("the PDF cannot be read safely: {}", "error"),
    }
    for check, whats in sorted(found.items.items()):
        if check == "pdfa.embedded-file" and any(p.check == check for p in problems):
            continue
        template, severity = messages[check]
        report(check, template.format(", ".join(sorted(whats))), severity)
    if meta is not None:
        _metadata_agreement(pdf, meta, report)
    return problems, (part, conformance)


def _metadata_agreement(pdf: pikepdf.Pdf, meta: pikepdf.models.PdfMetadata, report: Report) -> None:
    """PDF/A: each Info entry must have an equivalent XMP property with the same value."""
    info = pdf.docinfo if pdf.trailer.get("/Info") is not None else {}
    for key, prop in INFO_XMP.items():
        if key not in info:
            continue
        value = str(info[key])
        xmp = _xmp_text(meta, prop)
        if xmp is None or xmp.strip() != value.strip():
            severity = "warning" if key in TOOL_FIELDS else "error"
            report("pdfa.metadata-mismatch", f"Info {key[1:]} and XMP {prop} disagree"
                   + (" (a tool stamp; PDF/A still requires them to agree)" if severity == "warning" else ""),
                   severity)
