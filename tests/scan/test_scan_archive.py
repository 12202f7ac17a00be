"""A scanned batch through the archive: device, settings and operator in every document's PREMIS provenance and
in `dsd show`; the same for a batch made by other software with a scan-record.toml beside it; `dsd scan --run`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from lxml import etree

from dsd_cli.errors import ExitCode
from tests.archive.conftest import _schema, parse_xml
from tests.conftest import run_dsd
from tests.pipeline.synthetic import scanner_pdf, sheet_image
from tests.scan.conftest import json_of

NS = {"mets": "http://www.loc.gov/METS/", "premis": "http://www.loc.gov/premis/v3",
      "scan": "https://dsd.example.org/ns/scan/1"}


def bag_of(archive: Path, dossier: str) -> Path:
    return archive / dossier.replace("/", "~2F")


def capture_events(mets: etree._ElementTree) -> list[etree._Element]:
    return mets.xpath("//premis:event[premis:eventType='capture']", namespaces=NS)


def agents(mets: etree._ElementTree) -> dict[str, tuple[str, str]]:
    return {a.findtext("premis:agentIdentifier/premis:agentIdentifierValue", namespaces=NS):
            (a.findtext("premis:agentName", namespaces=NS), a.findtext("premis:agentType", namespaces=NS))
            for a in mets.xpath("//premis:agent", namespaces=NS)}


def test_a_scanned_batch_archives_with_its_scan_in_the_provenance(scan, tmp_path, unsigned_profile):
    batch = tmp_path / "batch"
    scanned = scan("--device", "test:0", "--pages", "4", "--dpi", "75", "--operator", "balie-3", "-o", batch)
    assert scanned.code == ExitCode.OK, scanned.stderr
    # The operator put a separator sheet on top of the stack and one after the second page; the test backend
    # cannot draw them, so their scans go into the batch folder between the pages the device scanned.
    sheet_image("SD/2026/0001", "aanvraag").save(batch / "page-0000.png", dpi=(150, 150))
    sheet_image("SD/2026/0002", "briefwisseling").save(batch / "page-0002a.png", dpi=(150, 150))
    archive = tmp_path / "archive"
    result = run_dsd("run", batch, "--archive", archive, "--no-sign", "--profile", unsigned_profile, "--json")
    assert result.code == ExitCode.OK, result.stderr
    report = json.loads(result.stdout)
    assert report["dossiers"] == {"SD/2026/0001": {"documents": 1, "pages": 2, "types": ["aanvraag"]},
                                  "SD/2026/0002": {"documents": 1, "pages": 2, "types": ["briefwisseling"]}}
    assert report["pages"]["separators"] == 2
    assert any("page-0000.png is not listed in scan-record.json" in w for w in report["warnings"])

    record = json.loads((batch / "scan-record.json").read_text(encoding="utf-8"))
    schema = _schema("mets.xsd", "premis-v3.xsd")
    for dossier, first in (("SD/2026/0001", 1), ("SD/2026/0002", 3)):
        mets = parse_xml(bag_of(archive, dossier) / "metadata" / "mets.xml")
        assert schema.validate(mets), schema.error_log
        events = capture_events(mets)
        assert len(events) == 2  # one per scanned page file; the sheets are not part of a document
        known = agents(mets)
        for n, event in enumerate(events, start=first):
            page = record["pages"][n - 1]
            assert event.findtext("premis:eventDateTime", namespaces=NS) == page["scanned"]
            detail = event.findtext(".//premis:eventDetail", namespaces=NS)
            assert f"scanned file {page['file']}" in detail and "Noname frontend-tester (test:0)" in detail
            settings = event.find(".//premis:eventDetailExtension/scan:scan", namespaces=NS)
            assert settings is not None
            assert {k: settings.get(k) for k in ("device", "backend", "source", "duplex", "mode", "dpi",
                                                  "operator", "outcome", "record")} == {
                "device": "test:0", "backend": "test", "source": "adf", "duplex": "false", "mode": "gray",
                "dpi": "75", "operator": "balie-3", "outcome": "complete", "record": "scan-record.json"}
            assert {o.get("name"): o.get("value") for o in settings.findall("scan:device-option", NS)} == \
                {"source": "Automatic Document Feeder", "mode": "Gray", "resolution": "75"}
            roles = {known[link.findtext("premis:linkingAgentIdentifierValue", namespaces=NS)]:
                     link.findtext("premis:linkingAgentRole", namespaces=NS)
                     for link in event.findall("premis:linkingAgentIdentifier", NS)}
            assert roles == {("Noname frontend-tester", "hardware"): "capture device",
                             ("balie-3", "person"): "implementer",
                             ("scanimage", "software"): "executing program"}
        sources = json.loads((bag_of(archive, dossier) / "metadata" / "documents.json").read_text())
        shas = [s["sha256"] for s in sources["documents"][0]["sources"]]
        assert shas == [p["sha256"] for p in record["pages"][first - 1:first + 1]]

    shown = json_of(run_dsd("show", "SD/2026/0002", "--archive", archive, "--json"))
    (scan_of_doc,) = shown["documents"][0]["scans"]
    assert (scan_of_doc["device"], scan_of_doc["mode"], scan_of_doc["dpi"], scan_of_doc["operator"]) == \
        ("test:0", "gray", 75, "balie-3")
    table = run_dsd("show", "SD/2026/0002", "--archive", archive, env={"COLUMNS": "220"})
    assert "Scans" in table.stdout and "Noname frontend-tester (test:0)" in table.stdout
    assert "feeder, simplex, gray, 75 dpi" in table.stdout and "balie-3" in table.stdout

    # A later bag version (a legal hold) keeps the scan record of every capture event.
    assert run_dsd("hold", "add", "SD/2026/0002", "--archive", archive, "--reason", "court case").code == ExitCode.OK
    later = json_of(run_dsd("show", "SD/2026/0002", "--archive", archive, "--json"))
    assert later["version"] == shown["version"] + 1 and later["documents"][0]["scans"] == [scan_of_doc]


SIDECAR = """\
device = "fujitsu:fi-7160:1234"
device_vendor = "Fujitsu"
device_model = "fi-7160"
backend = "fujitsu"
software = "PaperStream-Capture 3.2"
source = "adf"
duplex = true
mode = "color"
dpi = 150
operator = "archief-1"
started = 2026-11-24T10:15:00+01:00

