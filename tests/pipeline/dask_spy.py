"""A Dask scheduler preload for tests (`dask scheduler --preload tests/pipeline/dask_spy.py`): it writes every
task the scheduler receives (function and arguments, as cloudpickle bytes) into the folder named by
DSD_TEST_SPY_DIR, so a test can check what a coordinator sent to the cluster."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import cloudpickle
from distributed.diagnostics.plugin import SchedulerPlugin


class TaskSpy(SchedulerPlugin):
    name = "dsd-test-task-spy"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def update_graph(self, scheduler, *, tasks, **kwargs) -> None:
        for key in tasks:
            state = scheduler.tasks.get(key)
            if state is None or state.run_spec is None:
                continue
            data = cloudpickle.dumps(state.run_spec)
            name = hashlib.sha256(str(key).encode()).hexdigest()[:16]
            (self.folder / f"{name}.task").write_bytes(data)


def dask_setup(scheduler) -> None:
    folder = Path(os.environ["DSD_TEST_SPY_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    scheduler.add_plugin(TaskSpy(folder))
