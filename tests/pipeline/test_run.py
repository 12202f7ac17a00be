"""`dsd run` end to end on real tools: split, OCR, sign (demo key), package, verify; resume; exit codes."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from dsd_cli.errors import ExitCode
from dsd_cli.fsutil import sha256_file
from dsd_cli.ocr import extract_text
from tests.pipeline.conftest import assert_every_page_accounted_for, bag_payloads, run_json
from tests.pipeline.synthetic import scanner_pdf


def test_run_archives_every_page_once_and_resumes_idempotently(dsd, scans: Path, tmp_path: Path):
    archive = tmp_path / "archive"
    first = dsd("run", scans, "--archive", archive, "--json", "--workers", "2")
    assert first.code == ExitCode.OK, first.stderr
    report = run_json(first)
    assert report["pages"] == {"in": 7, "archived": 4, "separators": 3, "dropped": 0, "unassigned": 0,
                               "quarantined": 0}
    assert report["documents_archived"] == 3 and report["demo_signing"] is True
    assert report["verify"]["ok"] is True
    assert set(report["dossiers"]) == {"SD/2026/0001", "SD/2026/0002"}
    assert "DEMO" in first.stderr
    # The rate comes from the unrounded time: recomputed from the published (rounded) one it agrees to rounding.
    assert report["elapsed_seconds"] > 0
    assert report["pages_per_second"] == pytest.approx(4 / report["elapsed_seconds"], abs=2e-3)
    last_run = run_json(dsd("status", "--archive", archive, "--json"))["last_run"]
    assert last_run["pages_archived"] == 4 and last_run["pages_per_second"] == report["pages_per_second"]

    payloads = bag_payloads(archive)
    assert sorted(payloads) == ["SD~2F2026~2F0001", "SD~2F2026~2F0002"]
    texts = " ".join(extract_text(p) for files in payloads.values() for p in files if p.suffix == ".pdf").lower()
    assert "leefloon" in texts and "recommandée" in texts
    assert_every_page_accounted_for(archive, 7)

    verified = dsd("verify", archive, "--json")
    assert verified.code == ExitCode.OK, verified.stdout + verified.stderr

    again = dsd("run", scans, "--archive", archive, "--json")
    assert again.code == ExitCode.OK, again.stderr
    assert run_json(again)["batches"] == {"new": 0, "skipped": 2}
    assert bag_payloads(archive) == payloads, "a second run over the same scans archives nothing twice"

    status = dsd("status", "--archive", archive, "--json")
    assert status.code == ExitCode.OK
    assert run_json(status)["pages"]["archived"] == 4


def test_bad_input_is_quarantined_and_the_batch_goes_on(dsd, tmp_path: Path, unsigned_profile: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    scanner_pdf(inbox / "a-good.pdf", [("SD/2026/0003", "energie", ["Energiefactuur Fluvius"])],
                leading_pages=["Losse pagina zonder scheidingsblad"])
    (inbox / "b-empty.pdf").write_bytes(b"")
    (inbox / "c-truncated.pdf").write_bytes((inbox / "a-good.pdf").read_bytes()[:3000])
    (inbox / "d-notes.docx").write_bytes(b"PK\x03\x04 not a scan")
    with pikepdf.open(inbox / "a-good.pdf") as pdf:
        pdf.save(inbox / "e-locked.pdf", encryption=pikepdf.Encryption(user="geheim", owner="geheim"))
    Image.new("1", (20000, 20000)).save(inbox / "f-bomb.png")
    archive = tmp_path / "archive"
    result = dsd("run", inbox, "--archive", archive, "--json", "--no-sign", "--profile", unsigned_profile)
    assert result.code == ExitCode.PARTIAL, result.stderr
    report = run_json(result)
    assert report["documents_archived"] == 1
    assert report["pages"]["unassigned"] == 1
    reasons = {Path(q["source"]).name: q["reason"] for q in report["quarantine"] if q["batch_id"] is None}
    assert [q["reason"] for q in report["quarantine"] if q["batch_id"]] == ["before-first-separator"]
    assert reasons == {"b-empty.pdf": "zero-byte", "c-truncated.pdf": "corrupt", "d-notes.docx": "unsupported",
                       "e-locked.pdf": "encrypted", "f-bomb.png": "too-large"}
    kept = sorted(p.name for p in (archive / "quarantine").rglob("*") if p.is_file())
    assert any(name.endswith(".reason.json") for name in kept)
    assert any(name.startswith("unassigned") and name.endswith(".pdf") for name in kept)
    status = run_json(dsd("status", "--archive", archive, "--json"))
    for shown in [*report["quarantine"], *status["quarantine"]]:
        assert Path(shown["path"]).is_file(), f"the path shown is the file kept: {shown}"
    for entry in report["quarantine"]:
        kept_file = Path(entry["path"])
        reason = json.loads(kept_file.with_name(kept_file.name + ".reason.json").read_text())
        assert {"batch", "sources", "pages"} <= set(reason), reason
    (unassigned,) = [q for q in report["quarantine"] if q["batch_id"]]
    reason = json.loads(Path(unassigned["path"] + ".reason.json").read_text())
    assert reason["batch"] == "a-good.pdf" and reason["pages"] == [{"source": "a-good.pdf", "page": 1}]
    assert reason["sources"] == [{"file": "a-good.pdf", "sha256": sha256_file(inbox / "a-good.pdf"), "pages": [1]}]
    assert (inbox / "b-empty.pdf").exists(), "sources are never moved or changed by dsd run"


def test_second_run_on_the_same_archive_is_refused(dsd, scans: Path, tmp_path: Path, unsigned_profile: Path):
    archive = tmp_path / "archive"
    first = subprocess.Popen([sys.executable, "-m", "dsd_cli", "run", str(scans), "--archive", str(archive),
                              "--no-sign", "--quiet", "--profile", str(unsigned_profile)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock = archive / ".dsd" / "lock"
    deadline = time.monotonic() + 60
    while (not lock.exists() or not lock.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    second = dsd("run", scans, "--archive", archive)
    first.communicate(timeout=300)
    assert second.code == ExitCode.LOCKED, second.stderr
    assert "in use by dsd pid" in second.stderr
    assert first.returncode == ExitCode.OK


def test_watch_takes_a_file_only_after_it_stopped_growing(tmp_path: Path, unsigned_profile: Path):
    from dsd_cli.archive.session import ArchiveSession
    from dsd_cli.pipeline.run import RunOptions
    from dsd_cli.pipeline.watch import watch_inbox
    from dsd_cli.profiles import load_profile

    source = tmp_path / "source.pdf"
    scanner_pdf(source, [("SD/2026/0004", "huisvesting", ["Huurcontract sociale woning"])])
    data = source.read_bytes()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    target = inbox / "scan.pdf"

    import threading

    def slow_writer() -> None:
        with open(target, "wb") as handle:
            for i in range(0, len(data), len(data) // 6 + 1):
                handle.write(data[i:i + len(data) // 6 + 1])
                handle.flush()
                time.sleep(0.6)

    writer = threading.Thread(target=slow_writer)
    writer.start()
    archive = tmp_path / "archive"
    with ArchiveSession.open(archive, create=True):  # `dsd watch` fills an archive, it does not make one
        pass
    results = watch_inbox(inbox, RunOptions(inputs=(), archive=archive, profile=load_profile(unsigned_profile),
                                            sign=False, workers=2),
                          settle_seconds=1.5, poll_seconds=0.2, max_items=1, timeout=240)
    writer.join()
    assert len(results) == 1, "the half-written file was not taken early, and the finished one was"
    (result,) = results
    assert result.report is not None and result.report.documents_archived == 1
    assert result.moved_to == inbox / "done" / "scan.pdf" and result.moved_to.read_bytes() == data
    assert not result.report.quarantine


def test_resume_after_the_archive_folder_was_copied(dsd, scans: Path, tmp_path: Path, unsigned_profile: Path):
    """Archives are moved between disks: a copied archive (journal included) resumes and verifies."""
    archive = tmp_path / "a"
    unsigned = ("--no-sign", "--profile", unsigned_profile)
    assert dsd("run", scans / "batch-02.pdf", "--archive", archive, *unsigned).code == ExitCode.OK
    moved = tmp_path / "b"
    shutil.copytree(archive, moved)
    result = dsd("run", scans, "--archive", moved, *unsigned, "--json")
    assert result.code == ExitCode.OK, result.stderr
    assert run_json(result)["batches"] == {"new": 1, "skipped": 1}


def test_a_tool_failure_quarantines_that_document_and_the_batch_goes_on(dsd, tmp_path: Path):
    from dsd_cli.profiles import PROFILES_DIR

    profile = tmp_path / "slow-ocr.toml"
    profile.write_text((PROFILES_DIR / "vlaanderen-ocmw.toml").read_text(encoding="utf-8")
                       .replace("timeout_seconds = 600", "timeout_seconds = 1"), encoding="utf-8")
    scans = tmp_path / "scans"
    scans.mkdir()
    # Eight pages: OCR of them takes several seconds on any machine, far past the one-second timeout.
    pages = [f"Medisch attest, blad {n}" for n in range(1, 9)]
    scanner_pdf(scans / "batch.pdf", [("SD/2026/0009", "medisch", pages)])
    archive = tmp_path / "archive"
    result = dsd("run", scans, "--archive", archive, "--profile", profile, "--no-sign", "--json")
    assert result.code == ExitCode.PARTIAL, result.stderr
    report = run_json(result)
    assert report["pages"]["quarantined"] == 8 and report["documents_archived"] == 0
    (entry,) = report["quarantine"]
    assert entry["reason"] == "ocr-timeout"
    kept = Path(entry["path"])
    assert kept.is_file() and kept.with_name(kept.name + ".reason.json").is_file()
    reason = json.loads(kept.with_name(kept.name + ".reason.json").read_text())
    assert reason["dossier"] == "SD/2026/0009" and reason["batch"] == "batch.pdf"
    assert reason["sources"] == [{"file": "batch.pdf", "sha256": sha256_file(scans / "batch.pdf"),
                                  "pages": list(range(2, 10))}]
    db = sqlite3.connect(archive / ".dsd" / "journal.sqlite")
    roles = dict(db.execute("SELECT role, COUNT(*) FROM pages GROUP BY role").fetchall())
    db.close()
    assert roles == {"quarantined": 8, "separator": 1}
