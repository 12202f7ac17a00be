"""`dsd show` tells a reader that a dossier's documents were destroyed (date, approval, what) or that a legal hold
stops its disposal — in the tables and in --json."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from dsd_cli.errors import ExitCode
from dsd_cli.retention.dispose import dispose_listed
from dsd_cli.retention.hold import set_legal_hold
from tests.conftest import run_dsd

NOW = dt.datetime(2026, 2, 1, 9, 0, tzinfo=dt.UTC)


def _show(archive: Path, dossier: str) -> tuple[str, dict]:
    table = run_dsd("show", dossier, "--archive", archive)
    assert table.code == ExitCode.OK, table.stderr
    as_json = run_dsd("show", dossier, "--archive", archive, "--json")
    assert as_json.code == ExitCode.OK, as_json.stderr
    return table.stdout, json.loads(as_json.stdout)


def test_show_disposal_and_legal_holds(archive: Path, tmp_path: Path):
    before = json.loads((archive / "SD~2F2015~2F0002" / "metadata" / "documents.json").read_text())["documents"]
    listed = tmp_path / "request.csv"
    listed.write_text("dossier,selected\nSD/2015/0002,\n")
    dispose_listed(archive, listed, "RAB/2031/17", on=NOW.date(), now=NOW)
    set_legal_hold(archive, "SD/2015/0001", True, "claim 2026/123 of the insurer", now=NOW)

    text, shown = _show(archive, "SD/2015/0002")
    assert "Disposed of on 2026-02-01 — approval RAB/2031/17; 1 document(s) destroyed" in text
    assert "Destroyed documents" in text and before[0]["path"] in text and before[0]["sha256"][:16] in text
    assert shown["disposal"]["date"] == "2026-02-01" and shown["disposal"]["approval"] == "RAB/2031/17"
    assert [(d["id"], d["sha256"]) for d in shown["disposal"]["documents"]] == [
        (d["id"], d["sha256"]) for d in before]
    assert shown["retention"]["Disposal-Date"] == "2026-02-01"
    assert shown["retention"]["Disposal-Approval"] == "RAB/2031/17" and shown["documents"] == []
    assert shown["legal_hold"] == {"held": False} and "legal hold" not in text.lower()

    text, shown = _show(archive, "SD/2015/0001")
    assert "Under legal hold" in text and "claim 2026/123 of the insurer" in text and "2026-01-31" in text
    assert shown["legal_hold"]["held"] is True and shown["legal_hold"]["reason"] == "claim 2026/123 of the insurer"
    assert shown["legal_hold"]["since"] == NOW.isoformat() and shown["legal_hold"]["by"]
    assert shown["legal_hold"]["suspended_due_date"] == "2026-01-31" and shown["disposal"] == {}
    assert "Disposed of" not in text

    text, shown = _show(archive, "SD/2015/0007")  # held in the register when the bag was made
    assert shown["legal_hold"] == {"held": True} and "Under legal hold" in text and "set in the register" in text

    text, shown = _show(archive, "SD/2015/0004")
    assert shown["legal_hold"] == {"held": False} and shown["disposal"] == {}
    assert "Disposed of" not in text and "legal hold" not in text.lower()

    listing = json.loads(run_dsd("show", "--archive", archive, "--json").stdout)["dossiers"]
    by_dossier = {d["dossier"]: d for d in listing}
    assert by_dossier["SD/2015/0002"]["disposal_date"] == "2026-02-01"
    assert by_dossier["SD/2015/0001"]["legal_hold"] is True and by_dossier["SD/2015/0001"]["disposal_date"] == ""
    table = run_dsd("show", "--archive", archive).stdout
    assert "disposed" in table and "2026-02-01" in table
