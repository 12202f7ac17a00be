"""What the workers do, as people and `dsd status` see it: pages per worker and per second, and a heartbeat.

The heartbeat thread writes, every few seconds, the executor (local pool or Dask scheduler address), the worker
processes it has now and the pages each has OCR'd into the journal's runs table, so that `dsd status` (another
process) can name the cluster and its workers while the run goes on. Names and counts only: no personal data.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from dsd_cli.pipeline.executors import Executor
from dsd_cli.pipeline.journal import Journal
from dsd_cli.progress import ProgressReporter

log = logging.getLogger("dsd.run")

HEARTBEAT_SECONDS = 5.0


class WorkerTally:
    """Pages OCR'd per worker process; each worker also gets a progress row of its own (`ocr@host:pid`)."""

    def __init__(self, progress: ProgressReporter) -> None:
        self.progress = progress
        self._pages: dict[str, int] = {}
        self._since: dict[str, float] = {}
        self._lock = threading.Lock()

    def add(self, worker: str, pages: int) -> None:
        if not worker:
            return
        with self._lock:
            if worker not in self._pages:
                self._pages[worker] = 0
                self._since[worker] = time.monotonic()
                self.progress.start(f"ocr@{worker}", None, "pages")
            self._pages[worker] += pages
        self.progress.advance(f"ocr@{worker}", pages)

    def finish(self) -> None:
        for worker in list(self._pages):
            self.progress.finish(f"ocr@{worker}")

    def snapshot(self) -> dict[str, dict[str, float]]:
        now = time.monotonic()
        with self._lock:
            return {w: {"pages": n, "pages_per_second": round(n / max(1e-6, now - self._since[w]), 3)}
                    for w, n in self._pages.items()}


def workers_record(executor: Executor, tally: WorkerTally) -> list[dict[str, Any]]:
    """The executor's worker processes now, with what each OCR'd in this run (workers that left included)."""
    done = tally.snapshot()
    record = []
    for worker in executor.workers():
        record.append({**worker, **done.pop(str(worker.get("name", "")), {})})
    record += [{"name": name, **figures} for name, figures in sorted(done.items())]
    return record


class Heartbeat:
    """A thread that records the run as alive, with its executor and workers, until stopped."""

    def __init__(self, journal_path: Path, run_id: int, executor: Executor, tally: WorkerTally) -> None:
        self.journal_path, self.run_id, self.executor, self.tally = journal_path, run_id, executor, tally
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="dsd-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _beat(self) -> None:
        journal = Journal(self.journal_path)
        try:
            while True:
                try:
                    journal.run_heartbeat(self.run_id, self.executor.description,
                                          workers_record(self.executor, self.tally))
                except Exception:  # a busy journal or a cluster going away: the run itself reports what matters
                    log.debug("heartbeat failed", exc_info=True)
                if self._stop.wait(HEARTBEAT_SECONDS):
                    return
        finally:
            journal.close()
