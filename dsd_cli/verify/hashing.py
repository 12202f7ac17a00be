"""Hash many files fast: each file read once, every algorithm updated from the same buffer, files in parallel.

hashlib releases the GIL while hashing buffers of more than 2 KiB, so threads reading 4 MiB blocks keep all cores
busy without the cost of worker processes.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BLOCK = 4 * 1024 * 1024
_local = threading.local()


def _buffer() -> bytearray:
    """One read buffer per thread, reused for every file (allocating 4 MiB per small file costs more than hashing)."""
    buffer = getattr(_local, "buffer", None)
    if buffer is None:
        buffer = _local.buffer = bytearray(BLOCK)
    return buffer


def hash_file(path: Path, algorithms: Iterable[str], on_bytes: Callable[[int], None] | None = None
              ) -> dict[str, str]:
    hashers = {alg: hashlib.new(alg) for alg in algorithms}
    with open(path, "rb", buffering=0) as handle:
        buffer = _buffer()
        view = memoryview(buffer)
        while True:
            n = handle.readinto(buffer)
            if not n:
                break
            chunk = view[:n]
            for hasher in hashers.values():
                hasher.update(chunk)
            if on_bytes:
                on_bytes(n)
    return {alg: h.hexdigest() for alg, h in hashers.items()}


def hash_many(jobs: dict[Path, set[str]], workers: int | None = None,
              on_bytes: Callable[[int], None] | None = None, sizes: dict[Path, int] | None = None
              ) -> dict[Path, dict[str, str] | OSError]:
    """Hash every file with its algorithms; an unreadable file maps to its OSError instead of digests.

    Small files go to the workers in batches, so that thread hand-over does not cost more than the hashing.
    """
    sizes = sizes or {path: _size(path) for path in jobs}

    def run(batch: list[tuple[Path, set[str]]]) -> list[tuple[Path, dict[str, str] | OSError]]:
        out: list[tuple[Path, dict[str, str] | OSError]] = []
        for path, algorithms in batch:
            try:
                out.append((path, hash_file(path, sorted(algorithms), on_bytes)))
            except OSError as exc:
                out.append((path, exc))
        return out

    # Largest first, so one big file does not start last and leave the other cores idle.
    ordered = sorted(jobs.items(), key=lambda kv: -sizes.get(kv[0], 0))
    batches: list[list[tuple[Path, set[str]]]] = []
    current: list[tuple[Path, set[str]]] = []
    weight = 0
    for item in ordered:
        current.append(item)
        weight += sizes.get(item[0], 0) + 65536
        if weight >= 8 * 1024 * 1024:
            batches.append(current)
            current, weight = [], 0
    if current:
        batches.append(current)
    results: dict[Path, dict[str, str] | OSError] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers or os.cpu_count() or 1)) as pool:
        for part in pool.map(run, batches):
            results.update(part)
    return results


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
