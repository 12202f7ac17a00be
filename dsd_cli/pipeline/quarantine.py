"""Quarantine: a copy of every input dsd could not archive, beside a reason file a person can read.

The source itself is never moved or changed by dsd run (a scanner folder may be read-only, and the operator decides
what to delete); the copy makes the archive self-contained: whatever went in is in a bag or in quarantine.
Every reason file names the batch, the source files and pages, and the dossier when it is known.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from dsd_cli.fsutil import atomic_copy, atomic_write_text, sha256_file
from dsd_cli.models import PageRef
from dsd_cli.safepaths import safe_file_stem


def page_facts(pages: Sequence[PageRef], sha256: Mapping[Path, str]) -> dict[str, object]:
    """What a reason file says about quarantined pages: the source files (with their SHA-256 and page numbers,
    1-based) and every page."""
    files: dict[Path, list[int]] = {}
    for page in pages:
        files.setdefault(page.source, []).append(page.index + 1)
    return {"source": ", ".join(path.name for path in files),
            "sources": [{"file": path.name, "sha256": sha256.get(path, ""), "pages": numbers}
                        for path, numbers in files.items()],
            "pages": [{"source": page.source.name, "page": page.index + 1} for page in pages]}


def quarantine_file(quarantine_root: Path, group: str, source: Path, *, reason: str, message: str,
                    extra: dict[str, object] | None = None) -> Path:
    """Copy `source` into quarantine/<group>/ with a `.reason.json` beside it. Returns the path of what is kept:
    the copy (a name of its own: `-2`, `-3`, … when one is taken), or the reason file alone for a source that
    cannot be read (dangling link, permission). `extra` goes into the reason file (and may say what `source` is).
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
    reason_file = target.with_name(target.name + ".reason.json")
    atomic_write_text(reason_file, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    return target if "copy" in record else reason_file
