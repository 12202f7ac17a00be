"""Progress for people (Rich bars on a terminal) and for log files (plain or JSON lines otherwise)."""

from __future__ import annotations

import logging
import time
from types import TracebackType

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from dsd_cli.cli.output import err_console

log = logging.getLogger("dsd.progress")


class RichProgress:
    """One bar per stage, with rate and ETA. Byte stages (verify) show a transfer speed."""

    def __init__(self) -> None:
        self._progress = Progress(
            SpinnerColumn(), TextColumn("[bold]{task.description:<8}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}"), TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
            TextColumn("ETA"), TimeRemainingColumn(), console=err_console, transient=False,
        )
        self._tasks: dict[str, TaskID] = {}
        self._units: dict[str, str] = {}
        self._started: dict[str, float] = {}

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._progress.stop()

    def start(self, stage: str, total: float | None, unit: str = "pages") -> None:
        self._units[stage] = unit
        self._started[stage] = time.monotonic()
        if unit == "bytes":
            self._progress.columns = (*self._progress.columns[:-3], TransferSpeedColumn(),
                                      *self._progress.columns[-3:])
        self._tasks[stage] = self._progress.add_task(stage, total=total, unit=unit, rate="")

    def advance(self, stage: str, amount: float = 1) -> None:
        task = self._tasks.get(stage)
        if task is None:
            return
        self._progress.advance(task, amount)
        done = self._progress.tasks[task].completed
        elapsed = max(1e-6, time.monotonic() - self._started[stage])
        if self._units[stage] != "bytes":
            self._progress.update(task, rate=f"{done / elapsed:.2f}/s")

    def finish(self, stage: str) -> None:
        task = self._tasks.get(stage)
        if task is not None:
            total = self._progress.tasks[task].total
            if total is not None:
                self._progress.update(task, completed=total)


class LogProgress:
    """Progress as log lines (start, every 10 %, end): readable in journald and parseable as JSON lines."""

    def __init__(self) -> None:
        self._state: dict[str, dict[str, float]] = {}

    def start(self, stage: str, total: float | None, unit: str = "pages") -> None:
        self._state[stage] = {"total": total or 0, "done": 0, "next": 0.1, "t0": time.monotonic()}
        log.info("stage started", extra={"stage": stage, "total": total, "unit": unit})

    def advance(self, stage: str, amount: float = 1) -> None:
        s = self._state.get(stage)
        if not s:
            return
        s["done"] += amount
        if s["total"] and s["done"] / s["total"] >= s["next"]:
            s["next"] = (int(s["done"] / s["total"] * 10) + 1) / 10
            elapsed = time.monotonic() - s["t0"]
            log.info("progress", extra={"stage": stage, "done": s["done"], "total": s["total"],
                                        "rate": round(s["done"] / max(elapsed, 1e-6), 3)})

    def finish(self, stage: str) -> None:
        s = self._state.pop(stage, None)
        if s is not None:
            log.info("stage finished", extra={"stage": stage, "done": s["done"],
                                              "seconds": round(time.monotonic() - s["t0"], 3)})
