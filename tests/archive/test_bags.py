"""Dossier bags: BagIt and bagit-profile validity, METS/PREMIS against the schemas, versions, retention, safety."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import bagit
import bagit_profile
import pikepdf
import pytest
from lxml import etree

from dsd_cli.archive import bagio
from dsd_cli.archive.bagit_profile import generate_bagit_profile, render, shipped_profile_path
from dsd_cli.archive.package import package_dossier
from dsd_cli.archive.retention import compute_disposition
from dsd_cli.models import ArchivedDocument, PageRef
from dsd_cli.profiles import load_profile
from dsd_cli.register import RegisterEntry
from dsd_cli.verify import VerifyOptions, verify_paths
from tests.conftest import SHARED

PROFILE = load_profile()
NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)


def pdf(path: Path, text: str) -> Path:
    doc = pikepdf.new()
    doc.add_blank_page()
    doc.docinfo["/Title"] = text
    doc.save(path)
    return path


def document(tmp: Path, name: str, doc_type: str = "aanvraag", batch: str = "batch-1",
             dossier: str = "SD/2019/0456") -> ArchivedDocument:
    return ArchivedDocument(dossier=dossier, doc_type=doc_type, pdf=pdf(tmp / f"{name}.pdf", name), page_count=1,
                            sources=(PageRef(Path(f"/scans/{batch}.tif"), 0),), batch=batch, languages=("nld",),
                            scan_date="2024-11-04T09:00:00+00:00",
                            events=({"type": "capture", "datetime": "2024-11-04T09:00:00+00:00",
                                     "agent": "scanner", "detail": f"scanned {batch}.tif", "outcome": "success",
                                     "source_file": f"{batch}.tif", "source_sha256": "ab" * 32},))


def schema(*names: str) -> etree.XMLSchema:
    """METS and PREMIS schemas from ../shared/schemas, imports resolved locally (no network)."""

    class Local(etree.Resolver):
        def resolve(self, url, pubid, context):
            local = SHARED / "schemas" / Path(url).name
            return self.resolve_filename(str(local), context) if local.exists() else None

    namespaces = {"mets.xsd": "http://www.loc.gov/METS/", "premis-v3.xsd": "http://www.loc.gov/premis/v3"}
    imports = "".join(f'<xs:import namespace="{namespaces[n]}" schemaLocation="{(SHARED / "schemas" / n).as_uri()}"/>'
                      for n in names)
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    parser = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False)
    parser.resolvers.add(Local())
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), parser, base_url=str(SHARED / "schemas") + "/"))


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    folder.mkdir()
    return folder


def test_bag_is_valid_bagit_and_matches_the_bagit_profile(archive: Path, tmp_path: Path):
    result = package_dossier(archive, "SD/2019/0456", [document(tmp_path, "a")], PROFILE, now=NOW)
    assert result.bag == archive / "SD~2F2019~2F0456" and result.version == 1
    bag = bagit.Bag(str(result.bag))
    bag.validate()
    assert set(bag.algorithms) == {"sha256", "sha512"}
    info = bag.info
    assert info["External-Identifier"] == "SD/2019/0456" and info["Disposition"] in "BVS"
    profile = bagit_profile.Profile(PROFILE.profile.bagit_profile_identifier,
                                    profile=generate_bagit_profile(PROFILE))
    assert profile.validate(bag), profile.report
    assert shipped_profile_path(PROFILE).read_text(encoding="utf-8") == render(PROFILE), \
        "profiles/*.bagit-profile.json is out of date: regenerate it"


def test_mets_and_premis_validate_against_the_schemas(archive: Path, tmp_path: Path):
    package_dossier(archive, "SD/2019/0456", [document(tmp_path, "a"), document(tmp_path, "b", "inkomen")],
                    PROFILE, now=NOW)
    mets = etree.parse(str(archive / "SD~2F2019~2F0456" / "metadata" / "mets.xml"))
    mets_schema = schema("mets.xsd", "premis-v3.xsd")  # PREMIS inside METS is validated too
    assert mets_schema.validate(mets), mets_schema.error_log
    premis_ns = "http://www.loc.gov/premis/v3"
    premis = etree.Element(f"{{{premis_ns}}}premis", version="3.0", nsmap={"premis": premis_ns})
    for tag in ("object", "event", "agent"):
        for element in mets.iter(f"{{{premis_ns}}}{tag}"):
            premis.append(etree.fromstring(etree.tostring(element)))
    premis_schema = schema("premis-v3.xsd")
    assert premis_schema.validate(premis), premis_schema.error_log
    assert len(premis.findall(f"{{{premis_ns}}}object")) == 2


def test_a_copied_bag_explains_itself(archive: Path, tmp_path: Path):
    package_dossier(archive, "SD/2019/0456", [document(tmp_path, "a")], PROFILE,
                    RegisterEntry("SD/2019/0456", closed=dt.date(2020, 3, 31)), now=NOW)
    copy = tmp_path / "elsewhere" / "bag"
    shutil.copytree(archive / "SD~2F2019~2F0456", copy)
    info = bagio.read_bag_info(copy)
    assert info["Retention-Trigger-Date"] == ["2020-03-31"] and info["Disposition-Due-Date"] == ["2030-03-31"]
    assert any("shipped default" in note for note in info["Retention-Note"])
    mets = etree.parse(str(copy / "metadata" / "mets.xml"))
    text = etree.tostring(mets, encoding="unicode")
    for fact in ("aanvraag", "Aanvraag", "2024-11-04", "batch-1.tif", "capture", "packaging", "fmt/477", "SHA-256"):
        assert fact in text, fact


def test_second_batch_makes_version_two_and_stores_a_duplicate_once(archive: Path, tmp_path: Path):
    first = document(tmp_path, "a")
    package_dossier(archive, "SD/2019/0456", [first], PROFILE, now=NOW)
    bag = archive / "SD~2F2019~2F0456"
    v1_manifest = (bag / "manifest-sha256.txt").read_text()
    v1_payload_inode = (bag / "data" / "documents" / "0001-aanvraag.pdf").stat().st_ino
    again = package_dossier(archive, "SD/2019/0456", [first], PROFILE, now=NOW)
    assert again.unchanged and again.version == 1, "the same document again changes nothing"
    same_content_other_batch = ArchivedDocument(**{**first.__dict__, "batch": "batch-2",
                                                   "sources": (PageRef(Path("/scans/batch-2.tif"), 3),)})
    second = package_dossier(archive, "SD/2019/0456", [same_content_other_batch, document(tmp_path, "c", "energie",
                                                                                        "batch-2")], PROFILE,
                             now=NOW + dt.timedelta(days=1))
    assert second.version == 2 and second.duplicates == ("doc-0001",)
    assert second.stored == ("data/documents/0002-energie.pdf",)
    assert (bag / "versions" / "v0001" / "manifest-sha256.txt").read_text() == v1_manifest
    assert (bag / "data" / "documents" / "0001-aanvraag.pdf").stat().st_ino == v1_payload_inode, \
        "unchanged payload is not rewritten"
    bagit.Bag(str(bag)).validate()
    report = verify_paths([archive], VerifyOptions(profile=PROFILE, require_signatures=False))
    # The test PDFs are plain PDFs: only the PDF/A checks may complain.
    assert [p for p in report.problems if not p.check.startswith("pdfa.")] == []
    assert "duplicate" in (bag / "metadata" / "mets.xml").read_text()


def test_a_crash_before_the_swap_leaves_the_previous_version(archive: Path, tmp_path: Path, monkeypatch):
    package_dossier(archive, "SD/2019/0456", [document(tmp_path, "a")], PROFILE, now=NOW)
    bag = archive / "SD~2F2019~2F0456"
    before = {p.relative_to(bag): p.read_bytes() for p in bag.rglob("*") if p.is_file()}

    def power_cut(*args, **kwargs):
        raise OSError("simulated power loss during publish")

    monkeypatch.setattr(bagio, "publish", power_cut)
    with pytest.raises(OSError):
        package_dossier(archive, "SD/2019/0456", [document(tmp_path, "b", "energie")], PROFILE, now=NOW)
    after = {p.relative_to(bag): p.read_bytes() for p in bag.rglob("*") if p.is_file()}
    assert after == before
    assert not list((archive / ".dsd" / "staging").iterdir()), "no partial bag left in staging"


def test_interrupted_fallback_swap_is_repaired(archive: Path, tmp_path: Path):
    package_dossier(archive, "SD/2019/0456", [document(tmp_path, "a")], PROFILE, now=NOW)
    bag = archive / "SD~2F2019~2F0456"
    trash = archive / ".dsd" / "staging" / f"{bag.name}.old"
    bag.rename(trash)  # a crash between the two renames of the fallback path
    result = package_dossier(archive, "SD/2019/0456", [document(tmp_path, "b", "energie")], PROFILE, now=NOW)
    assert result.version == 2 and not trash.exists()
    bagit.Bag(str(bag)).validate()


@pytest.mark.parametrize(("rule_id", "entry", "due"), [
    ("SD-ALG", RegisterEntry("x", closed=dt.date(2015, 6, 30)), dt.date(2025, 6, 30)),
    ("SD-SCHULD", RegisterEntry("x", closed=dt.date(2020, 2, 29)), dt.date(2025, 2, 28)),
    ("SD-BESLISSING", RegisterEntry("x", closed=dt.date(2015, 6, 30)), None),
    ("SD-ALG", RegisterEntry("x", closed=None), None),
    ("SD-ALG", RegisterEntry("x", closed=dt.date(2015, 6, 30), legal_hold=True), None),
])
def test_disposal_dates_from_the_register(rule_id: str, entry: RegisterEntry, due: dt.date | None):
    disposition = compute_disposition(PROFILE.rule(rule_id), entry)
    assert disposition.due_date == due
    if entry.legal_hold:
        assert disposition.legal_hold and "legal hold" in disposition.note


def test_dossier_with_mixed_rules_takes_the_strictest(archive: Path, tmp_path: Path):
    docs = [document(tmp_path, "a", "energie"), document(tmp_path, "b", "beslissing")]
    package_dossier(archive, "SD/2019/0456", docs, PROFILE, now=NOW)
    info = bagio.read_bag_info(archive / "SD~2F2019~2F0456")
    assert info["Retention-Rule-Id"] == ["SD-BESLISSING"] and info["Disposition"] == ["B"]


@pytest.mark.parametrize("dossier", ["../../etc", "SD/2019/0456", "/abs/path", "..\\..\\win"])
def test_hostile_dossier_numbers_stay_inside_the_archive(archive: Path, tmp_path: Path, dossier: str):
    result = package_dossier(archive, dossier, [document(tmp_path, "a", dossier=dossier)], PROFILE, now=NOW)
    assert result.bag.parent == archive
    assert all(p.resolve().is_relative_to(archive.resolve()) for p in tmp_path.rglob("*")
               if p.is_relative_to(archive) or "etc" in p.name)
    assert not (tmp_path.parent / "etc").exists()
