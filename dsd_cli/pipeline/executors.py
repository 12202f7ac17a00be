"""The executor seam: where `dsd run` has its documents OCR'd. The pipeline is given one; it never makes its own.

Two implementations: `LocalExecutor`, this machine's worker processes (the default, nothing to set up), and
`DaskExecutor` (cluster.py), the worker processes of a Dask distributed cluster. Both run the same plain function
on the same plain arguments (pipeline/workers.py: image PDF bytes and OCR settings in, PDF/A bytes out) and report
in the same way, so the orchestration in run.py is one and the same for both.
"""

from __future__ import annotations

import concurrent.futures
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from dsd_cli.pipeline.procpool import ProcessPool, WorkerCrashed
from dsd_cli.pipeline.scratch import sweep_stale_scratch


@dataclass(frozen=True)
class Completed:
    """A finished task: its value, or why it was given up (`crashed`: the processes running it died)."""

    key: str
    value: Any = None
    crashed: str = ""


class Executor(Protocol):
    description: str
    """What runs the work, for people and the journal: 'local, 4 worker processes', 'dask tls://host:8786'."""
    runs_here: bool
    """The work runs on this machine (then this machine needs the OCR programs)."""

    def __enter__(self) -> Executor: ...

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None: ...

    def capacity(self) -> int:
        """How many tasks to keep submitted so that no worker waits."""

    def jobs_per_task(self, remaining: int) -> int:
        """How many pages of one document to OCR in parallel when only `remaining` documents are left."""

    def warm_up(self) -> None:
        """Work is coming: start the workers now, so that their start-up overlaps the splitting."""

    def submit(self, key: str, fn: Callable[..., Any], *args: Any) -> None:
        """Run `fn(*args)` somewhere; `key` names the task in `wait`'s results (and in a cluster's logs)."""

    def wait(self, timeout: float) -> list[Completed]:
        """Tasks finished since the last call, waiting up to `timeout` seconds for the first."""

    def workers(self) -> list[dict[str, Any]]:
        """The worker processes available now: at least `name`, `host`."""

    def abort(self) -> None:
        """Stop at once: drop queued tasks, end running ones where that is in dsd's hands."""


class LocalExecutor:
    """This machine's dsd worker processes (procpool.py): one task each at a time, tried again elsewhere when the
    process running it dies, given up after `crash_retries` more deaths."""

    runs_here = True

    def __init__(self, workers: int, *, crash_retries: int = 2) -> None:
        self.size = max(1, workers)
        self.crash_retries = crash_retries
        self.description = f"local, {self.size} worker process{'es' if self.size > 1 else ''}"
        self._pool: ProcessPool | None = None
        self._futures: dict[concurrent.futures.Future[Any], str] = {}

    def __enter__(self) -> LocalExecutor:
        sweep_stale_scratch()  # what the workers of a killed run left behind
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self._pool is None:
            return
        if exc is None:
            self._pool.close()
        else:
            self._pool.abort()
        self._pool = None

    def capacity(self) -> int:
        return 2 * self.size

    def jobs_per_task(self, remaining: int) -> int:
        return max(1, self.size // max(1, min(self.size, remaining)))

    def _ready_pool(self) -> ProcessPool:
        if self._pool is None:  # started on first use, and again after an abort (dsd watch goes on)
            self._pool = ProcessPool(self.size, crash_retries=self.crash_retries)
        return self._pool

    def warm_up(self) -> None:
        self._ready_pool().warm()

    def submit(self, key: str, fn: Callable[..., Any], *args: Any) -> None:
        self._futures[self._ready_pool().submit(fn, *args)] = key

    def wait(self, timeout: float) -> list[Completed]:
        if not self._futures:
            return []
        done, _ = concurrent.futures.wait(self._futures, timeout=timeout,
                                          return_when=concurrent.futures.FIRST_COMPLETED)
        completed = []
        for future in done:
            key = self._futures.pop(future)
            if future.cancelled():
                continue
            try:
                completed.append(Completed(key, value=future.result()))
            except WorkerCrashed as exc:
                completed.append(Completed(key, crashed=str(exc)))
        return completed

    def workers(self) -> list[dict[str, Any]]:
        pids = self._pool.pids() if self._pool else []
        host = socket.gethostname()
        return [{"name": f"{host}:{pid}", "host": host, "pid": pid} for pid in pids]

    def abort(self) -> None:
        if self._pool is not None:
            self._pool.abort()
            self._pool = None
        self._futures.clear()


def default_workers() -> int:
    return os.cpu_count() or 1
