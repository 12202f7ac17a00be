"""Kill `dsd run` with SIGKILL at many points (seeded), resume, and check that nothing was lost or duplicated."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from dsd_cli.errors import ExitCode
from dsd_cli.tools.warm_fork import descendants
from tests.pipeline.conftest import assert_every_page_accounted_for


def start_run(scans: Path, archive: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dsd_cli", "run", str(scans), "--archive", str(archive),
                             "--workers", "2", "--quiet", "--log-format", "plain"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def test_sigkill_at_random_points_then_resume(dsd, scans: Path, tmp_path: Path):
    archive = tmp_path / "archive"
    rng = random.Random(20261124)
    kills = 0
    # Spread kill times over a whole run (start-up, split, OCR, signing, packaging, verification).
    for delay in sorted(rng.uniform(0.3, 5.0) for _ in range(10)):
        proc = start_run(scans, archive)
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the whole process group: power loss, workers included
            kills += 1
        proc.wait()
    assert kills >= 5, "the test must really interrupt runs"
    status = dsd("status", "--archive", archive, "--json")
    if status.code == ExitCode.OK:  # (runs killed before they opened the journal leave none)
        killed = json.loads(status.stdout)
        assert killed["run_in_progress"] is None, "a killed run is not reported as running"
        unfinished = [r for r in killed["recent_runs"] if r["finished"] is None]
        assert all(r["state"] == "interrupted" for r in unfinished), unfinished
    final = dsd("run", scans, "--archive", archive, "--json")
    assert final.code == ExitCode.OK, final.stdout + final.stderr
    assert_every_page_accounted_for(archive, 7)
    verified = dsd("verify", archive)
    assert verified.code == ExitCode.OK, verified.stdout + verified.stderr
    staging = archive / ".dsd" / "staging"
    leftovers = [p for p in staging.rglob("*") if p.is_file()] if staging.exists() else []
    assert not leftovers, "no partial bag is left in staging after a clean run"


def _documents_by_state(archive: Path) -> dict[str, int]:
    import sqlite3

    journal = archive / ".dsd" / "journal.sqlite"
    if not journal.exists():
        return {}
    db = sqlite3.connect(journal, timeout=5)
    try:
        return dict(db.execute("SELECT state, COUNT(*) FROM documents GROUP BY state").fetchall())
    except sqlite3.OperationalError:  # the schema is not there yet
        return {}
    finally:
        db.close()


def _alive_in_session(session: int) -> list[int]:
    """Processes (not zombies) whose session is `session`: the run, its workers and what they started."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[3]) == session:
            found.append(int(stat.parent.name))
    return found


def test_sigterm_and_ctrl_c_stop_the_run_at_once_and_it_resumes(dsd, scans: Path, tmp_path: Path):
    archive = tmp_path / "archive"
    for stop in ("SIGTERM to dsd", "Ctrl-C to its process group"):
        log = tmp_path / f"{stop.split()[0]}.log"
        with open(log, "w") as err:
            proc = subprocess.Popen([sys.executable, "-m", "dsd_cli", "run", str(scans), "--archive", str(archive),
                                     "--workers", "2", "--quiet", "--log-format", "plain"],
                                    stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
        deadline = time.monotonic() + 120
        while not (_documents_by_state(archive).get("planned") and descendants(proc.pid)) \
                and time.monotonic() < deadline:
            time.sleep(0.05)  # until the batches are split and the OCR workers run
        status = dsd("status", "--archive", archive, "--json")
        assert status.code == ExitCode.OK, status.stderr
        assert json.loads(status.stdout)["run_in_progress"]["pid"] == proc.pid, "status sees the run going on"
        if stop.startswith("SIGTERM"):
            os.kill(proc.pid, signal.SIGTERM)
        else:
            os.killpg(proc.pid, signal.SIGINT)
        # 130, or the same told the shell's way: ended by SIGINT after its cleanup (CPython does that after Ctrl-C).
        assert proc.wait(timeout=120) in (ExitCode.INTERRUPTED, -signal.SIGINT), (stop, log.read_text())
        assert "interrupted" in log.read_text() and "Traceback" not in log.read_text(), log.read_text()
        # Stopped, not drained: the queued documents were never OCRed, and nothing of the run keeps running.
        planned = _documents_by_state(archive).get("planned", 0)
        ocred = list((archive / ".dsd" / "work").glob("*/*.ocr.*.pdf"))
        assert planned and len(ocred) < planned, (stop, planned, ocred)
        deadline = time.monotonic() + 10
        while _alive_in_session(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _alive_in_session(proc.pid) == [], stop
        stopped = json.loads(dsd("status", "--archive", archive, "--json").stdout)
        assert stopped["run_in_progress"] is None and stopped["last_run_interrupted"]["pid"] == proc.pid, stop
    final = dsd("run", scans, "--archive", archive, "--json")
    assert final.code == ExitCode.OK, final.stdout + final.stderr
    assert_every_page_accounted_for(archive, 7)
    assert dsd("verify", archive).code == ExitCode.OK
