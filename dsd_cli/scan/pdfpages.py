"""Page images of a scanner PDF, for barcode and blank detection.

A scanner PDF page is usually one full-page image drawn upright. Decoding that image directly is 3-5x cheaper than
rendering the page, and JPEG pages far above the wanted resolution are decoded at a reduced DCT scale. Any other
page (several images, vector content, a mirrored or rotated drawing, an unusual colour space) is rendered with
pdfium at the wanted resolution, as before. Only the pixels used for detection come from here: documents are
written from the original PDF pages (`assemble.py`), never from these images.
"""

from __future__ import annotations

import io

import pikepdf
from PIL import Image

from dsd_cli.scan.bounds import MAX_PIXELS

_PLAIN_JPEG_SPACES = ("/DeviceGray", "/DeviceRGB")


_PAINT_PATH = {"f", "F", "f*", "S", "s", "B", "B*", "b", "b*"}
_SHOW_TEXT = {"Tj", "TJ", "'", '"'}


def _one_full_page_image(page: pikepdf.Page) -> bool:
    """True when the content stream paints exactly one XObject, upright (no flip, no turn) over at least 90 % of
    the page each way, and nothing else visible: no vector paths, no text except invisible OCR text (mode 3).

    A born-digital letter with a logo, or a form over a background image, fails this test and is rendered, so that
    blank detection never judges a page by one of its pictures.
    """
    box = page.mediabox
    width, height = abs(float(box[2] - box[0])), abs(float(box[3] - box[1]))
    ctm, stack = (1.0, 0.0, 0.0, 1.0), []
    text_mode, paints, covered = 0, 0, False
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name == "q":
            stack.append(ctm)
        elif name == "Q":
            ctm = stack.pop() if stack else (1.0, 0.0, 0.0, 1.0)
        elif name == "cm":
            a, b, c, d = (float(v) for v in operands[:4])
            m = ctm
            ctm = (a * m[0] + b * m[2], a * m[1] + b * m[3], c * m[0] + d * m[2], c * m[1] + d * m[3])
        elif name == "Tr":
            text_mode = int(operands[0])
        elif name == "Do":
            paints += 1
            a, b, c, d = ctm
            covered = b == 0 and c == 0 and a >= 0.9 * width and d >= 0.9 * height
        elif name in _PAINT_PATH or name in ("BI", "INLINE IMAGE", "sh") or (name in _SHOW_TEXT and text_mode != 3):
            return False
    return paints == 1 and covered


def scanned_image(page: pikepdf.Page, dpi: int) -> Image.Image | None:
    """The page's single scan image as greyscale, or None when the page must be rendered instead."""
    try:
        images = list(page.get_images(recursive=False).values())
        if len(images) != 1 or not _one_full_page_image(page):
            return None
        xobject = images[0]
        if "/SMask" in xobject or "/Mask" in xobject or xobject.get("/ImageMask", False):
            return None
        width, height = int(xobject.Width), int(xobject.Height)
        if width * height > MAX_PIXELS:
            return None  # let the renderer's own size limit handle it
        image = pikepdf.PdfImage(xobject)
        if (image.filters == ["/DCTDecode"] and str(xobject.get("/ColorSpace", "")) in _PLAIN_JPEG_SPACES
                and "/Decode" not in xobject):
            decoded = Image.open(io.BytesIO(xobject.read_raw_bytes()))
            page_inches = float(page.mediabox[2] - page.mediabox[0]) / 72
            native = width / page_inches if page_inches > 0 else dpi
            if native > dpi * 1.05:
                decoded.draft("L", (round(width * dpi / native), round(height * dpi / native)))
            picture = decoded.convert("L")
        else:
            picture = image.as_pil_image().convert("L")
        rotate = int(page.obj.get("/Rotate", 0)) % 360
        return picture.rotate(-rotate, expand=True) if rotate else picture
    except Exception:  # JBIG2 without jbig2dec, odd filters, broken streams: pdfium renders the page instead
        return None
