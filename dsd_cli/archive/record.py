"""metadata/documents.json: dsd's own record of a dossier bag, as typed objects with one JSON form.

METS says the same for people and other tools; this record is what dsd reads back to add a version, so it never
has to parse its own METS. It is a tag file, checked against the tag manifests before dsd trusts it.

Every object here reads the JSON that any earlier dsd wrote (`from_dict`) and writes it back (`to_dict`); keys an
object does not model are kept as they were (`extra`), so a field added by another part of dsd survives a new
version made by code that does not know it. An unknown date is always `""` in the record (older records wrote
`"unknown"` for some event times; they are read as `""`); METS, which requires a value, writes `unknown`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsd_cli import __version__
from dsd_cli.errors import ArchiveError, InputError
from dsd_cli.models import ArchivedDocument
from dsd_cli.safepaths import safe_file_stem

if TYPE_CHECKING:
    from dsd_cli.profiles import Profile

DOCUMENTS_JSON = "metadata/documents.json"
METS_XML = "metadata/mets.xml"
RECORD_FORMAT = 1
UNKNOWN_DATES = ("", "unknown")


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


def known_date(value: str) -> str:
    """A date or date-time as the record writes it: "" when unknown."""
    return "" if value in UNKNOWN_DATES else value


def _date_text(data: Mapping[str, Any], key: str) -> str:
    return known_date(_text(data, key))


def _int(data: Mapping[str, Any], key: str, default: int = 0) -> int:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


def _ints(value: Any) -> tuple[int, ...]:
    return tuple(v for v in value if isinstance(v, int)) if isinstance(value, list | tuple) else ()


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list | tuple) else []


def _extra(data: Mapping[str, Any], known: Iterable[str]) -> dict[str, Any]:
    names = set(known)
    return {k: v for k, v in data.items() if k not in names}


def _model_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.name != "extra")


@dataclass(frozen=True)
class Event:
    """A provenance event (PREMIS event in METS): what happened, when, done by whom, with which program."""

    type: str
    datetime: str
    """ISO date-time, or "" when unknown."""
    agent: str
    """Who acted: a dsd command (`dsd run`), `dsd`, or `scanner`."""
    tool: str = ""
    """The program and version used (`ocrmypdf 17.0.0`), "" when none."""
    outcome: str = "success"
    detail: str = ""
    source_file: str = ""
    """Capture events: the scanner file's name."""
    source_sha256: str = ""
    source_pages: tuple[int, ...] = ()
    scan: Mapping[str, Any] | None = None
    """Capture events of a batch with a scan record: how the file was scanned (device, SANE backend, settings,
    operator, times; see dsd_cli/scan/scan_record.py); None when nothing recorded it."""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def dsd(cls, kind: str, stamp: str, agent: str, detail: str) -> Event:
        """An event dsd itself performed (packaging, addition, legal-hold, deletion, …)."""
        return cls(type=kind, datetime=stamp, agent=agent, tool=f"dsd {__version__}", detail=detail)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Event:
        return cls(type=_text(data, "type") or "unknown", datetime=_date_text(data, "datetime"),
                   agent=_text(data, "agent"), tool=_text(data, "tool"), outcome=_text(data, "outcome") or "success",
                   detail=_text(data, "detail"), source_file=_text(data, "source_file"),
                   source_sha256=_text(data, "source_sha256"), source_pages=_ints(data.get("source_pages")),
                   scan=dict(data["scan"]) if isinstance(data.get("scan"), Mapping) else None,
                   extra=_extra(data, _model_fields(cls)))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "datetime": self.datetime, "agent": self.agent, "tool": self.tool,
                               "outcome": self.outcome, "detail": self.detail}
        if self.source_file:
            out["source_file"] = self.source_file
            out["source_sha256"] = self.source_sha256
        if self.source_pages:
            out["source_pages"] = list(self.source_pages)
        if self.scan is not None:
            out["scan"] = dict(self.scan)
        return {**out, **self.extra}


@dataclass(frozen=True)
class SourceRef:
    """A scanner file a document's pages came from: its name, the page numbers (1-based), its SHA-256."""

    file: str
    pages: tuple[int, ...]
    sha256: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SourceRef:
        return cls(file=_text(data, "file"), pages=_ints(data.get("pages")), sha256=_text(data, "sha256"))

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "pages": list(self.pages), "sha256": self.sha256}


