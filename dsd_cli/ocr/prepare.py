"""What Tesseract is shown: one decoded scan, cleaned when noisy, turned upright and straightened.

Everything here works on the image decoded once (`pages.ScanPage`) and on a copy reduced to about 150 dpi; nothing
is written back to the PDF. Orientation comes from the text lines of that copy (their direction, then ascenders
against descenders), and only when they do not tell from Tesseract's OSD on the same copy (OSD costs about a third
of a recognition pass, and is wrong at 75-100 dpi); skew from a projection profile of its dark pixels; noise from
the differences between neighbouring pixels: a grainy, speckled scan binarises into thousands of specks that make
Tesseract's layout analysis take tens of seconds, so such a page is smoothed first (in proportion to its grain and
resolution).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

OSD_DPI = 150
NOISY = 12.0
"""Median neighbour difference (grey levels) above which a scan is smoothed before recognition."""
DESKEW_MIN_DEGREES = 0.8
"""Below this Tesseract straightens lines itself without losing words; above it the image it sees is rotated."""
MAX_SKEW_DEGREES = 8.0
QUICK_CONFIDENT = 12.0
"""Orientation confidence from line structure above which Tesseract's OSD (about 0.3 s a page) is not asked."""


@dataclass(frozen=True)
class Prepared:
    image: Image.Image
    """What Tesseract recognises: upright, straightened, cleaned (never what is archived)."""
    orientation: int
    """Clockwise degrees (0, 90, 180, 270) the scan was turned to be upright; the page's /Rotate."""
    orientation_confidence: float
    skew: float
    """Degrees the upright scan was rotated counter-clockwise to straighten it (0 when not straightened)."""
    skew_found: float
    """The skew measured (degrees, counter-clockwise correction), straightened or not."""
    noise: float
    smoothed: float
    """Gaussian radius applied against grain and speckle (0 when the scan was clean)."""
    ink: float
    """Share of dark pixels on the page (on the reduced copy, after smoothing)."""


def noise_level(image: Image.Image) -> float:
    """Median absolute difference between horizontal neighbours over a sample of rows (0 for a clean scan)."""
    if image.mode == "1":
        return 0.0
    pixels = np.asarray(image)
    rows = pixels[:: max(1, pixels.shape[0] // 150)].astype(np.int16)
    counts = np.cumsum(np.bincount(np.abs(np.diff(rows, axis=1)).ravel()))
    return float(np.searchsorted(counts, counts[-1] / 2))  # the median, from the histogram


def smoothing_radius(noise: float, dpi: float) -> float:
    if noise <= NOISY:
        return 0.0
    return round(max(1.0, (noise - 10.0) / 11.0) * dpi / 300.0, 2)


def reduce_to(image: Image.Image, dpi: float, target: float) -> tuple[Image.Image, int]:
    grey = image.convert("L") if image.mode != "L" else image
    factor = max(1, round(dpi / target))
    return (grey.reduce(factor) if factor > 1 else grey), factor


def _histogram_threshold(pixels: np.ndarray) -> int:
    """Otsu's threshold, lowered on a (nearly) blank page, where Otsu would split the paper's own grain."""
    histogram = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    total = histogram.sum()
    weight = np.cumsum(histogram)
    mean = np.cumsum(histogram * np.arange(256))
    between = (mean[-1] * weight - mean * total) ** 2 / np.maximum(weight * (total - weight), 1e-9)
    paper = int(np.searchsorted(weight, total * 0.9))  # the 90th percentile grey: the paper
    return min(int(np.argmax(between)), paper - 40)


@dataclass(frozen=True)
class Dots:
    """The dark pixels of a reduced page, as coordinates (turned without touching the image)."""

    ys: np.ndarray
    xs: np.ndarray
    height: int
    width: int
    area: int

    @classmethod
    def of(cls, small: Image.Image) -> Dots:
        pixels = np.asarray(small)
        ys, xs = np.nonzero(pixels <= _histogram_threshold(pixels))
        return cls(ys.astype(np.float32), xs.astype(np.float32), pixels.shape[0], pixels.shape[1], pixels.size)

    @property
    def ink(self) -> float:
        return len(self.ys) / self.area if self.area else 0.0

    def turned(self, clockwise: int) -> Dots:
        h, w = self.height - 1, self.width - 1
        if clockwise == 90:
            return Dots(self.xs, h - self.ys, self.width, self.height, self.area)
        if clockwise == 180:
            return Dots(h - self.ys, w - self.xs, self.height, self.width, self.area)
        if clockwise == 270:
            return Dots(w - self.xs, self.ys, self.width, self.height, self.area)
        return self

    def sample(self, limit: int) -> tuple[np.ndarray, np.ndarray]:
        stride = max(1, -(-len(self.ys) // limit))  # every n-th dark pixel: the whole page, deterministic
        return self.ys[::stride], self.xs[::stride]


def _profile_score(ys: np.ndarray, xs: np.ndarray, degrees: float) -> float:
    shifted = ys - xs * np.float32(math.tan(math.radians(degrees)))
    counts = np.bincount((shifted - shifted.min()).astype(np.int32)).astype(np.float64)
    return float(np.dot(counts, counts))


def _search(ys: np.ndarray, xs: np.ndarray, around: float, step: float, span: float) -> tuple[float, float]:
    candidates = np.arange(around - span, around + span + step / 2, step)
    scores = [_profile_score(ys, xs, a) for a in candidates]
    best = int(np.argmax(scores))
    return float(candidates[best]), scores[best] / max(1, len(ys))


def skew_angle(dots: Dots, coarse: float | None = None) -> float:
    """Degrees to rotate counter-clockwise so that text lines are horizontal (projection profile, coarse to fine).

    Rows in which the dark pixels line up give the peakiest profile (largest sum of squares). `coarse` is a
    first estimate already found; otherwise the search starts over the whole range on a sample."""
    if len(dots.ys) < 200:
        return 0.0
    if coarse is None:
        coarse, _ = _search(*dots.sample(20_000), 0.0, 0.5, MAX_SKEW_DEGREES)
    ys, xs = dots.sample(80_000)
    best, _ = _search(ys, xs, coarse, 0.1, 0.5)
    best, _ = _search(ys, xs, best, 0.02, 0.1)
    # Lines that fall to the right (y grows with x) need a counter-clockwise turn of that angle.
    return round(best, 2)


def _line_asymmetry(dots: Dots, skew: float) -> tuple[float, int]:
    """(ascender minus descender ink over their sum, text lines) of horizontal lines, straightened by `skew`.

    Latin text has far more ascenders (b d f h k l t, capitals) than descenders (g j p q y): above the x-height
    band of a line there is more ink than below it when the page is upright, less when it is upside down."""
    shifted = dots.ys - dots.xs * np.float32(math.tan(math.radians(skew)))
    rows = np.bincount((shifted - shifted.min()).astype(np.int32))
    inked = rows > max(2, rows.max() * 0.04)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], inked.astype(np.int8), [0]))))
    above = below = 0.0
    lines = 0
    for top, bottom in zip(edges[::2], edges[1::2], strict=True):
        band = rows[top:bottom]
        if len(band) < 5:
            continue
        core = np.flatnonzero(band >= band.max() * 0.5)
        above += float(band[:core[0]].sum())
        below += float(band[core[-1] + 1:].sum())
        lines += 1
    total = above + below
    return ((above - below) / total if total else 0.0), lines


