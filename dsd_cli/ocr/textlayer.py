"""The invisible text layer over each scanned page, with OCRmyPDF's own hOCR parser and fpdf2 renderer.

Tesseract's hOCR (word boxes and baselines in the pixels of the image it saw) is parsed into OCRmyPDF's OcrElement
tree and rendered by its Fpdf2MultiPageRenderer exactly as `ocrmypdf` renders it (invisible text, embedded fonts,
one word per box, scaled to its width). Each rendered page becomes a Form XObject drawn under the page's image with
a matrix that undoes what was done to the image before recognition: the straightening rotation and the quarter
turns that made the page upright. The scanned image keeps its own coordinates, the page gets /Rotate, so selecting
text in a viewer lands on the words.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Matrix, Name


@dataclass(frozen=True)
class TextLayer:
    page_index: int
    hocr: Path
    dpi: float
    orientation: int
    """Clockwise quarter turns (degrees) that made the scan upright; becomes the page's /Rotate."""
    skew: float
    """Degrees the upright scan was rotated counter-clockwise before recognition."""


@functools.cache
def _font_manager():  # type: ignore[no-untyped-def]
    import ocrmypdf
    from ocrmypdf.font import MultiFontManager

    return MultiFontManager(Path(ocrmypdf.__file__).parent / "data")


def text_layer_matrix(text_w: float, text_h: float, page_box: pikepdf.Array, orientation: int,
                      skew: float) -> Matrix:
    """From the text page (the recognised image, in points) to the scanned page's own coordinates."""
    x0, y0, x1, y1 = (float(v) for v in page_box)
    page_w, page_h = x1 - x0, y1 - y0
    turned_w, turned_h = (text_h, text_w) if orientation in (90, 270) else (text_w, text_h)
    return (Matrix().translated(-text_w / 2, -text_h / 2)
            @ Matrix().rotated(-skew)            # undo the counter-clockwise straightening
            @ Matrix().rotated(orientation)      # undo the clockwise turn to upright
            @ Matrix().scaled(page_w / turned_w if turned_w else 1.0, page_h / turned_h if turned_h else 1.0)
            @ Matrix().translated(x0 + page_w / 2, y0 + page_h / 2))


def render_layers(layers: list[TextLayer], out: Path) -> None:
    """Render the hOCR of `layers` into one text-only PDF (a page per layer, fonts shared)."""
    from ocrmypdf.fpdf_renderer import Fpdf2MultiPageRenderer
    from ocrmypdf.hocrtransform.hocr_parser import HocrParser

    pages = []
    for layer in layers:
        tree = HocrParser(layer.hocr).parse()
        pages.append((layer.page_index, tree, tree.dpi or layer.dpi))
    Fpdf2MultiPageRenderer(pages_data=pages, multi_font_manager=_font_manager(), invisible_text=True).render(out)


def graft(pdf: pikepdf.Pdf, layers: list[TextLayer], text_pdf: Path) -> None:
    """Put each rendered text page under its scanned page. The page image is not touched."""
    with pikepdf.open(text_pdf) as text:
        for layer, text_page in zip(layers, text.pages, strict=True):
            page = pdf.pages[layer.page_index]
            box = text_page.mediabox
            text_w, text_h = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
            form = pdf.make_stream(text_page.Contents.read_bytes() if isinstance(text_page.obj.Contents,
                                                                                   pikepdf.Stream)
                                   else b"".join(c.read_bytes() for c in text_page.obj.Contents))
            form.Type, form.Subtype, form.FormType = Name.XObject, Name.Form, 1
            form.BBox = pikepdf.Array([0, 0, text_w, text_h])
            fonts = text_page.obj.get("/Resources", {}).get("/Font")
            form.Resources = pikepdf.Dictionary()
            if fonts is not None:
                form.Resources.Font = pikepdf.Dictionary({str(key): pdf.copy_foreign(font)
                                                          for key, font in fonts.items()})
            if "/Resources" not in page.obj:
                page.obj.Resources = pikepdf.Dictionary()
            if "/XObject" not in page.obj.Resources:
                page.obj.Resources.XObject = pikepdf.Dictionary()
            xobjects = page.obj.Resources.XObject
            name = Name("/OCR-dsd")
            xobjects[name] = form
            ctm = text_layer_matrix(text_w, text_h, page.mediabox, layer.orientation, layer.skew)
            # Under the image, as OCRmyPDF puts it: viewers select it, nothing of it is painted.
            page.contents_add(pdf.make_stream(b"q %s cm %s Do Q\n" % (ctm.encode(), str(name).encode())),
                              prepend=True)