[[pages]]
file = "letters.pdf"
sha256 = "{sha}"
"""


def test_a_batch_made_elsewhere_brings_its_scan_record_in_a_sidecar(tmp_path, unsigned_profile):
    folder = tmp_path / "from-the-scanner-software"
    folder.mkdir()
    scanner_pdf(folder / "letters.pdf", [("SD/2026/0003", "inkomen", ["Loonbrief december"])])
    sha = hashlib.sha256((folder / "letters.pdf").read_bytes()).hexdigest()
    (folder / "scan-record.toml").write_text(SIDECAR.replace("{sha}", sha), encoding="utf-8")
    archive = tmp_path / "archive"
    result = run_dsd("run", folder, "--archive", archive, "--no-sign", "--profile", unsigned_profile, "--json")
    assert result.code == ExitCode.OK, result.stderr
    mets = parse_xml(bag_of(archive, "SD/2026/0003") / "metadata" / "mets.xml")
    (event,) = capture_events(mets)
    assert event.findtext("premis:eventDateTime", namespaces=NS) == "2026-11-24T10:15:00+01:00"
    settings = event.find(".//scan:scan", NS)
    assert (settings.get("device"), settings.get("duplex"), settings.get("mode"), settings.get("dpi"),
            settings.get("operator"), settings.get("record")) == \
        ("fujitsu:fi-7160:1234", "true", "color", "150", "archief-1", "scan-record.toml")
    assert ("Fujitsu fi-7160", "hardware") in agents(mets).values()
    shown = run_dsd("show", "SD/2026/0003", "--archive", archive, env={"COLUMNS": "220"})
    assert "Fujitsu fi-7160 (fujitsu:fi-7160:1234)" in shown.stdout and "feeder, duplex, color, 150 dpi" in shown.stdout


def test_scan_and_run_in_one_go(scan, tmp_path, unsigned_profile):
    archive = tmp_path / "archive"
    result = scan("--device", "test:0", "--pages", "3", "--mode", "color", "--inbox", tmp_path / "inbox", "--run",
                  "--archive", archive, "--no-sign", "--profile", unsigned_profile, "--json")
    # No separator sheet went through the feeder: the pages are kept in quarantine for a person (exit 3).
    assert result.code == ExitCode.PARTIAL, result.stderr
    data = json_of(result)
    assert data["outcome"] == "complete" and data["pages"] == 3
    assert data["run"]["batches"] == {"new": 1, "skipped": 0}
    (held,) = [q for q in data["run"]["quarantine"] if q["batch_id"]]
    assert held["reason"] == "before-first-separator" and held["pages"] == 3
    assert (archive / "audit" / "audit-log.jsonl").is_file()
