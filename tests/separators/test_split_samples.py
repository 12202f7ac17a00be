"""`dsd split` on the shipped samples, and the pure split policy."""

from __future__ import annotations

import json
from pathlib import Path

from dsd_cli.errors import ExitCode
from dsd_cli.models import PageRef, SeparatorPayload, SeparatorRead
from dsd_cli.scan.split import PageObservation, decide
from tests.conftest import SAMPLES


def test_split_json_on_the_samples_matches_what_was_scanned(dsd):
    expected = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
    result = dsd("split", SAMPLES / "scans", "--register", SAMPLES / "register.csv", "--json")
    assert result.code == ExitCode.OK, result.stderr
    report = json.loads(result.stdout)
    found = sorted((d["dossier"], d["type"], d["pages"]) for d in report["documents"])
    wanted = sorted((d["dossier"], d["type"], d["pages"]) for b in expected["batches"] for d in b["documents"])
    assert found == wanted
    assert report["unassigned"] == [] and report["quarantined"] == []
    assert [(Path(d["source"]).name, d["page"], d["reason"]) for d in report["dropped"]] == [
        ("2024-11-04-balie.tif", 2, "duplex-back")]
    total = sum(b["pages"] for b in expected["batches"])
    content = sum(d["pages"] for d in report["documents"])
    assert content + report["separators"] + len(report["dropped"]) == total
    for doc in report["documents"]:
        assert doc["separator"]["reader"] in ("zxing", "zbar") and doc["separator"]["pass"]
        assert len(doc["page_numbers"]) == doc["pages"]


def test_split_writes_one_pdf_per_document(dsd, tmp_path: Path):
    out = tmp_path / "out"
    result = dsd("split", SAMPLES / "scans" / "scanner-export.pdf", "-o", out)
    assert result.code == ExitCode.OK, result.stderr
    manifest = json.loads((out / "split.json").read_text())
    assert [d["pdf"] for d in manifest["documents"]] == ["001-SD~2F2024~2F0002-briefwisseling.pdf",
                                                         "002-SD~2F2024~2F0002-beslissing.pdf"]
    import pikepdf

    for d in manifest["documents"]:
        with pikepdf.open(out / d["pdf"]) as pdf:
            assert len(pdf.pages) == d["pages"]
    # Split output is image PDFs: `dsd package` refuses them until they are OCRed (and signed), and says so.
    packaged = dsd("package", "--from", out, "--archive", tmp_path / "archive", "--json")
    assert packaged.code == ExitCode.BAD_INPUT and "image-only PDF" in packaged.stderr and "dsd ocr" in packaged.stderr
    assert not (tmp_path / "archive").exists()


def p(n: int) -> PageRef:
    return PageRef(Path("scan.tif"), n)


def sheet(n: int, dossier: str = "SD/1", doc_type: str = "aanvraag") -> PageObservation:
    return PageObservation(p(n), SeparatorRead(p(n), SeparatorPayload(dossier, doc_type), "zxing", "fast", 0))


def content(n: int, blank: bool = False) -> PageObservation:
    return PageObservation(p(n), blank=blank)


def always(_: str) -> bool:
    return True


def test_policy_orphans_duplex_backs_empty_segments_and_unknown_dossiers():
    obs = [content(0), sheet(1), content(2, blank=True), content(3), content(4, blank=True),
           sheet(5), sheet(6, "SD/404"), content(7), sheet(8, "SD/1", "nope"), content(9),
           PageObservation(p(10), bad_separator="check digits do not match"), content(11), sheet(12), content(13)]
    d = decide("b", obs, known_dossier=lambda x: x != "SD/404", known_type=lambda t: t != "nope")
    assert [(doc.dossier, [x.index for x in doc.pages]) for doc in d.documents] == [("SD/1", [3, 4]),
                                                                                   ("SD/1", [13])]
    assert [x.page.index for x in d.dropped] == [2]
    assert [(u.reason, [x.index for x in u.pages]) for u in d.unassigned] == [
        ("before-first-separator", [0]), ("unknown-dossier", [7]), ("unknown-type", [9]),
        ("unreadable-separator", [10, 11])]
    placed = sorted([x.index for doc in d.documents for x in doc.pages] + [s.page.index for s in d.separators]
                    + [x.page.index for x in d.dropped] + [x.index for u in d.unassigned for x in u.pages])
    assert placed == list(range(14)), "every page lands exactly once"


def test_policy_drop_blank_and_generic_separators():
    generic = PageObservation(p(3), SeparatorRead(p(3), None, "zxing", "fast", 0, "patch-t"))
    obs = [sheet(0), content(1), content(2, blank=True), generic, content(4)]
    d = decide("b", obs, known_dossier=always, known_type=always, drop_blank=True)
    assert [[x.index for x in doc.pages] for doc in d.documents] == [[1], [4]]
    assert all(doc.dossier == "SD/1" for doc in d.documents)
    assert [(x.page.index, x.reason) for x in d.dropped] == [(2, "blank")]
    lone = decide("b", [generic, content(4)], known_dossier=always, known_type=always)
    assert lone.unassigned[0].reason == "generic-separator-without-dossier"
