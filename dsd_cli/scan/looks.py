"""Looks of a page: could it be a separator sheet whose code the fast barcode pass did not read, and does it look
like a dsd sheet?

`sheet_likeness` is the cheap glance (a few ms) that decides whether the slower barcode passes run; a hint only.
`sheet_layout` decides whether a page whose code cannot be read is set aside as an unreadable separator: only when
it has the layout of a dsd sheet (`sheets/render.py`) — the banner, a long black bar with the large code beside it,
centred on it and about 0.6 of its length wide — whatever the page's rotation, skew or print scale. A dark photo, a
narrow receipt, a letter with a damaged foreign QR code or a stamp over one have no banner with a code beside it.

The glance, measured on a ~1/8 scale copy of the page (a few ms), relative to the page's own paper and ink tones:
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
BANNER_ELONGATION = (7.0, 22.0)
"""Length / width of the banner (180 x 14 mm on the sheet; blur and skew widen it)."""
BANNER_FILL, BANNER_INK = 0.7, 0.55
"""Share of the banner's rectangle covered once gaps are closed, and dark as printed (white text in black)."""
BANNER_LENGTH = 0.25
"""Least banner length, as a share of the page's short side (a sheet printed 'fit to page' at 38 %: 0.33)."""
CODE_TEXTURE = 0.08
"""Least dark/light change rate, in both directions, where the large code should be (sheets measure 0.15-0.3,
scrambled or stamped-over codes too; text and photos below 0.05 in one direction)."""
CODE_COVERED = 0.15
"""Dark share of the code's place when its texture is gone (a stamp or a sticker over it): then the printed fields
below it must be there too."""


@dataclass(frozen=True)
class Likeness:
    solid: float
    texture: float

    @property
    def maybe_sheet(self) -> bool:
        return self.solid >= MAYBE_SOLID or self.texture >= MAYBE_TEXTURE


@dataclass(frozen=True)
class Layout:
    """What of a dsd sheet's layout was found on a page."""

    banner: bool = False
    code_texture: float = 0.0
    """Dark/light change rate where the large code belongs (0 when no banner was found)."""
    code_share: float = 0.0
    fields: bool = False
    """Printed text beyond the code, where the sheet's dossier and type fields are."""

    @property
    def sheet(self) -> bool:
        return self.banner and (self.code_texture >= CODE_TEXTURE or (self.code_share >= CODE_COVERED
                                                                       and self.fields))


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


def _small_dark(grey: Image.Image) -> np.ndarray | None:
    factor = max(1, round(min(grey.size) / _WORK_SIZE))
    small = grey.reduce(factor) if factor > 1 else grey
    pixels = np.asarray(small, dtype=np.float32)
    paper, ink = np.percentile(pixels, 90), np.percentile(pixels, 0.5)
    if paper - ink < 40:
        return None
    return pixels < ink + 0.5 * (paper - ink)


def sheet_layout(grey: Image.Image) -> Layout:
    """Whether `grey` has a dsd sheet's layout: a banner with the large code (or its covered place and the printed
    fields) beside it. Rotation, skew and print scale do not matter: positions are taken relative to the banner."""
    from scipy import ndimage

    dark = _small_dark(grey.convert("L"))
    if dark is None:
        return Layout()
    closed = ndimage.binary_closing(dark, structure=np.ones((3, 3), dtype=bool))
    labels, _count = ndimage.label(closed)
    best = Layout()
    for index, box in enumerate(ndimage.find_objects(labels), start=1):
        if box is None or max(box[0].stop - box[0].start, box[1].stop - box[1].start) < 20:
            continue
        ys, xs = np.nonzero(labels[box] == index)
        if len(xs) < 40:
            continue
        ys, xs = ys + box[0].start, xs + box[1].start
        centre = np.array([xs.mean(), ys.mean()])
        evals, evecs = np.linalg.eigh(np.cov(np.vstack([xs - centre[0], ys - centre[1]])))
        length, width = np.sqrt(12 * max(evals[1], 1e-6)), np.sqrt(12 * max(evals[0], 1e-6))
        if not (BANNER_ELONGATION[0] <= length / width <= BANNER_ELONGATION[1]
                and len(xs) >= BANNER_FILL * length * width and length >= BANNER_LENGTH * min(dark.shape)
                and np.count_nonzero(dark[ys, xs]) >= BANNER_INK * length * width):
            continue
        along = evecs[:, 1]
        across = np.array([-along[1], along[0]])
        for side in (1.0, -1.0):
            # On the sheet, the code's centre is 0.39 banner lengths from the banner's, its side 0.61 of it; the
            # fields fill the 0.55 lengths after the code.
            texture, share = _texture(dark, centre + side * across * 0.39 * length, along, side * across,
                                      0.61 * length, 0.61 * length)
            fields_share = _texture(dark, centre + side * across * 0.98 * length, along, side * across,
                                    0.9 * length, 0.5 * length)[1]
            found = Layout(True, texture, share, 0.02 <= fields_share <= 0.4)
            if found.sheet:
                return found
            if (found.code_texture, found.code_share) > (best.code_texture, best.code_share):
                best = found
    return best


def _texture(dark: np.ndarray, centre: np.ndarray, along: np.ndarray, across: np.ndarray, size_along: float,
             size_across: float) -> tuple[float, float]:
    """(change rate in both directions, dark share) of `dark` sampled on a grid over the rectangle centred at
    `centre` with sides along `along` and `across`; (0, 0) when most of it lies off the page."""
    steps_along, steps_across = max(8, int(size_along)), max(8, int(size_across))
    a = ((np.arange(steps_along) + 0.5) / steps_along - 0.5) * size_along * 0.9
    b = ((np.arange(steps_across) + 0.5) / steps_across - 0.5) * size_across * 0.9
    grid_b, grid_a = np.meshgrid(b, a, indexing="ij")  # rows across, columns along
    xs = centre[0] + grid_a * along[0] + grid_b * across[0]
    ys = centre[1] + grid_a * along[1] + grid_b * across[1]
    inside = (xs >= 0) & (ys >= 0) & (xs < dark.shape[1]) & (ys < dark.shape[0])
    if inside.mean() < 0.6:
        return 0.0, 0.0
    sample = np.zeros(xs.shape, dtype=bool)
    sample[inside] = dark[ys[inside].astype(int), xs[inside].astype(int)]
    share = float(sample[inside].mean())
    changes_along = float((sample[:, 1:] != sample[:, :-1]).mean())
    changes_across = float((sample[1:, :] != sample[:-1, :]).mean())
    texture = min(changes_along, changes_across) if 0.2 < share < 0.8 else 0.0
    return round(texture, 3), round(share, 3)
