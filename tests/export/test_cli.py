"""The retention, hold, export and decrypt commands as a user runs them: exit codes, CSV, JSON, dry runs."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from pyrage import x25519

from tests.conftest import run_dsd
from tests.export.conftest import bag_errors, tree_bytes


def _bags(archive: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree_bytes(archive).items() if k.startswith("SD")}


def test_due_hold_dispose_commands(archive: Path, tmp_path: Path):
    due = run_dsd("retention", "due", "--archive", archive, "--on", "2026-02-01", "--csv")
    assert due.code == 0, due.stderr
    rows = list(csv.DictReader(io.StringIO(due.stdout)))
    assert [r["dossier"] for r in rows] == ["SD/2015/0002", "SD/2015/0001", "SD/2015/0003"]
    table = run_dsd("retention", "due", "--archive", archive, "--on", "2026-02-01")
    assert table.code == 0 and "V — vernietigen" in table.stdout and "S — selectie" in table.stdout
    assert run_dsd("retention", "due", "--archive", archive, "--on", "tomorrow").code == 2

    held = run_dsd("hold", "add", "SD/2015/0001", "--archive", archive, "--reason", "claim", "--json")
    assert held.code == 0, held.stderr
    assert json.loads(held.stdout)["legal_hold"] is True
    listed = tmp_path / "request.csv"
    listed.write_text("dossier,selected\nSD/2015/0002,\nSD/2015/0001,\n")
    before = _bags(archive)
    refused = run_dsd("retention", "dispose", "--archive", archive, "--list", listed, "--approval", "RAB/9",
                      "--on", "2026-02-01")
    assert refused.code == 1 and "under legal hold" in refused.stdout
    refused = run_dsd("retention", "dispose", "--archive", archive, "--list", listed, "--approval", "RAB/9",
                      "--on", "2026-02-01", "--yes")
    assert refused.code == 9 and "under legal hold" in refused.stderr and "nothing was removed" in refused.stderr
    assert _bags(archive) == before

    listed.write_text("dossier,selected\nSD/2015/0002,\n")
    dry = run_dsd("retention", "dispose", "--archive", archive, "--list", listed, "--approval", "RAB/9",
                  "--on", "2026-02-01")
    assert dry.code == 0 and "would destroy SD/2015/0002" in dry.stdout and _bags(archive) == before
    done = run_dsd("retention", "dispose", "--archive", archive, "--list", listed, "--approval", "RAB/9",
                   "--on", "2026-02-01", "--yes", "--json")
    assert done.code == 0, done.stderr
    certificate = Path(json.loads(done.stdout)["certificate"])
    assert certificate.is_file() and json.loads(certificate.read_text())["complete"] is True
    assert not list((archive / "SD~2F2015~2F0002" / "data").rglob("*.pdf"))
    lifted = run_dsd("hold", "remove", "SD/2015/0001", "--archive", archive, "--reason", "settled")
    assert lifted.code == 0 and "due on 2026-01-31" in lifted.stdout
    assert bag_errors(archive) == []


def test_export_and_decrypt_commands(archive: Path, tmp_path: Path):
    key = x25519.Identity.generate()
    (tmp_path / "key.txt").write_text(f"{key}\n")
    out = tmp_path / "send.zip.age"
    done = run_dsd("export", "--archive", archive, "--dossier", "SD/2015/0004", "-o", out,
                   "--encrypt-to", str(key.to_public()), "--json")
    assert done.code == 0, done.stderr
    assert json.loads(done.stdout)["kind"] == "zip+age"
    opened = run_dsd("decrypt", out, "-o", tmp_path / "send.zip", "--identity", tmp_path / "key.txt")
    assert opened.code == 0, opened.stderr
    with zipfile.ZipFile(tmp_path / "send.zip") as zf:
        zf.extractall(tmp_path / "x")
    verified = run_dsd("verify", tmp_path / "x" / "send", "--json")
    report = json.loads(verified.stdout)
    bag_problems = [p for p in report["problems"] if not p["check"].startswith(("pdfa.", "signature."))]
    assert bag_problems == []
    (tmp_path / "other.txt").write_text(f"{x25519.Identity.generate()}\n")
    wrong = run_dsd("decrypt", out, "-o", tmp_path / "again.zip", "--identity", tmp_path / "other.txt")
    assert wrong.code == 4 and not (tmp_path / "again.zip").exists()
    assert run_dsd("export", "--archive", archive, "-o", tmp_path / "y").code == 2
