"""`dsd duplicates` and the duplicate report of `dsd run`, on the archive of tests/search/conftest.py (real OCR)."""

from __future__ import annotations

import csv
import io
import re
import stat
from pathlib import Path

from dsd_cli.search.duplicates import archive_duplicates
from tests.conftest import run_dsd
from tests.pipeline.conftest import run_json
from tests.search.conftest import BuiltArchive

RESCANS = {("SD/2026/0103", "doc-0001"), ("SD/2026/0103", "doc-0002"), ("SD/2026/0104", "doc-0001")}
TEMPLATES = {("SD/2026/0105", "doc-0001"), ("SD/2026/0105", "doc-0002"), ("SD/2026/0105", "doc-0003"),
             ("SD/2026/0106", "doc-0001"), ("SD/2026/0106", "doc-0002")}


def members(group: dict) -> set[tuple[str, str]]:
    return {(d["dossier"], d["document"]) for d in group["documents"]}


def test_the_same_letter_scanned_again_is_one_group_and_template_letters_are_none(built: BuiltArchive):
    result = run_dsd("duplicates", "--archive", built.archive, "--json")
    assert result.code == 0, result.stderr
    groups = run_json(result)["groups"]
    near = [g for g in groups if g["kind"] == "near"]
    assert [members(g) for g in near] == [RESCANS], "three scans of one letter, in two dossiers: one group"
    assert 0.8 < near[0]["similarity"] <= 1.0
    assert all(d["pages"] == [1] for d in near[0]["documents"])
    assert not any(members(g) & TEMPLATES for g in groups), "letters that differ in name and amount are not"
    exact = [g for g in groups if g["kind"] == "exact"]
    assert [members(g) for g in exact] == [{("SD/2026/0101", "doc-0001"), ("SD/2026/0107", "doc-0001")}]
    assert exact[0]["similarity"] == 1.0


def test_the_same_document_packaged_into_another_dossier_is_an_exact_duplicate(built: BuiltArchive,
                                                                              archive_copy: Path,
                                                                              unsigned_profile: Path):
    pdf = next((archive_copy / "SD~2F2026~2F0102" / "data" / "documents").glob("*.pdf"))
    copy = archive_copy.parent / "kopie.pdf"
    copy.write_bytes(pdf.read_bytes())
    packaged = run_dsd("package", copy, "--archive", archive_copy, "--dossier", "SD/2026/0199", "--type",
                       "briefwisseling", "--profile", unsigned_profile, "--json")
    assert packaged.code == 0, packaged.stderr
    report = archive_duplicates(archive_copy, "SD/2026/0199")
    assert [(g.kind, {(m.dossier, m.document) for m in g.documents}) for g in report.groups] == [
        ("exact", {("SD/2026/0102", "doc-0001"), ("SD/2026/0199", "doc-0001")})]


def test_csv_and_the_html_report_with_thumbnails(built: BuiltArchive, tmp_path: Path):
    as_csv = run_dsd("duplicates", "--archive", built.archive, "--dossier", "SD/2026/0104", "--csv")
    assert as_csv.code == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert {(r["dossier"], r["document"]) for r in rows} == RESCANS and {r["kind"] for r in rows} == {"near"}
    report = tmp_path / "dubbels.html"
    written = run_dsd("duplicates", "--archive", built.archive, "--report", report, "--lang", "fr")
    assert written.code == 0, written.stderr
    page = report.read_text(encoding="utf-8")
    assert "Documents en double" in page and "même lettre, scannée à nouveau" in page
    assert re.search(r"Établi le \d{4}-\d\d-\d\d \d\d:\d\d (CET|CEST) \(UTC [\dT:-]+\+00:00\)", page), "local time"
    assert page.count("<img src=\"data:image/jpeg;base64,") == 5, "every page of both groups side by side"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600


def test_dsd_run_reports_a_new_document_that_repeats_one_of_its_dossier(built: BuiltArchive):
    assert built.summary["near_duplicates"] == [
        {"dossier": "SD/2026/0103", "document": "doc-0002", "duplicate_of": "doc-0001", "kind": "near",
         "similarity": built.summary["near_duplicates"][0]["similarity"], "pages": [[1, 1]]}]
    assert built.summary["near_duplicates"][0]["similarity"] > 0.8
    assert built.summary["documents_archived"] == 11, "a duplicate is still archived"
