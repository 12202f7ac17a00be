"""Text from outside — file names, hold reasons, quarantine reasons, paths, tool messages — is printed as it is by
every command that echoes it: never read as Rich markup, never a crash (a `[/b]` used to end `dsd show` with 70)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from dsd_cli.archive.layout import ArchiveLayout
from dsd_cli.cli import app as app_module
from dsd_cli.errors import ArchiveError, ExitCode
from dsd_cli.pipeline.journal import Journal
from dsd_cli.retention.hold import set_legal_hold
from tests.conftest import run_dsd
from tests.verify.bags import make_bag

MARKUP = "[/b][bold red]loud[/] [link=file:///etc]x[/link]"
"""A closing tag with no opening one (Rich raises MarkupError), styles that would vanish, and a link."""
NOW = dt.datetime(2026, 2, 1, 9, 0, tzinfo=dt.UTC)


def _wide(*args: str | Path, env: dict[str, str] | None = None):
    return run_dsd(*args, env={"COLUMNS": "400", **(env or {})})


def test_hold_reason_with_markup_in_show_and_hold(archive: Path):
    held = _wide("hold", "add", "SD/2015/0004", "--archive", archive, "--reason", MARKUP)
    assert held.code == ExitCode.OK, held.stderr
    shown = _wide("show", "SD/2015/0004", "--archive", archive)
    assert shown.code == ExitCode.OK, shown.stderr
    assert MARKUP in shown.stdout and "Traceback" not in shown.stderr
    as_json = json.loads(_wide("show", "SD/2015/0004", "--archive", archive, "--json").stdout)
    assert as_json["legal_hold"]["reason"] == MARKUP
    lifted = _wide("hold", "remove", "SD/2015/0004", "--archive", archive, "--reason", "[/i] closed")
    assert lifted.code == ExitCode.OK, lifted.stderr


def test_reason_set_in_the_library_shows_in_the_listing(archive: Path):
    set_legal_hold(archive, "SD/2015/0001", True, MARKUP, now=NOW)
    listing = _wide("show", "--archive", archive)
    assert listing.code == ExitCode.OK and "legal hold" in listing.stdout


def test_verify_paths_and_file_names_with_markup(tmp_path: Path):
    missing = tmp_path / "scan[/b].pdf"
    result = _wide("verify", missing)
    assert result.code == ExitCode.BAD_INPUT and str(missing) in result.stderr
    bag = make_bag(tmp_path / "bag[b]", {"data/one.txt": b"1"})
    (bag / "data" / "x[").mkdir()
    (bag / "data" / "x[" / "b]y[bold].txt").write_text("added")
    found = _wide("verify", bag)
    assert found.code == ExitCode.PROBLEMS_FOUND, found.stderr
    assert "data/x[/b]y[bold].txt" in found.stdout and "bagit.unexpected-file" in found.stdout


def test_split_run_and_status_echo_quarantined_names(tmp_path: Path):
    folder = tmp_path / "in["
    folder.mkdir()
    broken = folder / "b]scan[bold].pdf"  # its path holds "[/b]"
    broken.write_bytes(b"%PDF-1.4 truncated")
    split = _wide("split", broken)
    assert split.code == ExitCode.PARTIAL, split.stderr
    assert str(broken) in split.stdout
    archive = tmp_path / "archive"
    ran = _wide("run", broken, "--archive", archive, "--no-sign", "--no-verify")
    assert ran.code == ExitCode.PARTIAL, ran.stderr
    assert str(broken) in ran.stdout
    status = _wide("status", "--archive", archive)
    assert status.code == ExitCode.OK, status.stderr
    assert str(broken) in status.stdout and "corrupt" in status.stdout


def test_status_echoes_journal_text(tmp_path: Path):
    layout = ArchiveLayout(tmp_path / "archive")
    layout.ensure()
    journal = Journal(layout.journal)
    journal.record_quarantine(batch_id="b-1", source="[red]scan.pdf", reason="tool-failed", message=MARKUP,
                              path=layout.quarantine / "b-1" / "x.pdf", pages=2)
    journal.close()
    status = _wide("status", "--archive", layout.root)
    assert status.code == ExitCode.OK, status.stderr
    assert "[red]scan.pdf" in status.stdout and MARKUP in status.stdout


@pytest.mark.parametrize("args, code", [
    (("ocr", "{tmp}/o[/b].pdf", "-o", "{tmp}/out.pdf"), ExitCode.BAD_INPUT),
    (("sign", "{tmp}/s[/b].pdf", "-o", "{tmp}/out.pdf", "--key", "{tmp}/k.p12"), ExitCode.BAD_INPUT),
    (("package", "{tmp}/p[/b].pdf", "--archive", "{tmp}/a", "-d", "SD/1", "-t", "aanvraag"), ExitCode.BAD_INPUT),
    (("split", "{tmp}/sp[/b].pdf"), ExitCode.BAD_INPUT),
    (("sheets", "-d", "SD/1", "-t", "aanvraag", "-o", "{tmp}/s.pdf", "--register", "{tmp}/r[/b].csv"),
     ExitCode.BAD_INPUT),
    (("decrypt", "{tmp}/d[/b].age", "-o", "{tmp}/x", "--identity", "{tmp}/key.txt"), ExitCode.BAD_INPUT),
    (("status", "--archive", "{tmp}/st[/b]"), ExitCode.ARCHIVE),
    (("show", "--archive", "{tmp}/sh[/b]"), ExitCode.ARCHIVE),
    (("export", "--archive", "{tmp}/ex[/b]", "--dossier", "SD/1", "-o", "{tmp}/e"), ExitCode.ARCHIVE),
    (("timestamp", "due", "--archive", "{tmp}/t[/b]"), ExitCode.ARCHIVE),
    (("retention", "due", "--archive", "{tmp}/r[/b]"), ExitCode.ARCHIVE),
    (("hold", "add", "SD/1", "--archive", "{tmp}/h[/b]", "--reason", "x"), ExitCode.ARCHIVE),
    (("verify", "{tmp}", "--profile", "{tmp}/p[/b].toml"), ExitCode.CONFIG),
    (("run", "{tmp}/r[/b].pdf", "--archive", "{tmp}/a"), ExitCode.BAD_INPUT),
])
def test_error_messages_print_paths_literally(tmp_path: Path, args: tuple[str, ...], code: ExitCode):
    argv = [a.format(tmp=tmp_path) for a in args]
    result = _wide(*argv)
    assert result.code == code, result.stderr
    echoed = next(a for a in argv if "[/b]" in a)
    assert echoed in result.stderr and "Traceback" not in result.stderr


def test_existing_archive_in_commands_named_by_markup(archive: Path):
    result = _wide("export", "--archive", archive, "--dossier", "SD/[b]x[/b]", "-o", archive.parent / "e")
    assert result.code == ExitCode.ARCHIVE and "SD/[b]x[/b]" in result.stderr
    listed = archive.parent / "l[/b].csv"
    refused = _wide("retention", "dispose", "--archive", archive, "--list", listed, "--approval", "x")
    assert refused.code == ExitCode.BAD_INPUT and str(listed) in refused.stderr


def test_keys_and_watch_echo_paths(tmp_path: Path):
    keys = tmp_path / "k[bold]"
    made = _wide("keys", "demo", "-o", keys, env={"DSD_KEY_PASSPHRASE": "demo-pass"})
    assert made.code == ExitCode.OK, made.stderr
    assert str(keys / "demo-signer.p12") in made.stderr
    inbox = tmp_path / "inbox[i]"
    inbox.mkdir()
    (inbox / "[bold]bad[i].pdf").write_bytes(b"%PDF-1.4 truncated")
    watched = _wide("watch", inbox, "--archive", tmp_path / "archive", "--settle", "0.2", "--max-items", "1",
                    "--no-sign", "--log-format", "plain")
    assert watched.code in (ExitCode.OK, ExitCode.PARTIAL), watched.stderr
    assert str(inbox) in watched.stderr and "[bold]bad[i].pdf" in watched.stderr


def test_an_error_message_with_markup_never_breaks_the_error_boundary(monkeypatch, capsys):
    def explode(*args, **kwargs):
        raise ArchiveError(MARKUP, hint="[/hint]")

    monkeypatch.setattr("dsd_cli.pipeline.status.archive_status", explode)
    monkeypatch.setattr("dsd_cli.cli.inputs.existing_archive", lambda path: path)
    with pytest.raises(SystemExit) as ended:
        app_module.main(["status", "--archive", os.devnull, "--json"])
    assert ended.value.code == ExitCode.ARCHIVE
    out, err = capsys.readouterr()
    assert MARKUP in err and "[/hint]" in err
    assert json.loads(out)["error"] == {"code": 9, "reason": "archive", "message": MARKUP, "hint": "[/hint]"}

