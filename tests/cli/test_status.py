"""`dsd status`: the last run's real throughput, a run in progress (pid, host, since) or an interrupted one, ISO times
in JSON, and journals written by an earlier dsd (no runs.pid) still readable."""

from __future__ import annotations

import datetime as dt
import json
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

from dsd_cli.archive.layout import ArchiveLayout
from dsd_cli.errors import ExitCode
from dsd_cli.pipeline.journal import SCHEMA_VERSION, Journal
from dsd_cli.pipeline.run import RunReport
from tests.conftest import run_dsd


def _status(archive: Path) -> tuple[dict, str]:
    as_json = run_dsd("status", "--archive", archive, "--json")
    assert as_json.code == ExitCode.OK, as_json.stderr
    text = run_dsd("status", "--archive", archive)
    assert text.code == ExitCode.OK, text.stderr
    return json.loads(as_json.stdout), text.stdout


def _journal(tmp_path: Path) -> tuple[ArchiveLayout, Journal]:
    layout = ArchiveLayout(tmp_path / "archive")
    layout.ensure()
    return layout, Journal(layout.journal)


def _iso_utc(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    assert moment.utcoffset() == dt.timedelta(0), value
    return moment


def test_last_run_throughput_comes_from_the_run_summary(tmp_path: Path):
    layout, journal = _journal(tmp_path)
    run_id = journal.start_run("dsd run scans", socket.gethostname(), "archivaris", pid=1)
    report = RunReport(archive=layout.root, pages_archived=120, documents_archived=30, elapsed_seconds=48.0)
    journal.finish_run(run_id, "done", report.to_dict())
    journal.close()
    data, text = _status(layout.root)
    last = data["last_run"]
    assert (last["pages_archived"], last["elapsed_seconds"], last["pages_per_second"]) == (120, 48.0, 2.5)
    assert last["status"] == "done" and last["documents_archived"] == 30
    _iso_utc(last["started"]) and _iso_utc(last["finished"])
    assert data["run_in_progress"] is None and data["last_run_interrupted"] is None
    assert "120 pages archived in 48 s (2.50 pages/s)" in text


def test_a_run_in_progress_names_its_process_and_host(tmp_path: Path):
    layout, journal = _journal(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    # A real dsd process, alive while status looks at the journal.
    other = subprocess.Popen([sys.executable, "-m", "dsd_cli", "watch", str(inbox), "--archive",
                              str(tmp_path / "elsewhere"), "--quiet", "--log-format", "plain"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        journal.start_run("dsd run /srv/scans", socket.gethostname(), "archivaris", pid=other.pid)
        journal.close()
        data, text = _status(layout.root)
    finally:
        other.terminate()
        other.wait(timeout=60)
    current = data["run_in_progress"]
    assert current["pid"] == other.pid and current["host"] == socket.gethostname() and current["state"] == "running"
    _iso_utc(current["started"])
    assert f"run in progress: run {current['id']} (pid {other.pid} on {socket.gethostname()})" in text
    assert data["last_run_interrupted"] is None


def test_a_run_whose_process_is_gone_is_interrupted(tmp_path: Path):
    layout, journal = _journal(tmp_path)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    journal.start_run("dsd run /srv/scans", socket.gethostname(), "archivaris", pid=gone.pid)
    journal.close()
    data, text = _status(layout.root)
    assert data["run_in_progress"] is None
    assert data["last_run_interrupted"]["pid"] == gone.pid and data["last_run_interrupted"]["state"] == "interrupted"
    assert "interrupted: run 1" in text and f"dsd run --archive {layout.root}` to resume" in text


def test_times_are_iso_utc_in_json(tmp_path: Path):
    layout, journal = _journal(tmp_path)
    journal.record_quarantine(batch_id=None, source="scan.pdf", reason="corrupt", message="broken",
                              path=layout.quarantine / "inputs" / "scan.pdf")
    journal.close()
    data, _ = _status(layout.root)
    _iso_utc(data["quarantine"][0]["created"])


OLD_RUNS = """CREATE TABLE runs (id INTEGER PRIMARY KEY, started REAL NOT NULL, finished REAL,
    status TEXT NOT NULL DEFAULT 'running', command TEXT NOT NULL, host TEXT NOT NULL, user TEXT NOT NULL,
    summary TEXT)"""


def test_a_journal_of_an_earlier_dsd_is_read_and_migrated(tmp_path: Path):
    layout = ArchiveLayout(tmp_path / "archive")
    layout.ensure()
    db = sqlite3.connect(layout.journal)
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    db.execute(OLD_RUNS)
    # A summary as dsd wrote it before elapsed_seconds existed: the time comes from the run's start and end.
    db.execute("INSERT INTO runs(started, finished, status, command, host, user, summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
               (1000.0, 1040.0, "done", "dsd run x", "scanserver", "u", json.dumps({"pages": {"archived": 10}})))
    db.commit()
    db.close()
    data, text = _status(layout.root)
    assert data["last_run"]["pages_per_second"] == 0.25 and data["last_run"]["started"] == "1970-01-01T00:16:40+00:00"
    assert "10 pages archived in 40 s (0.25 pages/s)" in text
    db = sqlite3.connect(layout.journal)
    assert "pid" in {r[1] for r in db.execute("PRAGMA table_info(runs)")}
    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    db.close()