@dataclass(frozen=True)
class Revision:
    """An earlier content of a document that was replaced by an incremental update (timestamp renewal)."""

    sha256: str
    size: int
    until_version: int
    replaced_by: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Revision:
        return cls(sha256=_text(data, "sha256"), size=_int(data, "size"), until_version=_int(data, "until_version"),
                   replaced_by=_text(data, "replaced_by"), extra=_extra(data, _model_fields(cls)))

    def to_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "size": self.size, "until_version": self.until_version,
                "replaced_by": self.replaced_by, **self.extra}


@dataclass(frozen=True)
class DocumentEntry:
    """One archived document (or, in `BagRecord.disposed`, one that was destroyed)."""

    id: str
    path: str
    """Payload path relative to the bag (`data/documents/0001-aanvraag.pdf`)."""
    sha256: str
    size: int
    doc_type: str
    label_nl: str = ""
    label_fr: str = ""
    name: str = ""
    pages: int = 0
    language: str = ""
    batch: str = ""
    sources: tuple[SourceRef, ...] = ()
    scan_date: str = ""
    """ISO date-time of the scan, "" when unknown."""
    document_date: str = ""
    """ISO date the paper document was created or received, "" when unknown."""
    retention_rule: str = ""
    retention_period: str = ""
    retention_trigger: str = ""
    disposition: str = ""
    competence: str = ""
    added: str = ""
    """When the document was stored (ISO date-time)."""
    events: tuple[Event, ...] = ()
    added_in_version: int | None = None
    revisions: tuple[Revision, ...] = ()
    ocr: Mapping[str, Any] | None = None
    """The OCR substitution record (engine, tool versions, settings); None when OCR made none."""
    quality: tuple[Mapping[str, Any], ...] | None = None
    """Per-page quality records (one JSON object per page, made by OCR); None when the document has none."""
    disposed: str = ""
    """When the document was destroyed (entries of `BagRecord.disposed` only)."""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DocumentEntry:
        quality = data.get("quality")
        return cls(
            id=_text(data, "id"), path=_text(data, "path"), sha256=_text(data, "sha256"), size=_int(data, "size"),
            doc_type=_text(data, "doc_type"), label_nl=_text(data, "label_nl"), label_fr=_text(data, "label_fr"),
            name=_text(data, "name"), pages=_int(data, "pages"), language=_text(data, "language"),
            batch=_text(data, "batch"), sources=tuple(SourceRef.from_dict(s) for s in _dicts(data.get("sources"))),
            scan_date=_date_text(data, "scan_date"), document_date=_date_text(data, "document_date"),
            retention_rule=_text(data, "retention_rule"), retention_period=_text(data, "retention_period"),
            retention_trigger=_text(data, "retention_trigger"), disposition=_text(data, "disposition"),
            competence=_text(data, "competence"), added=_text(data, "added"),
            events=tuple(Event.from_dict(e) for e in _dicts(data.get("events"))),
            added_in_version=data["added_in_version"] if isinstance(data.get("added_in_version"), int) else None,
            revisions=tuple(Revision.from_dict(r) for r in _dicts(data.get("revisions"))),
            ocr=dict(data["ocr"]) if isinstance(data.get("ocr"), dict) else None,
            quality=tuple(dict(q) for q in _dicts(quality)) if isinstance(quality, list) else None,
            disposed=_text(data, "disposed"), extra=_extra(data, _model_fields(cls)))

    def to_dict(self, *, events: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "path": self.path, "sha256": self.sha256, "size": self.size, "doc_type": self.doc_type,
            "label_nl": self.label_nl, "label_fr": self.label_fr, "name": self.name, "pages": self.pages,
            "language": self.language, "batch": self.batch, "sources": [s.to_dict() for s in self.sources],
            "scan_date": self.scan_date, "document_date": self.document_date, "retention_rule": self.retention_rule,
            "retention_period": self.retention_period, "retention_trigger": self.retention_trigger,
            "disposition": self.disposition, "competence": self.competence, "added": self.added}
        if events and not self.disposed:
            out["events"] = [e.to_dict() for e in self.events]
        if self.added_in_version is not None:
            out["added_in_version"] = self.added_in_version
        if self.revisions:
            out["revisions"] = [r.to_dict() for r in self.revisions]
        if self.ocr is not None:
            out["ocr"] = dict(self.ocr)
        if self.quality is not None:
            out["quality"] = [dict(q) for q in self.quality]
        if self.disposed:
            out["disposed"] = self.disposed
        return {**out, **self.extra}

    @property
    def known_sha256(self) -> tuple[str, ...]:
        """Its content now and every content it had before a renewal: all are the document dsd made."""
        return (self.sha256, *(r.sha256 for r in self.revisions))


