"""Put finished documents into their dossier's bag: a new bag, or a new version of an existing one.

A document whose content (SHA-256) is already in the dossier is not stored again: a re-run of the same documents
changes nothing, and the same content arriving from another batch is recorded once as a `duplicate` event. Given
a register entry whose dates change the dossier's retention (a dossier closed since), a new version with the
recomputed retention is written even when no document is new. Versions are written by the archive session
(session.py, versions.py): checked before, built whole in staging, swapped in atomically, recorded in the archive
inventory and the audit log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dsd_cli.archive.baginfo import bag_info_fields, retention_differs
from dsd_cli.archive.record import (
    BagRecord,
    DocumentEntry,
    Duplicate,
    Event,
    check_pdf,
    document_entry,
    parse_date,
    source_files,
)
from dsd_cli.archive.retention import DossierRetention, dossier_retention, rules_for_types
from dsd_cli.archive.session import ArchiveSession, new_bag_record
from dsd_cli.archive.versions import VersionChange
from dsd_cli.errors import ArchiveError, InputError
from dsd_cli.fsutil import file_digests
from dsd_cli.models import ArchivedDocument
from dsd_cli.profiles import Profile
from dsd_cli.register import RegisterEntry
from dsd_cli.safepaths import dossier_path, normalise_dossier, validate_dossier


@dataclass(frozen=True)
class PackageResult:
    """What `package_dossier` did to one dossier's bag."""

    bag: Path
    version: int
    """The bag's version after the call (unchanged when nothing was stored)."""
    stored: tuple[str, ...]
    """Payload paths (relative to the bag) added in this call."""
    duplicates: tuple[str, ...]
    """Ids of stored documents whose content arrived again from elsewhere (recorded, not stored again)."""
    unchanged: bool = False
    """True when nothing had to change: every document was already archived exactly like this."""
    already_archived: tuple[str, ...] = ()
    """Ids of documents given again exactly as archived before (a re-run after a crash)."""
    retention_updated: bool = False
    """True when this version only recomputed the retention (from a register with newer dates)."""
    re_archived: bool = False
    """True when the dossier's bag was missing although the archive inventory records it: a new bag was made."""
    dossier: str = ""


def _plan(record: BagRecord, documents: Sequence[ArchivedDocument], profile: Profile, dossier: str,
          stamp: str) -> tuple[list[tuple[ArchivedDocument, DocumentEntry]], list[Duplicate], list[str]]:
    """Decide per document: store it, record it as a duplicate, or skip it (already archived exactly so)."""
    # A document whose timestamp was renewed is still the one the pipeline made from those pages.
    known = {sha: d for d in record.documents for sha in d.known_sha256}
    additions: list[tuple[ArchivedDocument, DocumentEntry]] = []
    duplicates: list[Duplicate] = []
    skipped: list[str] = []
    for doc in documents:
        sha = file_digests(doc.pdf, ("sha256",))["sha256"]
        sources = source_files(doc)
        same = known.get(sha)
        if same is None:
            number = len(record.documents) + len(additions) + 1
            entry = document_entry(doc, profile, number, sha, doc.pdf.stat().st_size, stamp)
            additions.append((doc, entry))
            known[sha] = entry
            continue
        seen = [(same.batch, same.sources), *((d.batch, d.sources) for d in (*record.duplicates, *duplicates)
                                              if d.sha256 == sha)]
        if (doc.batch, sources) in seen:
            skipped.append(same.id)
            continue
        duplicates.append(Duplicate(of=same.id, sha256=sha, doc_type=doc.doc_type, batch=doc.batch, sources=sources,
                                    datetime=stamp))
    return additions, duplicates, skipped


def _check_given(dossier: str, documents: Sequence[ArchivedDocument], profile: Profile,
                 register_entry: RegisterEntry | None) -> str:
    """What can be refused before the archive is touched: the dossier number, the register entry, the documents'
    dossier, type and file. Returns the canonical dossier number."""
    dossier = validate_dossier(dossier)
    if register_entry is not None and normalise_dossier(register_entry.dossier) != dossier:
        raise ArchiveError(f"register entry {register_entry.dossier!r} given for dossier {dossier!r}")
    rules_for_types(profile, [d.doc_type for d in documents])  # unknown type or rule: fail before any work
    for doc in documents:
        if normalise_dossier(doc.dossier) != dossier:
            raise ArchiveError(f"a document of dossier {doc.dossier!r} was given to dossier {dossier!r}")
        check_pdf(doc)
    return dossier


def _retention(profile: Profile, record: BagRecord, documents: Sequence[DocumentEntry],
               entry: RegisterEntry | None) -> DossierRetention:
    return dossier_retention(profile, [d.doc_type for d in documents], entry,
                             document_dates=[x for x in (parse_date(d.document_date) for d in documents) if x],
                             scan_dates=[x for x in (parse_date(d.scan_date) for d in documents) if x],
                             legal_hold=record.legal_hold is not None)


