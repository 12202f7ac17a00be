"""Turn split results into journal records and back (DocumentPlan <-> JSON), and build provenance events."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from dsd_cli.models import DocumentPlan, PageRef, SeparatorPayload, SeparatorRead, SourceFile, SplitResult
from dsd_cli.scan.scan_record import ScanRecord
from dsd_cli.sheets.payload import separated_by


def batch_key(sources: tuple[SourceFile, ...]) -> str:
    """A batch's identity in the journal: its files' checksums, so the same scans are never archived twice."""
    digest = hashlib.sha256()
    for sha in sorted(s.sha256 for s in sources):
        digest.update(sha.encode())
    return "b-" + digest.hexdigest()[:20]


def page_from_dict(data: dict[str, Any]) -> PageRef:
    return PageRef(source=Path(data["source"]), index=int(data["index"]))


def plan_from_dict(data: dict[str, Any]) -> DocumentPlan:
    sep = data["separator"]
    payload = sep.get("payload")
    separator = SeparatorRead(
        page=page_from_dict(sep["page"]),
        payload=SeparatorPayload(**payload) if payload else None,
        reader=sep["reader"], pass_name=sep["pass_name"], orientation=int(sep["orientation"]),
        kind=sep.get("kind", "dsd"),
    )
    return DocumentPlan(dossier=data["dossier"], doc_type=data["doc_type"],
                        pages=tuple(page_from_dict(p) for p in data["pages"]), separator=separator,
                        batch=data["batch"], sequence=int(data["sequence"]))


def _iso_mtime(path: Path) -> str:
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(timespec="seconds")
    except OSError:
        return ""


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def capture_events(plan: DocumentPlan, sources: dict[Path, SourceFile], batch_label: str,
                   split_tool: str, scan_record: ScanRecord | None = None) -> list[dict[str, Any]]:
    """PREMIS events for how a document came to be: the scan (capture) and the split (separation). With a scan
    record, each capture event says which device scanned the file, with which settings, by whom and when."""
    events: list[dict[str, Any]] = []
    for source_path in dict.fromkeys(p.source for p in plan.pages):
        source = sources.get(source_path)
        pages = [p.index + 1 for p in plan.pages if p.source == source_path]
        event: dict[str, Any] = {
            "type": "capture", "datetime": _iso_mtime(source_path), "agent": "scanner", "tool": "",
            "outcome": "success",
            "detail": f"scanned file {source_path.name} (batch {batch_label}), pages {pages}",
            "source_file": source_path.name, "source_sha256": source.sha256 if source else "",
            "source_pages": pages,
        }
        if scan_record is not None and scan_record.covers(source_path.name):
            page = scan_record.page(source_path.name)
            event["datetime"] = (page.scanned if page else "") or scan_record.started or event["datetime"]
            event["tool"] = scan_record.software
            event["detail"] += f" on {scan_record.describe()}" + (
                f", by {scan_record.operator}" if scan_record.operator else "")
            event["scan"] = scan_record.capture(source_path.name)
        elif scan_record is not None:
            event["detail"] += "; not listed in the folder's scan record"
        events.append(event)
    sep = plan.separator
    events.append({
        "type": "separation", "datetime": now_iso(), "agent": "dsd", "tool": split_tool, "outcome": "success",
        "detail": (f"{separated_by(sep.kind)} {sep.page.source.name} page {sep.page.index + 1} read by {sep.reader} "
                   f"({sep.pass_name} pass, {sep.orientation}°); document {plan.sequence} of batch {batch_label}"),
        "separator_kind": sep.kind, "separator_file": sep.page.source.name, "separator_page": sep.page.index + 1,
    })
    return events


def page_roles(result: SplitResult, doc_ids: dict[int, str]) -> list[tuple[str, int, str, str | None, str | None]]:
    """(source sha256, page index, role, document id, reason) for every page of a split batch."""
    sha = {s.path: s.sha256 for s in result.sources}
    rows: list[tuple[str, int, str, str | None, str | None]] = []
    for plan in result.documents:
        rows += [(sha[p.source], p.index, "content", doc_ids[plan.sequence], None) for p in plan.pages]
    rows += [(sha[s.page.source], s.page.index, "separator", None, s.kind) for s in result.separators]
    rows += [(sha[d.page.source], d.page.index, "dropped", None, d.reason) for d in result.dropped]
    for run in result.unassigned:
        rows += [(sha[p.source], p.index, "unassigned", None, run.reason) for p in run.pages]
    return rows
