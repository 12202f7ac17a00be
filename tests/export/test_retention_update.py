"""Retention follows the register: a dossier archived while open gets its due date when the register closes it
(`dsd retention update`, a new bag version), `dsd retention due` lists it on the right day, and says how many
dossiers have no due date and why."""

from __future__ import annotations

import json
from pathlib import Path

from dsd_cli.archive.bagio import read_bag_info
from dsd_cli.archive.package import package_dossier
from dsd_cli.errors import ExitCode
from dsd_cli.register import RegisterEntry
from tests.archive.conftest import NOW, PROFILE, make_document
from tests.conftest import run_dsd
from tests.export.conftest import DOSSIERS, bag_errors

OPEN = "SD/2024/0777"
BAG = "SD~2F2024~2F0777"


def _register(path: Path, closed: str, *, extra: str = "") -> Path:
    rows = "".join(f"{d},{c.isoformat()},{'yes' if h else 'no'}\n" for d, (_, c, h) in DOSSIERS.items())
    path.write_text(f"dossier,closed,legal_hold\n{rows}{OPEN},{closed},no\n{extra}", encoding="utf-8")
    return path


def test_an_open_dossier_closed_in_the_register_becomes_due(archive: Path, tmp_path: Path):
    package_dossier(archive, OPEN, [make_document(tmp_path, "brief", "briefwisseling", dossier=OPEN)], PROFILE,
                    RegisterEntry(OPEN), now=NOW)
    assert read_bag_info(archive / BAG)["Disposition-Due-Date"] == [""]
    before = json.loads(run_dsd("retention", "due", "--archive", archive, "--on", "2100-01-01", "--json").stdout)
    assert before["without_due_date"]["by_reason"]["open"] == [OPEN]
    assert before["without_due_date"]["by_reason"]["legal-hold"] == ["SD/2015/0007"]
    assert before["without_due_date"]["by_reason"]["permanent"] == ["SD/2015/0006"]
    table = run_dsd("retention", "due", "--archive", archive, "--on", "2030-01-01")
    assert "3 dossier(s) zonder vervaldatum: 1 onder juridische blokkering, 1 blijvend te bewaren, 1 nog open" in \
        " ".join(table.stderr.split()), "in the list's language (Dutch by default)"

    register = _register(tmp_path / "register.csv", "2025-03-31")
    updated = run_dsd("retention", "update", "--archive", archive, "--register", register, "--json")
    assert updated.code == ExitCode.OK, updated.stderr
    report = json.loads(updated.stdout)
    (change,) = report["changed"]
    assert change["dossier"] == OPEN and change["version"] == 2
    assert change["before"]["Disposition-Due-Date"] == "" and change["after"]["Disposition-Due-Date"] == "2035-03-31"
    assert report["unchanged"] == len(DOSSIERS) and report["failed"] == []
    info = read_bag_info(archive / BAG)
    assert info["DSD-Bag-Version"] == ["2"] and info["Retention-Trigger-Date"] == ["2025-03-31"]
    assert "retention-update" in (archive / BAG / "metadata" / "mets.xml").read_text(encoding="utf-8")
    log = [json.loads(line) for line in (archive / "audit" / "audit-log.jsonl").read_text().splitlines()]
    assert [e["dossier"] for e in log if e["action"] == "retention-update"] == [OPEN]
    assert bag_errors(archive) == []

    def due_on(day: str) -> list[str]:
        listed = run_dsd("retention", "due", "--archive", archive, "--on", day, "--json")
        return [d["dossier"] for d in json.loads(listed.stdout)["dossiers"]]

    assert OPEN not in due_on("2035-03-30") and OPEN in due_on("2035-03-31")

    again = json.loads(run_dsd("retention", "update", "--archive", archive, "--register", register,
                               "--json").stdout)
    assert again["changed"] == [] and read_bag_info(archive / BAG)["DSD-Bag-Version"] == ["2"], "idempotent"


def test_the_register_changes_holds_and_leaves_dossiers_it_does_not_name(archive: Path, tmp_path: Path):
    register = tmp_path / "register.csv"
    register.write_text("dossier,closed,legal_hold\nSD/2015/0007,2015-01-01,no\nSD/2015/0001,2016-01-31,yes\n",
                        encoding="utf-8")
    result = run_dsd("retention", "update", "--archive", archive, "--register", register)
    assert result.code == ExitCode.OK, result.stderr
    assert "2 dossier(s) updated" in result.stderr and "5 not in the register" in result.stderr
    assert read_bag_info(archive / "SD~2F2015~2F0007")["Disposition-Due-Date"] == ["2025-01-01"]
    held = read_bag_info(archive / "SD~2F2015~2F0001")
    assert held["Legal-Hold"] == ["yes"] and held["Disposition-Due-Date"] == [""]
    assert read_bag_info(archive / "SD~2F2015~2F0002")["DSD-Bag-Version"] == ["1"], "not in the register: as it was"
    assert bag_errors(archive) == []
