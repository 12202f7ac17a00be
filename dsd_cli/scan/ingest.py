"""Ingest: find the scanner files in the inputs, checksum them first, group them into batches, stream their pages.

An input folder is read in natural name order (`page2` before `page10`). Each PDF and each multi-page TIFF is a
batch of its own; the single-page images (JPEG, PNG, one-page TIFF) of one folder together form one batch. A file
dsd cannot use is reported as a QuarantinedInput with a reason and never stops the others. File types are decided
by their first bytes, not their names.
"""

from __future__ import annotations

import re
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

#: Pages larger than this many pixels are refused as decompression bombs (A0 at 600 dpi is ~ 450 Mpx).
MAX_PIXELS = 300_000_000
MAX_PAGES = 5000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

_MAGIC = ((b"%PDF-", "pdf"), (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"), (b"\xff\xd8\xff", "jpeg"),
          (b"\x89PNG\r\n\x1a\n", "png"))


@dataclass(frozen=True)
class Batch:
    id: str
    """The multi-page file's name, or the folder's name for a batch of single-page images."""
    sources: tuple[SourceFile, ...]

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
    except UnidentifiedImageError:
        raise InputError("not an image dsd can read", reason="unsupported") from None
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
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", reason="unreadable") from None
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
    return sorted((p for p in folder.iterdir() if not p.name.startswith(".")), key=natural_key)


def discover_batches(inputs: Sequence[Path]) -> tuple[list[Batch], list[QuarantinedInput]]:
    """Batches of usable files, and the files that are not usable (with reasons), in input order."""
    batches: list[Batch] = []
    bad: list[QuarantinedInput] = []

    def add_folder(folder: Path, root: Path) -> None:
        singles: list[SourceFile] = []
        for child in _files_of(folder):
            if child.is_dir() and not child.is_symlink():
                add_folder(child, root)
                continue
            try:
                source = inspect_source(child, root)
            except InputError as exc:
                bad.append(_quarantined(child, exc))
                continue
            if source.kind == "image":
                singles.append(source)
            else:
                batches.append(Batch(id=child.name, sources=(source,)))
        if singles:
            batches.append(Batch(id=f"{folder.name}/", sources=tuple(singles)))

    for item in inputs:
        if item.is_dir():
            add_folder(item, item)
        elif item.exists() or item.is_symlink():
            try:
                source = inspect_source(item)
            except InputError as exc:
                bad.append(_quarantined(item, exc))
                continue
            batches.append(Batch(id=item.name, sources=(source,)))
        else:
            raise InputError(f"{item}: no such file or folder", reason="missing")
    return batches, bad


def iter_pages(source: SourceFile, dpi: int = 200) -> Iterator[tuple[PageRef, Image.Image]]:
    """Stream a source's pages as greyscale images (PDF pages rendered at `dpi`); one page in memory at a time."""
    if source.kind == "pdf":
        doc = pypdfium2.PdfDocument(str(source.path))
        try:
            for index in range(len(doc)):
                page = doc[index]
                bitmap = page.render(scale=dpi / 72, grayscale=True)
                image = bitmap.to_pil().convert("L")
                page.close()
                yield PageRef(source.path, index), image
        finally:
            doc.close()
        return
    with Image.open(source.path) as image:
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frame = ImageOps.exif_transpose(image) if index == 0 else image
            yield PageRef(source.path, index), frame.convert("L")


def image_dpi(image: Image.Image, default: int = 200) -> int:
    dpi = image.info.get("dpi")
    try:
        value = round(float(dpi[0])) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    return value if value >= 50 else default


__all__ = ["Batch", "discover_batches", "image_dpi", "inspect_source", "iter_pages", "natural_key"]
