"""Small scanned documents for the OCR engine tests: image PDFs made the way `dsd run` makes them."""

from __future__ import annotations

from pathlib import Path

from benchmarks.ocrpages import Page, encode
from dsd_cli.models import PageRef
from dsd_cli.scan.assemble import write_pages_pdf


def image_pdf(folder: Path, name: str, pages: list[tuple[Page, str]]) -> tuple[Path, list[Path]]:
    """Write each page as a scanner file (JPEG, PNG or Group 4 TIFF) and assemble them as dsd does."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for n, (page, kind) in enumerate(pages, start=1):
        suffix = {"jpeg": ".jpg", "png": ".png", "g4": ".tif"}[kind]
        path = folder / f"{name}-{n}{suffix}"
        path.write_bytes(encode(page, kind))
        files.append(path)
    pdf = folder / f"{name}.image.pdf"
    write_pages_pdf([PageRef(source=f, index=0) for f in files], pdf)
    return pdf, files
