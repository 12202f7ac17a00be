"""Dossier bags: BagIt and bagit-profile validity, METS/PREMIS against the schemas, a bag that explains itself."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import bagit
import bagit_profile
from lxml import etree

from dsd_cli.archive import read_bag_info
from dsd_cli.archive.bagit_profile import generate_bagit_profile, render, shipped_profile_path
from dsd_cli.archive.package import package_dossier
from dsd_cli.profiles import load_profile
from dsd_cli.register import RegisterEntry
from tests.archive.conftest import BAG_NAME, DOSSIER, NOW, PROFILE, make_document, parse_xml

METS = "http://www.loc.gov/METS/"
PREMIS = "http://www.loc.gov/premis/v3"
XLINK = "http://www.w3.org/1999/xlink"


def profile_report(bag_path: Path) -> tuple[bool, str]:
    checker = bagit_profile.Profile(PROFILE.profile.bagit_profile_identifier, profile=generate_bagit_profile(PROFILE))
    bag = bagit.Bag(str(bag_path))
    ok = checker.validate(bag)
    return ok, str(checker.report)


def test_bag_is_valid_bagit_and_matches_the_bagit_profile(archive: Path, inputs: Path):
    result = package_dossier(archive, DOSSIER, [make_document(inputs, "a"), make_document(inputs, "b", "inkomen")],
                             PROFILE, now=NOW)
    assert result.bag == archive / BAG_NAME and result.version == 1 and not result.unchanged
    assert result.stored == ("data/documents/0001-aanvraag.pdf", "data/documents/0002-inkomen.pdf")
    bag = bagit.Bag(str(result.bag))
    bag.validate()
    assert set(bag.algorithms) == {"sha256", "sha512"}
    assert {p.name for p in result.bag.glob("tagmanifest-*.txt")} == {"tagmanifest-sha256.txt",
                                                                      "tagmanifest-sha512.txt"}
    assert bag.info["External-Identifier"] == DOSSIER
    assert bag.info["Payload-Oxum"].endswith(".2")
    assert bag.info["BagIt-Profile-Identifier"] == PROFILE.profile.bagit_profile_identifier
    ok, report = profile_report(result.bag)
    assert ok, report


def test_bagit_profile_rejects_a_bag_missing_retention(archive: Path, inputs: Path):
    """The profile check can fail: a bag whose bag-info lost a required field does not pass."""
    result = package_dossier(archive, DOSSIER, [make_document(inputs, "a")], PROFILE, now=NOW)
    info = result.bag / "bag-info.txt"
    info.write_text("".join(line for line in info.read_text().splitlines(keepends=True)
                            if not line.startswith("Disposition:")))
    ok, _report = profile_report(result.bag)
    assert not ok


def test_shipped_bagit_profile_is_the_generated_one():
    shipped = shipped_profile_path(PROFILE)
    assert shipped.read_text(encoding="utf-8") == render(PROFILE), \
        "profiles/*.bagit-profile.json is out of date: regenerate it with render(load_profile())"
    data = json.loads(shipped.read_text(encoding="utf-8"))
    assert data["Allow-Fetch.txt"] is False and data["Serialization"] == "forbidden"
    assert data["Accept-BagIt-Version"] == ["1.0"]
    assert data["Manifests-Required"] == ["sha256", "sha512"] == data["Tag-Manifests-Required"]
    assert data["Bag-Info"]["Disposition"]["values"] == ["B", "S", "V"]
    assert render(load_profile()) == render(PROFILE), "generation is deterministic"


def test_mets_and_premis_validate_against_the_schemas(archive: Path, inputs: Path, mets_schema, premis_schema):
    package_dossier(archive, DOSSIER, [make_document(inputs, "a"), make_document(inputs, "b", "inkomen")],
                    PROFILE, now=NOW)
    package_dossier(archive, DOSSIER, [make_document(inputs, "a", batch="batch-2"),
                                       make_document(inputs, "c", "beslissing", batch="batch-2")],
                    PROFILE, now=NOW + dt.timedelta(days=1))
    mets = parse_xml(archive / BAG_NAME / "metadata" / "mets.xml")
    assert mets_schema.validate(mets), mets_schema.error_log  # PREMIS inside METS is validated too
    premis = etree.Element(f"{{{PREMIS}}}premis", version="3.0", nsmap={"premis": PREMIS})
    for tag in ("object", "event", "agent"):
        for element in mets.iter(f"{{{PREMIS}}}{tag}"):
            premis.append(etree.fromstring(etree.tostring(element)))
    assert premis_schema.validate(premis), premis_schema.error_log
    assert len(premis.findall(f"{{{PREMIS}}}object")) == 3
    event_types = {e.text for e in mets.iter(f"{{{PREMIS}}}eventType")}
    assert {"capture", "separation", "ocr", "signing", "packaging", "duplicate", "addition"} <= event_types
    versions = {a.findtext(f"{{{PREMIS}}}agentName"): a.findtext(f"{{{PREMIS}}}agentVersion")
                for a in mets.iter(f"{{{PREMIS}}}agent")}
    assert versions["ocrmypdf"] == "17.0.0" and versions["pyhanko"] == "0.38.0" and versions["scanner"] is None


def test_a_broken_mets_fails_the_schema(archive: Path, inputs: Path, mets_schema):
    """The schema check can fail: METS without its required structMap is rejected."""
    package_dossier(archive, DOSSIER, [make_document(inputs, "a")], PROFILE, now=NOW)
    mets = parse_xml(archive / BAG_NAME / "metadata" / "mets.xml")
    struct = mets.getroot().find(f"{{{METS}}}structMap")
    mets.getroot().remove(struct)
    assert not mets_schema.validate(mets)


def test_every_payload_file_has_a_mets_file_entry(archive: Path, inputs: Path):
    result = package_dossier(archive, DOSSIER, [make_document(inputs, "a"), make_document(inputs, "b", "energie")],
                             PROFILE, now=NOW)
    mets = parse_xml(result.bag / "metadata" / "mets.xml")
    entries = {}
    for file_el in mets.iter(f"{{{METS}}}file"):
        flocat = file_el.find(f"{{{METS}}}FLocat")
        assert flocat.get("LOCTYPE") == "URL" and file_el.get("CHECKSUMTYPE") == "SHA-256"
        assert file_el.get("MIMETYPE") == "application/pdf"
        entries[flocat.get(f"{{{XLINK}}}href")] = (file_el.get("CHECKSUM"), int(file_el.get("SIZE")))
    payload = {p.relative_to(result.bag).as_posix(): p for p in (result.bag / "data").rglob("*") if p.is_file()}
    assert set(entries) == set(payload)
    for rel, path in payload.items():
        assert entries[rel] == (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_size)


def test_a_copied_bag_explains_itself(archive: Path, inputs: Path, tmp_path: Path):
    doc = make_document(inputs, "a", "medisch", document_date="2019-05-02")
    package_dossier(archive, DOSSIER, [doc], PROFILE, RegisterEntry(DOSSIER, closed=dt.date(2020, 3, 31)), now=NOW)
    copy = tmp_path / "elsewhere" / "some-folder"
    shutil.copytree(archive / BAG_NAME, copy)
    bagit.Bag(str(copy)).validate()
    info = read_bag_info(copy)
    assert info["External-Identifier"] == [DOSSIER] and info["Document-Types"] == ["medisch"]
    assert info["Retention-Rule-Id"] == ["SD-MEDISCH"] and info["Retention-Period"] == ["P10Y"]
    assert info["Retention-Trigger"] == ["dossier-closed"] and info["Retention-Trigger-Date"] == ["2020-03-31"]
    assert info["Disposition"] == ["V"] and info["Disposition-Due-Date"] == ["2030-03-31"]
    assert info["Competence"] == ["federal"] and info["Legal-Hold"] == ["no"]
    assert info["Selection-List-Version"] == [PROFILE.retention.selection_list_version]
    assert any(note.startswith("shipped default periods") for note in info["Retention-Note"])
    mets = parse_xml(copy / "metadata" / "mets.xml")
    dsd = "https://dsd.example.org/ns/document/1"
    document = next(mets.iter(f"{{{dsd}}}document"))
    assert document.get("category") == "medisch" and document.get("dossier") == DOSSIER
    assert document.findtext(f"{{{dsd}}}label-nl") == "Medisch"
    assert document.findtext(f"{{{dsd}}}document-date") == "2019-05-02"
    assert document.findtext(f"{{{dsd}}}scan-date").startswith("2024-11-04")
    assert document.findtext(f"{{{dsd}}}retention-rule") == "SD-MEDISCH"
    source = document.find(f"{{{dsd}}}source")
    assert source.get("file") == "batch-1.tif" and source.get("sha256") == "ab" * 32
    assert {e.text for e in mets.iter(f"{{{PREMIS}}}formatRegistryKey")} == {"fmt/477"}
    assert next(mets.iter(f"{{{dsd}}}dossier")).findtext(f"{{{dsd}}}disposition-due-date") == "2030-03-31"


def test_no_personal_data_in_names_bag_info_or_mets(archive: Path, inputs: Path):
    entry = RegisterEntry(DOSSIER, client="Familie Peeters", nrn="85073003328", closed=dt.date(2020, 1, 1))
    result = package_dossier(archive, DOSSIER, [make_document(inputs, "a")], PROFILE, entry, now=NOW)
    for path in result.bag.rglob("*"):
        assert "Peeters" not in path.name and "85073003328" not in path.name
        if path.is_file() and path.suffix in (".txt", ".xml", ".json"):
            text = path.read_text(encoding="utf-8")
            assert "Peeters" not in text and "85073003328" not in text, path
