"""Find separator sheets and labels on a page image.

Strategy: one fast zxing-cpp pass over the page (all orientations). Only when it finds no dsd code, and the page
could be a sheet or a label (a code was detected but not decoded, a dsd code was damaged, or `looks.sheet_likeness`
sees solid black modules or QR texture once other decoded codes are blanked out), more passes run: downscaled (blur,
noise and halftone average out), globally binarised (photocopies, low contrast), upscaled (low resolution or small
prints), smoothed to 1/4 (heavy noise and JPEG blocks), and pyzbar as a second reader. Content pages — the great
majority — cost one pass and a glance.

A page whose code cannot be read is an unreadable separator (its pages are kept unassigned rather than added to the
previous document) only when it looks like a dsd sheet (`looks.sheet_layout`: the banner with the large code beside
it) or like a dsd label (two damaged QR codes of one size side by side). A damaged foreign code, a dark photo or a
narrow strip is content.

A page with a dsd label (payload `DSD1:L:...`) starts a document and stays in it; a label page that has a sheet's
layout is a sheet. Only dsd's own payloads separate. Other codes (an invoice's EPC payment QR code, a courier's
label, 1-D barcodes) are recorded by format only: their text can hold names and account numbers.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass

import zxingcpp
from PIL import Image, ImageOps

from dsd_cli.errors import InputError
from dsd_cli.models import PageRef, SeparatorPayload, SeparatorRead
from dsd_cli.profiles import SeparatorSettings
from dsd_cli.scan.looks import sheet_layout, sheet_likeness
from dsd_cli.sheets.payload import decode_payload, is_dsd_text

PATCH_T_TEXT = "PATCHT"
UNREADABLE = "looks like a separator sheet, but no dsd code on it can be read"
UNREADABLE_LABEL = "looks like a dsd label, but neither of its codes can be read"
TWO_CODES = "two different separator codes on one page"

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Detection:
    """What the readers found on one page."""

    separator: SeparatorRead | None = None
    bad_separator: str = ""
    """Why a page that looks like a separator could not be trusted ('' when none was seen)."""
    other_codes: tuple[str, ...] = ()
    """Formats of non-separator codes on the page (never their text)."""


@dataclass(frozen=True)
class _Read:
    text: str
    format: str
    orientation: int
    valid: bool
    box: Box = (0.0, 0.0, 0.0, 0.0)

    @property
    def size(self) -> float:
        return max(self.box[2] - self.box[0], self.box[3] - self.box[1])

    @property
    def square(self) -> bool:
        """A QR code's box is about square at any rotation; zxing's false finds in text usually are not."""
        width, height = self.box[2] - self.box[0], self.box[3] - self.box[1]
        return min(width, height) >= 0.6 * max(width, height)


def _orientation(degrees: int) -> int:
    return round((degrees % 360) / 90.0) * 90 % 360


def _zxing_box(position: zxingcpp.Position, scale: float, offset: tuple[int, int]) -> Box:
    points = (position.top_left, position.top_right, position.bottom_left, position.bottom_right)
    xs, ys = [p.x / scale + offset[0] for p in points], [p.y / scale + offset[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _zxing(image: Image.Image, formats: tuple[zxingcpp.BarcodeFormat, ...], binarizer: zxingcpp.Binarizer | None = None,
           scale: float = 1.0, offset: tuple[int, int] = (0, 0)) -> list[_Read]:
    """Read with zxing-cpp; `scale`/`offset` map boxes back to page pixels when `image` is a resized crop."""
    kwargs = {"formats": formats, "try_rotate": True, "try_downscale": True, "return_errors": True}
    if binarizer is not None:
        kwargs["binarizer"] = binarizer
    return [_Read(b.text, b.format.name, _orientation(b.orientation), b.valid, _zxing_box(b.position, scale, offset))
            for b in zxingcpp.read_barcodes(image, **kwargs)]


def _zbar(image: Image.Image) -> list[_Read]:
    from pyzbar import pyzbar

    reads = []
    for symbol in pyzbar.decode(image):
        text = symbol.data.decode("utf-8", "replace")
        orientation = {"UP": 0, "RIGHT": 90, "DOWN": 180, "LEFT": 270}.get(str(symbol.orientation), 0)
        left, top, width, height = symbol.rect
        reads.append(_Read(text, symbol.type, orientation, True, (left, top, left + width, top + height)))
    return reads


def _passes(grey: Image.Image, readers: tuple[str, ...], formats: tuple[zxingcpp.BarcodeFormat, ...]
            ) -> Iterator[tuple[str, str, list[_Read]]]:
    """(reader, pass name, reads) for the slower passes, readers in the profile's order; generated lazily.

    The first reader's plain pass already ran as the fast pass; a second reader starts with its own plain pass.
    """
    for position, reader in enumerate(readers):
        yield from (_zxing_passes(grey, formats, plain=position > 0) if reader == "zxing"
                    else _zbar_passes(grey, plain=position > 0))


def _zxing_passes(grey: Image.Image, formats: tuple[zxingcpp.BarcodeFormat, ...], plain: bool
                  ) -> Iterator[tuple[str, str, list[_Read]]]:
    w, h = grey.size
    if plain:
        yield "zxing", "fast", _zxing(grey, formats)
    yield "zxing", "downscale", _zxing(grey.resize((w // 2, h // 2), Image.Resampling.BOX), formats, scale=0.5)
    yield "zxing", "binarise", _zxing(ImageOps.autocontrast(grey, cutoff=2), formats,
                                      zxingcpp.Binarizer.GlobalHistogram)
    if w * h < 6_000_000:
        yield "zxing", "upscale", _zxing(grey.resize((w * 2, h * 2), Image.Resampling.BICUBIC), formats, scale=2)
    yield "zxing", "downscale-3", _zxing(grey.resize((w // 3, h // 3), Image.Resampling.BOX), formats, scale=1 / 3)
    smooth = grey.resize((w // 2, h // 2), Image.Resampling.BOX).resize((w // 4, h // 4), Image.Resampling.LANCZOS)
    yield "zxing", "smooth", _zxing(ImageOps.autocontrast(smooth, cutoff=1), formats, scale=0.25)


def _zbar_passes(grey: Image.Image, plain: bool) -> Iterator[tuple[str, str, list[_Read]]]:
    w, h = grey.size
    if plain:
        yield "zbar", "fast", _zbar(grey)
    yield "zbar", "autocontrast", _zbar(ImageOps.autocontrast(grey, cutoff=2))
    yield "zbar", "downscale", _zbar(grey.resize((w // 2, h // 2), Image.Resampling.BOX))


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
        """A Detection when `reads` settle the page (a sheet or label found, or a dsd code that is damaged)."""
        bad = ""
        found: dict[SeparatorPayload, _Read] = {}
        generic: SeparatorRead | None = None
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
                    found.setdefault(payload, read)
            elif self.settings.patch_t and read.text.strip().upper() == PATCH_T_TEXT:
                generic = generic or SeparatorRead(page, None, reader, pass_name, read.orientation, "patch-t")
            elif self.pattern and self.pattern.fullmatch(read.text.strip()):
                generic = generic or SeparatorRead(page, None, reader, pass_name, read.orientation, "pattern")
        # A sheet and a label naming the same dossier and type are one instruction (a label stuck on a sheet).
        if len({(p.dossier, p.doc_type) for p in found}) > 1:  # two different codes on one page: never guess
            return Detection(bad_separator=TWO_CODES)
        if found:
            payload, read = min(found.items(), key=lambda item: item[0].label)  # the sheet's code first
            kind = "label" if payload.label else "dsd"
            return Detection(SeparatorRead(page, payload, reader, pass_name, read.orientation, kind))
        if generic is not None:
            return Detection(generic)
        return Detection(bad_separator=bad) if bad else None

    def detect(self, page: PageRef, image: Image.Image) -> Detection:
        grey = image.convert("L")
        first_reader = self.readers[0]  # the profile lists readers in the order to use them
        fast = _zxing(grey, self.formats) if first_reader == "zxing" else _zbar(grey)
        found = self._interpret(page, fast, first_reader, "fast")
        foreign = [r for r in fast if r.valid and not is_dsd_text(r.text)]
        others = tuple(sorted({r.format for r in foreign}))
        if found is not None and (found.separator is not None or found.bad_separator == TWO_CODES):
            return self._settled(found, grey, others)
        damaged = [r for r in fast if not r.valid and "QR" in r.format]
        looks = sheet_likeness(grey, [_margin(r.box) for r in foreign])
        if found is None and not damaged and not looks.maybe_sheet:
            return Detection(other_codes=others)
        bad = found.bad_separator if found else ""
        for reader, pass_name, reads in _passes(grey, self.readers, self.formats):
            result = self._interpret(page, reads, reader, pass_name)
            if result is not None and result.separator is not None:
                return self._settled(result, grey, others)
            bad = bad or (result.bad_separator if result else "")
            damaged += [r for r in reads if not r.valid and "QR" in r.format]
        if not bad and sheet_layout(grey).sheet:
            bad = UNREADABLE
        elif not bad and _label_pair(damaged):
            bad = UNREADABLE_LABEL
        return Detection(bad_separator=bad, other_codes=others)

    @staticmethod
    def _settled(found: Detection, grey: Image.Image, others: tuple[str, ...]) -> Detection:
        """The final word on a page where a code was read: a label on a page with a sheet's layout is a sheet."""
        sep = found.separator
        if sep is not None and sep.kind == "label" and sheet_layout(grey).sheet:
            sep = dataclasses.replace(sep, kind="dsd")
        return Detection(sep, found.bad_separator, others)


def _label_pair(damaged: list[_Read]) -> bool:
    """Two damaged QR codes of about one size, side by side about 2-4 code widths apart: a dsd label's two codes."""
    square = [r for r in damaged if r.square and r.size > 0]
    for i, one in enumerate(square):
        for other in square[i + 1:]:
            if max(one.size, other.size) > 1.3 * min(one.size, other.size):
                continue
            dx = (one.box[0] + one.box[2] - other.box[0] - other.box[2]) / 2
            dy = (one.box[1] + one.box[3] - other.box[1] - other.box[3]) / 2
            if 1.6 <= (dx * dx + dy * dy) ** 0.5 / one.size <= 4.5:
                return True
    return False


def _margin(box: Box) -> Box:
    """A decoded code's box grown by a quarter of its size, so its quiet zone and print blur go with it."""
    grow = 0.25 * max(box[2] - box[0], box[3] - box[1])
    return box[0] - grow, box[1] - grow, box[2] + grow, box[3] + grow
