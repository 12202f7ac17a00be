"""metadata/documents.json: dsd's own record of a dossier bag (documents, versions, duplicates, bag events).

METS says the same for people and other tools; this JSON is what dsd reads back to add a version, so it never has
to parse its own METS. It is a tag file, checked against the tag manifests before dsd trusts it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from dsd_cli import __version__
from dsd_cli.errors import ArchiveError, InputError
from dsd_cli.models import ArchivedDocument
from dsd_cli.profiles import Profile
from dsd_cli.safepaths import safe_file_stem

DOCUMENTS_JSON = "metadata/documents.json"
METS_XML = "metadata/mets.xml"
RECORD_FORMAT = 1


def load_record(bag: Path) -> dict[str, Any] | None:
    """The bag's record, None when the folder is not a dsd bag; ArchiveError when the record is damaged."""
    path = bag / DOCUMENTS_JSON
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArchiveError(f"{bag.name}: {DOCUMENTS_JSON} is damaged ({exc})") from None
    if not isinstance(record, dict) or not isinstance(record.get("documents"), list) \
            or not isinstance(record.get("version"), int):
        raise ArchiveError(f"{bag.name}: {DOCUMENTS_JSON} is not a dsd dossier record")
    record.setdefault("duplicates", [])
    record.setdefault("bag_events", [])
    record.setdefault("versions", [])
    return record


def new_record(dossier: str) -> dict[str, Any]:
    return {"format": RECORD_FORMAT, "dossier": dossier, "version": 0, "documents": [], "duplicates": [],
            "bag_events": [], "versions": []}


def source_files(doc: ArchivedDocument) -> list[dict[str, Any]]:
    """The scanner files a document's pages came from, with page numbers and (when captured) checksums."""
    capture = {e.get("source_file"): e for e in doc.events if e.get("type") == "capture"}
    files: dict[str, dict[str, Any]] = {}
    for page in doc.sources:
        name = page.source.name
        entry = files.setdefault(name, {"file": name, "pages": [],
                                        "sha256": capture.get(name, {}).get("source_sha256", "")})
        entry["pages"].append(page.index + 1)
    return list(files.values())


def check_pdf(doc: ArchivedDocument) -> None:
    """Refuse what cannot be a finished PDF before anything is written (a clear error, never half a bag)."""
    path = doc.pdf
    if not path.is_file():
        raise InputError(f"{path.name}: the document file is missing", reason="missing")
    with open(path, "rb") as handle:
        head = handle.read(1024)
    if not head:
        raise InputError(f"{path.name}: the document file is empty", reason="zero-byte")
    if b"%PDF-" not in head:
        raise InputError(f"{path.name}: not a PDF file", reason="not-pdf")
    if doc.page_count < 1:
        raise InputError(f"{path.name}: a document needs at least one page", reason="empty-document")


def document_entry(doc: ArchivedDocument, profile: Profile, number: int, sha256: str, size: int,
                   stamp: str) -> dict[str, Any]:
    """The record of a newly stored document. The payload name holds a sequence number and the type only."""
    doc_type = profile.document_type(doc.doc_type)
    rule = profile.rule(doc_type.retention_rule)
    return {
        "id": f"doc-{number:04d}", "path": f"data/documents/{number:04d}-{safe_file_stem(doc.doc_type)}.pdf",
        "sha256": sha256, "size": size, "doc_type": doc.doc_type,
        "label_nl": doc_type.label_nl, "label_fr": doc_type.label_fr,
        "name": f"{doc_type.label_nl} — document {number} of the dossier", "pages": doc.page_count,
        "language": "+".join(doc.languages), "batch": doc.batch, "sources": source_files(doc),
        "scan_date": doc.scan_date, "document_date": doc.document_date,
        "retention_rule": rule.id, "retention_period": "permanent" if rule.trigger == "permanent"
        else f"P{rule.period_years}Y", "retention_trigger": rule.trigger, "disposition": rule.disposition,
        "competence": rule.competence, "added": stamp, "events": [dict(e) for e in doc.events],
        **ocr_facts(doc),
    }


def ocr_facts(doc: ArchivedDocument) -> dict[str, Any]:
    """The document's OCR substitution record (engine, versions, settings) and per-page quality, when known."""
    facts: dict[str, Any] = {}
    substitution = next((e["substitution"] for e in reversed(doc.events)
                         if e.get("type") == "ocr" and isinstance(e.get("substitution"), dict)), None)
    if substitution:
        facts["ocr"] = substitution
    if doc.quality:
        facts["quality"] = [dict(r) for r in doc.quality]
    return facts


def packaging_event(stamp: str, agent: str, detail: str, kind: str = "packaging") -> dict[str, Any]:
    return {"type": kind, "datetime": stamp, "agent": agent, "tool": f"dsd {__version__}", "outcome": "success",
            "detail": detail}


def parse_date(value: str) -> dt.date | None:
    """The date part of an ISO date or date-time, None when absent or not ISO."""
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