def package_dossier(archive: Path | ArchiveSession, dossier: str, documents: Sequence[ArchivedDocument],
                    profile: Profile, register_entry: RegisterEntry | None = None, *, agent: str = "dsd",
                    now: dt.datetime | None = None) -> PackageResult:
    """Store `documents` in the dossier's bag at `dossier_path(archive, dossier)`: a new bag, or a new version.

    `archive` is the session of a caller that holds the archive (`dsd run`), or a folder: then a session is opened
    for this call (creating the archive when the folder is new or empty). Idempotent: documents already archived
    with the same content, batch and source pages change nothing. Raises InputError for a document file that is
    missing or not a PDF, ConfigError for an unknown document type, ArchiveError when the existing bag is not a
    dsd bag, is damaged, disagrees with the archive inventory or was disposed of. Nothing is published on any
    error.
    """
    dossier = _check_given(dossier, documents, profile, register_entry)
    if not isinstance(archive, ArchiveSession):
        with ArchiveSession.open(archive, create=True) as session:
            return package_dossier(session, dossier, documents, profile, register_entry, agent=agent, now=now)
    session = archive
    now = now or dt.datetime.now(dt.UTC)
    stamp = now.isoformat(timespec="seconds")
    state = session.bag_state(dossier, hash_payload=False)
    if state is not None and state.first("Disposal-Date"):
        raise ArchiveError(f"dossier {dossier} was disposed of on {state.first('Disposal-Date')}; dsd does not add "
                           "to it", hint="archive new documents under a new dossier number")
    record = state.record if state else new_bag_record(session, dossier)
    re_archived = state is None and record.version > 0

    additions, duplicates, skipped = _plan(record, documents, profile, dossier, stamp)
    docs = (*record.documents, *(e for _, e in additions))
    if not docs:
        raise InputError(f"no documents to package for dossier {dossier}", reason="empty")
    retention = _retention(profile, record, docs, register_entry)
    retention_update = bool(not additions and not duplicates and register_entry is not None and state is not None
                            and retention_differs(state.fields, bag_info_fields(profile, dossier, record,
                                                                                retention, 0, 0, now)))
    bag = dossier_path(session.root, dossier)
    if not additions and not duplicates and not retention_update:
        return PackageResult(bag=bag, version=record.version, stored=(), duplicates=(), unchanged=True,
                             already_archived=tuple(skipped), dossier=dossier)

    previous_version = record.version
    version = previous_version + 1
    stored = tuple(dataclasses.replace(e, added_in_version=version, events=(
        *e.events, Event.dsd("packaging", stamp, agent, f"stored as {e.path} in bag version {version}")))
        for _, e in additions)
    bag_events = [Event.dsd("duplicate", stamp, agent, f"a {d.doc_type} document from batch {d.batch} has the same "
                                                       f"content as {d.of}; not stored again") for d in duplicates]
    if re_archived:
        kind = "re-archived"
        bag_events.append(Event.dsd("re-archived", stamp, agent, f"bag version {version}: the bag was missing from "
                                                                 f"the archive (the inventory recorded version "
                                                                 f"{previous_version}); made again from the scans"))
    elif retention_update:
        kind = "retention-update"
        due = retention.due_date.isoformat() if retention.due_date else "none"
        bag_events.append(Event.dsd("retention-update", stamp, agent, f"bag version {version}: retention "
                                                                      f"recomputed from the register (disposition "
                                                                      f"due: {due})"))
    elif previous_version:
        kind = "addition" if additions else "duplicate"
        bag_events.append(Event.dsd("addition", stamp, agent, f"bag version {version}: {len(additions)} document(s) "
                                                              f"added, earlier manifests kept in versions/"
                                                              f"v{previous_version:04d}"))
    else:
        kind = "packaging"
    record = dataclasses.replace(record, documents=(*record.documents, *stored),
                                 duplicates=(*record.duplicates, *duplicates))
    record = record.next_version(stamp, agent, added=tuple(e.id for e in stored),
                                 duplicates=tuple(d.of for d in duplicates),
                                 change=kind if kind in ("re-archived", "retention-update") else "")
    record = dataclasses.replace(record, bag_events=(*record.bag_events, *bag_events))
    fields = bag_info_fields(profile, dossier, record, retention, 0, 0, now)
    change = VersionChange(kind=kind, record=record, fields=fields,
                           add={e.path: doc.pdf for (doc, _), e in zip(additions, stored, strict=True)})
    written = session.write_version(state, change, profile, now=now)
    return PackageResult(bag=written.bag, version=written.version, stored=tuple(e.path for e in stored),
                         duplicates=tuple(d.of for d in duplicates), already_archived=tuple(skipped),
                         retention_updated=retention_update, re_archived=re_archived, dossier=dossier)
