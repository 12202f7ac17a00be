"""Page images for separator tests: real `write_sheets` output rasterised like a scan, letters, foreign codes."""

from __future__ import annotations

import functools
import io
import tempfile
from pathlib import Path

import numpy as np
import pypdfium2
import segno
import zxingcpp
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from dsd_cli.profiles import load_profile
from dsd_cli.sheets.render import SheetSpec, write_sheets

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
EPC = "BCD\n002\n1\nSCT\nGEBABEBB\nFluvius cv\nBE71096123456769\nEUR123.45\n\n\nFactuur 2024/123"


@functools.lru_cache(maxsize=32)
def _sheet(dossier: str, doc_type: str, dpi: int) -> Image.Image:
    with tempfile.TemporaryDirectory() as work:
        pdf_path = Path(work) / "sheet.pdf"
        write_sheets([SheetSpec(dossier, doc_type)], pdf_path, load_profile())
        pdf = pypdfium2.PdfDocument(str(pdf_path))
        try:
            return ImageOps.grayscale(pdf[0].render(scale=dpi / 72).to_pil())
        finally:
            pdf.close()


def sheet(dossier: str, doc_type: str = "aanvraag", dpi: int = 150) -> Image.Image:
    """A separator sheet as a greyscale scan at `dpi`."""
    return _sheet(dossier, doc_type, dpi).copy()


def letter(text: str, dpi: int = 150, lines: int = 12) -> Image.Image:
    """An A4 letter page with a few lines of text."""
    page = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 250)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, round(dpi * 0.13))
    for line in range(lines):
        draw.text((dpi, dpi * (1.2 + 0.25 * line)), f"{text} — regel {line + 1} van de brief", font=font, fill=20)
    return page


def blank(dpi: int = 150, specks: int = 80, seed: int = 1) -> Image.Image:
    """A blank sheet as a scanner sees it: paper tone and a few specks."""
    rng = np.random.default_rng(seed)
    page = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 246)
    draw = ImageDraw.Draw(page)
    for x, y in zip(rng.integers(0, page.width, specks), rng.integers(0, page.height, specks), strict=True):
        draw.point((int(x), int(y)), fill=int(rng.integers(40, 200)))
    return page


def qr(text: str, error: str = "m", scale: int = 6) -> Image.Image:
    buffer = io.BytesIO()
    segno.make(text, error=error, micro=False).save(buffer, kind="png", scale=scale, border=4)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def code128(text: str, width: int, height: int) -> Image.Image:
    code = zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128))
    return Image.fromarray(np.asarray(code)).convert("L").resize((width, height), Image.Resampling.NEAREST)


def noise(image: Image.Image, sigma: float, seed: int = 1) -> Image.Image:
    rng = np.random.default_rng(seed)
    pixels = np.asarray(image, dtype=np.int16) + rng.normal(0, sigma, image.size[::-1]).astype(np.int16)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def fit_to_page(image: Image.Image, scale: float) -> Image.Image:
    small = image.resize((int(image.width * scale), int(image.height * scale)), Image.Resampling.LANCZOS)
    page = Image.new("L", image.size, 255)
    page.paste(small, ((image.width - small.width) // 2, (image.height - small.height) // 3))
    return page


def small_worn_copy(image: Image.Image) -> Image.Image:
    """A sheet printed 'fit to page' at 40 %, copied and scanned: blurred and grainy."""
    return noise(fit_to_page(image, 0.4).filter(ImageFilter.GaussianBlur(2)), 40)


def scramble_codes(image: Image.Image, seed: int = 5) -> Image.Image:
    """Replace both QR codes of a sheet by random modules: still looks like a sheet, no code decodes."""
    rng = np.random.default_rng(seed)
    pixels = np.asarray(image).copy()
    for box in _code_boxes(image):
        x0, y0, x1, y1 = (int(v) for v in box)
        module = max(2, (x1 - x0) // 37)
        cells = rng.integers(0, 2, ((y1 - y0) // module + 1, (x1 - x0) // module + 1)).astype(np.uint8) * 230
        block = np.kron(cells, np.ones((module, module), dtype=np.uint8))[: y1 - y0, : x1 - x0]
        pixels[y0:y1, x0:x1] = block + 15
    return Image.fromarray(pixels)


def _code_boxes(image: Image.Image) -> list[tuple[float, float, float, float]]:
    boxes = []
    for found in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        p = found.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        boxes.append((min(xs), min(ys), max(xs) + 1, max(ys) + 1))
    assert len(boxes) == 2, "a sheet carries its code twice"
    return boxes


def save_tiff(images: list[Image.Image], path: Path, dpi: int = 150, group4: bool = False) -> Path:
    frames = [im.point(lambda v: 255 if v > 150 else 0).convert("1") if group4 else im for im in images]
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(dpi, dpi),
                   compression="group4" if group4 else "tiff_deflate")
    return path


def save_scanner_pdf(images: list[Image.Image], path: Path, dpi: int = 150, quality: int = 75) -> Path:
    import img2pdf

    jpegs = []
    for image in images:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, dpi=(dpi, dpi))
        jpegs.append(buffer.getvalue())
    path.write_bytes(img2pdf.convert(jpegs))
    return path
