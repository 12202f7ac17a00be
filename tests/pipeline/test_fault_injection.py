"""Kill `dsd run` with SIGKILL at many points (seeded), resume, and check that nothing was lost or duplicated."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from dsd_cli.errors import ExitCode
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
    final = dsd("run", scans, "--archive", archive, "--json")
    assert final.code == ExitCode.OK, final.stdout + final.stderr
    assert_every_page_accounted_for(archive, 7)
    verified = dsd("verify", archive)
    assert verified.code == ExitCode.OK, verified.stdout + verified.stderr
    staging = archive / ".dsd" / "staging"
    leftovers = [p for p in staging.rglob("*") if p.is_file()] if staging.exists() else []
    assert not leftovers, "no partial bag is left in staging after a clean run"
