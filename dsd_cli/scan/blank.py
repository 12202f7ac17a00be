"""Blank page detection: a page is blank when almost none of it is ink, after scanner specks are smoothed away."""

from __future__ import annotations

from PIL import Image, ImageFilter

#: Width the page is reduced to before measuring: specks vanish, text lines stay.
_WORK_WIDTH = 400


def ink_ratio(image: Image.Image) -> float:
    """Share of clearly dark pixels, ignoring a 4 % margin (scanner edges, punch holes).

    Works on Pillow's histogram (C code): this runs on every page that is not a separator, so it must be cheap.
    """
    grey = image.convert("L")
    factor = max(1, round(grey.width / _WORK_WIDTH))
    small = grey.reduce(factor) if factor > 1 else grey  # box average, several times cheaper than resize()
    w, h = small.size
    mx, my = max(1, w // 25), max(1, h // 25)
    inner = small.crop((mx, my, w - mx, h - my)).filter(ImageFilter.MedianFilter(3))
    histogram = inner.histogram()
    total = sum(histogram)
    if total == 0:
        return 0.0
    # Relative to the page's own paper tone (its 90th percentile), so grey recycled paper and dark photocopies are
    # judged alike.
    running, paper = 0, 255
    for level, count in enumerate(histogram):
        running += count
        if running >= 0.9 * total:
            paper = level
            break
    return sum(histogram[: max(0, paper - 60)]) / total


def is_blank(image: Image.Image, threshold: float = 0.002) -> bool:
    return ink_ratio(image) < threshold
