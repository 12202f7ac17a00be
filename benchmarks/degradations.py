"""Ways real scans of separator sheets go wrong, as image transforms (shared by the benchmark and the tests)."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageFilter


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue()))


def noise(image: Image.Image, amount: float, seed: int = 1) -> Image.Image:
    rng = np.random.default_rng(seed)
    arr = np.asarray(image, dtype=np.int16) + rng.normal(0, amount, image.size[::-1]).astype(np.int16)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def photocopy(image: Image.Image) -> Image.Image:
    """Darker, grey background, lost contrast, toner specks."""
    grey = image.point(lambda v: int(60 + v * 0.55))
    return noise(grey.filter(ImageFilter.GaussianBlur(1.2)), 18, seed=3)


def fit_to_page(image: Image.Image, scale: float) -> Image.Image:
    small = image.resize((int(image.width * scale), int(image.height * scale)), Image.Resampling.LANCZOS)
    page = Image.new("L", image.size, 255)
    page.paste(small, ((image.width - small.width) // 2, (image.height - small.height) // 2))
    return page


def group4(image: Image.Image) -> Image.Image:
    buffer = io.BytesIO()
    image.convert("1").save(buffer, "TIFF", compression="group4")
    buffer.seek(0)
    return Image.open(buffer).convert("L")


DEGRADATIONS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "clean": lambda im: im,
    "rotated-90": lambda im: im.rotate(90, expand=True),
    "upside-down": lambda im: im.rotate(180),
    "rotated-270": lambda im: im.rotate(270, expand=True),
    "skew+5": lambda im: im.rotate(5, fillcolor=255, resample=Image.Resampling.BICUBIC),
    "skew-5": lambda im: im.rotate(-5, fillcolor=255, resample=Image.Resampling.BICUBIC),
    "blur": lambda im: im.filter(ImageFilter.GaussianBlur(2.0)),
    "noise": lambda im: noise(im, 40),
    "jpeg-q15": lambda im: jpeg(im, 15),
    "low-contrast": lambda im: im.point(lambda v: int(120 + v * 0.3)),
    "photocopy": photocopy,
    "fit-to-page-70%": lambda im: fit_to_page(im, 0.7),
    "bilevel-g4": group4,
    "rotated-skewed-blurred-jpeg": lambda im: jpeg(im.rotate(93, expand=True, fillcolor=255)
                                                  .filter(ImageFilter.GaussianBlur(1.2)), 30),
}
