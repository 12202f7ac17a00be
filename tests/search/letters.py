"""Letters for the search and duplicate tests: full lines of Dutch or French text that Tesseract reads, and the
ways a second scan of the same letter differs (skew, another resolution, noise, a stamp, a photocopy)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path

import img2pdf
import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

from tests.pipeline.synthetic import FONT, sheet_image

DPI = 200
Page = Image.Image


def letter(lines: Sequence[str]) -> Page:
    """Half an A4 page at 200 dpi with the lines in 12-point type."""
    page = Image.new("L", (int(8.27 * DPI), int(5.8 * DPI)), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 32)
    for n, line in enumerate(lines):
        draw.text((120, 110 + n * 56), line, font=font, fill=0)
    return page


def skewed(page: Page, degrees: float = 1.2) -> Page:
    return _keep_dpi(page, page.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor=255))


def other_resolution(page: Page, factor: float = 0.75) -> Page:
    """Scanned at a lower resolution: fewer pixels, softer edges."""
    small = page.resize((int(page.width * factor), int(page.height * factor)), Image.Resampling.LANCZOS)
    small = small.filter(ImageFilter.GaussianBlur(0.6))
    small.info["dpi"] = (DPI * factor, DPI * factor)
    return small


def noisy(page: Page, seed: int = 7, amount: float = 18.0) -> Page:
    rng = np.random.default_rng(seed)
    pixels = np.asarray(page, dtype=np.float32) + rng.normal(0, amount, (page.height, page.width))
    return _keep_dpi(page, Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)))


def _keep_dpi(before: Page, after: Page) -> Page:
    if "dpi" in before.info:
        after.info["dpi"] = before.info["dpi"]
    return after


def stamped(page: Page, text: str = "ONTVANGEN 16-03-2026") -> Page:
    """A received stamp in the lower right margin."""
    page = _keep_dpi(page, page.copy())
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 26)
    x, y = page.width - 560, page.height - 150
    draw.rectangle((x, y, x + 470, y + 70), outline=60, width=4)
    draw.text((x + 18, y + 18), text, font=font, fill=60)
    return page


def photocopied(page: Page) -> Page:
    """Grey paper, harder contrast, a dark edge along one side."""
    page = _keep_dpi(page, ImageEnhance.Contrast(page).enhance(1.6))
    pixels = np.asarray(page, dtype=np.int16)
    pixels = np.where(pixels > 128, 225, pixels // 2)
    pixels[:, :40] = 70
    return _keep_dpi(page, Image.fromarray(pixels.astype(np.uint8)))


def scan(page: Page, *steps: Callable[[Page], Page]) -> Page:
    for step in steps:
        page = step(page)
    return page


def scanner_pdf(path: Path, documents: Sequence[tuple[str, str, Sequence[Page]]]) -> int:
    """A scanner-style PDF: per document a real dsd separator sheet, then its pages. Returns the page count."""
    jpegs = []
    for dossier, doc_type, pages in documents:
        for image, dpi in [(sheet_image(dossier, doc_type), 150), *((p, p.info.get("dpi", (DPI,))[0]) for p in pages)]:
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=85, dpi=(dpi, dpi))
            jpegs.append(buffer.getvalue())
    path.write_bytes(img2pdf.convert(jpegs))
    return len(jpegs)
