"""PDF/A checks of one PDF with pikepdf, as ISO 19005-2 (PDF/A-2) states them; each a named check
(docs/verification.md lists the checks and the clauses they cover).

pikepdf's own PDF/A check answers `not_checked` for signed files, so dsd reads the file itself: its first and last
bytes (pdfa_bytes), the XMP metadata (pdfa_meta), the output intents (pdfa_intent), every object (pdfa_objects)
and, when it decides a verdict, what the content actually paints (pdfa_render).

The PDF/A rules are errors for a file that claims PDF/A in its XMP metadata, or that a bag's profile requires to
be PDF/A (`required_part`). Any other PDF is not held to them: it only gets warnings for active or external content
(JavaScript, forbidden actions, embedded files, external streams, links out of the file).
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from dsd_cli.errors import parser_message
from dsd_cli.findings import Problem
from dsd_cli.verify.pdfa_bytes import file_structure
from dsd_cli.verify.pdfa_intent import OutputIntent, output_intent
from dsd_cli.verify.pdfa_meta import Xmp, read_xmp
from dsd_cli.verify.pdfa_objects import ObjectFindings, catalog_rules, walk_objects

INFO_XMP = {"/Title": "dc:title", "/Author": "dc:creator", "/Subject": "dc:description", "/Keywords": "pdf:Keywords",
            "/Creator": "xmp:CreatorTool", "/Producer": "pdf:Producer"}
"""Info entry -> the XMP property PDF/A-1 requires to be equivalent (PDF/A-2 no longer requires it)."""
ACTIVE_CONTENT = {"pdfa.javascript", "pdfa.action", "pdfa.embedded-file", "pdfa.external-content",
                  "pdf.external-link", "pdf.unreadable"}
"""Findings that matter in any PDF, PDF/A or not."""
MESSAGES = {
    "pdfa.file-structure": "the file structure breaks PDF/A: {}",
    "pdfa.javascript": "the PDF contains {}, forbidden in PDF/A",
    "pdfa.action": "the PDF contains actions forbidden in PDF/A: {}",
    "pdfa.embedded-file": "the PDF contains {}",
    "pdfa.external-content": "the PDF depends on content outside the file: {}",
    "pdfa.xobject": "XObjects PDF/A forbids: {}",
    "pdfa.graphics-state": "graphics state entries PDF/A forbids: {}",
    "pdfa.annotation": "annotations PDF/A forbids: {}",
    "pdfa.form": "interactive form features PDF/A forbids: {}",
    "pdfa.permissions": "permissions PDF/A forbids: {}",
    "pdf.external-link": "the PDF links to outside the file ({}); allowed by PDF/A, worth a look",
    "pdf.unreadable": "the PDF cannot be read safely: {}",
}
CONTENT_TOKENS = re.compile(rb"(?<![^\s\[\]()<>{}/%])(k|K|rg|RG|ri|BI)(?![^\s\[\]()<>{}/%])|/(CMYK|RGB)\b")
"""Operators and inline-image names after which device colour, a rendering intent or an inline image may show."""
Report = Callable[..., None]
"""report(check, message, severity='error')"""


@dataclass(frozen=True)
class PdfFacts:
    """What the PDF check learnt that the signature check needs."""

    part: str = ""
    conformance: str = ""
    pdfa: bool = False
    """The PDF/A rules applied (a claim, or a bag that requires PDF/A)."""
    signatures: int = 0
    """Signature and timestamp dictionaries (/ByteRange) among the objects, as qpdf reads the file."""
    damaged: bool = False
    """qpdf had to repair the file to read it (reported as pdf.damaged)."""


def check_pdfa(path: Path, display: str, bag: str = "", *, required_part: str = ""
               ) -> tuple[list[Problem], PdfFacts]:
    """Problems found, and what else was learnt (the PDF/A part and conformance the file claims, '' when none).

    `required_part`: the PDF/A part the file must be (a dsd bag whose profile archives PDF/A); '' when only a
    claim in the file itself makes the PDF/A rules apply.
    """
    problems: list[Problem] = []

    def report(check: str, message: str, severity: str = "error") -> None:
        problems.append(Problem(display, check, parser_message(message, path), severity, bag))

    structure = file_structure(path)
    if structure.unreadable:
        report("pdf.unreadable", structure.unreadable)
        return problems, PdfFacts()
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        if required_part:
            report("pdfa.encrypted", "the PDF is encrypted with a password (PDF/A forbids encryption)")
        else:
            report("pdf.encrypted", "the PDF is encrypted with a password: nothing in it can be checked")
        return problems, PdfFacts()
    except Exception as exc:  # any parser failure: the file is not usable
        report("pdf.unreadable", f"the PDF cannot be parsed: {parser_message(exc, path)}")
        return problems, PdfFacts()
    with pdf:
        try:
            facts = _check_open(pdf, path, structure.problems, required_part, report)
        except Exception as exc:  # a hostile file that breaks a later step is unusable, not a crash
            report("pdf.unreadable", f"the PDF cannot be read to the end: {parser_message(exc, path)}")
            return problems, PdfFacts()
        damage = _damage(pdf, path)
    if damage:
        report("pdf.damaged", f"the file is damaged; qpdf repaired it to read it: {damage}")
    return problems, dataclasses.replace(facts, damaged=bool(damage))


def _damage(pdf: pikepdf.Pdf, path: Path) -> str:
    """qpdf's own account of the damage it repaired while reading ('' when the file was sound)."""
    warnings = [parser_message(w, path) for w in pdf.get_warnings()]
    if not any("damaged" in w or "reconstruct" in w for w in warnings):
        return ""
    specific = [w for w in warnings if w != "file is damaged"]
    return specific[0] if specific else warnings[0]


