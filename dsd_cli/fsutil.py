"""Durable file operations: every file dsd publishes is written to a temp file, fsynced and renamed.

A crash at any moment leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


def fsync_dir(path: Path) -> None:
    """Make a rename or a new entry in `path` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(target: Path, mode: int = 0o644) -> Iterator[Path]:
    """A temp path beside `target` for a caller (or a library) to write; on success it is fsynced, renamed over
    `target` and the folder fsynced; on any failure it is removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def atomic_writer(target: Path, mode: int = 0o644) -> Iterator[BinaryIO]:
    """Open a temp file beside `target`; on success fsync it, rename it over `target` and fsync the folder."""
    with atomic_path(target, mode) as tmp, open(tmp, "wb") as handle:
        yield handle


def atomic_write_bytes(target: Path, data: bytes) -> None:
    with atomic_writer(target) as handle:
        handle.write(data)


def atomic_write_text(target: Path, text: str) -> None:
    atomic_write_bytes(target, text.encode("utf-8"))


def atomic_copy(source: Path, target: Path) -> None:
    """Copy `source` to `target` durably (never following `target` if it is a symlink)."""
    with open(source, "rb") as src, atomic_writer(target) as dst:
        shutil.copyfileobj(src, dst, CHUNK)


def file_digests(path: Path, algorithms: tuple[str, ...] = ("sha256",)) -> dict[str, str]:
    """Hash a file once, computing every algorithm in the same pass."""
    hashers = {name: hashlib.new(name) for name in algorithms}
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            for hasher in hashers.values():
                hasher.update(chunk)
    return {name: h.hexdigest() for name, h in hashers.items()}


def sha256_file(path: Path) -> str:
    return file_digests(path, ("sha256",))["sha256"]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
