"""Fixtures shared by every test folder: where things are, and how to run the real `dsd` command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = REPO / "samples"


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_dsd(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 600,
            input_text: str | None = None) -> CliResult:
    """Run `python -m dsd_cli ARGS` in a child process, as a user would, and capture everything."""
    full_env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
    # A session of its own, so that a timeout ends dsd and everything it started: a worker process left holding
    # the output pipes would otherwise keep the test waiting after dsd itself was killed.
    with subprocess.Popen([sys.executable, "-m", "dsd_cli", *map(str, args)], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full_env,
                          start_new_session=True) as proc:
        try:
            stdout, stderr = proc.communicate(input_text, timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            stdout, stderr = proc.communicate()
            raise AssertionError(f"dsd {' '.join(map(str, args))} did not finish in {timeout} s\n{stderr}") from None
    return CliResult(proc.returncode, stdout, stderr)


@pytest.fixture
def dsd():
    return run_dsd


@pytest.fixture(scope="session")
def unsigned_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped profile with signatures not required: for archives made with `--no-sign` (or `dsd package` of
    unsigned test PDFs) that must still pass verification."""
    text = (REPO / "profiles" / "vlaanderen-ocmw.toml").read_text(encoding="utf-8")
    assert "required = true" in text
    path = tmp_path_factory.mktemp("profile") / "unsigned.toml"
    path.write_text(text.replace("required = true", "required = false", 1), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    assert SHARED.is_dir(), f"{SHARED} is missing: tests need ../shared beside the repository"
    return SHARED