def _metadata_bytes(pdf: pikepdf.Pdf) -> bytes | None:
    stream = pdf.Root.get("/Metadata")
    return stream.read_bytes() if isinstance(stream, pikepdf.Stream) else None


def _check_open(pdf: pikepdf.Pdf, path: Path, structure: list[str], required_part: str, report: Report
                ) -> PdfFacts:
    if len(pdf.pages) == 0:
        report("pdf.unreadable", "the PDF has no pages")
    try:
        xmp = read_xmp(_metadata_bytes(pdf))
    except pikepdf.PdfError as exc:
        xmp = Xmp(problems=[f"the XMP metadata stream cannot be decoded: {parser_message(exc, path)}"])
    found = walk_objects(pdf)
    catalog_rules(pdf, found)
    facts = PdfFacts(xmp.part, xmp.conformance, bool(xmp.claims or required_part), found.signatures)
    if not facts.pdfa:
        if found.embedded_files:
            found.add("pdfa.embedded-file", "embedded files")
        for check, whats in sorted(found.items.items()):
            if check in ACTIVE_CONTENT:
                report(check, MESSAGES[check].format(", ".join(sorted(whats)))
                       + ("" if check == "pdf.unreadable" else " (the file does not claim PDF/A)"),
                       "error" if check == "pdf.unreadable" else "warning")
        return facts
    part = xmp.part if xmp.part in ("1", "2", "3", "4") else required_part or "2"
    for finding in structure:
        report("pdfa.file-structure", finding)
    _trailer(pdf, report)
    for finding in xmp.problems:
        report("pdfa.identification", finding)
    if required_part and not xmp.part and not xmp.problems:
        report("pdfa.identification", "no PDF/A identification (pdfaid:part) in the XMP metadata")
    intent = output_intent(pdf)
    for finding in intent.problems:
        report("pdfa.output-intent", finding)
    _rendering(pdf, found, intent, report)
    embedded = _embedded_files(found, part)
    if embedded:
        found.add("pdfa.embedded-file", embedded)
    for check, whats in sorted(found.items.items()):
        report(check, MESSAGES[check].format(", ".join(sorted(whats))),
               "warning" if check == "pdf.external-link" else "error")
    _metadata_agreement(pdf, xmp, part, report)
    return facts


def _trailer(pdf: pikepdf.Pdf, report: Report) -> None:
    """ISO 19005-2 6.1.3: a file identifier in the (first-page) trailer, no encryption."""
    ids = pdf.trailer.get("/ID")
    if not isinstance(ids, pikepdf.Array) or len(ids) != 2 or not all(
            isinstance(i, pikepdf.String) and len(bytes(i)) for i in ids):
        report("pdfa.file-structure", "the trailer has no file identifier (ID: two non-empty strings)")
    if pdf.is_encrypted:
        report("pdfa.encrypted", "the PDF is encrypted (PDF/A forbids encryption)")


def _content_hints(pdf: pikepdf.Pdf, found: ObjectFindings) -> set[str]:
    """What the content streams might use, read from their tokens without interpreting them."""
    hints: set[str] = set()
    streams = [s for page in pdf.pages for s in _page_contents(page)] + found.content_streams
    for stream in streams:
        try:
            data = stream.read_bytes()
        except pikepdf.PdfError:
            hints.add("unparsable")  # the interpreter will say what is wrong
            continue
        for match in CONTENT_TOKENS.finditer(data):
            token = (match[1] or match[2]).decode()
            hints.add({"k": "DeviceCMYK", "K": "DeviceCMYK", "CMYK": "DeviceCMYK", "rg": "DeviceRGB",
                       "RG": "DeviceRGB", "RGB": "DeviceRGB"}.get(token, token))
    return hints


