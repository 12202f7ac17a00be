"""Private temp folders for the work of one task, which a killed worker cannot leave behind for long.

A worker (local or on a cluster machine) does each document in a fresh `dsd-ocr-*` folder in the system temp
folder, and points TMPDIR there for the programs it starts, so OCRmyPDF's own temp folders land inside it too. The
folder holds an `.owner` file locked (flock) by the worker while it works: the kernel drops the lock when the
worker dies, however it dies. Every dsd run and every new worker sweeps the folders whose lock nobody holds.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PREFIX = "dsd-ocr-"
OWNER = ".owner"
UNCLAIMED_SECONDS = 600
"""A folder without an owner file (its worker died between making it and locking it) is swept after this long."""


@contextlib.contextmanager
def task_scratch() -> Iterator[Path]:
    """A new private folder for one task; TMPDIR points into it meanwhile. Removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))  # mode 0700
    fd = os.open(folder / OWNER, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    saved_env, saved_tempdir = os.environ.get("TMPDIR"), tempfile.tempdir
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.environ["TMPDIR"] = str(folder)
        tempfile.tempdir = str(folder)
        yield folder
    finally:
        tempfile.tempdir = saved_tempdir
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)


def sweep_stale_scratch(root: Path | None = None) -> int:
    """Remove this user's `dsd-ocr-*` folders in `root` (default: the temp folder) that no live process owns.
    Returns how many were removed."""
    root = Path(root or tempfile.gettempdir())
    removed = 0
    for folder in root.glob(PREFIX + "*"):
        try:
            info = folder.lstat()
        except OSError:
            continue
        if not folder.is_dir() or folder.is_symlink() or info.st_uid != os.getuid():
            continue
        try:
            fd = os.open(folder / OWNER, os.O_RDWR | os.O_NOFOLLOW)
        except FileNotFoundError:
            if time.time() - info.st_mtime > UNCLAIMED_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # its worker is alive and at work
        try:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
        finally:
            os.close(fd)
    return removed
