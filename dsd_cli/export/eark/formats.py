"""The file format of an exported document, for its PREMIS object: what the PDF itself claims (XMP pdfaid), with
its PRONOM identifier, and plain PDF with its header version otherwise. A claim, not a validation: `dsd verify`
checks the claim."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pikepdf

# PRONOM identifiers of the PDF/A variants (part, conformance).
PDFA_PRONOM = {("1", "A"): "fmt/95", ("1", "B"): "fmt/354", ("2", "A"): "fmt/476", ("2", "B"): "fmt/477",
               ("2", "U"): "fmt/478", ("3", "A"): "fmt/479", ("3", "B"): "fmt/480", ("3", "U"): "fmt/481"}


@dataclass(frozen=True)
class FileFormat:
    name: str
    version: str
    pronom: str = ""


def pdf_format(path: Path) -> FileFormat:
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        part = str(meta.get("pdfaid:part", "")).strip()
        conformance = str(meta.get("pdfaid:conformance", "")).strip().upper()
        version = str(pdf.pdf_version)
    if part:
        return FileFormat(f"PDF/A-{part}{conformance.lower()}", f"{part}{conformance.lower()}",
                          PDFA_PRONOM.get((part, conformance), ""))
    return FileFormat("Portable Document Format", version)


def other_format(path: Path) -> FileFormat:
    """Files dsd writes into the package itself."""
    names = {".xml": ("Extensible Markup Language", "1.0"), ".xsd": ("XML Schema Definition", "1.0"),
             ".html": ("Hypertext Markup Language", "5"), ".csv": ("Comma Separated Values", "")}
    name, version = names.get(path.suffix.lower(), ("unknown", ""))
    return FileFormat(name, version)
