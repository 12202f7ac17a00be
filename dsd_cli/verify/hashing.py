"""Hash many files fast: each file read once, every algorithm updated from the same bytes, files in parallel.

hashlib releases the GIL while hashing more than 2 KiB at a time, so threads keep all cores busy without the cost
of worker processes. A large file is mapped into memory (mmap) and hashed straight from the page cache, without
copying it into a buffer; a small one is read with a single read into a per-thread buffer. Small files travel to
the threads in batches, and paths are plain strings: on 20,000 small files, pathlib objects and per-file thread
hand-overs cost more than the hashing (benchmarks/verify.py measures it against the raw hashlib rate).
"""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import stat
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

BLOCK = 4 * 1024 * 1024
"""Read size for files that are not mapped; also the size from which a file is mapped instead of read."""
MAP_CHUNK = 64 * 1024 * 1024
"""A mapped file is hashed in slices of this size, so progress is reported while a huge file is hashed."""
BATCH_BYTES = 8 * 1024 * 1024
"""Small files travel to the workers in batches of about this many bytes (plus a per-file allowance)."""
_CONSTRUCTORS = {name: getattr(hashlib, name) for name in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")}
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_local = threading.local()


def _buffer() -> memoryview:
    """One read buffer per thread, reused for every file (allocating 4 MiB per small file costs more than hashing).

    Anonymous memory asking for transparent huge pages: the kernel copies each read into two 2 MiB pages instead of
    a thousand 4 KiB ones, and the hashers read it back through as many TLB entries. On a virtual machine this
    halves the system time of a fresh `dsd verify` (benchmarks/verify.py); where huge pages are off it is the same
    as a bytearray."""
    view = getattr(_local, "view", None)
    if view is None:
        memory = mmap.mmap(-1, BLOCK)
        if hasattr(mmap, "MADV_HUGEPAGE"):
            with contextlib.suppress(OSError):  # a kernel without transparent huge pages
                memory.madvise(mmap.MADV_HUGEPAGE)
        view = _local.view = memoryview(memory)
    return view


def _new(algorithm: str) -> hashlib._Hash:
    constructor = _CONSTRUCTORS.get(algorithm)
    return constructor() if constructor is not None else hashlib.new(algorithm)


def hash_file(path: str | os.PathLike[str], algorithms: Iterable[str],
              on_bytes: Callable[[int], None] | None = None) -> dict[str, str]:
    """Hex digests of one file for every algorithm, from a single pass over its bytes."""
    names = tuple(algorithms)
    hashers = [_new(alg) for alg in names]
    # O_NOFOLLOW: a file swapped for a symbolic link after the inventory is refused, not followed.
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file", os.fspath(path))
        if info.st_size >= BLOCK:
            _hash_mapped(fd, info.st_size, hashers, on_bytes)
        else:
            _hash_read(fd, hashers, on_bytes)
    finally:
        os.close(fd)
    return {alg: h.hexdigest() for alg, h in zip(names, hashers, strict=True)}


def _hash_read(fd: int, hashers: list, on_bytes: Callable[[int], None] | None) -> None:
    view = _buffer()
    updates = [h.update for h in hashers]
    while n := os.readv(fd, [view]):
        chunk = view[:n]
        for update in updates:
            update(chunk)
        if on_bytes:
            on_bytes(n)
        if n < BLOCK:  # a short read of a regular file is its end: no second system call to learn it
            break


def _hash_mapped(fd: int, size: int, hashers: list, on_bytes: Callable[[int], None] | None) -> None:
    with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) as mapped:
        mapped_size = len(mapped)
        if hasattr(mapped, "madvise"):
            mapped.madvise(mmap.MADV_SEQUENTIAL)
        view = memoryview(mapped)
        try:
            for start in range(0, mapped_size, MAP_CHUNK):
                chunk = view[start:start + MAP_CHUNK]
                for h in hashers:
                    h.update(chunk)
                if on_bytes:
                    on_bytes(len(chunk))
                chunk.release()
        finally:
            view.release()
    if size != mapped_size:  # the file changed size while it was read: the digests describe neither state
        raise OSError(0, "the file changed while it was read")


def hash_many(root: str, jobs: dict[str, Iterable[str]], sizes: dict[str, int], workers: int | None = None,
              on_bytes: Callable[[int], None] | None = None, targets: dict[str, str] | None = None
              ) -> dict[str, dict[str, str] | OSError]:
    """Hash every file (path relative to `root`) with its algorithms; an unreadable file maps to its OSError.

    `targets` maps a relative path to the file actually read (a symbolic link inside the bag, already resolved and
    checked to stay in the bag).
    """
    targets = targets or {}
    prefix = os.path.join(root, "")
    orders: dict[frozenset[str], tuple[str, ...]] = {}

    def run(batch: list[tuple[str, Iterable[str]]]) -> list[tuple[str, dict[str, str] | OSError]]:
        out: list[tuple[str, dict[str, str] | OSError]] = []
        for rel, algorithms in batch:
            key = frozenset(algorithms)
            names = orders.get(key) or orders.setdefault(key, tuple(sorted(key)))
            try:
                out.append((rel, hash_file(targets.get(rel) or prefix + rel, names, on_bytes)))
            except OSError as exc:
                out.append((rel, exc))
        return out

    # Largest first, so one big file does not start last and leave the other cores idle.
    ordered = sorted(jobs.items(), key=lambda kv: -sizes.get(kv[0], 0))
    batches: list[list[tuple[str, Iterable[str]]]] = []
    current: list[tuple[str, Iterable[str]]] = []
    weight = 0
    for item in ordered:
        current.append(item)
        weight += sizes.get(item[0], 0) + 65536
        if weight >= BATCH_BYTES:
            batches.append(current)
            current, weight = [], 0
    if current:
        batches.append(current)
    results: dict[str, dict[str, str] | OSError] = {}
    workers = max(1, workers or os.cpu_count() or 1)
    if workers == 1 or len(batches) == 1:
        for batch in batches:
            results.update(run(batch))
        return results
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(run, batches):
            results.update(part)
    return results
