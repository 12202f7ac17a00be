"""An append-only, hash-chained audit log in the archive: who ran what, on which dossier, when.

Each line is a JSON object carrying the SHA-256 of the previous line's canonical form, so editing, removing or
reordering any entry breaks the chain at that point, and `verify_audit_log` names the first broken entry. Entries
hold no personal data: dossier numbers, actions, counts, user and host names only.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
import socket
from pathlib import Path
from typing import Any

from dsd_cli.findings import Problem

GENESIS = "0" * 64


def _entry_hash(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _last_entry(log: Path) -> dict[str, Any] | None:
    if not log.exists():
        return None
    with open(log, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        back = min(size, 65536)
        handle.seek(size - back)
        lines = handle.read().splitlines()
    for line in reversed(lines):
        if line.strip():
            return json.loads(line)
    return None


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def append_audit(log: Path, action: str, *, dossier: str = "", detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """Append one entry, durably (fsync). Readers such as `dsd search` append without the archive lock, so the
    log itself is locked (flock) from reading the last entry to writing the new one."""
    log.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return _append_locked(fd, log, action, dossier, detail)
    finally:
        os.close(fd)


def _append_locked(fd: int, log: Path, action: str, dossier: str, detail: dict[str, Any] | None) -> dict[str, Any]:
    last = _last_entry(log)
    entry: dict[str, Any] = {
        "seq": (last["seq"] + 1) if last else 1,
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "user": current_user(),
        "host": socket.gethostname(),
        "action": action,
        "dossier": dossier,
        "detail": detail or {},
        "prev": last["hash"] if last else GENESIS,
    }
    entry["hash"] = _entry_hash(entry)
    line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
    os.write(fd, line.encode("utf-8"))
    os.fsync(fd)
    return entry


def last_entry_of(log: Path, action: str) -> dict[str, Any] | None:
    """The last entry of `action`, read from the end of the log (it is usually among the last ones)."""
    if not log.exists():
        return None
    tag = f'"action": {json.dumps(action, ensure_ascii=False)}'.encode()
    with open(log, "rb") as handle:
        end = handle.seek(0, os.SEEK_END)
        tail = b""
        while end > 0:
            start = max(0, end - 65536)
            handle.seek(start)
            tail = handle.read(end - start) + tail
            end = start
            lines = tail.split(b"\n")
            complete = lines if start == 0 else lines[1:]  # the first may be cut in two
            for line in reversed(complete):
                if tag in line:
                    try:
                        entry = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    if isinstance(entry, dict) and entry.get("action") == action:
                        return entry
            tail = lines[0] if start else b""
    return None


def read_entries(log: Path, action: str = "") -> list[dict[str, Any]]:
    """The log's entries in order (only those of `action` when given), up to the first line that is not an entry.
    The chain itself is checked by `verify_audit_log`."""
    if not log.exists():
        return []
    entries: list[dict[str, Any]] = []
    with open(log, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                break
            if not isinstance(entry, dict):
                break
            if not action or entry.get("action") == action:
                entries.append(entry)
    return entries


def verify_audit_log(log: Path, display_path: str = "audit/audit-log.jsonl") -> list[Problem]:
    """Check the chain; report the first broken or missing entry (later ones cannot be trusted after it)."""
    if not log.exists():
        return []
    prev_hash, expected_seq = GENESIS, 1
    with open(log, encoding="utf-8", errors="strict") as handle:
        for line_no, line in enumerate(handle, start=1):
            where = f"line {line_no}"
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                return [Problem(display_path, "audit.malformed", f"{where} is not a JSON entry")]
            if not isinstance(entry, dict) or "hash" not in entry:
                return [Problem(display_path, "audit.malformed", f"{where} is not an audit entry")]
            if entry.get("seq") != expected_seq:
                return [Problem(display_path, "audit.missing-entry",
                                f"{where}: expected entry {expected_seq}, found {entry.get('seq')}")]
            if entry.get("prev") != prev_hash:
                return [Problem(display_path, "audit.broken-chain",
                                f"{where} (entry {expected_seq}) does not follow the entry before it")]
            if _entry_hash(entry) != entry["hash"]:
                return [Problem(display_path, "audit.edited-entry", f"{where} (entry {expected_seq}) was changed")]
            prev_hash, expected_seq = entry["hash"], expected_seq + 1
    return []
