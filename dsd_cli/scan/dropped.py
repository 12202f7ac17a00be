"""Dropped pages are kept aside, not lost: each as a one-page PDF a person can open and put back.

A dropped page (a blank duplex back, or any blank page with drop_blank) is written exactly as it came from the
scanner — copied from the scanner PDF or embedded from its image without re-encoding, like a document — into a
folder per batch, and its checksum goes into the provenance of the document that records the drop. The folders are
removed after the profile's `separators.dropped_pages_retention_days`; the provenance event stays.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsd_cli.fsutil import sha256_file
from dsd_cli.models import DroppedPage
from dsd_cli.safepaths import safe_file_stem
from dsd_cli.scan.assemble import write_pages_pdf

DROPPED_DIR = "dropped"
"""In an archive's state folder (`.dsd/dropped/<batch>/`) or in a `dsd split -o` folder."""
_WHY = {"duplex-back": "the back of the separator sheet before it", "blank": "a blank page"}


@dataclass(frozen=True)
class KeptPage:
    dropped: DroppedPage
    path: Path
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        d = self.dropped
        return {"batch": d.batch, "reason": d.reason, "source": str(d.page.source), "page": d.page.index + 1,
                "document": d.document, "kept": str(self.path), "sha256": self.sha256}


def keep_dropped_pages(dropped: Sequence[DroppedPage], folder: Path) -> list[KeptPage]:
    """Write each dropped page to `folder` as `NNN-<source file>-page-<n>.pdf` (atomically) and checksum it."""
    kept = []
    for number, page in enumerate(dropped, start=1):
        name = f"{number:03d}-{safe_file_stem(page.page.source.name)}-page-{page.page.index + 1}.pdf"
        target = write_pages_pdf((page.page,), folder / name)
        kept.append(KeptPage(page, target, sha256_file(target)))
    return kept


def dropped_event(kept: KeptPage, shown_path: str, when: str, tool: str) -> dict[str, Any]:
    """The provenance event for one dropped page; `shown_path` is where the page is kept, as a person finds it
    (relative to the archive or the split folder)."""
    page = kept.dropped.page
    return filtering_event(page.source.name, page.index + 1, kept.dropped.batch, kept.dropped.reason, shown_path,
                           kept.sha256, when, tool)


def filtering_event(source_file: str, page: int, batch: str, reason: str, shown_path: str, sha256: str, when: str,
                    tool: str, agent: str = "dsd") -> dict[str, Any]:
    """A dropped page as a provenance event (PREMIS eventType 'filtering': a page removed from what is kept)."""
    return {
        "type": "filtering", "datetime": when, "agent": agent, "tool": tool, "outcome": "success",
        "detail": (f"page {page} of {source_file} (batch {batch}) left out as {_WHY.get(reason, reason)}: no text "
                   f"line, stroke or figure on it; its image is kept as {shown_path}, sha256 {sha256}"),
        "source_file": source_file, "source_page": page, "reason": reason, "kept_sha256": sha256,
    }


def prune_kept_pages(root: Path, retention_days: int, now: float | None = None) -> list[Path]:
    """Remove the per-batch folders under `root` whose pages were kept longer than `retention_days` (0: never).
    Returns the folders removed."""
    if retention_days <= 0 or not root.is_dir():
        return []
    limit = (now if now is not None else time.time()) - retention_days * 86_400
    removed = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()):
        newest = max((f.stat().st_mtime for f in folder.iterdir() if f.is_file()), default=folder.stat().st_mtime)
        if newest < limit:
            shutil.rmtree(folder)
            removed.append(folder)
    return removed
