"""Structural PDF/A checks with pikepdf, each a named check.

What is checked: the XMP identification (pdfaid:part and conformance), an output intent, every font embedded,
no encryption, no JavaScript or launch actions, no embedded files, no external content (remote go-to, URI
actions on form submission, external streams), and that the XMP metadata and the Info dictionary agree on title and
producer. What is not checked: colour spaces against the output intent, transparency, every operator of content
streams, full XMP schema validity — those need a full validator (veraPDF) and dsd does not claim them.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf

from dsd_cli.models import Problem

_FORBIDDEN_ACTIONS = {"/JavaScript": "JavaScript", "/Launch": "launch action", "/GoToR": "remote go-to",
                      "/ImportData": "data import", "/SubmitForm": "form submission"}


def _actions(obj: pikepdf.Object, seen: set[tuple[int, int]], depth: int = 0) -> set[str]:
    """Action types found anywhere below `obj` (bounded walk: hostile files may nest deeply)."""
    found: set[str] = set()
    if depth > 40:
        return found
    if isinstance(obj, pikepdf.Dictionary):
        if obj.is_indirect:
            key = obj.objgen
            if key in seen:
                return found
            seen.add(key)
        subtype = obj.get("/S")
        if subtype is not None and str(subtype) in _FORBIDDEN_ACTIONS:
            found.add(_FORBIDDEN_ACTIONS[str(subtype)])
        if "/JS" in obj:
            found.add("JavaScript")
        for key, value in obj.items():
            if key in ("/Parent", "/P"):
                continue
            found |= _actions(value, seen, depth + 1)
    elif isinstance(obj, pikepdf.Array):
        for item in obj:
            found |= _actions(item, seen, depth + 1)
    return found


def _fonts_not_embedded(pdf: pikepdf.Pdf) -> set[str]:
    missing: set[str] = set()
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
        if not isinstance(fonts, pikepdf.Dictionary):
            continue
        for font in fonts.values():
            if not isinstance(font, pikepdf.Dictionary) or font.get("/Subtype") == "/Type3":
                continue
            descriptor = font.get("/FontDescriptor")
            if font.get("/Subtype") == "/Type0":
                descendants = font.get("/DescendantFonts")
                if isinstance(descendants, pikepdf.Array) and len(descendants):
                    descriptor = descendants[0].get("/FontDescriptor")
            if not isinstance(descriptor, pikepdf.Dictionary) or not any(
                    k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.add(str(font.get("/BaseFont", "unnamed font")))
    return missing


def check_pdfa(path: Path, display: str, bag: str = "") -> tuple[list[Problem], tuple[str, str]]:
    """Problems found, and the (part, conformance) the file claims."""
    problems: list[Problem] = []

    def error(check: str, message: str) -> None:
        problems.append(Problem(display, check, message, "error", bag))

    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        error("pdfa.encrypted", "the PDF is encrypted (PDF/A forbids encryption)")
        return problems, ("", "")
    except Exception as exc:  # any parser failure: the file is not usable
        error("pdf.unreadable", f"the PDF cannot be parsed: {type(exc).__name__}")
        return problems, ("", "")
    with pdf:
        try:
            meta = pdf.open_metadata()
            part, conformance = str(meta.get("pdfaid:part", "")), str(meta.get("pdfaid:conformance", ""))
            title_xmp = str(meta.get("dc:title", "") or "")
        except Exception:  # broken XMP counts as no identification
            part, conformance, title_xmp = "", "", ""
        if not part:
            error("pdfa.identification", "no PDF/A identification (pdfaid:part) in the XMP metadata")
        if pdf.is_encrypted:
            error("pdfa.encrypted", "the PDF is encrypted (PDF/A forbids encryption)")
        if "/OutputIntents" not in pdf.Root or not len(pdf.Root.OutputIntents):
            error("pdfa.output-intent", "no output intent (PDF/A needs one)")
        names = pdf.Root.get("/Names")
        if isinstance(names, pikepdf.Dictionary):
            if "/EmbeddedFiles" in names:
                error("pdfa.embedded-file", "the PDF carries embedded files")
            if "/JavaScript" in names:
                error("pdfa.javascript", "the PDF carries document JavaScript")
        if any("/FileAttachment" == str(a.get("/Subtype")) for p in pdf.pages for a in p.obj.get("/Annots", [])):
            error("pdfa.embedded-file", "a page carries a file attachment annotation")
        actions = _actions(pdf.Root, set())
        for page in pdf.pages:
            actions |= _actions(page.obj, set())
        for action in sorted(actions):
            check = "pdfa.javascript" if action == "JavaScript" else "pdfa.action"
            error(check, f"the PDF contains a {action}, forbidden in PDF/A")
        missing_fonts = _fonts_not_embedded(pdf)
        if missing_fonts:
            error("pdfa.fonts", f"fonts not embedded: {', '.join(sorted(missing_fonts))}")
        info_title = str(pdf.docinfo.get("/Title", "")) if pdf.docinfo is not None else ""
        if info_title and title_xmp and info_title != title_xmp:
            error("pdfa.metadata-mismatch", "the Info dictionary and XMP metadata disagree on the title")
    return problems, (part, conformance)