def line_orientation(dots: Dots) -> tuple[int, float, float]:
    """(clockwise turn to upright, confidence, skew) from line structure alone; confidence 0 when unsure.

    Text lines make the row profile of a page peaky and its column profile flat (or the other way round for a
    page on its side); the ascender asymmetry then tells upright from upside down. The confidence is on the
    scale of Tesseract's OSD (clear pages 10-30)."""
    unsure: tuple[int, float, float] = (0, 0.0, 0.0)
    if len(dots.ys) < 500:
        return unsure
    scores = {}
    for turn in (0, 90):
        turned = dots.turned(turn)
        coarse, peak = _search(*turned.sample(20_000), 0.0, 0.5, MAX_SKEW_DEGREES)
        scores[turn] = (peak, coarse, turned)
    horizontal = 0 if scores[0][0] >= scores[90][0] else 90
    if scores[horizontal][0] < 1.3 * scores[90 - horizontal][0]:
        return unsure
    _, coarse, turned = scores[horizontal]
    skew = skew_angle(turned, coarse)
    asymmetry, lines = _line_asymmetry(turned, skew)
    if lines < 3 or abs(asymmetry) < 0.12:
        return unsure
    turn = horizontal if asymmetry > 0 else (horizontal + 180) % 360
    return turn, round(min(40.0, abs(asymmetry) * math.sqrt(lines) * 10), 2), skew


def upright(image: Image.Image, orientation: int) -> Image.Image:
    """Turn by `orientation` degrees clockwise (exact, no resampling)."""
    turn = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}
    return image.transpose(turn[orientation]) if orientation in turn else image


def prepare(image: Image.Image, dpi: float, osd: object | None, *, rotate_pages: bool, deskew: bool,
            rotate_threshold: float) -> Prepared:
    """Decide orientation, skew and cleaning on reduced copies, then build the one image Tesseract will see."""
    noise = noise_level(image)
    radius = smoothing_radius(noise, dpi)
    seen = image.filter(ImageFilter.GaussianBlur(radius)) if radius else image  # a bilevel scan stays bilevel
    small, factor = reduce_to(seen, dpi, OSD_DPI)
    dots = Dots.of(small)
    orientation, confidence, found = line_orientation(dots)
    measured = confidence > 0  # the line analysis measured the skew for its orientation
    if rotate_pages and confidence < QUICK_CONFIDENT and osd is not None:  # the lines do not tell: ask OSD
        told, confidence = detect_orientation(osd, small, dpi / factor)
        measured, orientation = measured and told == orientation, told
    if orientation and (not rotate_pages or confidence < rotate_threshold):
        orientation, measured = 0, False
    if not measured:
        found = skew_angle(dots.turned(orientation))
    turned = upright(seen, orientation)
    applied = 0.0
    if deskew and abs(found) >= DESKEW_MIN_DEGREES:
        applied = found
        # Nearest neighbour at scanning resolutions (five times quicker; Tesseract binarises anyway), bilinear
        # below 200 dpi, where a pixel is a larger part of a stroke.
        resample = Image.Resampling.NEAREST if dpi >= 200 else Image.Resampling.BILINEAR
        turned = turned.convert("L").rotate(applied, resample=resample, fillcolor=255)
    return Prepared(image=turned, orientation=orientation, orientation_confidence=round(confidence, 2),
                    skew=applied, skew_found=found, noise=noise, smoothed=radius, ink=round(dots.ink, 4))


def detect_orientation(osd: object, small: Image.Image, dpi: float) -> tuple[int, float]:
    """Tesseract OSD on the reduced copy: (clockwise degrees that make the page upright, confidence)."""
    osd.SetImage(small)  # type: ignore[attr-defined]
    osd.SetSourceResolution(round(dpi))  # type: ignore[attr-defined]
    result = osd.DetectOrientationScript()  # type: ignore[attr-defined]
    if not result:
        return 0, 0.0
    # OSD reports the clockwise rotation the scan has; turning it by the rest of a full turn makes it upright.
    return (360 - int(result["orient_deg"])) % 360, float(result["orient_conf"])
