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


@pytest.mark.parametrize("command", [
    ("status",), ("show",), ("inventory",), ("retention", "due"), ("timestamp", "due"),
    ("hold", "add", "SD/2024/0001", "--reason", "court case"), ("retention", "update", "--register", "{tmp}/r.csv"),
    ("export", "--dossier", "SD/2024/0001", "-o", "{tmp}/out"),
])
def test_every_archive_command_refuses_a_folder_that_is_not_an_archive(dsd, tmp_path: Path, command):
    """Exit 9 with the same hint everywhere, for a folder with other things in it and for a missing folder; and
    nothing is written into either."""
    (tmp_path / "r.csv").write_text("dossier,closed\nSD/2024/0001,\n")
    home = tmp_path / "home"
    home.mkdir()
    (home / "letter.pdf").write_bytes(b"%PDF-1.7\n")
    for folder in (home, tmp_path / "missing"):
        result = dsd(*(part.replace("{tmp}", str(tmp_path)) for part in command), "--archive", folder)
        assert result.code == ExitCode.ARCHIVE, (command, result.stderr)
        assert "not a dsd archive" in result.stderr or "does not exist" in result.stderr
        assert "`dsd run --archive`" in result.stderr, "the hint says which folder is an archive"
    assert sorted(p.name for p in home.iterdir()) == ["letter.pdf"] and not (tmp_path / "missing").exists()
    assert not (tmp_path / "out").exists()


def test_run_and_package_create_an_archive_only_in_a_new_or_empty_folder(dsd, tmp_path: Path):
    from tests.archive.conftest import make_pdfa

    home = tmp_path / "home"
    home.mkdir()
    make_pdfa(home / "letter.pdf", "a letter")
    refused = dsd("package", home / "letter.pdf", "--archive", home, "--dossier", "SD/1", "--type", "aanvraag")
    assert refused.code == ExitCode.ARCHIVE and "not empty and not a dsd archive" in refused.stderr
    assert dsd("run", "--archive", home).code == ExitCode.ARCHIVE
    assert sorted(p.name for p in home.iterdir()) == ["letter.pdf"]
    created = dsd("run", "--archive", tmp_path / "new", "--json")
    assert created.code == ExitCode.OK, created.stderr
    assert (tmp_path / "new" / "audit" / "inventory.json").is_file()
    assert dsd("status", "--archive", tmp_path / "new").code == ExitCode.OK


def test_watch_refuses_a_missing_inbox_and_a_missing_archive(dsd, tmp_path: Path):
    missing_inbox = dsd("watch", tmp_path / "inbox", "--archive", tmp_path / "archive")
    assert missing_inbox.code == ExitCode.BAD_INPUT and "inbox folder does not exist" in missing_inbox.stderr
    (tmp_path / "inbox").mkdir()
    missing_archive = dsd("watch", tmp_path / "inbox", "--archive", tmp_path / "archive")
    assert missing_archive.code == ExitCode.ARCHIVE and not (tmp_path / "archive").exists()


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
    from dsd_cli.archive.session import ArchiveSession

    with ArchiveSession.open(tmp_path / "archive", create=True):
        pass
    (tmp_path / "inbox").mkdir()
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "dsd_cli", "watch", str(tmp_path / "inbox"), "--archive",
                             str(tmp_path / "archive"), "--log-format", "plain"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stderr is not None and "watching" in proc.stderr.readline(), "watch says it started"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == ExitCode.INTERRUPTED, err
    assert "interrupted" in err
