"""Progress for people (Rich bars on a terminal) and for log files (plain or JSON lines otherwise).

One rate per stage, in the stage's own unit (bytes only for byte stages, shown as kB/MB/GB), computed over the work
done in this run: work an earlier run did (`skip`) fills the bar but not the rate, so a resumed run shows what it
really does. The ETA is the remaining work at that same rate, so the two always agree. A finished stage shows how
long it took and its throughput.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn, Task, TaskID, TextColumn
from rich.text import Text

from dsd_cli.cli.output import err_console, human_duration, human_size

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

log = logging.getLogger("dsd.progress")


@dataclass
class StageClock:
    """How much of a stage this run did, and since when: the one source of its rate and ETA."""

    total: float | None
    unit: str
    started: float
    done: float = 0.0
    skipped: float = 0.0
    """Work done by an earlier run: counted as done, not in the rate."""
    finished: float | None = None

    def elapsed(self, now: float) -> float:
        return (self.finished or now) - self.started

    def rate(self, now: float) -> float | None:
        """Units per second over this run's work; None before there is any."""
        worked = self.done - self.skipped
        seconds = self.elapsed(now)
        return worked / seconds if worked > 0 and seconds > 0 else None

    def eta(self, now: float) -> float | None:
        rate = self.rate(now)
        if rate is None or self.total is None:
            return None
        return max(0.0, self.total - self.done) / rate


def amount(value: float, unit: str) -> str:
    return human_size(value) if unit == "bytes" else f"{value:.0f}"


def rate_text(rate: float | None, unit: str) -> str:
    if rate is None:
        return ""
    if unit == "bytes":
        return f"{human_size(rate)}/s"
    return f"{rate:.2f} {unit}/s" if rate < 10 else f"{rate:.0f} {unit}/s"


class _CountColumn(ProgressColumn):
    def render(self, task: Task) -> RenderableType:
        clock: StageClock = task.fields["clock"]
        total = "?" if clock.total is None else amount(clock.total, clock.unit)
        unit = "" if clock.unit == "bytes" else f" {clock.unit}"
        return Text(f"{amount(clock.done, clock.unit)}/{total}{unit}")


class _RateColumn(ProgressColumn):
    """Rate and ETA while running; elapsed time and throughput once finished."""

    def __init__(self, now: Callable[[], float]) -> None:
        super().__init__()
        self._now = now

    def render(self, task: Task) -> RenderableType:
        clock: StageClock = task.fields["clock"]
        now = self._now()
        rate = rate_text(clock.rate(now), clock.unit)
        if clock.finished is not None:
            return Text(f"done in {human_duration(clock.elapsed(now))}" + (f", {rate}" if rate else ""))
        eta = clock.eta(now)
        parts = [rate] if rate else []
        if eta is not None:
            parts.append(f"ETA {human_duration(eta)}")
        return Text(" · ".join(parts) or f"{human_duration(clock.elapsed(now))}")


class RichProgress:
    """One bar per stage with its count, rate and ETA."""

    def __init__(self, console: Console | None = None, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._progress = Progress(
            SpinnerColumn(), TextColumn("[bold]{task.description:<8}"), BarColumn(bar_width=24), _CountColumn(),
            _RateColumn(now), console=console or err_console.get(), transient=False,
        )
        self._tasks: dict[str, TaskID] = {}
        self._clocks: dict[str, StageClock] = {}

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._progress.stop()

    def start(self, stage: str, total: float | None, unit: str = "pages") -> None:
        clock = StageClock(total=total, unit=unit, started=self._now())
        self._clocks[stage] = clock
        self._tasks[stage] = self._progress.add_task(stage, total=total, clock=clock)

    def line(self, stage: str) -> str:
        """The stage's bar as text, as it shows now."""
        task = next(t for t in self._progress.tasks if t.id == self._tasks[stage])
        table = self._progress.make_tasks_table([task])
        with self._progress.console.capture() as captured:
            self._progress.console.print(table)
        return captured.get().strip()

    def _add(self, stage: str, amount: float, skipped: bool) -> None:
        task = self._tasks.get(stage)
        if task is None:
            return
        clock = self._clocks[stage]
        clock.done += amount
        if skipped:
            clock.skipped += amount
        self._progress.update(task, completed=clock.done)

    def advance(self, stage: str, amount: float = 1) -> None:
        self._add(stage, amount, skipped=False)

    def skip(self, stage: str, amount: float = 1) -> None:
        self._add(stage, amount, skipped=True)

    def finish(self, stage: str) -> None:
        task = self._tasks.get(stage)
        if task is None:
            return
        clock = self._clocks[stage]
        clock.finished = self._now()
        clock.total = clock.done  # what the stage really counted (the total given at its start may be an estimate)
        self._progress.update(task, total=clock.total, completed=clock.total)


class LogProgress:
    """Progress as log lines (start, every 10 %, end): readable in journald and parseable as JSON lines."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._clocks: dict[str, StageClock] = {}
        self._next: dict[str, float] = {}

    def start(self, stage: str, total: float | None, unit: str = "pages") -> None:
        self._clocks[stage] = StageClock(total=total, unit=unit, started=self._now())
        self._next[stage] = 0.1
        log.info("stage started", extra={"stage": stage, "total": total, "unit": unit})

    def _add(self, stage: str, amount: float, skipped: bool) -> None:
        clock = self._clocks.get(stage)
        if clock is None:
            return
        clock.done += amount
        if skipped:
            clock.skipped += amount
        if clock.total and clock.done / clock.total >= self._next[stage]:
            self._next[stage] = (int(clock.done / clock.total * 10) + 1) / 10
            now = self._now()
            rate, eta = clock.rate(now), clock.eta(now)
            log.info("progress", extra={"stage": stage, "done": clock.done, "total": clock.total,
                                        "unit": clock.unit, "rate": round(rate, 3) if rate else None,
                                        "eta_seconds": round(eta) if eta is not None else None})

    def advance(self, stage: str, amount: float = 1) -> None:
        self._add(stage, amount, skipped=False)

    def skip(self, stage: str, amount: float = 1) -> None:
        self._add(stage, amount, skipped=True)

    def finish(self, stage: str) -> None:
        clock = self._clocks.pop(stage, None)
        if clock is None:
            return
        now = self._now()
        clock.finished = now
        rate = clock.rate(now)
        log.info("stage finished", extra={"stage": stage, "done": clock.done, "unit": clock.unit,
                                          "seconds": round(clock.elapsed(now), 3),
                                          "rate": round(rate, 3) if rate else None})
