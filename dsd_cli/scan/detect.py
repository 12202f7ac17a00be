"""Find separator codes on a page image.

Strategy: one fast zxing-cpp pass over the page (all orientations). Only when it finds no dsd code, and the page
looks like it could be a sheet (a damaged code was detected, or a large dense square block is present), more passes
run: downscaled (blur, noise and halftone average out), upscaled (low resolution), globally binarised (photocopies,
low contrast), and pyzbar as a second reader. Content pages — the great majority — cost one pass.

Only dsd's own payload makes a separator. Other codes (an invoice's EPC payment QR code, 1-D barcodes on letters)
are recorded by format only: their text can hold names and account numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import zxingcpp
from PIL import Image, ImageOps

from dsd_cli.errors import InputError
from dsd_cli.models import PageRef, SeparatorRead
from dsd_cli.profiles import SeparatorSettings
from dsd_cli.sheets.payload import decode_payload, is_dsd_text

PATCH_T_TEXT = "PATCHT"


@dataclass(frozen=True)
class Detection:
    """What the readers found on one page."""

    separator: SeparatorRead | None = None
    bad_separator: str = ""
    """Why a dsd-looking code could not be trusted ('' when none was seen)."""
    other_codes: tuple[str, ...] = ()
    """Formats of non-separator codes on the page (never their text)."""


@dataclass(frozen=True)
class _Read:
    text: str
    format: str
    orientation: int
    valid: bool


def _orientation(degrees: int) -> int:
    return round((degrees % 360) / 90.0) * 90 % 360


def _zxing(image: Image.Image, formats: tuple[zxingcpp.BarcodeFormat, ...], binarizer: zxingcpp.Binarizer | None = None
           ) -> list[_Read]:
    kwargs = {"formats": formats, "try_rotate": True, "try_downscale": True, "return_errors": True}
    if binarizer is not None:
        kwargs["binarizer"] = binarizer
    return [_Read(b.text, b.format.name, _orientation(b.orientation), b.valid)
            for b in zxingcpp.read_barcodes(image, **kwargs)]


def _zbar(image: Image.Image) -> list[_Read]:
    from pyzbar import pyzbar

    reads = []
    for symbol in pyzbar.decode(image):
        text = symbol.data.decode("utf-8", "replace")
        orientation = {"UP": 0, "RIGHT": 90, "DOWN": 180, "LEFT": 270}.get(str(symbol.orientation), 0)
        reads.append(_Read(text, symbol.type, orientation, True))
    return reads


def _dense_block(image: Image.Image) -> bool:
    """Cheap hint that a page may carry a (damaged) QR code: a square region of mixed dark and light modules."""
    small = np.asarray(image.convert("L").resize((96, 136), Image.Resampling.BOX), dtype=np.float32)
    dark = small < (np.percentile(small, 95) - 50)
    # Integral image: mean darkness of every 24x24 window (a printed code is >= 1/4 of the page width).
    s = np.pad(dark.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    k = 24
    windows = (s[k:, k:] - s[:-k, k:] - s[k:, :-k] + s[:-k, :-k]) / (k * k)
    return bool(windows.size) and float(windows.max()) > 0.28


def _passes(image: Image.Image, readers: tuple[str, ...], formats: tuple[zxingcpp.BarcodeFormat, ...]
            ) -> Iterator[tuple[str, str, list[_Read]]]:
    """(reader, pass name, reads) for the slower passes, in order of usefulness."""
    grey = image.convert("L")
    if "zxing" in readers:
        w, h = grey.size
        yield "zxing", "downscale", _zxing(grey.resize((w // 2, h // 2), Image.Resampling.BOX), formats)
        yield "zxing", "binarise", _zxing(ImageOps.autocontrast(grey, cutoff=2), formats,
                                          zxingcpp.Binarizer.GlobalHistogram)
        if w < 2000:
            yield "zxing", "upscale", _zxing(grey.resize((w * 2, h * 2), Image.Resampling.BICUBIC), formats)
        yield "zxing", "downscale-3", _zxing(grey.resize((w // 3, h // 3), Image.Resampling.BOX), formats)
    if "zbar" in readers:
        yield "zbar", "fast", _zbar(grey)
        yield "zbar", "autocontrast", _zbar(ImageOps.autocontrast(grey, cutoff=2))


class SeparatorDetector:
    def __init__(self, settings: SeparatorSettings) -> None:
        self.settings = settings
        self.readers = settings.readers
        self.pattern = re.compile(settings.barcode_pattern) if settings.barcode_pattern else None
        formats = [zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode]
        if settings.patch_t or self.pattern:
            formats += [zxingcpp.BarcodeFormat.Code39, zxingcpp.BarcodeFormat.Code128]
        self.formats = tuple(formats)

    def _interpret(self, page: PageRef, reads: list[_Read], reader: str, pass_name: str) -> Detection | None:
        """A Detection when `reads` settle the page (a separator found, or a dsd code that is damaged)."""
        bad = ""
        for read in reads:
            if not read.valid:
                continue
            if is_dsd_text(read.text):
                try:
                    payload = decode_payload(read.text)
                except InputError as exc:
                    bad = exc.message
                    continue
                if payload is not None:
                    return Detection(SeparatorRead(page, payload, reader, pass_name, read.orientation, "dsd"))
            elif self.settings.patch_t and read.text.strip().upper() == PATCH_T_TEXT:
                return Detection(SeparatorRead(page, None, reader, pass_name, read.orientation, "patch-t"))
            elif self.pattern and self.pattern.fullmatch(read.text.strip()):
                return Detection(SeparatorRead(page, None, reader, pass_name, read.orientation, "pattern"))
        return Detection(bad_separator=bad) if bad else None

    def detect(self, page: PageRef, image: Image.Image) -> Detection:
        grey = image.convert("L")
        fast = _zxing(grey, self.formats) if "zxing" in self.readers else _zbar(grey)
        first_reader = "zxing" if "zxing" in self.readers else "zbar"
        found = self._interpret(page, fast, first_reader, "fast")
        others = tuple(sorted({r.format for r in fast if r.valid and not is_dsd_text(r.text)}))
        if found is not None and found.separator is not None:
            return found
        damaged_qr = any(not r.valid and "QR" in r.format for r in fast)
        if found is None and not damaged_qr and not _dense_block(grey):
            return Detection(other_codes=others)
        bad = found.bad_separator if found else ""
        for reader, pass_name, reads in _passes(grey, self.readers, self.formats):
            result = self._interpret(page, reads, reader, pass_name)
            if result is not None and result.separator is not None:
                return result
            bad = bad or (result.bad_separator if result else "")
        if not bad and damaged_qr:
            bad = "a QR code was found but could not be read"
        return Detection(bad_separator=bad, other_codes=others)


