import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dsd_cli.archive.lock import archive_lock
from dsd_cli.audit import append_audit, verify_audit_log
from dsd_cli.errors import LockedError
from dsd_cli.pipeline.quarantine import quarantine_file


def make_log(tmp_path: Path, n: int = 5) -> Path:
    log = tmp_path / "audit" / "audit-log.jsonl"
    for i in range(n):
        append_audit(log, "run-started", dossier=f"SD/{i}", detail={"i": i})
    return log


def test_intact_chain_verifies(tmp_path: Path):
    log = make_log(tmp_path)
    assert verify_audit_log(log) == []
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    assert entries[1]["prev"] == entries[0]["hash"]


def test_edited_entry_is_named(tmp_path: Path):
    log = make_log(tmp_path)
    lines = log.read_text().splitlines()
    lines[2] = lines[2].replace('"SD/2"', '"SD/X"')
    log.write_text("\n".join(lines) + "\n")
    (problem,) = verify_audit_log(log)
    assert problem.check == "audit.edited-entry" and "line 3" in problem.message


def test_deleted_entry_is_named(tmp_path: Path):
    log = make_log(tmp_path)
    lines = log.read_text().splitlines()
    del lines[1]
    log.write_text("\n".join(lines) + "\n")
    (problem,) = verify_audit_log(log)
    assert problem.check == "audit.missing-entry" and "expected entry 2" in problem.message


def test_rewritten_chain_from_the_middle_is_caught(tmp_path: Path):
    """An attacker who edits an entry and recomputes its own hash still breaks the link to the next entry."""
    log = make_log(tmp_path)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    from dsd_cli.audit import _entry_hash

    lines[2]["dossier"] = "SD/forged"
    lines[2]["hash"] = _entry_hash(lines[2])
    log.write_text("".join(json.dumps(e, sort_keys=True) + "\n" for e in lines))
    (problem,) = verify_audit_log(log)
    assert problem.check == "audit.broken-chain" and "line 4" in problem.message


def test_second_lock_holder_is_refused_and_a_killed_holder_releases(tmp_path: Path):
    lock = tmp_path / ".dsd" / "lock"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from dsd_cli.archive.lock import archive_lock\n"
        f"with archive_lock(Path({str(lock)!r})):\n    print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockedError, match=f"pid {holder.pid}"), archive_lock(lock):
            pass
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    time.sleep(0.1)
    with archive_lock(lock):
        pass


def test_quarantine_keeps_a_copy_and_the_reason(tmp_path: Path):
    source = tmp_path / "in" / "scan 01.pdf"
    source.parent.mkdir()
    source.write_bytes(b"%PDF-1.4 truncated")
    first = quarantine_file(tmp_path / "q", "inputs", source, reason="corrupt", message="truncated PDF")
    second = quarantine_file(tmp_path / "q", "inputs", source, reason="corrupt", message="again")
    assert first != second and first.read_bytes() == source.read_bytes() == second.read_bytes()
    record = json.loads(first.with_name(first.name + ".reason.json").read_text())
    assert record["reason"] == "corrupt" and record["source"] == str(source) and len(record["sha256"]) == 64
    missing = quarantine_file(tmp_path / "q", "inputs", tmp_path / "gone.tif", reason="unreadable", message="x")
    assert missing.name == "gone.tif.reason.json" and missing.is_file(), "what is kept is the reason file alone"
    assert not missing.with_name("gone.tif").exists()
