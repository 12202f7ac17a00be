"""Tables for people fit the terminal (80 and 100 columns here) and never break an id, a date or a rule over two
lines; when the columns do not fit that way, each row becomes a block of `label  value` lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dsd_cli.archive.layout import ArchiveLayout
from dsd_cli.errors import ExitCode
from dsd_cli.pipeline.journal import Journal
from dsd_cli.retention.hold import set_legal_hold
from tests.cli.conftest import dsd_at
from tests.verify.bags import make_bag

DOSSIERS = [f"SD/2015/000{n}" for n in (1, 2, 3, 4, 6, 7)] + ["SD/2020/0005"]
DATES = ["2026-01-31", "2023-06-30", "2025-12-31", "2026-03-31", "2032-05-01"]


def _fits(text: str, columns: int) -> None:
    too_wide = [line for line in text.splitlines() if len(line) > columns]
    assert not too_wide, "\n".join(too_wide)


def _whole(text: str, *values: str) -> None:
    for value in values:
        assert value in text, f"{value!r} is broken over lines or missing:\n{text}"


@pytest.mark.parametrize("columns", [80, 100])
def test_show_list_and_details(archive: Path, columns: int):
    set_legal_hold(archive, "SD/2015/0006", True, "bezwaar ingediend bij de rechtbank van eerste aanleg")
    listing = dsd_at(columns, "show", "--archive", archive)
    assert listing.code == ExitCode.OK, listing.stderr
    _fits(listing.stdout, columns)
    _whole(listing.stdout, *DOSSIERS, *DATES, "schuldbemiddeling")
    details = dsd_at(columns, "show", "SD/2015/0003", "--archive", archive)
    assert details.code == ExitCode.OK, details.stderr
    _fits(details.stdout, columns)
    _whole(details.stdout, "SD/2015/0003", "SD-LEEFLOON S", "2025-12-31", "doc-0001", "doc-0002", "2024-11-04")
    if columns == 80:
        assert re.search(r"^id\s+doc-0001", details.stdout, re.M), "narrow: one block per document"
        assert re.search(r"^sha256\s+[0-9a-f]{16}…", details.stdout, re.M), "the checksum prefix in the block"
    else:
        assert re.search(r"│ doc-0001 │ aanvraag\s+│", details.stdout), "wide enough: a table"


@pytest.mark.parametrize("columns", [80, 100])
def test_retention_due_and_status(archive: Path, tmp_path: Path, columns: int):
    due = dsd_at(columns, "retention", "due", "--archive", archive, "--on", "2026-12-31")
    assert due.code == ExitCode.OK, due.stderr
    _fits(due.stdout, columns)
    _whole(due.stdout, "SD/2015/0004", "SD-MEDISCH", "2026-03-31", "SD-LEEFLOON", "vervaldatum")
    assert "│ SD/2015/0004 │" in due.stdout, "a due list is a table even at 80 columns"
    layout = ArchiveLayout(tmp_path / "run-archive")
    layout.ensure()
    journal = Journal(layout.journal)
    journal.record_quarantine(batch_id="b-0123456789abcdef0123", source="/srv/scans/2026-11-24/batch-017.pdf",
                              reason="before-first-separator", message="3 page(s) belong to no document",
                              path=layout.quarantine / "b-0123456789abcdef0123" / "unassigned-001.pdf", pages=3)
    journal.close()
    status = dsd_at(columns, "status", "--archive", layout.root)
    assert status.code == ExitCode.OK, status.stderr
    _fits(status.stdout, columns)
    _whole(status.stdout, "before-first-separator", "batch-017.pdf")


@pytest.mark.parametrize("columns", [80, 100])
def test_verify_problems(tmp_path: Path, columns: int):
    bag = make_bag(tmp_path / "bag", {"data/brieven/2024/aanvraag-leefloon-familie-janssens.txt": b"x"})
    (bag / "data" / "brieven" / "2024" / "aanvraag-leefloon-familie-janssens.txt").write_text("changed")
    result = dsd_at(columns, "verify", bag)
    assert result.code == ExitCode.PROBLEMS_FOUND
    _fits(result.stdout, columns)
    _whole(result.stdout, "bagit.checksum", "error")
