"""Who consulted what: every search, `dsd show` and export leaves an entry in the archive's audit log.

An entry says who (user, host), when, what was asked for and which dossiers were returned. A search query may
hold a person's name, so it is never written as such: the log holds its HMAC-SHA256 under a key kept in the
archive's state folder (`.dsd/audit-key`, owner-only). Whoever holds the key can answer "was X searched for, by
whom, when" (`query_fingerprint`); the log alone reveals nothing, not even by trying likely names.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dsd_cli.archive.layout import ArchiveLayout
from dsd_cli.audit import append_audit
from dsd_cli.errors import ArchiveError

KEY_FILE = "audit-key"


def _key(archive: Path) -> bytes:
    layout = ArchiveLayout(archive)
    path = layout.state / KEY_FILE
    if not path.is_file():
        layout.state.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, secrets.token_hex(32).encode("ascii") + b"\n")
                os.fsync(fd)
            finally:
                os.close(fd)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ArchiveError(f"{path} is damaged (the key of the audit log's query hashes)",
                           hint="restore it from a backup; without it, past query hashes cannot be checked")
    return bytes.fromhex(key)


def normalise_query(query: str) -> str:
    return " ".join(query.split())


def query_fingerprint(archive: Path, query: str) -> str:
    """The keyed hash the audit log holds for `query` (white space normalised)."""
    return hmac.new(_key(archive), normalise_query(query).encode("utf-8"), hashlib.sha256).hexdigest()


def record_access(archive: Path, action: str, dossiers: Iterable[str], *, query: str | None = None,
                  detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """Append who consulted which dossiers. Raises (and the caller shows nothing) when it cannot be recorded."""
    entry: dict[str, Any] = {"returned": sorted(set(dossiers)), **(detail or {})}
    if query is not None:
        entry["query_hmac"] = query_fingerprint(archive, query)
    try:
        return append_audit(ArchiveLayout(archive).audit_log, action, detail=entry)
    except OSError as exc:
        raise ArchiveError(f"the access cannot be recorded in the audit log ({exc.strerror}); nothing is shown",
                           hint="every consultation of the archive must be recorded: check the audit folder's "
                                "permissions") from None
