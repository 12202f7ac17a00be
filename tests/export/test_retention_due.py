"""`dsd retention due`: which dossiers are due on a date, grouped by disposition and competence."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from dsd_cli.errors import ExitCode
from dsd_cli.retention.due import CSV_COLUMNS, CSV_HEADERS, csv_column_key, due_csv, due_dossiers, grouped
from tests.conftest import run_dsd


def _ids(archive: Path, day: str) -> list[str]:
    return [d.dossier for d in due_dossiers(archive, dt.date.fromisoformat(day))]


def test_due_lists_follow_rules_and_dates(archive: Path):
    assert _ids(archive, "2023-06-29") == []
    assert _ids(archive, "2023-06-30") == ["SD/2015/0002"]
    assert _ids(archive, "2026-02-01") == ["SD/2015/0002", "SD/2015/0001", "SD/2015/0003"]
    assert _ids(archive, "2026-03-31") == ["SD/2015/0004", "SD/2015/0002", "SD/2015/0001", "SD/2015/0003"]
    later = _ids(archive, "2100-01-01")
    assert "SD/2020/0005" in later
    assert "SD/2015/0006" not in later, "a permanent (B) dossier has no due date"
    assert "SD/2015/0007" not in later, "a dossier under legal hold is never due"


def test_due_groups_and_fields(archive: Path):
    items = due_dossiers(archive, dt.date(2026, 12, 31))
    groups = grouped(items)
    assert list(groups) == [("V", "federal"), ("V", "flemish"), ("S", "federal")]
    medisch = groups[("V", "federal")][0]
    assert (medisch.rule, medisch.due_date, medisch.documents) == ("SD-MEDISCH", "2026-03-31", 1)
    bag = archive / medisch.bag
    assert medisch.bytes == sum(p.stat().st_size for p in (bag / "data").rglob("*") if p.is_file())
    sample = groups[("S", "federal")][0]
    assert (sample.dossier, sample.rule, sample.documents) == ("SD/2015/0003", "SD-LEEFLOON", 2)


def test_due_csv_is_a_destruction_request_draft(archive: Path):
    text = due_csv(due_dossiers(archive, dt.date(2026, 2, 1)))
    assert text.splitlines()[0] == ",".join(CSV_HEADERS["nl"]), "Dutch headers by default"
    reader = csv.DictReader(io.StringIO(text))
    reader.fieldnames = [csv_column_key(h) for h in reader.fieldnames or []]
    rows = list(reader)
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["dossier"] for r in rows] == ["SD/2015/0002", "SD/2015/0001", "SD/2015/0003"]
    assert rows[1]["bag"] == "SD~2F2015~2F0001" and rows[1]["due_date"] == "2026-01-31"
    assert rows[1]["disposition"] == "V" and rows[1]["competence"] == "Vlaams" and rows[1]["documents"] == "2"
    assert all(r["selected"] == "" for r in rows)
    french = due_csv(due_dossiers(archive, dt.date(2026, 2, 1)), "fr").splitlines()
    assert french[0] == ",".join(CSV_HEADERS["fr"]) and "fédéral" in french[3]


def test_the_list_says_why_dossiers_have_no_due_date_in_its_language(archive: Path):
    dutch = run_dsd("retention", "due", "--archive", archive, "--on", "2100-01-01")
    assert dutch.code == ExitCode.OK, dutch.stderr
    said = " ".join(dutch.stderr.split())
    assert "2 dossier(s) zonder vervaldatum: 1 onder juridische blokkering, 1 blijvend te bewaren" in said
    french = run_dsd("retention", "due", "--archive", archive, "--on", "2100-01-01", "--csv", "--lang", "fr")
    said = " ".join(french.stderr.split())
    assert "2 dossier(s) sans échéance : 1 sous blocage juridique, 1 à conserver définitivement" in said
    for text in (dutch.stderr, french.stderr):
        assert "no due date" not in text and "legal hold" not in text and "kept permanently" not in text
