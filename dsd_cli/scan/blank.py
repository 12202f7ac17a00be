"""Blank page detection: a page is blank when almost none of it is ink, after scanner specks are smoothed away."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

#: Width the page is reduced to before measuring: specks vanish, text lines stay.
_WORK_WIDTH = 400


def ink_ratio(image: Image.Image) -> float:
    """Share of clearly dark pixels, ignoring a 4 % margin (scanner edges, punch holes)."""
    grey = image.convert("L")
    scale = _WORK_WIDTH / max(1, grey.width)
    small = grey.resize((_WORK_WIDTH, max(1, round(grey.height * scale))), Image.Resampling.BOX)
    small = small.filter(ImageFilter.MedianFilter(3))
    pixels = np.asarray(small, dtype=np.uint8)
    h, w = pixels.shape
    my, mx = max(1, h // 25), max(1, w // 25)
    inner = pixels[my:h - my, mx:w - mx]
    # Relative to the page's own paper tone, so grey recycled paper and dark photocopies are judged alike.
    paper = float(np.percentile(inner, 90))
    return float(np.mean(inner < paper - 60))


def is_blank(image: Image.Image, threshold: float = 0.002) -> bool:
    return ink_ratio(image) < threshold
