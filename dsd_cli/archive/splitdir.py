"""Read a folder written by `dsd split -o DIR` (its split.json and one PDF per document) as documents to archive.

split.json is input from outside: every field is checked, a `pdf` must be a plain file name inside DIR, and a
problem is an InputError naming the entry, never a crash.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from dsd_cli import __version__
from dsd_cli.archive.record import Event
from dsd_cli.errors import InputError
from dsd_cli.models import ArchivedDocument, PageRef
from dsd_cli.ocr import count_pages
from dsd_cli.scan.dropped import filtering_event
from dsd_cli.sheets.payload import separated_by

SPLIT_JSON = "split.json"


def _need(entry: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = entry.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InputError(f"{where}: field {key!r} is missing or not a {kind.__name__}", reason="bad-manifest")
    return value


def _mtime_iso(path: Path) -> str:
    """The file's modification time (ISO), "" when unknown (as the record writes an unknown date)."""
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(timespec="seconds")
    except OSError:
        return ""


def _document(folder: Path, entry: Any, number: int, source_sha: dict[str, str],
              dropped: list[Any]) -> ArchivedDocument:
    where = f"{SPLIT_JSON}, document {number}"
    if not isinstance(entry, dict):
        raise InputError(f"{where}: not an object", reason="bad-manifest")
    name = _need(entry, "pdf", str, where)
    if not name or Path(name).name != name or name in (".", ".."):
        raise InputError(f"{where}: pdf {name!r} is not a file name inside {folder}", reason="unsafe-path")
    pdf = folder / name
    if not pdf.is_file():
        raise InputError(f"{where}: {name} is missing from {folder}", reason="missing")
    pages: list[PageRef] = []
    for item in _need(entry, "page_numbers", list, where):
        if not isinstance(item, dict) or not isinstance(item.get("source"), str) \
                or not isinstance(item.get("page"), int) or item["page"] < 1:
            raise InputError(f"{where}: page_numbers entries need a source and a page number >= 1",
                             reason="bad-manifest")
        pages.append(PageRef(Path(item["source"]), item["page"] - 1))
    if not pages:
        raise InputError(f"{where}: no pages", reason="bad-manifest")
    dossier = _need(entry, "dossier", str, where)
    doc_type = _need(entry, "type", str, where)
    batch = entry.get("batch") if isinstance(entry.get("batch"), str) else ""
    scan_date = _mtime_iso(pages[0].source)
    events: list[Event] = []
    for source in dict.fromkeys(p.source for p in pages):
        numbers = [p.index + 1 for p in pages if p.source == source]
        events.append(Event(type="capture", datetime=_mtime_iso(source), agent="scanner", source_file=source.name,
                            source_sha256=source_sha.get(str(source), ""), source_pages=tuple(numbers),
                            detail=f"scanned file {source.name} (batch {batch}), pages {numbers}"))
    separator = entry.get("separator") if isinstance(entry.get("separator"), dict) else {}
    started_by = separated_by(str(separator.get("kind", "dsd")))
    events.append(Event(type="separation", datetime=_mtime_iso(folder / SPLIT_JSON), agent="dsd split",
                        tool=f"dsd {__version__}",
                        detail=f"{started_by} page {separator.get('page', '?')} read by "
                               f"{separator.get('reader', '?')}; document {entry.get('sequence', number)} of the "
                               "batch"))
    sequence = entry.get("sequence", number)
    for drop in dropped:  # blank pages `dsd split` left out, recorded by this document
        if isinstance(drop, dict) and drop.get("document") == sequence and isinstance(drop.get("pdf"), str):
            page = drop["page"] if isinstance(drop.get("page"), int) else 0
            events.append(Event.from_dict(filtering_event(
                Path(str(drop.get("source", "?"))).name, page, batch, str(drop.get("reason", "")),
                f"{folder.name}/{drop['pdf']}", str(drop.get("sha256", "")), _mtime_iso(folder / SPLIT_JSON),
                f"dsd {__version__}", agent="dsd split")))
    return ArchivedDocument(dossier=dossier, doc_type=doc_type, pdf=pdf, page_count=count_pages(pdf),
                            sources=tuple(pages), batch=batch, scan_date=scan_date,
                            events=tuple(e.to_dict() for e in events))


def documents_from_split(folder: Path) -> list[ArchivedDocument]:
    """The documents listed in `folder/split.json`, in order. InputError when the manifest or a PDF is unusable."""
    manifest = folder / SPLIT_JSON
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{manifest} is missing: is {folder} a folder written by `dsd split -o`?",
                         reason="missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read {manifest}: {exc}", reason="bad-manifest") from None
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
        raise InputError(f"{manifest}: no 'documents' list", reason="bad-manifest")
    source_sha = {s["path"]: s["sha256"] for s in data.get("sources", [])
                  if isinstance(s, dict) and isinstance(s.get("path"), str) and isinstance(s.get("sha256"), str)}
    dropped = data.get("dropped") if isinstance(data.get("dropped"), list) else []
    return [_document(folder, entry, n, source_sha, dropped) for n, entry in enumerate(data["documents"], start=1)]
