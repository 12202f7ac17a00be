"""One dsd command that changes an archive at a time (an archive session): an advisory lock on ARCHIVE/.dsd/lock.

flock is released by the kernel when the process dies, so a SIGKILLed run never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from dsd_cli.errors import LockedError


@contextlib.contextmanager
def archive_lock(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            raise LockedError(f"the archive is in use by {holder}",
                              hint="wait for that run to finish; a killed run releases the lock by itself") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"dsd pid {os.getpid()} on {socket.gethostname()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)
