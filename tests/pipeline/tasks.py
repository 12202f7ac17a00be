"""Functions for the process-pool tests to run in worker processes (importable by the workers, unlike test modules
collected by pytest)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def square(n: int) -> int:
    return n * n


def crash_once_per_call(log: str) -> None:
    """Note the attempt, then die as a segfaulting library would."""
    with open(log, "a") as handle:
        handle.write(f"{os.getpid()}\n")
    os.kill(os.getpid(), signal.SIGKILL)


def slow_square(n: int, seconds: float) -> int:
    time.sleep(seconds)
    return n * n


def raise_value_error() -> None:
    raise ValueError("a bug in a task")


def scratch_then_die(flag: str) -> None:
    """Make a task scratch folder (as ocr_step does) and die inside it: the folder stays, its lock is gone."""
    from dsd_cli.pipeline.scratch import task_scratch

    with task_scratch() as folder:
        Path(flag).write_text(str(folder))
        os.kill(os.getpid(), signal.SIGKILL)


def forked_child_then_wait(flag: str) -> None:
    """Do the work in a forked child, as the tesseract engine does per document; the child notes its pid."""
    from dsd_cli.tools.warm_fork import call_forked

    def work() -> None:
        Path(flag).write_text(str(os.getpid()))
        time.sleep(120)

    call_forked(work, 300)
