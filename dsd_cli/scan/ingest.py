"""Ingest: find the scanner files in the inputs, checksum them first, group them into batches, stream their pages.

An input folder is read in natural name order (`page2` before `page10`). Each PDF and each multi-page TIFF is a
batch of its own; the single-page images (JPEG, PNG, one-page TIFF) of one folder together form one batch. A file
dsd cannot use is reported as a QuarantinedInput with a reason and never stops the others. File types are decided
by their first bytes, not their names. A folder's scan record (`scan-record.json` from `dsd scan`, or a
`scan-record.toml` beside other software's files) travels with its batches; a file whose checksum differs from the
record, or a page the record lists that is not there, is reported as a QuarantinedInput too.
"""

from __future__ import annotations

import re
import stat
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdfium2
from PIL import Image, ImageOps, UnidentifiedImageError

from dsd_cli.errors import InputError
from dsd_cli.fsutil import sha256_file
from dsd_cli.models import PageRef, QuarantinedInput, SourceFile
from dsd_cli.scan.bounds import MAX_PAGE_POINTS, MAX_PAGES, MAX_PIXELS
from dsd_cli.scan.pdfpages import scanned_image
from dsd_cli.scan.scan_record import RECORD_NAMES, ScanRecord, find_record

# Pillow warns above this many pixels and refuses above twice as many; dsd turns the warning into a refusal too.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

