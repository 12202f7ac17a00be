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


@functools.lru_cache(maxsize=16)
def _label(dossier: str, doc_type: str, dpi: int) -> Image.Image:
    from dsd_cli.sheets.labels import LAYOUTS, LabelSpec, write_labels

    layout = LAYOUTS["3x8"]
    with tempfile.TemporaryDirectory() as work:
        pdf_path = Path(work) / "labels.pdf"
        write_labels([LabelSpec(dossier, doc_type, "Familie Janssens")], pdf_path, load_profile(), layout=layout)
        pdf = pypdfium2.PdfDocument(str(pdf_path))
        try:
            page = ImageOps.grayscale(pdf[0].render(scale=dpi / 72).to_pil())
        finally:
            pdf.close()
    px = dpi / 25.4
    return page.crop((round(layout.left * px), round(layout.top * px), round((layout.left + layout.width) * px),
                      round((layout.top + layout.height) * px)))


def label(dossier: str, doc_type: str = "briefwisseling", dpi: int = 150) -> Image.Image:
    """One printed dsd label (3x8 layout), cut out, at `dpi`."""
    return _label(dossier, doc_type, dpi).copy()


def stick(page: Image.Image, sticker: Image.Image, corner: str, angle: float = 0.0) -> Image.Image:
    """`page` with `sticker` stuck near `corner` ('top-left', 'top-right', 'bottom-left', 'bottom-right',
    'middle'), turned by `angle` degrees."""
    turned = sticker.convert("L").rotate(angle, expand=True, fillcolor=0, resample=Image.Resampling.BICUBIC)
    mask = Image.new("L", sticker.size, 255).rotate(angle, expand=True, fillcolor=0)
    margin = page.width // 25
    x = {"left": margin, "right": page.width - turned.width - margin}.get(corner.split("-")[-1],
                                                                          (page.width - turned.width) // 2)
    y = {"top": margin, "bottom": page.height - turned.height - margin}.get(corner.split("-")[0],
                                                                           (page.height - turned.height) // 2)
    result = page.copy()
    result.paste(turned, (x, y), mask)
    return result


def stamp_over(page: Image.Image, box: tuple[int, int, int, int], ink: int = 100) -> Image.Image:
    """A rubber date stamp (frame and two lines of bold text, in mid-grey ink as a red or blue stamp scans) over
    `box` of `page`."""
    result = page.copy()
    draw = ImageDraw.Draw(result)
    x0, y0, x1, y1 = box
    line = max(2, (y1 - y0) // 18)
    size = max(8, (y1 - y0) // 4)
    while size > 8 and ImageFont.truetype(FONT, size).getlength("12 MRT 2024") * 1.15 > (x1 - x0) - 6 * line:
        size -= 1
    font = ImageFont.truetype(FONT.replace("DejaVuSans", "DejaVuSans-Bold"), size)
    draw.rectangle(box, outline=ink, width=line)
    draw.text((x0 + 3 * line, y0 + (y1 - y0) // 8), "ONTVANGEN", font=font, fill=ink)
    draw.text((x0 + 3 * line, y0 + (y1 - y0) // 2), "12 MRT 2024", font=font, fill=ink)
    return result


# --- sparse pages (never blank) and blank backs as scanners see them ---------------------------------------------

def a4(dpi: int = 150, tone: int = 246) -> Image.Image:
    page = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), tone)
    page.info["dpi"] = (dpi, dpi)
    return page


def _with_dpi(page: Image.Image, dpi: int) -> Image.Image:
    page.info["dpi"] = (dpi, dpi)
    return page


def short_lines(lines: list[str], dpi: int = 150) -> Image.Image:
    page = a4(dpi)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, round(dpi * 0.13))
    for n, text in enumerate(lines):
        draw.text((dpi, dpi * (1.5 + 0.25 * n)), text, font=font, fill=30)
    return page


def signature_only(dpi: int = 150, ink: int = 70) -> Image.Image:
    """One handwritten-looking signature stroke (ballpoint, 0.4 mm) low on the page."""
    import math

    page = a4(dpi)
    rng = np.random.default_rng(3)
    x0, y0 = dpi * 4.6, dpi * 8.4
    points = [(x0 + t * dpi * 1.7, y0 + math.sin(t * 13) * dpi * 0.16 + float(rng.uniform(-2, 2)))
              for t in (i / 59 for i in range(60))]
    ImageDraw.Draw(page).line(points, fill=ink, width=max(1, round(0.4 * dpi / 25.4)), joint="curve")
    return page


def date_only(dpi: int = 150) -> Image.Image:
    page = a4(dpi)
    ImageDraw.Draw(page).text((dpi * 5.6, dpi * 1.1), "12/03/2024", fill=60,
                              font=ImageFont.truetype(FONT, round(dpi * 0.12)))
    return page


def date_stamp_only(dpi: int = 150, ink: int = 110) -> Image.Image:
    """A received-stamp (frame and date) and nothing else, in mid-grey ink as a red stamp scans."""
    return _with_dpi(stamp_over(a4(dpi), (round(dpi * 4.8), round(dpi * 0.9), round(dpi * 6.8), round(dpi * 1.7)),
                                ink), dpi)


def blank_with_punch_holes(dpi: int = 150, dark: bool = True) -> Image.Image:
    """Two 6 mm punch holes 12 mm from the left edge: black (scanner lid open) or only their shadow ring."""
    page = _with_dpi(blank(dpi), dpi)
    draw = ImageDraw.Draw(page)
    r, cx = 3 / 25.4 * dpi, 12 / 25.4 * dpi
    for cy in (dpi * 4.5, dpi * 7.3):
        if dark:
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=20)
        else:
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=90, width=2)
    return page


def blank_with_edge_shadows(dpi: int = 150) -> Image.Image:
    """A shadow fading in from the binding edge, the scanner's black border, a dark strip along the top."""
    pixels = np.asarray(blank(dpi), dtype=np.float32).copy()
    height, width = pixels.shape
    ramp = np.clip(1 - np.arange(width) / (0.06 * width), 0, 1)
    pixels *= 1 - 0.85 * ramp[None, :]
    pixels[:, -round(0.01 * width):] = 15
    pixels[: round(0.008 * height), :] = 30
    return _with_dpi(Image.fromarray(pixels.astype(np.uint8)), dpi)


def blank_with_bleed_through(dpi: int = 150) -> Image.Image:
    """The back of a printed letter: its text shows through, mirrored, blurred and faint."""
    recto = letter("Geachte mevrouw, wij bevestigen de ontvangst van uw aanvraag", dpi, lines=30)
    mirrored = np.asarray(ImageOps.mirror(recto).filter(ImageFilter.GaussianBlur(dpi / 100)), dtype=np.float32)
    faint = 246 - (250 - mirrored) * 0.15
    return _with_dpi(noise(Image.fromarray(np.clip(faint, 0, 255).astype(np.uint8)), 4), dpi)


def blank_recycled(dpi: int = 150) -> Image.Image:
    """Grey recycled paper with fibres (short darker strokes) and grain."""
    import math

    page = a4(dpi, 175)
    draw = ImageDraw.Draw(page)
    rng = np.random.default_rng(4)
    for _ in range(400):
        x, y = int(rng.integers(0, page.width)), int(rng.integers(0, page.height))
        length, angle = float(rng.uniform(1, 3)) / 25.4 * dpi, float(rng.uniform(0, math.pi))
        draw.line((x, y, x + length * math.cos(angle), y + length * math.sin(angle)),
                  fill=int(rng.integers(100, 150)), width=1)
    return _with_dpi(noise(page, 6), dpi)


# --- content pages that once passed for separator sheets ----------------------------------------------------------

def letter_with_damaged_payment_code(dpi: int = 150, scale: int = 8) -> Image.Image:
    """An invoice whose EPC payment QR code is torn through and blotted (no reader decodes it)."""
    page = letter("Factuur Fluvius: te betalen binnen 30 dagen", dpi=dpi, lines=20)
    code = qr(EPC, "m", scale)
    x, y = page.width - code.width - 100, page.height - code.height - 150
    page.paste(code, (x, y))
    pixels = np.asarray(page).copy()
    rng = np.random.default_rng(3)
    size = code.height
    pixels[y + size // 3: y + size // 3 + size // 6, x: x + code.width] = 250
    for _ in range(12):
        cx, cy = int(rng.integers(x, x + code.width)), int(rng.integers(y, y + size))
        pixels[cy:cy + size // 12, cx:cx + size // 12] = 250 if rng.random() < 0.5 else 20
    return Image.fromarray(pixels)


def letter_with_stamped_code(dpi: int = 150) -> Image.Image:
    """A registered letter whose mail-room tracking QR code is half under a received-stamp."""
    page = letter("Aangetekende zending — postkamer", dpi=dpi, lines=14)
    code = qr("https://track.bpost.be/?itemCode=CD123456789BE", "m", 6)
    x, y = 150, page.height // 2
    page.paste(code, (x, y))
    return stamp_over(page, (x - 40, y + code.height // 4, x + code.width + 60, y + code.height + 40), ink=70)


def dark_photo_page(dpi: int = 150) -> Image.Image:
    """A photo of a dwelling over most of the page: dark, with window shapes, one caption line."""
    page = letter("Foto van de woning, bijlage bij het verslag", dpi=dpi, lines=1)
    width, height = page.width - dpi, int(page.height * 0.7)
    rng = np.random.default_rng(5)
    base = np.asarray(Image.linear_gradient("L").resize((width, height)).point(lambda v: 15 + v // 5), np.int16)
    photo = Image.fromarray(np.clip(base + rng.normal(0, 25, (height, width)), 0, 255).astype(np.uint8))
    photo = photo.filter(ImageFilter.GaussianBlur(2))
    draw = ImageDraw.Draw(photo)
    for i in range(8):
        draw.rectangle((50 + i * 120, 200 + (i % 3) * 150, 130 + i * 120, 330 + (i % 3) * 150),
                       fill=int(rng.integers(5, 90)))
    page.paste(photo, (dpi // 2, int(page.height * 0.2)))
    return page


def receipt_strip(dpi: int = 150, with_code: bool = True) -> Image.Image:
    """A narrow till receipt (80 mm) with one line of text and, optionally, a small damaged QR code."""
    width, height = round(80 / 25.4 * dpi), round(110 / 25.4 * dpi)
    page = Image.new("L", (width, height), 245)
    ImageDraw.Draw(page).text((20, height // 2), "Betaald 12,40 EUR  12/03/2024", fill=30,
                              font=ImageFont.truetype(FONT, round(dpi * 0.1)))
    if with_code:
        code = qr("https://kassa.example/bon/2024-123456", "l", 3 * dpi // 150)
        top = height // 2 + 40 * dpi // 150
        page.paste(code, ((width - code.width) // 2, top))
        pixels = np.asarray(page).copy()
        pixels[top + code.height // 2: top + code.height // 2 + 12 * dpi // 150, :] = 245
        page = Image.fromarray(pixels)
    return page


def payment_slip_strip(dpi: int = 150) -> Image.Image:
    """A torn-off transfer slip (210 x 60 mm): one line of text and a dark perforation shadow."""
    width, height = round(210 / 25.4 * dpi), round(60 / 25.4 * dpi)
    page = Image.new("L", (width, height), 240)
    draw = ImageDraw.Draw(page)
    draw.text((40, height // 3), "Overschrijving BE71 0961 2345 6769 — 96,40 EUR", fill=25,
              font=ImageFont.truetype(FONT, round(dpi * 0.12)))
    draw.rectangle((0, height - 30, width, height), fill=30)
    return page