@dataclass(frozen=True)
class Duplicate:
    """The same content as a stored document, arriving again from another batch or other pages."""

    of: str
    sha256: str
    doc_type: str
    batch: str
    sources: tuple[SourceRef, ...]
    datetime: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Duplicate:
        return cls(of=_text(data, "of"), sha256=_text(data, "sha256"), doc_type=_text(data, "doc_type"),
                   batch=_text(data, "batch"),
                   sources=tuple(SourceRef.from_dict(s) for s in _dicts(data.get("sources"))),
                   datetime=_date_text(data, "datetime"), extra=_extra(data, _model_fields(cls)))

    def to_dict(self) -> dict[str, Any]:
        return {"of": self.of, "sha256": self.sha256, "doc_type": self.doc_type, "batch": self.batch,
                "sources": [s.to_dict() for s in self.sources], "datetime": self.datetime, **self.extra}


@dataclass(frozen=True)
class VersionEntry:
    """One bag version: when, by whom, and what it changed."""

    version: int
    date: str
    agent: str
    added: tuple[str, ...] = ()
    """Ids of the documents stored in this version."""
    duplicates: tuple[str, ...] = ()
    """Ids of stored documents whose content arrived again."""
    change: str = ""
    """The kind of change when it is not an addition: retention-update, legal-hold, disposal, re-archived, …"""
    removed: tuple[str, ...] = ()
    renewed: tuple[str, ...] = ()
    disposal_approval: str = ""
    retention_change: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VersionEntry:
        return cls(version=_int(data, "version"), date=_text(data, "date"), agent=_text(data, "agent"),
                   added=_strings(data.get("added")), duplicates=_strings(data.get("duplicates")),
                   change=_text(data, "change"), removed=_strings(data.get("removed")),
                   renewed=_strings(data.get("renewed")), disposal_approval=_text(data, "disposal_approval"),
                   retention_change=_text(data, "retention_change"), extra=_extra(data, _model_fields(cls)))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"version": self.version, "date": self.date, "agent": self.agent,
                               "added": list(self.added), "duplicates": list(self.duplicates)}
        for key in ("change", "disposal_approval", "retention_change"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        for key in ("removed", "renewed"):
            if getattr(self, key):
                out[key] = list(getattr(self, key))
        return {**out, **self.extra}


@dataclass(frozen=True)
class LegalHold:
    """A hold placed with `dsd hold` (a hold from the register has none): who, when, why, and the due date it
    suspends."""

    since: str
    by: str
    reason: str
    suspended_due_date: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LegalHold:
        return cls(since=_text(data, "since"), by=_text(data, "by"), reason=_text(data, "reason"),
                   suspended_due_date=_text(data, "suspended_due_date"))

    def to_dict(self) -> dict[str, Any]:
        return {"since": self.since, "by": self.by, "reason": self.reason,
                "suspended_due_date": self.suspended_due_date}


@dataclass(frozen=True)
class BagRecord:
    """A dossier bag's record: its documents, versions, duplicates, bag events, destroyed documents and hold."""

    dossier: str
    version: int = 0
    documents: tuple[DocumentEntry, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    bag_events: tuple[Event, ...] = ()
    versions: tuple[VersionEntry, ...] = ()
    disposed: tuple[DocumentEntry, ...] = ()
    legal_hold: LegalHold | None = None
    archive_inventory: bool = False
    """Written inside an archive that keeps an inventory (audit/inventory.json): an archive holding this bag
    without an inventory lost it."""
    format: int = RECORD_FORMAT
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BagRecord:
        hold = data.get("legal_hold")
        return cls(
            dossier=_text(data, "dossier"), version=_int(data, "version"),
            documents=tuple(DocumentEntry.from_dict(d) for d in _dicts(data.get("documents"))),
            duplicates=tuple(Duplicate.from_dict(d) for d in _dicts(data.get("duplicates"))),
            bag_events=tuple(Event.from_dict(e) for e in _dicts(data.get("bag_events"))),
            versions=tuple(VersionEntry.from_dict(v) for v in _dicts(data.get("versions"))),
            disposed=tuple(DocumentEntry.from_dict(d) for d in _dicts(data.get("disposed"))),
            legal_hold=LegalHold.from_dict(hold) if isinstance(hold, Mapping) and hold else None,
            archive_inventory=data.get("archive_inventory") is True,
            format=_int(data, "format", RECORD_FORMAT), extra=_extra(data, _model_fields(cls)))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": self.format, "dossier": self.dossier, "version": self.version,
            "documents": [d.to_dict() for d in self.documents],
            "duplicates": [d.to_dict() for d in self.duplicates],
            "bag_events": [e.to_dict() for e in self.bag_events],
            "versions": [v.to_dict() for v in self.versions]}
        if self.disposed:
            out["disposed"] = [d.to_dict(events=False) for d in self.disposed]
        if self.legal_hold is not None:
            out["legal_hold"] = self.legal_hold.to_dict()
        if self.archive_inventory:
            out["archive_inventory"] = True
        return {**out, **self.extra}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def document(self, path: str) -> DocumentEntry | None:
        return next((d for d in self.documents if d.path == path), None)

    @property
    def known_sha256(self) -> set[str]:
        """Every content this dossier holds, held before a renewal, or held before its disposal."""
        return {sha for d in (*self.documents, *self.disposed) for sha in d.known_sha256}

    def next_version(self, stamp: str, agent: str, event: Event | None = None, **facts: Any) -> BagRecord:
        """The record of the next version, with `event` (a PREMIS event of the bag) appended and a version
        entry holding `facts` (VersionEntry fields: added, duplicates, change, removed, renewed, …)."""
        version = self.version + 1
        entry = VersionEntry(version=version, date=stamp, agent=agent, **facts)
        return dataclasses.replace(self, version=version, versions=(*self.versions, entry),
                                   bag_events=(*self.bag_events, *((event,) if event else ())))


def load_record(bag: Path) -> BagRecord | None:
    """The bag's record, None when the folder is not a dsd bag; ArchiveError when the record is damaged."""
    path = bag / DOCUMENTS_JSON
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArchiveError(f"{bag.name}: {DOCUMENTS_JSON} is damaged ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list) \
            or not isinstance(data.get("version"), int):
        raise ArchiveError(f"{bag.name}: {DOCUMENTS_JSON} is not a dsd dossier record")
    return BagRecord.from_dict(data)


def new_record(dossier: str) -> BagRecord:
    return BagRecord(dossier=dossier)


def source_files(doc: ArchivedDocument) -> tuple[SourceRef, ...]:
    """The scanner files a document's pages came from, with page numbers and (when captured) checksums."""
    capture = {e.source_file: e for e in map(Event.from_dict, doc.events) if e.type == "capture"}
    pages: dict[str, list[int]] = {}
    for page in doc.sources:
        pages.setdefault(page.source.name, []).append(page.index + 1)
    return tuple(SourceRef(file=name, pages=tuple(numbers),
                           sha256=capture[name].source_sha256 if name in capture else "")
                 for name, numbers in pages.items())


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
                   stamp: str) -> DocumentEntry:
    """The record of a newly stored document. The payload name holds a sequence number and the type only."""
    doc_type = profile.document_type(doc.doc_type)
    rule = profile.rule(doc_type.retention_rule)
    return DocumentEntry(
        id=f"doc-{number:04d}", path=f"data/documents/{number:04d}-{safe_file_stem(doc.doc_type)}.pdf",
        sha256=sha256, size=size, doc_type=doc.doc_type, label_nl=doc_type.label_nl, label_fr=doc_type.label_fr,
        name=f"{doc_type.label_nl} — document {number} of the dossier", pages=doc.page_count,
        language="+".join(doc.languages), batch=doc.batch, sources=source_files(doc),
        scan_date=known_date(doc.scan_date), document_date=known_date(doc.document_date),
        retention_rule=rule.id,
        retention_period="permanent" if rule.trigger == "permanent" else f"P{rule.period_years}Y",
        retention_trigger=rule.trigger, disposition=rule.disposition, competence=rule.competence, added=stamp,
        events=tuple(Event.from_dict(e) for e in doc.events),
        ocr=substitution_record(doc), quality=tuple(dict(q) for q in doc.quality) if doc.quality else None)


def substitution_record(doc: ArchivedDocument) -> Mapping[str, Any] | None:
    """The document's OCR substitution record (engine, versions, settings), from its last OCR event."""
    return next((dict(e["substitution"]) for e in reversed(doc.events)
                 if e.get("type") == "ocr" and isinstance(e.get("substitution"), dict)), None)


def parse_date(value: str) -> dt.date | None:
    """The date part of an ISO date or date-time, None when absent or not ISO."""
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
