"""Per-page quality through `dsd run` on real tools: journal, bag record, METS/PREMIS, resume, show, qa, the
profile's switches (hold flagged documents, the ocrmypdf engine) and an old journal."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import img2pdf
from lxml import etree
from PIL import ImageFilter

from benchmarks.ocrpages import letter
from dsd_cli.errors import ExitCode
from dsd_cli.profiles import PROFILES_DIR
from tests.archive.conftest import _schema
from tests.pipeline.conftest import assert_every_page_accounted_for, run_json
from tests.pipeline.synthetic import DPI, sheet_image

METS = "{http://www.loc.gov/METS/}"
DSD = "{https://dsd.example.org/ns/document/1}"


def _scan(path: Path) -> Path:
    """A separator sheet, a readable note and a heavily blurred one: one document of two pages."""
    good = letter(DPI, 3, width_in=5.8, height_in=4.2, paragraphs=1).image
    blurred = letter(DPI, 4, width_in=5.8, height_in=4.2, paragraphs=1).image.filter(ImageFilter.GaussianBlur(3.5))
    jpegs = []
    for image in (sheet_image("SD/2026/0042", "aanvraag"), good, blurred):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80, dpi=(DPI, DPI))
        jpegs.append(buffer.getvalue())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(img2pdf.convert(jpegs))
    return path


def _profile(tmp_path: Path, name: str, **replacements: str) -> Path:
    text = (PROFILES_DIR / "vlaanderen-ocmw.toml").read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _journal_quality(archive: Path) -> list[dict]:
    db = sqlite3.connect(archive / ".dsd" / "journal.sqlite")
    try:
        return [json.loads(r[0]) for r in db.execute("SELECT data FROM page_quality ORDER BY document_id, page")]
    finally:
        db.close()


def _run_until_ocred_then_kill(scans: Path, archive: Path) -> bool:
    """Start `dsd run`, SIGKILL it (with its workers) once quality is in the journal; True if it was killed
    before packaging."""
    proc = subprocess.Popen([sys.executable, "-m", "dsd_cli", "run", str(scans), "--archive", str(archive),
                             "--workers", "1", "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        journal = archive / ".dsd" / "journal.sqlite"
        if journal.exists():
            try:
                if _journal_quality(archive):
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                    return not any(archive.glob("SD~*"))
            except sqlite3.OperationalError:
                pass
        time.sleep(0.05)
    proc.wait()
    return False


def test_quality_is_kept_in_journal_and_bag_survives_a_resume_and_is_listed(dsd, tmp_path: Path):
    scans = _scan(tmp_path / "scans" / "batch.pdf").parent
    archive = tmp_path / "archive"
    killed_between = _run_until_ocred_then_kill(scans, archive)
    final = dsd("run", scans, "--archive", archive, "--json")
    assert final.code == ExitCode.OK, final.stdout + final.stderr
    assert_every_page_accounted_for(archive, 3)
    journal = _journal_quality(archive)
    assert [r["page"] for r in journal] == [1, 2]
    assert killed_between, "the first run was stopped after OCR and before packaging: quality survived a resume"

    (bag,) = archive.glob("SD~*")
    record = json.loads((bag / "metadata" / "documents.json").read_text(encoding="utf-8"))
    (doc,) = record["documents"]
    assert doc["quality"] == journal
    good, blurred = doc["quality"]
    assert good["flags"] == [] and good["words"] > 20 and good["language"] in ("nld", "fra")
    assert "low-confidence" in blurred["flags"] or "few-words-for-ink" in blurred["flags"], blurred
    assert doc["ocr"]["engine"] == "tesseract" and doc["ocr"]["tool"].startswith("tesseract 5.")
    assert doc["ocr"]["settings"]["deskew"] is True and doc["ocr"]["languages"] == ["nld", "fra"]

    mets = etree.parse(str(bag / "metadata" / "mets.xml"))
    schema = _schema("mets.xsd", "premis-v3.xsd")
    assert schema.validate(mets), schema.error_log
    substitution = mets.find(f".//{DSD}substitution")
    assert substitution.get("engine") == "tesseract"
    pages = substitution.findall(f"{DSD}page")
    assert [p.get("number") for p in pages] == ["1", "2"] and pages[1].get("flags") == " ".join(blurred["flags"])
    details = [e.text for e in mets.iter("{http://www.loc.gov/premis/v3}eventDetail")]
    assert any("flagged pages: 2 (" in (d or "") for d in details)
    assert any("page images kept as scanned" in (d or "") for d in details)

    assert dsd("verify", archive).code == ExitCode.OK
    shown = run_json(dsd("show", "SD/2026/0042", "--archive", archive, "--json"))
    assert shown["documents"][0]["quality"][1]["flags"] == blurred["flags"]
    listed = run_json(dsd("qa", "--archive", archive, "--flagged", "--json"))
    assert listed["pages"] == [{"dossier": "SD/2026/0042", "document": "doc-0001", "page": 2,
                                "flags": blurred["flags"], "confidence": blurred["confidence_mean"],
                                "words": blurred["words"], **{k: v for k, v in listed["pages"][0].items()
                                                              if k not in ("dossier", "document", "page", "flags",
                                                                           "confidence", "words")}}]
    report = tmp_path / "qa.html"
    rendered = dsd("qa", "--archive", archive, "--flagged", "--report", report)
    assert rendered.code == ExitCode.OK, rendered.stderr
    html = report.read_text(encoding="utf-8")
    assert html.count('<section class="page">') == 1 and "data:image/jpeg;base64," in html
    assert "SD/2026/0042" in html and "Pagina" in html
    csv_text = dsd("qa", "--archive", archive, "--csv").stdout
    assert csv_text.splitlines()[0].startswith("dossier,document,page,flags") and len(csv_text.splitlines()) == 3


def test_flagged_documents_can_be_held_for_review_and_the_engine_is_one_profile_line(dsd, tmp_path: Path):
    scans = _scan(tmp_path / "scans" / "batch.pdf").parent
    held = _profile(tmp_path, "held", **{'flagged = "archive"': 'flagged = "quarantine"'})
    archive = tmp_path / "held-archive"
    result = dsd("run", scans, "--archive", archive, "--profile", held, "--no-sign", "--json")
    assert result.code == ExitCode.PARTIAL, result.stderr
    (entry,) = run_json(result)["quarantine"]
    assert entry["reason"] == "quality-flagged" and "page 2:" in entry["message"]
    assert [r["page"] for r in _journal_quality(archive)] == [1, 2], "the figures stay in the journal"

    ocrmypdf = _profile(tmp_path, "ocrmypdf", **{'engine = "tesseract"': 'engine = "ocrmypdf"'})
    archive = tmp_path / "ocrmypdf-archive"
    result = dsd("run", scans, "--archive", archive, "--profile", ocrmypdf, "--no-sign", "--json")
    assert result.code == ExitCode.OK, result.stderr
    assert run_json(result)["verify"] == {"ok": True, "problems": []}
    (bag,) = archive.glob("SD~*")
    (doc,) = json.loads((bag / "metadata" / "documents.json").read_text(encoding="utf-8"))["documents"]
    assert doc["ocr"]["engine"] == "ocrmypdf" and doc["ocr"]["tool"].startswith("ocrmypdf ")
    assert "quality" not in doc


def test_a_journal_from_before_quality_records_opens_and_gains_the_table(tmp_path: Path):
    from dsd_cli.pipeline.journal import SCHEMA_VERSION, Journal

    path = tmp_path / "journal.sqlite"
    old = sqlite3.connect(path)
    old.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                      "INSERT INTO meta VALUES ('schema_version', '1');")
    old.close()
    journal = Journal(path)
    try:
        assert journal.quality("b-x-0001") == []
        version = journal.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
        assert version == str(SCHEMA_VERSION)
    finally:
        journal.close()
