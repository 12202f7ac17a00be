"""`dsd run` against what the archive really holds: a deleted bag is said and archived again from the same scans,
`dsd status` counts from the bags, `--register` brings the retention of known dossiers up to date, and a run
without signing says at the start that the profile wants signatures, and verifies as `dsd verify` does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from dsd_cli.archive.bagio import read_bag_info
from dsd_cli.errors import ExitCode
from tests.pipeline.conftest import assert_every_page_accounted_for, run_json

BAG = "SD~2F2026~2F0002"


def test_a_deleted_bag_is_archived_again_from_the_same_scans(dsd, scans: Path, tmp_path: Path):
    archive = tmp_path / "archive"
    batch = scans / "batch-02.pdf"
    assert dsd("run", batch, "--archive", archive).code == ExitCode.OK
    shutil.rmtree(archive / BAG)

    status = run_json(dsd("status", "--archive", archive, "--json"))
    assert status["pages"]["archived"] == 0 and status["pages"]["missing"] == 1
    assert status["dossiers"]["missing"] == ["SD/2026/0002"]
    assert "missing from the archive" in dsd("status", "--archive", archive).stdout

    again = dsd("run", batch, "--archive", archive, "--json")
    assert again.code == ExitCode.OK, again.stderr
    report = run_json(again)
    assert report["documents_restored"] == 1 and report["documents_archived"] == 1
    assert any("not in the archive" in w and "SD/2026/0002" in w for w in report["warnings"]), report["warnings"]
    assert "not in the archive" in again.stderr
    info = read_bag_info(archive / BAG)
    assert info["DSD-Bag-Version"] == ["2"], "the new bag continues the numbering of the lost one"
    assert "re-archived" in (archive / BAG / "metadata" / "mets.xml").read_text(encoding="utf-8")
    assert dsd("verify", archive).code == ExitCode.OK
    assert_every_page_accounted_for(archive, 2)

    status = run_json(dsd("status", "--archive", archive, "--json"))
    assert status["pages"]["archived"] == 1 and status["pages"]["missing"] == 0 and not status["dossiers"]["missing"]
    third = run_json(dsd("run", batch, "--archive", archive, "--json"))
    assert third["batches"] == {"new": 0, "skipped": 1} and third["documents_restored"] == 0


def test_run_with_a_register_brings_known_dossiers_up_to_date(dsd, scans: Path, tmp_path: Path):
    archive = tmp_path / "archive"
    register = tmp_path / "register.csv"
    register.write_text("dossier,opened,closed\nSD/2026/0002,2026-01-05,\n", encoding="utf-8")
    batch = scans / "batch-02.pdf"
    assert dsd("run", batch, "--archive", archive, "--register", register).code == ExitCode.OK
    assert read_bag_info(archive / BAG)["Disposition-Due-Date"] == [""]
    register.write_text("dossier,opened,closed\nSD/2026/0002,2026-01-05,2026-06-30\n", encoding="utf-8")
    result = dsd("run", batch, "--archive", archive, "--register", register, "--json")
    assert result.code == ExitCode.OK, result.stderr
    report = run_json(result)
    assert report["batches"]["skipped"] == 1 and report["retention_updated"] == ["SD/2026/0002"]
    info = read_bag_info(archive / BAG)
    assert info["DSD-Bag-Version"] == ["2"] and info["Disposition-Due-Date"][0].startswith("20")
    assert info["Retention-Trigger-Date"] == ["2026-06-30"]
    assert report["verify"]["ok"] is True
    again = run_json(dsd("run", batch, "--archive", archive, "--register", register, "--json"))
    assert again["retention_updated"] == [] and read_bag_info(archive / BAG)["DSD-Bag-Version"] == ["2"]


def test_run_without_signing_warns_and_agrees_with_verify(dsd, scans: Path, tmp_path: Path):
    archive = tmp_path / "archive"
    result = dsd("run", scans / "batch-02.pdf", "--archive", archive, "--no-sign", "--json")
    assert "requires signatures" in result.stderr
    assert result.code == ExitCode.PROBLEMS_FOUND, result.stderr
    report = run_json(result)
    ran = {p["check"] for p in report["verify"]["problems"] if p["severity"] == "error"}
    assert report["verify"]["ok"] is False and "signature.missing" in ran
    verified = dsd("verify", archive, "--json")
    assert verified.code == ExitCode.PROBLEMS_FOUND
    assert {p["check"] for p in json.loads(verified.stdout)["problems"] if p["severity"] == "error"} == ran
