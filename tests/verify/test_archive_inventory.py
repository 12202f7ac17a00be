"""`dsd verify ARCHIVE` against the archive inventory: every way an archive can lose or gain a bag, or its inventory,
is an error with its own check name (exit 1) on an archive `dsd run` made that verifies clean; a verify that checked
nothing fails on its own (exit 10); an archive made before inventories gets one built from its bags."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dsd_cli.audit import append_audit
from dsd_cli.errors import ExitCode
from tests.conftest import run_dsd
from tests.verify.bags import rehash

SMALL, BIG = "BB-2026-7", "SD~2F2026~2F0100"
INVENTORY = "audit/inventory.json"


def verify(archive: Path) -> tuple[int, set[tuple[str, str]], dict]:
    result = run_dsd("verify", archive, "--json", "--workers", "2")
    report = json.loads(result.stdout)
    errors = {(p["check"], p["path"]) for p in report["problems"] if p["severity"] == "error"}
    return result.code, errors, report


def test_the_archive_dsd_run_made_verifies_with_its_inventory(archive_copy: Path):
    code, errors, report = verify(archive_copy)
    assert code == ExitCode.OK and not errors, report["problems"]
    assert report["checked"]["inventories"] == 1
    inventory = json.loads((archive_copy / INVENTORY).read_text())
    assert sorted(inventory["dossiers"]) == ["BB-2026-7", "SD/2026/0100"]
    assert inventory["dossiers"]["BB-2026-7"]["version"] == 1


def _delete_one(archive: Path) -> None:
    shutil.rmtree(archive / SMALL)


def _delete_all(archive: Path) -> None:
    shutil.rmtree(archive / SMALL)
    shutil.rmtree(archive / BIG)


def _extra_bag(archive: Path) -> None:
    shutil.copytree(archive / SMALL, archive / "BB-2026-8")


def _edit_inventory(archive: Path) -> None:
    path = archive / INVENTORY
    data = json.loads(path.read_text())
    data["dossiers"]["BB-2026-7"]["recorded"] = "2020-01-01T00:00:00+00:00"
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


def _delete_inventory(archive: Path) -> None:
    (archive / INVENTORY).unlink()


def _forge_inventory_and_log(archive: Path) -> None:
    """Someone who edits the inventory (a version) and appends a well-chained audit entry with its digest."""
    import hashlib

    path = archive / INVENTORY
    data = json.loads(path.read_text())
    data["dossiers"]["BB-2026-7"]["version"] = 5
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    path.write_text(text)
    append_audit(archive / "audit" / "audit-log.jsonl", "inventory",
                 detail={"change": "edit", "inventory_sha256": hashlib.sha256(text.encode()).hexdigest()})


@pytest.mark.parametrize(("damage", "expected"), [
    (_delete_one, {("archive.missing-dossier", SMALL)}),
    (_delete_all, {("archive.missing-dossier", SMALL), ("archive.missing-dossier", BIG)}),
    (_extra_bag, {("archive.unknown-bag", "BB-2026-8")}),
    (_edit_inventory, {("archive.inventory-edited", INVENTORY)}),
    (_delete_inventory, {("archive.inventory-missing", INVENTORY)}),
    (_forge_inventory_and_log, {("archive.inventory-disagrees", INVENTORY), ("archive.rolled-back", SMALL)}),
], ids=["bag-deleted", "all-bags-deleted", "unknown-bag", "inventory-edited", "inventory-deleted",
        "inventory-disagrees-with-the-log"])
def test_each_loss_has_its_own_check(archive_copy: Path, damage, expected):
    damage(archive_copy)
    code, errors, report = verify(archive_copy)
    assert code == ExitCode.PROBLEMS_FOUND, report["problems"]
    assert expected <= errors, errors
    if damage in (_delete_one, _delete_all, _extra_bag):
        assert {check for check, _ in errors} == {check for check, _ in expected}, "nothing else is blamed"


def test_no_new_version_is_recorded_in_an_edited_inventory(archive_copy: Path):
    _edit_inventory(archive_copy)
    refused = run_dsd("hold", "add", "BB-2026-7", "--archive", archive_copy, "--reason", "court case")
    assert refused.code == ExitCode.ARCHIVE and "not the one the audit log recorded last" in refused.stderr
    assert verify(archive_copy)[1] == {("archive.inventory-edited", INVENTORY)}, "the edit is not blessed"


def test_a_bag_replaced_by_its_previous_version_is_rolled_back(archive_copy: Path, tmp_path: Path):
    from dsd_cli.retention.hold import set_legal_hold

    shutil.copytree(archive_copy / SMALL, tmp_path / "v1")
    assert set_legal_hold(archive_copy, "BB-2026-7", True, "court case").version == 2
    assert verify(archive_copy)[0] == ExitCode.OK
    shutil.rmtree(archive_copy / SMALL)
    shutil.copytree(tmp_path / "v1", archive_copy / SMALL)
    code, errors, _ = verify(archive_copy)
    assert code == ExitCode.PROBLEMS_FOUND and errors == {("archive.rolled-back", SMALL)}, errors
    # dsd does not extend it either: a new version would hide the loss.
    held = run_dsd("hold", "add", "BB-2026-7", "--archive", archive_copy, "--reason", "another case")
    assert held.code == ExitCode.ARCHIVE and "replaced by an older copy" in held.stderr


def test_a_rolled_back_inventory_is_told(archive_copy: Path, tmp_path: Path):
    from dsd_cli.retention.hold import set_legal_hold

    shutil.copy(archive_copy / INVENTORY, tmp_path / "inventory.json")
    set_legal_hold(archive_copy, "BB-2026-7", True, "court case")
    shutil.copy(tmp_path / "inventory.json", archive_copy / INVENTORY)
    code, errors, report = verify(archive_copy)
    assert code == ExitCode.PROBLEMS_FOUND
    assert {("archive.inventory-edited", INVENTORY), ("archive.unrecorded-version", SMALL)} <= errors
    assert any("rolled back" in p["message"] for p in report["problems"] if p["check"] == "archive.inventory-edited")


def test_a_rehashed_bag_of_the_same_version_is_told(archive_copy: Path):
    info = archive_copy / SMALL / "bag-info.txt"
    info.write_text(info.read_text().replace("Contact-Name: ", "Contact-Name: X"))
    rehash(archive_copy / SMALL)
    code, errors, _ = verify(archive_copy)
    assert code == ExitCode.PROBLEMS_FOUND and ("archive.bag-replaced", SMALL) in errors


@pytest.mark.parametrize("content", ["empty", "loose-pdfs", "empty-archive"])
def test_verify_that_checked_nothing_fails(tmp_path: Path, content: str):
    folder = tmp_path / "folder"
    folder.mkdir()
    if content == "loose-pdfs":
        for name in ("a.pdf", "b.pdf"):
            (folder / name).write_bytes(b"%PDF-1.7\n%%EOF\n")
    elif content == "empty-archive":
        from dsd_cli.archive.session import ArchiveSession

        shutil.rmtree(folder)
        with ArchiveSession.open(folder, create=True):
            pass
    result = run_dsd("verify", folder, "--json")
    assert result.code == ExitCode.NOTHING_CHECKED, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False and "verify.nothing-checked" in {p["check"] for p in report["problems"]}
    assert "nothing was verified" in run_dsd("verify", folder).stderr


def _as_made_before_inventories(archive: Path) -> None:
    """An archive made by a dsd without inventories: no inventory, no audit log, records without the marker."""
    shutil.rmtree(archive / "audit")
    for bag in (archive / SMALL, archive / BIG):
        path = bag / "metadata" / "documents.json"
        record = json.loads(path.read_text())
        del record["archive_inventory"]
        path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        rehash(bag)


def test_an_archive_older_than_inventories_gets_one_built(archive_copy: Path):
    _as_made_before_inventories(archive_copy)
    code, errors, report = verify(archive_copy)
    assert code == ExitCode.OK and "archive.no-inventory" in {p["check"] for p in report["problems"]}
    assert run_dsd("inventory", "--archive", archive_copy).code == ExitCode.ARCHIVE, "none to show yet"
    built = run_dsd("inventory", "--archive", archive_copy, "--build", "--json")
    assert built.code == ExitCode.OK, built.stderr
    assert sorted(json.loads(built.stdout)["dossiers"]) == ["BB-2026-7", "SD/2026/0100"]
    code, errors, report = verify(archive_copy)
    assert code == ExitCode.OK and not errors and report["checked"]["inventories"] == 1
    assert "archive.no-inventory" not in {p["check"] for p in report["problems"]}
    log = [json.loads(line) for line in (archive_copy / "audit" / "audit-log.jsonl").read_text().splitlines()]
    assert log[-1]["action"] == "inventory" and log[-1]["detail"]["change"] == "built"
    again = run_dsd("inventory", "--archive", archive_copy, "--build")
    assert again.code == ExitCode.ARCHIVE and "never rebuilds" in again.stderr
    shown = run_dsd("inventory", "--archive", archive_copy)
    assert shown.code == ExitCode.OK and "BB-2026-7" in shown.stdout


def test_building_refuses_bags_older_than_the_audit_log_says(archive_copy: Path):
    _as_made_before_inventories(archive_copy)
    append_audit(archive_copy / "audit" / "audit-log.jsonl", "legal-hold", dossier="BB-2026-7",
                 detail={"bag_version": 3})
    refused = run_dsd("inventory", "--archive", archive_copy, "--build")
    assert refused.code == ExitCode.ARCHIVE and "records bag version 3" in refused.stderr
    assert not (archive_copy / INVENTORY).exists()
    accepted = run_dsd("inventory", "--archive", archive_copy, "--build", "--accept-as-found", "--json")
    assert accepted.code == ExitCode.OK and json.loads(accepted.stdout)["accepted_as_found"]
