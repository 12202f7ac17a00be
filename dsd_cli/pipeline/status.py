"""`dsd status`: what an archive's runs did (its journal) against what the archive really holds (its bags).

Safe while a run is going on: WAL readers never block. Pages and documents archived are counted from the bags as
they are; what the journal records as archived but the bags no longer hold (a bag deleted, or replaced by an older
copy) is counted as missing, with the dossiers — `dsd run` given the same scans archives them again.

Times are ISO 8601 in UTC. The newest run that never finished is either in progress (its process is alive on this
host) or interrupted (killed, crashed, power lost: its process is gone; the next `dsd run` resumes its work).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from dsd_cli.archive.dossiers import list_dossiers
from dsd_cli.archive.inventory import load_inventory
from dsd_cli.archive.layout import ArchiveLayout
from dsd_cli.archive.record import load_record
from dsd_cli.archive.session import require_archive
from dsd_cli.errors import ArchiveError
from dsd_cli.i18n import utc_iso
from dsd_cli.pipeline import journal as J
from dsd_cli.pipeline.journal import Journal


def _empty_status() -> dict[str, Any]:
    return {"pages": {"archived": 0, "pending": 0, "failed": 0, "by_role": {}}, "documents": {}, "batches": [],
            "quarantine": [], "dropped": [], "recent_runs": [], "last_finished_run": None}


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
    """The journal's status (pages by role, documents by state, batches, quarantine, recent runs), with the
    archived counts taken from the bags and what is missing from them."""
    require_archive(archive)
    layout = ArchiveLayout(archive)
    packaged: list[J.DocumentRow] = []
    if layout.journal.is_file():
        journal = Journal(layout.journal)
        try:
            status = journal.status()
            packaged = journal.documents(states=(J.PACKAGED,))
        finally:
            journal.close()
    else:
        status = _empty_status()
    summaries = list_dossiers(archive)
    present = {s.dossier: s for s in summaries}
    held: dict[str, set[str]] = {}
    for summary in summaries:
        try:
            record = load_record(summary.bag)
        except ArchiveError:
            record = None
        held[summary.dossier] = record.known_sha256 if record else set()
    lost = [d for d in packaged if d.dossier not in present or (d.file_sha256 or "") not in held[d.dossier]]
    inventory = load_inventory(layout) if layout.inventory.is_file() else None
    missing = sorted({d.dossier for d in lost if d.dossier not in present}
                     | {d for d in (inventory.dossiers if inventory else {}) if d not in present})
    for page in status["dropped"]:  # kept aside until the profile's retention removes the image
        page["still_kept"] = bool(page.get("kept")) and Path(page["kept"]).is_file()
    roles = status["pages"]["by_role"]
    status["archive"] = str(archive)
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
    status["pages"]["recorded_archived"] = status["pages"]["archived"]
    status["pages"]["archived"] = sum(s.pages for s in summaries)
    status["pages"]["missing"] = sum(d.pages for d in lost)
    status["dossiers"] = {"in_archive": len(summaries), "documents": sum(s.documents for s in summaries),
                          "missing": missing,
                          "with_missing_documents": sorted({d.dossier for d in lost} - set(missing))}
    return status
