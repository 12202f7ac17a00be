"""Read-only view of an archive's journal for `dsd status` (safe while a run is going on: WAL readers never block).

Times are ISO 8601 in UTC. The newest run that never finished is either in progress (its process is alive on this
host) or interrupted (killed, crashed, power lost: its process is gone; the next `dsd run` resumes its work).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from dsd_cli.errors import ArchiveError
from dsd_cli.i18n import utc_iso
from dsd_cli.pipeline.journal import Journal
from dsd_cli.pipeline.layout import ArchiveLayout


def process_is_dsd(pid: int) -> bool:
    """Whether process `pid` of this host is alive and a dsd command (not a later process with a reused id)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        pass
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return True  # no /proc to ask: alive is all we know
    return b"dsd" in command


def run_state(run: dict[str, Any], host: str | None = None) -> str:
    """'running' (in progress), 'interrupted', 'unknown' (running on another host) or the run's final status."""
    if run["finished"] is not None or run["status"] != "running":
        return str(run["status"])
    if run.get("pid") is None:
        return "interrupted" if run["host"] == (host or socket.gethostname()) else "unknown"
    if run["host"] != (host or socket.gethostname()):
        return "unknown"
    return "running" if process_is_dsd(int(run["pid"])) else "interrupted"


def _times(rows: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    return [{**row, **{k: utc_iso(row[k]) for k in keys if k in row}} for row in rows]


def archive_status(archive: Path) -> dict[str, Any]:
    layout = ArchiveLayout(archive)
    if not archive.is_dir():
        raise ArchiveError(f"{archive}: no such archive folder")
    if not layout.journal.is_file():
        raise ArchiveError(f"{archive} has no dsd journal", hint="is this the folder given to `dsd run --archive`?")
    journal = Journal(layout.journal)
    try:
        status = journal.status()
    finally:
        journal.close()
    status["archive"] = str(archive)
    for page in status["dropped"]:  # kept aside until the profile's retention removes the image
        page["still_kept"] = bool(page.get("kept")) and Path(page["kept"]).is_file()
    roles = status["pages"]["by_role"]
    status["pages"]["in"] = sum(roles.values())
    runs = status["recent_runs"]
    for run in runs:
        run["state"] = run_state(run)
    current = next((r for r in runs if r["state"] in ("running", "unknown")), None)
    interrupted = next((r for r in runs if r["state"] == "interrupted"), None)
    status["run_in_progress"] = _times([current], "started", "finished")[0] if current else None
    latest = runs[0] if runs else None
    status["last_run_interrupted"] = (_times([interrupted], "started", "finished")[0]
                                      if interrupted is not None and interrupted is latest else None)
    status["recent_runs"] = _times(runs, "started", "finished")
    status["batches"] = _times(status["batches"], "created", "finished")
    status["quarantine"] = _times(status["quarantine"], "created")
    last = status.pop("last_finished_run")
    status["last_run"] = _times([last], "started", "finished")[0] if last else None
    return status
