"""SANE's own `test` backend, enabled for these tests only: a SANE configuration folder of their own
(SANE_CONFIG_DIR) whose dll.conf lists `test` and nothing else, so no real scanner is probed and the system's
SANE configuration is never read or changed. The test device is real SANE: scanimage drives it like any scanner;
its document feeder is empty after 10 pages, and its `read-return-value` option makes it report a jam, an open
cover or an empty feeder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, CliResult, run_dsd

TEST_CONF = """\
# dsd tests: two virtual devices drawing a grid (pages with marks, not solid black), small pages at 50 dpi
number_of_devices 2
mode Gray
resolution 50.0
test-picture "Grid"
"""
SLOW = ("--device-option", "read-limit=yes", "--device-option", "read-limit-size=2048",
        "--device-option", "read-delay=yes", "--device-option", "read-delay-duration=100000")
"""Device options of the test backend that make each page take about half a second (for stopping mid-batch)."""


@pytest.fixture(scope="session")
def sane_env(tmp_path_factory) -> dict[str, str]:
    conf = tmp_path_factory.mktemp("sane-conf")
    (conf / "dll.conf").write_text("test\n", encoding="utf-8")
    (conf / "test.conf").write_text(TEST_CONF, encoding="utf-8")
    return {"SANE_CONFIG_DIR": str(conf)}


@pytest.fixture
def scan(sane_env):
    def run(*args: str | Path, timeout: float = 300) -> CliResult:
        return run_dsd("scan", *args, env=sane_env, timeout=timeout)
    return run


def json_of(result: CliResult) -> dict:
    assert result.stdout.strip(), result.stderr
    return json.loads(result.stdout)


def start_scan(sane_env: dict[str, str], *args: str | Path) -> subprocess.Popen[str]:
    """`dsd scan ...` as a child process that a test can signal."""
    return subprocess.Popen([sys.executable, "-m", "dsd_cli", "scan", *map(str, args)], cwd=REPO,
                            env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **sane_env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def pages_recorded(folder: Path) -> int:
    """Pages the in-progress scan record of a hidden batch folder lists (0 while there is none)."""
    for partial in folder.glob(".*.partial"):
        try:
            return len(json.loads((partial / "scan-record.json").read_text(encoding="utf-8"))["pages"])
        except (OSError, ValueError, KeyError):
            return 0
    return 0


def wait_for_pages(folder: Path, count: int, process: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while pages_recorded(folder) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"the scan did not reach {count} pages"
        time.sleep(0.05)


def child_pids(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def stop(process: subprocess.Popen[str], signum: int = signal.SIGINT) -> tuple[int, str, str]:
    process.send_signal(signum)
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err
