"""New versions of a dossier bag: kept manifests, duplicates stored once, idempotent re-runs, crash safety."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from pathlib import Path

import bagit
import pytest

from dsd_cli.archive import bagio, read_bag_info
from dsd_cli.archive.dossiers import dossier_details
from dsd_cli.archive.package import package_dossier
from dsd_cli.audit import verify_audit_log
from dsd_cli.errors import ArchiveError
from dsd_cli.verify.archivecheck import check_archive
from tests.archive.conftest import BAG_NAME, DOSSIER, NOW, PROFILE, make_document

LATER = NOW + dt.timedelta(days=1)


def snapshot(bag: Path) -> dict[str, bytes]:
    return {p.relative_to(bag).as_posix(): p.read_bytes() for p in bag.rglob("*") if p.is_file()}


def test_second_batch_makes_version_two_and_stores_a_duplicate_once(archive: Path, inputs: Path):
    first = make_document(inputs, "a")
    package_dossier(archive, DOSSIER, [first], PROFILE, now=NOW)
    bag = archive / BAG_NAME
    v1 = snapshot(bag)
    v1_inode = (bag / "data/documents/0001-aanvraag.pdf").stat().st_ino

    same_content_other_batch = make_document(inputs, "a", batch="batch-2", first_page=3)
    new = make_document(inputs, "c", "energie", batch="batch-2")
    second = package_dossier(archive, DOSSIER, [same_content_other_batch, new], PROFILE, now=LATER)
    assert second.version == 2 and second.duplicates == ("doc-0001",)
    assert second.stored == ("data/documents/0002-energie.pdf",)
    for name in ("manifest-sha256.txt", "manifest-sha512.txt", "bag-info.txt"):
        assert (bag / "versions" / "v0001" / name).read_bytes() == v1[name]
    assert (bag / "data/documents/0001-aanvraag.pdf").stat().st_ino == v1_inode, "unchanged payload not rewritten"
    assert sorted(p.name for p in (bag / "data" / "documents").iterdir()) == ["0001-aanvraag.pdf",
                                                                              "0002-energie.pdf"]
    bagit.Bag(str(bag)).validate()
    info = read_bag_info(bag)
    assert info["DSD-Bag-Version"] == ["2"] and info["Bagging-Date"] == ["2026-11-25"]
    mets = (bag / "metadata" / "mets.xml").read_text()
    assert "duplicate" in mets and "batch-2" in mets
    details = dossier_details(archive, DOSSIER)
    assert [v.version for v in details.versions] == [1, 2]
    assert details.versions[1].added == ("doc-0002",) and details.versions[1].duplicates == ("doc-0001",)

    third = package_dossier(archive, DOSSIER, [make_document(inputs, "d", "inkomen", batch="batch-3")],
                            PROFILE, now=LATER + dt.timedelta(days=1))
    assert third.version == 3
    assert (bag / "versions" / "v0001" / "manifest-sha256.txt").read_bytes() == v1["manifest-sha256.txt"]
    assert "0002-energie.pdf" in (bag / "versions" / "v0002" / "manifest-sha256.txt").read_text()
    bagit.Bag(str(bag)).validate()


def test_packaging_the_same_documents_again_changes_nothing(archive: Path, inputs: Path):
    docs = [make_document(inputs, "a"), make_document(inputs, "b", "inkomen")]
    package_dossier(archive, DOSSIER, docs, PROFILE, now=NOW)
    dup = make_document(inputs, "a", batch="batch-2")
    package_dossier(archive, DOSSIER, [dup], PROFILE, now=LATER)
    before = snapshot(archive / BAG_NAME)
    for _ in range(2):  # a re-run after a crash, twice
        again = package_dossier(archive, DOSSIER, [*docs, dup], PROFILE, now=LATER + dt.timedelta(days=3))
        assert again.unchanged and again.version == 2 and again.stored == () and again.duplicates == ()
        assert set(again.already_archived) == {"doc-0001", "doc-0002"}
    assert snapshot(archive / BAG_NAME) == before


def test_same_content_twice_in_one_call_is_stored_once(archive: Path, inputs: Path):
    a = make_document(inputs, "a")
    rescanned = make_document(inputs, "a", first_page=7)
    result = package_dossier(archive, DOSSIER, [a, rescanned], PROFILE, now=NOW)
    assert result.stored == ("data/documents/0001-aanvraag.pdf",) and result.duplicates == ("doc-0001",)
    bagit.Bag(str(result.bag)).validate()


def _crash_in_child(archive: Path, inputs: Path, patch: str) -> int:
    """Run package_dossier in a forked child that dies (os._exit, like SIGKILL: no cleanup) at `patch`."""

    def child() -> None:
        def die(*_args, **_kwargs):
            os._exit(9)

        if patch == "before-swap":
            bagio._exchange = die  # dies after the new version is complete in staging, before it is published
        else:
            bagio.shutil.rmtree = die  # dies right after the swap, before the old version is deleted
        package_dossier(archive, DOSSIER, [make_document(inputs, "b", "energie")], PROFILE, now=LATER)
        os._exit(0)

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    process.join(60)
    return process.exitcode


def test_a_crash_before_the_swap_leaves_the_previous_version(archive: Path, inputs: Path):
    package_dossier(archive, DOSSIER, [make_document(inputs, "a")], PROFILE, now=NOW)
    bag = archive / BAG_NAME
    before = snapshot(bag)
    assert _crash_in_child(archive, inputs, "before-swap") == 9
    assert snapshot(bag) == before, "the live bag is untouched"
    assert list((archive / ".dsd" / "staging").glob(f"{BAG_NAME}.*.new")), "the crash left a staged version"
    bagit.Bag(str(bag)).validate()
    assert {p.check for p in check_archive(archive).problems} == {"archive.interrupted-change"}
    result = package_dossier(archive, DOSSIER, [make_document(inputs, "b", "energie")], PROFILE, now=LATER)
    assert result.version == 2
    assert not list((archive / ".dsd" / "staging").iterdir()), "the next run cleans staging"
    assert check_archive(archive).problems == []
    bagit.Bag(str(bag)).validate()


def test_a_crash_after_the_swap_leaves_the_new_version(archive: Path, inputs: Path):
    package_dossier(archive, DOSSIER, [make_document(inputs, "a")], PROFILE, now=NOW)
    bag = archive / BAG_NAME
    assert _crash_in_child(archive, inputs, "after-swap") == 9
    bagit.Bag(str(bag)).validate()
    assert read_bag_info(bag)["DSD-Bag-Version"] == ["2"]
    interrupted = {p.check for p in check_archive(archive).problems}
    assert interrupted == {"archive.unrecorded-version", "archive.interrupted-change"}, interrupted
    again = package_dossier(archive, DOSSIER, [make_document(inputs, "b", "energie")], PROFILE, now=LATER)
    assert again.unchanged, "the resumed run finds its work done"
    assert check_archive(archive).problems == [], "the next session recorded the version in the inventory"
    assert verify_audit_log(archive / "audit" / "audit-log.jsonl") == []


def test_an_exception_while_publishing_leaves_the_previous_version(archive: Path, inputs: Path, monkeypatch):
    package_dossier(archive, DOSSIER, [make_document(inputs, "a")], PROFILE, now=NOW)
    bag = archive / BAG_NAME
    before = snapshot(bag)

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bagio, "fsync_tree", disk_full)
    with pytest.raises(OSError):
        package_dossier(archive, DOSSIER, [make_document(inputs, "b", "energie")], PROFILE, now=LATER)
    assert snapshot(bag) == before
    assert not list((archive / ".dsd" / "staging").iterdir()), "no partial bag left in staging"


def test_interrupted_fallback_swap_is_repaired(archive: Path, inputs: Path):
    package_dossier(archive, DOSSIER, [make_document(inputs, "a")], PROFILE, now=NOW)
    bag = archive / BAG_NAME
    trash = archive / ".dsd" / "staging" / f"{BAG_NAME}.old"
    bag.rename(trash)  # a crash between the two renames of the fallback path (no RENAME_EXCHANGE)
    result = package_dossier(archive, DOSSIER, [make_document(inputs, "b", "energie")], PROFILE, now=LATER)
    assert result.version == 2 and not trash.exists()
    bagit.Bag(str(bag)).validate()


@pytest.mark.parametrize("damage", ["flip-payload", "extra-payload", "edit-record", "delete-payload"])
def test_a_damaged_bag_is_never_extended(archive: Path, inputs: Path, damage: str):
    package_dossier(archive, DOSSIER, [make_document(inputs, "a")], PROFILE, now=NOW)
    bag = archive / BAG_NAME
    payload = bag / "data" / "documents" / "0001-aanvraag.pdf"
    if damage == "flip-payload":
        data = bytearray(payload.read_bytes())
        data[len(data) // 2] ^= 0x01
        payload.write_bytes(bytes(data))
    elif damage == "extra-payload":
        (bag / "data" / "documents" / "extra.pdf").write_bytes(b"%PDF-1.7\n")
    elif damage == "edit-record":
        record = bag / "metadata" / "documents.json"
        record.write_text(record.read_text().replace('"aanvraag"', '"energie"'))
    else:
        payload.unlink()
    before = snapshot(bag)
    with pytest.raises(ArchiveError):
        package_dossier(archive, DOSSIER, [make_document(inputs, "b", "energie")], PROFILE, now=LATER)
    assert snapshot(bag) == before


def test_changing_the_checksum_algorithms_leaves_no_stale_manifest(archive: Path, inputs: Path):
    import dataclasses

    package_dossier(archive, DOSSIER, [make_document(inputs, "a")], PROFILE, now=NOW)
    sha512_only = dataclasses.replace(PROFILE, archive=dataclasses.replace(PROFILE.archive, checksums=("sha512",)))
    package_dossier(archive, DOSSIER, [make_document(inputs, "b", "energie")], sha512_only, now=LATER)
    bag = archive / BAG_NAME
    assert sorted(p.name for p in bag.glob("*manifest-*.txt")) == ["manifest-sha512.txt", "tagmanifest-sha512.txt"]
    assert (bag / "versions" / "v0001" / "manifest-sha256.txt").is_file()
    bagit.Bag(str(bag)).validate()
