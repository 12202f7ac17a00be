"""Every documented exit code, produced by a real command line, with the one JSON object `--json` promises on stdout
— on failure too: `{"ok": false, "error": {"code", "reason", "message"}}`; lists come wrapped in objects."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pikepdf
import pytest

from dsd_cli.archive.layout import ArchiveLayout
from dsd_cli.archive.lock import archive_lock
from dsd_cli.cli import app as app_module
from dsd_cli.errors import ExitCode
from dsd_cli.profiles import PROFILES_DIR
from tests.conftest import run_dsd
from tests.verify.bags import make_bag


def _object(result) -> dict:
    """stdout is exactly one JSON object (json.loads refuses trailing data)."""
    data = json.loads(result.stdout)
    assert isinstance(data, dict), result.stdout
    return data


def _failed(result, code: ExitCode, reason: str | None = None) -> dict:
    assert result.code == code, (result.stdout, result.stderr)
    data = _object(result)
    assert data["ok"] is False and data["error"]["code"] == int(code), data
    assert data["error"]["message"] and data["error"]["reason"] == (reason or code.reason), data
    return data


def _plain_pdf(path: Path) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(path)
    return path


def test_ok_is_0_with_ok_true(archive: Path):
    shown = run_dsd("show", "--archive", archive, "--json")
    assert shown.code == ExitCode.OK
    data = _object(shown)
    assert data["ok"] is True and "error" not in data and len(data["dossiers"]) == 7


def test_problems_found_is_1_with_the_report_and_the_error(tmp_path: Path):
    bag = make_bag(tmp_path / "bag", {"data/a.txt": b"a"})
    (bag / "data" / "a.txt").write_bytes(b"b")
    data = _failed(run_dsd("verify", bag, "--json"), ExitCode.PROBLEMS_FOUND)
    assert {p["check"] for p in data["problems"]} == {"bagit.checksum"} and data["checked"]["bags"] == 1


@pytest.mark.parametrize("args", [("show", "--no-such-option", "--json"), ("verify", "--json"),
                                  ("no-such-command", "--json"), ("retention", "due", "--archive", ".", "--json",
                                                                  "--on", "tomorrow")])
def test_usage_is_2_with_json_too(args: tuple[str, ...]):
    _failed(run_dsd(*args), ExitCode.USAGE)


def test_usage_without_json_prints_nothing_on_stdout():
    result = run_dsd("show", "--no-such-option")
    assert result.code == ExitCode.USAGE and result.stdout == "" and "No such option" in result.stderr


def test_partial_is_3_with_the_split_report(tmp_path: Path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 truncated")
    data = _failed(run_dsd("split", broken, "--json"), ExitCode.PARTIAL)
    assert [q["reason"] for q in data["quarantined"]] == ["corrupt"] and data["documents"] == []


@pytest.mark.parametrize("command", ["ocr", "sign"])
def test_a_missing_input_is_4_not_typers_2(tmp_path: Path, command: str):
    data = _failed(run_dsd(command, tmp_path / "missing.pdf", "-o", tmp_path / "out.pdf", "--json"),
                   ExitCode.BAD_INPUT, reason="missing")
    assert str(tmp_path / "missing.pdf") in data["error"]["message"]


def test_config_is_5(tmp_path: Path):
    profile = tmp_path / "p.toml"
    profile.write_text((PROFILES_DIR / "vlaanderen-ocmw.toml").read_text().replace("deskew = true", "deskw = true"))
    data = _failed(run_dsd("ocr", _plain_pdf(tmp_path / "x.pdf"), "-o", tmp_path / "y.pdf", "--profile", profile,
                           "--json"), ExitCode.CONFIG)
    assert "ocr.deskw" in data["error"]["message"]


def test_missing_tool_is_6_with_the_doctor_report():
    data = _failed(run_dsd("doctor", "--json", env={"PATH": str(Path(sys.executable).parent)}), ExitCode.MISSING_TOOL)
    assert any(r["name"] == "tesseract" and r["version"] is None for r in data["requirements"])
    assert "apt-get install" in data["error"]["hint"]


def test_signing_is_7(tmp_path: Path):
    key = tmp_path / "not-a-key.p12"
    key.write_bytes(b"not PKCS#12")
    data = _failed(run_dsd("sign", _plain_pdf(tmp_path / "x.pdf"), "-o", tmp_path / "y.pdf", "--key", key, "--json",
                           env={"DSD_KEY_PASSPHRASE": "s3cret-value"}), ExitCode.SIGNING)
    assert "s3cret-value" not in json.dumps(data), "no secret in the output"
    assert not (tmp_path / "y.pdf").exists()


def test_locked_is_8(archive: Path):
    with archive_lock(ArchiveLayout(archive).lock):
        data = _failed(run_dsd("hold", "add", "SD/2015/0004", "--archive", archive, "--reason", "x", "--json"),
                       ExitCode.LOCKED)
    assert "in use" in data["error"]["message"]


@pytest.mark.parametrize("args", [
    ("status", "--archive", "{missing}"), ("show", "--archive", "{missing}"), ("show", "X", "--archive", "{missing}"),
    ("retention", "due", "--archive", "{missing}"), ("timestamp", "due", "--archive", "{missing}"),
    ("hold", "add", "SD/1", "--archive", "{missing}", "--reason", "r"),
    ("export", "--archive", "{missing}", "--dossier", "SD/1", "-o", "{out}"),
    ("retention", "dispose", "--archive", "{missing}", "--list", "{out}", "--approval", "a"),
    ("timestamp", "renew", "--archive", "{missing}"),
])
def test_a_missing_archive_is_9_from_every_command(tmp_path: Path, args: tuple[str, ...]):
    missing = tmp_path / "no-archive"
    argv = [a.format(missing=missing, out=tmp_path / "out") for a in args]
    _failed(run_dsd(*argv, "--json"), ExitCode.ARCHIVE)
    assert not missing.exists(), "a command given a missing archive creates nothing"


def test_not_an_archive_is_9_for_status(tmp_path: Path):
    data = _failed(run_dsd("status", "--archive", tmp_path, "--json"), ExitCode.ARCHIVE)
    assert "no dsd journal" in data["error"]["message"]


def test_internal_is_70_with_json(monkeypatch, capsys):
    def explode(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("dsd_cli.tools.versions.check", explode)
    with pytest.raises(SystemExit) as ended:
        app_module.main(["doctor", "--json"])
    assert ended.value.code == ExitCode.INTERNAL
    out, err = capsys.readouterr()
    assert json.loads(out) == {"ok": False, "error": {"code": 70, "reason": "internal",
                                                      "message": "ZeroDivisionError: boom"}}
    assert "bug in dsd" in err


def test_interrupted_is_130_with_json(monkeypatch, capsys):
    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("dsd_cli.tools.versions.check", stop)
    with pytest.raises(SystemExit) as ended:
        app_module.main(["doctor", "--json"])
    assert ended.value.code == ExitCode.INTERRUPTED
    out, err = capsys.readouterr()
    assert json.loads(out)["error"] == {"code": 130, "reason": "interrupted", "message": "interrupted"}
    assert "run the same command again" in err


def test_lists_are_objects(archive: Path):
    due = run_dsd("retention", "due", "--archive", archive, "--on", "2026-02-01", "--json")
    assert due.code == ExitCode.OK
    data = _object(due)
    assert data["on"] == "2026-02-01" and [d["dossier"] for d in data["dossiers"]] == [
        "SD/2015/0002", "SD/2015/0001", "SD/2015/0003"]
    stamps = _object(run_dsd("timestamp", "due", "--archive", archive, "--before", "2000-01-01", "--json"))
    assert set(stamps) == {"ok", "before", "documents"} and stamps["before"] == "2000-01-01T00:00:00+00:00"
    assert {d["last_timestamp"] for d in stamps["documents"]} == {""}, "unsigned documents are always due"


def test_help_with_json_is_help():
    helped = run_dsd("status", "--help", "--json")
    assert helped.code == ExitCode.OK and helped.stdout.startswith("Usage: dsd status")
