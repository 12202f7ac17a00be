"""`dsd status`: what an archive's runs did (its journal) against what the archive really holds (its bags).

Safe while a run is going on: WAL readers never block. Pages and documents archived are counted from the bags as
they are; what the journal records as archived but the bags no longer hold (a bag deleted, or replaced by an older
copy) is counted as missing, with the dossiers — `dsd run` given the same scans archives them again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dsd_cli.archive.dossiers import list_dossiers
from dsd_cli.archive.inventory import load_inventory
from dsd_cli.archive.layout import ArchiveLayout
from dsd_cli.archive.record import load_record
from dsd_cli.archive.session import require_archive
from dsd_cli.errors import ArchiveError
from dsd_cli.pipeline import journal as J
from dsd_cli.pipeline.journal import Journal


def _empty_status() -> dict[str, Any]:
    return {"pages": {"archived": 0, "pending": 0, "failed": 0, "by_role": {}}, "documents": {}, "batches": [],
            "quarantine": [], "dropped": [], "recent_runs": [], "last_run_pages_per_second": None}


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
    status["pages"]["recorded_archived"] = status["pages"]["archived"]
    status["pages"]["archived"] = sum(s.pages for s in summaries)
    status["pages"]["missing"] = sum(d.pages for d in lost)
    status["dossiers"] = {"in_archive": len(summaries), "documents": sum(s.documents for s in summaries),
                          "missing": missing,
                          "with_missing_documents": sorted({d.dossier for d in lost} - set(missing))}
    return status
