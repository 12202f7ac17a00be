"""Read-only view of an archive's journal for `dsd status` (safe while a run is going on: WAL readers never block)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dsd_cli.errors import ArchiveError
from dsd_cli.pipeline.journal import Journal
from dsd_cli.pipeline.layout import ArchiveLayout


def archive_status(archive: Path) -> dict[str, Any]:
    layout = ArchiveLayout(archive)
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
    return status
