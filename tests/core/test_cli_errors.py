"""The CLI's single error boundary: messages, exit codes, no secrets in tracebacks."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dsd_cli.cli import app as app_module
from dsd_cli.errors import ExitCode


def test_version_and_help(dsd):
    result = dsd("--version")
    assert result.code == 0 and result.stdout.startswith("dsd ")
    helped = dsd("run", "--help")
    assert helped.code == 0 and "Examples" in helped.stdout


def test_doctor_reports_every_tool(dsd):
    result = dsd("doctor", "--json")
    assert result.code == ExitCode.OK, result.stderr
    assert '"ok": true' in result.stdout and '"tesseract"' in result.stdout


def test_usage_error_is_2(dsd):
    assert dsd("run", "--no-such-option").code == ExitCode.USAGE
    assert dsd("no-such-command").code == ExitCode.USAGE


def test_bad_profile_is_5_and_names_the_key(dsd, tmp_path: Path):
    from dsd_cli.profiles import PROFILES_DIR

    profile = tmp_path / "p.toml"
    profile.write_text((PROFILES_DIR / "vlaanderen-ocmw.toml").read_text().replace("deskew = true",
                                                                                    "deskw = true"))
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4")
    result = dsd("ocr", tmp_path / "x.pdf", "-o", tmp_path / "y.pdf", "--profile", profile)
    assert result.code == ExitCode.CONFIG
    assert "ocr.deskw" in result.stderr


def test_missing_tool_is_6(dsd, tmp_path: Path):
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4")
    # A PATH without /usr/bin: Tesseract, Ghostscript and qpdf cannot be found.
    result = dsd("ocr", tmp_path / "x.pdf", "-o", tmp_path / "y.pdf", env={"PATH": str(Path(sys.executable).parent)})
    assert result.code == ExitCode.MISSING_TOOL
    assert "tesseract" in result.stderr and "dsd doctor" in result.stderr
    doctor = dsd("doctor", env={"PATH": str(Path(sys.executable).parent)})
    assert doctor.code == ExitCode.MISSING_TOOL and "apt-get install tesseract-ocr" in doctor.stderr


def test_not_an_archive_is_9(dsd, tmp_path: Path):
    result = dsd("status", "--archive", tmp_path)
    assert result.code == ExitCode.ARCHIVE and "no dsd journal" in result.stderr


def test_unexpected_exception_is_70_without_locals(monkeypatch, capsys):
    secret = "hunter2-passphrase"

    def explode(*args, **kwargs):
        passphrase = secret  # noqa: F841 - a local that must never be printed
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("dsd_cli.tools.versions.check", explode)
    with pytest.raises(SystemExit) as info:
        app_module.main(["doctor"])
    assert info.value.code == ExitCode.INTERNAL
    err = capsys.readouterr().err
    assert "ZeroDivisionError" in err and "bug in dsd" in err and secret not in err


def test_ctrl_c_is_130(tmp_path: Path):
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "dsd_cli", "watch", str(tmp_path / "inbox"), "--archive",
                             str(tmp_path / "archive"), "--log-format", "plain"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 30
    while not (tmp_path / "inbox").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == ExitCode.INTERRUPTED, err
    assert "interrupted" in err
