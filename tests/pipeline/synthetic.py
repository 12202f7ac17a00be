"""Small synthetic scanner output for pipeline tests: real dsd separator sheets, rasterised like a scan, and
letter pages with Dutch or French text that Tesseract can read."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Sequence
from pathlib import Path

import img2pdf
import pypdfium2
from PIL import Image, ImageDraw, ImageFont, ImageOps

from dsd_cli.profiles import load_profile
from dsd_cli.sheets.render import SheetSpec, write_sheets

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DPI = 150


def sheet_image(dossier: str, doc_type: str) -> Image.Image:
    with tempfile.TemporaryDirectory() as work:
        pdf_path = Path(work) / "sheet.pdf"
        write_sheets([SheetSpec(dossier=dossier, doc_type=doc_type)], pdf_path, load_profile())
        pdf = pypdfium2.PdfDocument(str(pdf_path))
        try:
            return ImageOps.grayscale(pdf[0].render(scale=DPI / 72).to_pil())
        finally:
            pdf.close()


def text_page(words: str) -> Image.Image:
    page = Image.new("L", (int(8.27 * DPI), int(5.8 * DPI)), 255)  # half an A4 page: quicker OCR
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 28)
    draw.text((90, 120), words, font=font, fill=0)
    draw.text((90, 190), "Sociaal Huis Voorbeeldstad", font=font, fill=0)
    return page


def scanner_pdf(path: Path, documents: Sequence[tuple[str, str, Sequence[str]]],
                leading_pages: Sequence[str] = ()) -> int:
    """Write a scanner-style PDF; each document = (dossier, type, [page texts]). Returns the page count."""
    images = [text_page(t) for t in leading_pages]
    for dossier, doc_type, texts in documents:
        images.append(sheet_image(dossier, doc_type))
        images += [text_page(t) for t in texts]
    jpegs = []
    for image in images:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80, dpi=(DPI, DPI))
        jpegs.append(buffer.getvalue())
    path.write_bytes(img2pdf.convert(jpegs))
    return len(images)
