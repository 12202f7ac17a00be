"""Blank page detection by marks, not by an ink ratio.

A page is blank when nothing on it looks like something a person put there: no text line (a date, one word), no
stroke (a signature, a stamp's frame, a line), no solid figure. What a scanner adds to an empty sheet is not a mark:
- paper tone (grey recycled paper) and uneven light: ink is measured against the page's *local* paper tone;
- bleed-through of the other side: faint (less than ~28 % darker than the paper around it);
- noise and specks: components smaller than 1 mm;
- punch holes: round blobs of 4-9 mm near an edge;
- edge shadows and the scanner's black border: components touching the image border that stay in a band along it.

Works on a copy reduced to about 100 dpi; the marks that remain are few on an empty page, so labelling them is
cheap (a few ms); a page full of text stops at the first text line found.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops, ImageFilter

_WORK_DPI = 100
_MIN_CONTRAST, _RELATIVE_CONTRAST = 40, 0.28
"""A pixel is ink when it is darker than the paper around it by both this many grey levels and this share."""
SPECK_MM = 1.0
HOLE_MM = (4.0, 9.0)
HOLE_FROM_EDGE_MM = 25.0
EDGE_BAND = 0.1
"""A component touching the image border is a shadow when it stays within this share of the page from it."""
MIN_MARK_MM = 5.0
"""One mark at least this long (a signature, a stamp, a line) makes a page non-blank on its own."""
CHARACTER_MM = (1.2, 10.0)
LINE_CHARACTERS = 3
"""A text line: at least this many character-sized marks side by side (a date, a word)."""


@dataclass(frozen=True)
class BlankVerdict:
    blank: bool
    why: str
    """What was found ('text line', 'stroke of 34 mm', ...) or, for a blank page, 'no marks'."""


def page_dpi(image: Image.Image, default: int = 200) -> float:
    """The page's resolution: its recorded dpi when plausible, else from an A4 page's short side."""
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        value = 0.0
    if 50 <= value <= 1200:
        return value
    short = min(image.size)
    return short / 8.27 if 300 <= short <= 10_000 else float(default)


def _ink_mask(image: Image.Image, dpi: float) -> tuple[np.ndarray, float]:
    """Ink pixels (True) of a ~100 dpi copy, against the local paper tone; and the copy's dpi.

    Pillow's C operations do the per-pixel work: this runs on every page that may be dropped.
    """
    grey = image.convert("L")
    factor = max(1, round(dpi / _WORK_DPI))
    small = grey.reduce(factor) if factor > 1 else grey
    work_dpi = dpi / factor
    # Local paper tone: the brightest level within ~2 cm, on a ~6 dpi copy, spread back smoothly; a pixel is ink
    # where it is darker than the paper's "ink level" (paper tone less the contrast needed).
    coarse_factor = max(1, round(work_dpi / 6))
    coarse = small.reduce(coarse_factor) if coarse_factor > 1 else small
    paper = coarse.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.BoxBlur(2))
    ink_level = paper.point(_INK_LEVEL).resize(small.size, Image.Resampling.BILINEAR)
    darker = ImageChops.subtract(ink_level, small)
    return np.asarray(darker) > 0, work_dpi


_INK_LEVEL = [max(0, round(v - max(_MIN_CONTRAST, _RELATIVE_CONTRAST * v)) + 1) for v in range(256)]


def judge_blank(image: Image.Image, dpi: float | None = None, min_mark_mm: float = MIN_MARK_MM) -> BlankVerdict:
    """Whether a page is blank, and what decided it."""
    from scipy import ndimage

    dpi = dpi or page_dpi(image)
    mask, work_dpi = _ink_mask(image, dpi)
    per_mm = work_dpi / 25.4
    height, width = mask.shape
    labels, count = ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))
    if count == 0:
        return BlankVerdict(True, "no marks")
    # Components with ink away from the page's edges; the others are shadows and borders along them.
    band_y, band_x = max(1, round(EDGE_BAND * height)), max(1, round(EDGE_BAND * width))
    inner = np.zeros_like(mask)
    inner[band_y:height - band_y, band_x:width - band_x] = True
    away_from_edges = set(np.unique(labels[inner & mask]).tolist())
    characters: list[tuple[float, float, float, float]] = []  # centre x, centre y, width, height (mm)
    for index, box in enumerate(ndimage.find_objects(labels), start=1):
        if box is None:
            continue
        y0, y1, x0, x1 = box[0].start, box[0].stop, box[1].start, box[1].stop
        h_mm, w_mm = (y1 - y0) / per_mm, (x1 - x0) / per_mm
        extent = max(h_mm, w_mm)
        if extent < SPECK_MM:
            continue
        touches_border = y0 == 0 or x0 == 0 or y1 >= height or x1 >= width
        if touches_border and index not in away_from_edges:
            continue
        if _punch_hole(y0, y1, x0, x1, height, width, per_mm):
            continue
        if extent >= min_mark_mm:
            area = int(np.count_nonzero(labels[box] == index)) / per_mm ** 2
            return BlankVerdict(False, f"a mark of {extent:.0f} mm ({area:.0f} mm² of ink)")
        if CHARACTER_MM[0] <= extent <= CHARACTER_MM[1]:
            characters.append(((x0 + x1) / 2 / per_mm, (y0 + y1) / 2 / per_mm, w_mm, h_mm))
    if _text_line(characters) or _text_line([(y, x, h, w) for x, y, w, h in characters]):
        return BlankVerdict(False, "a line of characters")
    return BlankVerdict(True, "no marks")


def is_blank(image: Image.Image, dpi: float | None = None, min_mark_mm: float = MIN_MARK_MM) -> bool:
    return judge_blank(image, dpi, min_mark_mm).blank


def _punch_hole(y0: int, y1: int, x0: int, x1: int, height: int, width: int, per_mm: float) -> bool:
    h_mm, w_mm = (y1 - y0) / per_mm, (x1 - x0) / per_mm
    if not (HOLE_MM[0] <= h_mm <= HOLE_MM[1] and HOLE_MM[0] <= w_mm <= HOLE_MM[1]):
        return False
    if min(h_mm, w_mm) < 0.75 * max(h_mm, w_mm):
        return False
    cy, cx = (y0 + y1) / 2 / per_mm, (x0 + x1) / 2 / per_mm
    return min(cx, cy, width / per_mm - cx, height / per_mm - cy) <= HOLE_FROM_EDGE_MM


def _text_line(characters: list[tuple[float, float, float, float]]) -> bool:
    """At least LINE_CHARACTERS marks of similar height side by side on one line (along x)."""
    if len(characters) < LINE_CHARACTERS:
        return False
    ordered = sorted(characters)
    for start, (x, y, w, h) in enumerate(ordered):
        chain, right = 1, x + w / 2
        for cx, cy, cw, ch in ordered[start + 1:]:
            left = cx - cw / 2
            if left - right > 2.0 * max(h, ch):
                break
            size = max(h, ch)
            if abs(cy - y) <= 0.5 * size and max(h, ch) <= 3 * min(h, ch):
                chain += 1
                right = max(right, cx + cw / 2)
                if chain >= LINE_CHARACTERS:
                    return True
    return False