_MAGIC = ((b"%PDF-", "pdf"), (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"), (b"\xff\xd8\xff", "jpeg"),
          (b"\x89PNG\r\n\x1a\n", "png"))


@dataclass(frozen=True)
class Batch:
    id: str
    """The multi-page file's name, or the folder's name for a batch of single-page images."""
    sources: tuple[SourceFile, ...]
    scan_record: ScanRecord | None = None
    """How the batch was scanned, from the scan record of its folder (None when there is none)."""

    @property
    def page_count(self) -> int:
        return sum(s.page_count for s in self.sources)


def natural_key(path: Path) -> list[object]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def sniff(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(1024)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if b"%PDF-" in head:  # some scanners write a few bytes before the header; PDF readers accept that
        return "pdf"
    return "unknown"


def _pdf_pages(path: Path) -> int:
    try:
        with pikepdf.open(path) as pdf:
            count = len(pdf.pages)
            if count > MAX_PAGES:
                raise InputError(f"{count} pages is more than dsd takes in one file ({MAX_PAGES})",
                                 reason="too-large")
            for number, page in enumerate(pdf.pages, start=1):
                box = page.mediabox
                width, height = abs(float(box[2] - box[0])), abs(float(box[3] - box[1]))
                if max(width, height) > MAX_PAGE_POINTS or min(width, height) < 1:
                    raise InputError(f"page {number} measures {width:.0f} x {height:.0f} points",
                                     reason="too-large")
                for image in page.get_images().values():  # a small page can hold a decompression bomb too
                    pixels = int(image.get("/Width", 0)) * int(image.get("/Height", 0))
                    if pixels > MAX_PIXELS:
                        raise InputError(f"page {number} holds an image of {pixels / 1e6:.0f} megapixels",
                                         reason="too-large")
    except pikepdf.PasswordError:
        raise InputError("the PDF is protected by a password", reason="encrypted") from None
    except (pikepdf.PdfError, OSError, RecursionError) as exc:
        raise InputError(f"not a readable PDF: {exc}", reason="corrupt") from None
    try:
        doc = pypdfium2.PdfDocument(str(path))
        doc.close()
    except pypdfium2.PdfiumError as exc:
        raise InputError(f"the PDF cannot be rendered: {exc}", reason="corrupt") from None
    if count == 0:
        raise InputError("the PDF has no pages", reason="empty")
    return count


def _image_pages(path: Path) -> int:
    """Open and fully decode every frame once, so that truncated scans are caught before any work starts."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                frames = getattr(image, "n_frames", 1)
                if frames > MAX_PAGES:
                    raise InputError(f"{frames} pages is more than dsd takes in one file ({MAX_PAGES})",
                                     reason="too-large")
                for index in range(frames):
                    image.seek(index)
                    if image.width * image.height > MAX_PIXELS:
                        raise InputError(f"page {index + 1} has {image.width}x{image.height} pixels",
                                         reason="too-large")
                    image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InputError(f"image too large: {exc}", reason="too-large") from None
    except UnidentifiedImageError:  # it starts like a TIFF/JPEG/PNG (sniffed), so it is damaged, e.g. cut short
        raise InputError("the file starts like a scan image but cannot be decoded", reason="corrupt") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        reason = "truncated" if "truncated" in str(exc).lower() else "corrupt"
        raise InputError(f"the image cannot be decoded: {exc}", reason=reason) from None
    return frames


def inspect_source(path: Path, root: Path | None = None) -> SourceFile:
    """Checksum and validate one file. Raises InputError with a reason for a file dsd cannot use."""
    if path.is_symlink():
        target = path.resolve()
        if not target.exists():
            raise InputError("the link points to nothing", reason="dangling-link")
        if root is not None and not target.is_relative_to(root.resolve()):
            raise InputError("the link points outside the input folder", reason="link-outside")
    try:
        before = path.stat()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", reason="unreadable") from None
    if not stat.S_ISREG(before.st_mode):  # a FIFO or device would block or never end
        raise InputError("not a regular file", reason="unsupported")
    size = before.st_size
    if size == 0:
        raise InputError("the file is empty (0 bytes)", reason="zero-byte")
    try:
        sha256 = sha256_file(path)
        kind = sniff(path)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", reason="unreadable") from None
    if kind == "unknown":
        raise InputError("not a PDF, TIFF, JPEG or PNG scan", reason="unsupported")
    pages = _pdf_pages(path) if kind == "pdf" else _image_pages(path)
    after = path.stat()
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        # The checksum would not describe the pages read later: try again once the scanner has finished.
        raise InputError("the file changed while dsd read it", reason="still-being-written")
    file_kind = "pdf" if kind == "pdf" else "tiff" if kind == "tiff" and pages > 1 else "image"
    return SourceFile(path=path, sha256=sha256, size=size, kind=file_kind, page_count=pages)


def _quarantined(path: Path, exc: InputError) -> QuarantinedInput:
    sha = ""
    try:
        if path.is_file():
            sha = sha256_file(path)
    except OSError:
        pass
    return QuarantinedInput(source=path, reason=exc.reason, message=exc.message, sha256=sha)


def _files_of(folder: Path) -> list[Path]:
    return sorted((p for p in folder.iterdir() if not p.name.startswith(".") and p.name not in RECORD_NAMES),
                  key=natural_key)


def _against_record(source: SourceFile, record: ScanRecord | None) -> QuarantinedInput | None:
    """A file that is not what the scan record says was scanned (changed or replaced since)."""
    page = record.page(source.path.name) if record is not None else None
    if page is None or page.sha256 == source.sha256:
        return None
    name = record.path.name if record is not None and record.path is not None else "of its folder"
    return QuarantinedInput(source=source.path, reason="checksum-mismatch", sha256=source.sha256,
                            message=f"its SHA-256 differs from the one in the scan record {name}: the file changed "
                                    "after it was scanned")


def _missing_pages(folder: Path, record: ScanRecord | None, seen: set[str]) -> list[QuarantinedInput]:
    """Pages the scan record lists that are not in the folder: lost after scanning."""
    if record is None:
        return []
    return [QuarantinedInput(source=folder / page.file, reason="missing-page", sha256=page.sha256,
                             message="the scan record lists this page, but the file is not in the folder")
            for page in record.pages or () if page.file not in seen]


def discover_batches(inputs: Sequence[Path]) -> tuple[list[Batch], list[QuarantinedInput]]:
    """Batches of usable files, and the files that are not usable (with reasons), in input order."""
    batches: list[Batch] = []
    bad: list[QuarantinedInput] = []

    def add_folder(folder: Path, root: Path) -> None:
        record = find_record(folder)
        singles: list[SourceFile] = []
        seen: set[str] = set()
        for child in _files_of(folder):
            if child.is_dir() and not child.is_symlink():
                add_folder(child, root)
                continue
            seen.add(child.name)
            try:
                source = inspect_source(child, root)
            except InputError as exc:
                bad.append(_quarantined(child, exc))
                continue
            changed = _against_record(source, record)
            if changed is not None:
                bad.append(changed)
            elif source.kind == "image":
                singles.append(source)
            else:
                batches.append(Batch(id=child.name, sources=(source,), scan_record=record))
        bad.extend(_missing_pages(folder, record, seen))
        if singles:
            batches.append(Batch(id=f"{folder.name}/", sources=tuple(singles), scan_record=record))

    for item in inputs:
        if item.is_dir():
            add_folder(item, item)
        elif item.exists() or item.is_symlink():
            record = find_record(item.parent) if item.name not in RECORD_NAMES else None
            try:
                source = inspect_source(item)
            except InputError as exc:
                bad.append(_quarantined(item, exc))
                continue
            changed = _against_record(source, record)
            if changed is not None:
                bad.append(changed)
                continue
            batches.append(Batch(id=item.name, sources=(source,), scan_record=record))
        else:
            raise InputError(f"{item}: no such file or folder", reason="missing")
    return batches, bad


def iter_pages(source: SourceFile, dpi: int = 200) -> Iterator[tuple[PageRef, Image.Image]]:
    """Stream a source's pages as greyscale images (PDF pages rendered at `dpi`); one page in memory at a time."""
    if source.kind == "pdf":
        yield from _pdf_page_images(source.path, dpi)
        return
    with Image.open(source.path) as image:
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frame = ImageOps.exif_transpose(image) if index == 0 else image
            if frame.mode in ("LA", "RGBA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
                rgba = frame.convert("RGBA")  # transparent parts are paper, not black
                frame = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
            yield PageRef(source.path, index), frame.convert("L")


def _pdf_page_images(path: Path, dpi: int) -> Iterator[tuple[PageRef, Image.Image]]:
    """A scanner PDF's pages: the scan image itself when the page is a plain scan, else rendered at `dpi`."""
    with pikepdf.open(path) as pdf:
        doc: pypdfium2.PdfDocument | None = None
        try:
            for index, pdf_page in enumerate(pdf.pages):
                image = scanned_image(pdf_page, dpi)
                if image is None:
                    doc = doc or pypdfium2.PdfDocument(str(path))
                    page = doc[index]
                    width, height = page.get_size()
                    # Never render more pixels than an image file may have (a huge page is a bomb too).
                    scale = min(dpi / 72, (MAX_PIXELS / max(1.0, width * height)) ** 0.5)
                    image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
                    page.close()
                image.info["dpi"] = (_pixels_per_inch(pdf_page, image),) * 2
                yield PageRef(path, index), image
        finally:
            if doc is not None:
                doc.close()


def _pixels_per_inch(page: pikepdf.Page, image: Image.Image) -> float:
    """The resolution of a page image, from the page's size (blank detection measures marks in millimetres)."""
    box = page.mediabox
    width, height = abs(float(box[2] - box[0])), abs(float(box[3] - box[1]))
    if int(page.obj.get("/Rotate", 0)) % 180:
        width, height = height, width
    return round(image.width * 72 / width, 1) if width > 0 else 200.0


def image_dpi(image: Image.Image, default: int = 200) -> int:
    dpi = image.info.get("dpi")
    try:
        value = round(float(dpi[0])) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    return value if value >= 50 else default


__all__ = ["Batch", "discover_batches", "image_dpi", "inspect_source", "iter_pages", "natural_key"]
