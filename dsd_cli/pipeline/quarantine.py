"""Quarantine: a copy of every input dsd could not archive, beside a reason file a person can read.

The source itself is never moved or changed by dsd run (a scanner folder may be read-only, and the operator decides
what to delete); the copy makes the archive self-contained: whatever went in is in a bag or in quarantine.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from dsd_cli.fsutil import atomic_copy, atomic_write_text, sha256_file
from dsd_cli.safepaths import safe_file_stem


def quarantine_file(quarantine_root: Path, group: str, source: Path, *, reason: str, message: str,
                    extra: dict[str, object] | None = None) -> Path:
    """Copy `source` into quarantine/<group>/ with a `.reason.json` beside it. Returns the copy's path.

    A source that cannot be read (dangling link, permission) is recorded by its reason file alone.
    """
    folder = quarantine_root / safe_file_stem(group, limit=80)
    folder.mkdir(parents=True, exist_ok=True)
    stem = safe_file_stem(source.stem, limit=80)
    suffix = "".join(ch for ch in source.suffix.lower() if ch.isalnum() or ch == ".")[:10]
    target = folder / f"{stem}{suffix}"
    n = 1
    while target.exists() or target.with_name(target.name + ".reason.json").exists():
        n += 1
        target = folder / f"{stem}-{n}{suffix}"
    record: dict[str, object] = {
        "source": str(source),
        "reason": reason,
        "message": message,
        "quarantined_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **(extra or {}),
    }
    try:
        if source.is_file():
            atomic_copy(source, target)
            record["sha256"] = sha256_file(target)
            record["copy"] = target.name
    except OSError as exc:
        record["copy_error"] = exc.strerror or str(exc)
    atomic_write_text(target.with_name(target.name + ".reason.json"),
                      json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    return target
