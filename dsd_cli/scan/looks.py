"""A cheap look at a page: could it be a separator sheet whose code the fast barcode pass did not read?

Measured on a ~1/8 scale copy of the page (a few ms), relative to the page's own paper and ink tones:
- `solid`: the darkest share of any square window of 1/10 of the page width. Printed QR modules and the sheet's black
  banner stay solid black at that scale; text turns into grey lines (text-only letters stay below ~0.36, sheets
  above ~0.5; 1-D barcodes, logos and photos are solid too, so `solid` alone is only a weak hint).
- `texture`: within windows of 1/5 of the page width that are 25-80 % dark, the lesser of the horizontal and
  vertical dark/light transition rates. A QR code alternates in both directions; text lines mostly along one, and
  photos or logos hardly at all (letters stay below ~0.21, sheets above ~0.3, even with the large code gone).
Codes already decoded as something else (an invoice's EPC payment code) are blanked out first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

_WORK_SIZE = 210
"""Short side, in pixels, of the scaled copy (about 25 dpi for A4)."""
MAYBE_SOLID, MAYBE_TEXTURE = 0.6, 0.23
"""Above either, the page gets the slower detection passes. Solid alone must be high: a 1-D barcode on a letter
is a solid block too (~0.5), while a sheet's banner and code reach 0.64 and more."""
SHEET_SOLID, SHEET_TEXTURE = 0.45, 0.26
"""Above both, a page whose code cannot be read is reported as an unreadable separator, never taken as content."""


@dataclass(frozen=True)
class Likeness:
    solid: float
    texture: float

    @property
    def maybe_sheet(self) -> bool:
        return self.solid >= MAYBE_SOLID or self.texture >= MAYBE_TEXTURE

    @property
    def sheet(self) -> bool:
        return self.solid >= SHEET_SOLID and self.texture >= SHEET_TEXTURE


def _window_means(mask: np.ndarray, k: int) -> np.ndarray:
    s = np.pad(mask.astype(np.float32).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    return (s[k:, k:] - s[:-k, k:] - s[k:, :-k] + s[:-k, :-k]) / float(k * k)


def sheet_likeness(grey: Image.Image, blank_out: Sequence[tuple[float, float, float, float]] = ()) -> Likeness:
    """How much `grey` looks like a separator sheet; `blank_out` boxes (x0, y0, x1, y1 in page pixels) are ignored."""
    factor = max(1, round(min(grey.size) / _WORK_SIZE))
    small = grey.reduce(factor) if factor > 1 else grey
    pixels = np.asarray(small, dtype=np.float32).copy()
    for x0, y0, x1, y1 in blank_out:
        pixels[max(0, int(y0 / factor)):max(0, int(y1 / factor) + 1),
               max(0, int(x0 / factor)):max(0, int(x1 / factor) + 1)] = 255
    paper, ink = np.percentile(pixels, 90), np.percentile(pixels, 0.5)
    k_solid, k_texture = round(0.1 * min(pixels.shape)), round(0.2 * min(pixels.shape))
    if paper - ink < 40 or k_solid < 2:  # an empty page, or nothing darker than the paper
        return Likeness(0.0, 0.0)
    dark = pixels < ink + 0.4 * (paper - ink)
    solid = float(_window_means(dark, k_solid).max())
    across = np.zeros_like(dark)
    across[:, 1:] = dark[:, 1:] != dark[:, :-1]
    down = np.zeros_like(dark)
    down[1:, :] = dark[1:, :] != dark[:-1, :]
    share = _window_means(dark, k_texture)
    texture = np.minimum(_window_means(across, k_texture), _window_means(down, k_texture))
    texture = np.where((share > 0.25) & (share < 0.8), texture, 0.0)
    return Likeness(round(solid, 3), round(float(texture.max()), 3))
