"""Hostile dossier numbers, bad inputs and foreign folders: a clear error, nothing half-written, nothing outside."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import bagit
import pytest

from dsd_cli.archive import read_bag_info
from dsd_cli.archive.dossiers import dossier_details, list_dossiers
from dsd_cli.archive.package import package_dossier
from dsd_cli.errors import ArchiveError, ConfigError, InputError, UnsafePathError
from dsd_cli.register import RegisterEntry
from dsd_cli.safepaths import dossier_from_folder_name
from tests.archive.conftest import DOSSIER, NOW, PROFILE, make_document


def tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


@pytest.mark.parametrize("dossier", ["../../etc", "SD/2019/0456", "/abs/path", "..\\..\\win", "CON", "..",
                                     "a:b", "naïve", "x" * 120])
def test_hostile_dossier_numbers_stay_inside_the_archive(tmp_path: Path, dossier: str):
    archive = tmp_path / "deep" / "archive"
    archive.mkdir(parents=True)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    doc = make_document(inputs, "a", dossier=dossier)
    before = tree(tmp_path)
    result = package_dossier(archive, dossier, [doc], PROFILE, now=NOW)
    assert result.bag.parent == archive
    assert dossier_from_folder_name(result.bag.name) == dossier
    created = tree(tmp_path) - before
    assert all(name.startswith("deep/archive/") for name in created), created
    assert {p.name for p in archive.iterdir()} == {result.bag.name, ".dsd", "audit"}
    assert read_bag_info(result.bag)["External-Identifier"] == [dossier]
    assert dossier_details(archive, dossier).dossier == dossier
    bagit.Bag(str(result.bag)).validate()


@pytest.mark.parametrize("dossier", ["", "   ", "SD\n2019", "SD\x00", "x" * 121])
def test_unusable_dossier_numbers_are_refused(archive: Path, inputs: Path, dossier: str):
    with pytest.raises(UnsafePathError):
        package_dossier(archive, dossier, [make_document(inputs, "a", dossier=dossier)], PROFILE, now=NOW)
    assert list(archive.iterdir()) == []


@pytest.mark.parametrize(("content", "reason"), [(None, "missing"), (b"", "zero-byte"),
                                                  (b"GIF89a not a pdf", "not-pdf")])
def test_bad_document_files_are_refused_before_anything_is_written(archive: Path, inputs: Path, content, reason):
    good = make_document(inputs, "a")
    bad = dataclasses.replace(make_document(inputs, "b", "energie"), pdf=inputs / "bad.pdf")
    if content is not None:
        bad.pdf.write_bytes(content)
    with pytest.raises(InputError) as caught:
        package_dossier(archive, DOSSIER, [good, bad], PROFILE, now=NOW)
    assert caught.value.reason == reason
    assert [p.name for p in archive.iterdir() if p.name != ".dsd"] == []


def test_unknown_type_wrong_dossier_and_wrong_register_entry_are_refused(archive: Path, inputs: Path):
    with pytest.raises(ConfigError):
        package_dossier(archive, DOSSIER, [make_document(inputs, "a", "no-such-type")], PROFILE, now=NOW)
    with pytest.raises(ArchiveError):
        package_dossier(archive, DOSSIER, [make_document(inputs, "a", dossier="SD/2019/0999")], PROFILE, now=NOW)
    with pytest.raises(ArchiveError):
        package_dossier(archive, DOSSIER, [make_document(inputs, "a")], PROFILE, RegisterEntry("SD/2019/0999"),
                        now=NOW)
    assert [p.name for p in archive.iterdir() if p.name != ".dsd"] == []


def test_a_folder_that_is_not_a_dsd_bag_is_left_alone(archive: Path, inputs: Path):
    foreign = archive / "SD~2F2019~2F0456"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("someone else's folder")
    with pytest.raises(ArchiveError):
        package_dossier(archive, DOSSIER, [make_document(inputs, "a")], PROFILE, now=NOW)
    assert tree(foreign) == {"notes.txt"}


def test_listing_ignores_what_is_not_a_dossier_bag(archive: Path, inputs: Path):
    package_dossier(archive, DOSSIER, [make_document(inputs, "a", pages=3), make_document(inputs, "b", "energie")],
                    PROFILE, RegisterEntry(DOSSIER, legal_hold=True), now=NOW)
    package_dossier(archive, "SD/2020/0001", [make_document(inputs, "c", "beslissing", dossier="SD/2020/0001")],
                    PROFILE, now=NOW)
    for name in ("audit", "quarantine", "random", "has.dot"):
        (archive / name).mkdir(exist_ok=True)
    (archive / "quarantine" / "bagit.txt").write_text("BagIt-Version: 1.0\n")
    (archive / "has.dot" / "bagit.txt").write_text("BagIt-Version: 1.0\n")
    (archive / "loose-file.txt").write_text("x")
    summaries = list_dossiers(archive)
    assert [s.dossier for s in summaries] == [DOSSIER, "SD/2020/0001"]
    first, second = summaries
    assert (first.documents, first.pages, first.doc_types, first.legal_hold) == (2, 4, ("aanvraag", "energie"), True)
    assert (second.disposition, second.due_date, second.version) == ("B", "", 1)
    with pytest.raises(ArchiveError):
        dossier_details(archive, "SD/2099/0000")


def test_nfc_and_nfd_forms_of_a_dossier_number_are_one_dossier(archive: Path, inputs: Path):
    import unicodedata

    nfc, nfd = unicodedata.normalize("NFC", "SD/é/1"), unicodedata.normalize("NFD", "SD/é/1")
    assert nfc != nfd
    first = package_dossier(archive, nfd, [make_document(inputs, "a", dossier=nfd)], PROFILE, now=NOW)
    second = package_dossier(archive, f" {nfc} ", [make_document(inputs, "b", "energie", dossier=nfc)], PROFILE,
                             now=NOW)
    assert first.bag == second.bag and second.version == 2
    assert [s.dossier for s in list_dossiers(archive)] == [nfc]