def _page_contents(page: pikepdf.Page) -> list[pikepdf.Stream]:
    contents = page.obj.get("/Contents")
    if isinstance(contents, pikepdf.Stream):
        return [contents]
    return [c for c in contents if isinstance(c, pikepdf.Stream)] if isinstance(contents, pikepdf.Array) else []


def _rendering(pdf: pikepdf.Pdf, found: ObjectFindings, intent: OutputIntent, report: Report) -> None:
    """Device colour against the output intent, fonts, rendering intents: decided on what is painted. The content
    is interpreted only when a cheaper look cannot rule a problem out."""
    allowed = ({"DeviceGray", intent.space} - {""}) if intent.present else set()
    hints = _content_hints(pdf, found)
    possible = found.device_names | (hints & {"DeviceRGB", "DeviceCMYK"}) | {"DeviceGray"}
    if not (found.unembedded_fonts or possible - allowed or hints & {"ri", "BI", "unparsable"}):
        return
    from dsd_cli.verify.pdfa_render import TooComplex, rendered

    try:
        painted = rendered(pdf)
    except TooComplex as exc:
        report("pdf.unreadable", f"the content cannot be checked: {exc}")
        return
    for device, where in sorted(painted.device.items()):
        if device in allowed:
            continue
        if not intent.present:
            others = _other_intents(pdf)
            report("pdfa.output-intent", f"{device} is used ({where}) without a Default colour space, so PDF/A "
                   "needs a PDF/A output intent (GTS_PDFA1)" + (f"; {others} is not the PDF/A one" if others else ""))
        elif intent.space:  # (an unusable profile is reported as such)
            report("pdfa.colour", f"{device} is used ({where}) without a Default colour space, but the PDF/A "
                   f"output intent's profile is {intent.space.removeprefix('Device')}")
    if painted.fonts:
        report("pdfa.fonts", "fonts used for rendering are not embedded: " + ", ".join(
            f"{name} ({where})" for name, where in sorted(painted.fonts.items())))
    for value, where in sorted(painted.intents.items()):
        report("pdfa.graphics-state", f"rendering intent {value[1:]} ({where}) is not one of the four standard ones")
    if painted.inline_interpolate:
        report("pdfa.xobject", f"an inline image asks for interpolation ({painted.inline_interpolate})")


def _other_intents(pdf: pikepdf.Pdf) -> str:
    intents = pdf.Root.get("/OutputIntents")
    kinds = sorted({str(i.get("/S", ""))[1:] for i in intents if isinstance(i, pikepdf.Dictionary)} - {""}) \
        if isinstance(intents, pikepdf.Array) else []
    return " and ".join(f"a {k} output intent" for k in kinds)


def _embedded_files(found: ObjectFindings, part: str) -> str:
    """PDF/A-2 (6.8) allows embedded files only when they are PDF/A-1 or PDF/A-2 themselves; PDF/A-3 and -4 allow
    others (with conditions dsd does not check)."""
    if part in ("3", "4") or not found.embedded_files:
        return ""
    for stream in found.embedded_files:
        try:
            with pikepdf.open(io.BytesIO(stream.read_bytes())) as inner:
                claimed = read_xmp(_metadata_bytes(inner)).part
        except Exception:  # not a PDF at all, or unreadable: not a PDF/A attachment
            claimed = ""
        if claimed not in (("1", "2") if part == "2" else ()):
            return "an embedded file that is not a PDF/A-1 or PDF/A-2 document" if part == "2" else \
                "an embedded file (PDF/A-1 allows none)"
    return ""


def _metadata_agreement(pdf: pikepdf.Pdf, xmp: Xmp, part: str, report: Report) -> None:
    """Info entries and their XMP equivalents: an error in PDF/A-1 (6.7.3); PDF/A-2 and later no longer require
    them to agree, so a difference is only worth a look."""
    if pdf.trailer.get("/Info") is None:
        return
    info = pdf.docinfo
    for key, prop in INFO_XMP.items():
        if key not in info:
            continue
        value, other = str(info[key]).strip(), xmp.properties.get(prop)
        if other is None or other.strip() != value:
            if part == "1":
                report("pdfa.metadata-mismatch", f"Info {key[1:]} and XMP {prop} disagree (PDF/A-1 requires "
                       "them to agree)")
            else:
                report("pdfa.metadata-mismatch", f"Info {key[1:]} and XMP {prop} disagree (allowed by "
                       f"PDF/A-{part}, worth a look)", "warning")
