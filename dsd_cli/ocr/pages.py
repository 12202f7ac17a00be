"""The scanned image of each page of an image PDF, as the `tesseract` engine needs it.

An image PDF from `scan.assemble` draws one image XObject over the whole page (img2pdf's layout). Such a page is
OCRed from that image, decoded once; its XObject is never rewritten. A page with anything else on it (text, vector
drawing, several images, an image that does not cover the page) is not a plain scan: `scan_page` says so, and the
document goes the OCRmyPDF way, which knows how to render those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pikepdf
from PIL import Image

from dsd_cli.errors import InputError

_DRAW_ONE_IMAGE = re.compile(rb"^\s*q\s+([\d.\-\s]+)\s+cm\s+(/[^\s]+)\s+Do\s+Q\s*$")
Image.MAX_IMAGE_PIXELS = None  # image size is bounded by ingest (too-large inputs are quarantined before OCR)


@dataclass(frozen=True)
class ScanPage:
    """One page that is a plain scan: its image (decoded once) and what is needed to lay text over it."""

    image: Image.Image
    """Greyscale ('L') or bilevel ('1') pixels as scanned (colour is converted to grey for recognition)."""
    width_pt: float
    height_pt: float
    dpi: float
    """Horizontal resolution of the image on the page."""
    encoding: str
    """'jpeg', 'g4', 'flate' … the stream's filter, for reports."""


def _filters(xobject: pikepdf.Stream) -> list[str]:
    found = xobject.get("/Filter")
    if found is None:
        return []
    return [str(f) for f in found] if isinstance(found, pikepdf.Array) else [str(found)]


def scan_page(page: pikepdf.Page) -> ScanPage | None:
    """The page's scan when the page is nothing but one image drawn over the whole page; None otherwise."""
    if page.obj.get("/Annots") or int(page.obj.get("/Rotate", 0)) % 360:
        return None
    resources = page.obj.get("/Resources", pikepdf.Dictionary())
    if "/Font" in resources:
        return None
    xobjects = resources.get("/XObject", pikepdf.Dictionary())
    if len(xobjects) != 1:
        return None
    match = _DRAW_ONE_IMAGE.match(page.obj.Contents.read_bytes() if isinstance(page.obj.get("/Contents"),
                                                                                pikepdf.Stream) else b"")
    if not match:
        return None
    name, xobject = next(iter(xobjects.items()))
    if match.group(2).decode() != str(name) or xobject.get("/Subtype") != "/Image" or "/SMask" in xobject:
        return None
    numbers = [float(v) for v in match.group(1).split()]
    box = page.mediabox
    width_pt, height_pt = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
    if len(numbers) != 6 or numbers[1] or numbers[2] or numbers[4] != float(box[0]) or numbers[5] != float(box[1]) \
            or abs(numbers[0] - width_pt) > 0.5 or abs(numbers[3] - height_pt) > 0.5:
        return None
    try:
        image = pikepdf.PdfImage(xobject).as_pil_image()
    except Exception as exc:  # a damaged or unsupported image stream: a clear per-document error
        raise InputError(f"a page image cannot be decoded ({type(exc).__name__}: {exc})", reason="corrupt") from None
    filters = _filters(xobject)
    encoding = {"/DCTDecode": "jpeg", "/CCITTFaxDecode": "g4", "/FlateDecode": "flate",
                "/JPXDecode": "jpeg2000"}.get(filters[-1] if filters else "", "raw")
    if image.mode not in ("L", "1"):
        image = image.convert("L")
    return ScanPage(image=image, width_pt=width_pt, height_pt=height_pt, dpi=image.width * 72.0 / width_pt,
                    encoding=encoding)

