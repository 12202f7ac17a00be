"""Put finished documents into their dossier's bag: a new bag, or a new version of an existing one.

A version is built completely in ARCHIVE/.dsd/staging/ (unchanged payload hard-linked, not rewritten), fsynced, and
swapped into place atomically. The previous version's manifests and bag-info are kept in versions/vNNNN/. A document
whose content (SHA-256) is already in the dossier is not stored again: a re-run of the same documents changes
nothing, and the same content arriving from another batch is recorded once as a `duplicate` event. Before adding
to a bag, dsd checks it against its own manifests: a damaged bag is never extended (that would re-certify damage).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsd_cli.archive import bagio
from dsd_cli.archive.baginfo import bag_info_fields
from dsd_cli.archive.mets import build_mets
from dsd_cli.archive.record import (
    DOCUMENTS_JSON,
    METS_XML,
    check_pdf,
    document_entry,
    load_record,
    new_record,
    packaging_event,
    parse_date,
    source_files,
)
from dsd_cli.archive.retention import dossier_retention, rules_for_types
from dsd_cli.errors import ArchiveError, InputError
from dsd_cli.fsutil import atomic_copy, atomic_write_bytes, atomic_write_text, file_digests
from dsd_cli.models import ArchivedDocument
from dsd_cli.profiles import Profile
from dsd_cli.register import RegisterEntry
from dsd_cli.safepaths import dossier_path, normalise_dossier, validate_dossier

STAGING = Path(".dsd") / "staging"
RETENTION_KEYS = ("Retention-Rule-Id", "Selection-List-Version", "Retention-Period", "Retention-Trigger",
                  "Retention-Trigger-Date", "Disposition", "Disposition-Due-Date", "Legal-Hold", "Competence",
                  "Retention-Note")


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


def _same_origin(a: dict[str, Any], batch: str, sources: list[dict[str, Any]]) -> bool:
    return a.get("batch") == batch and a.get("sources") == sources


def _plan(record: dict[str, Any], documents: Sequence[ArchivedDocument], profile: Profile, dossier: str,
          stamp: str) -> tuple[list[tuple[ArchivedDocument, dict[str, Any]]], list[dict[str, Any]],
                                           list[str]]:
    """Decide per document: store it, record it as a duplicate, or skip it (already archived exactly so)."""
    known = {d["sha256"]: d for d in record["documents"]}
    # A document whose timestamp was renewed is still the one the pipeline made from those pages.
    known |= {rev["sha256"]: d for d in record["documents"] for rev in d.get("revisions", ())}
    additions: list[tuple[ArchivedDocument, dict[str, Any]]] = []
    duplicates: list[dict[str, Any]] = []
    skipped: list[str] = []
    for doc in documents:
        if normalise_dossier(doc.dossier) != dossier:
            raise ArchiveError(f"a document of dossier {doc.dossier!r} was given to dossier {dossier!r}")
        check_pdf(doc)
        sha = file_digests(doc.pdf, ("sha256",))["sha256"]
        sources = source_files(doc)
        same = known.get(sha)
        if same is None:
            number = len(record["documents"]) + len(additions) + 1
            entry = document_entry(doc, profile, number, sha, doc.pdf.stat().st_size, stamp)
            additions.append((doc, entry))
            known[sha] = entry
            continue
        seen = [same, *(d for d in record["duplicates"] + duplicates if d["sha256"] == sha)]
        if any(_same_origin(d, doc.batch, sources) for d in seen):
            skipped.append(same["id"])
            continue
        duplicates.append({"of": same["id"], "sha256": sha, "doc_type": doc.doc_type, "batch": doc.batch,
                           "sources": sources, "datetime": stamp})
    return additions, duplicates, skipped


def _retention_changed(bag: Path, fields: Sequence[tuple[str, str]]) -> bool:
    """Whether the retention fields computed now differ from those in the bag's bag-info.txt."""
    current = bagio.read_bag_info(bag)
    computed: dict[str, list[str]] = {}
    for key, value in fields:
        if key in RETENTION_KEYS:
            computed.setdefault(key, []).append(" ".join(value.split()))
    return any(current.get(key, []) != computed.get(key, []) for key in RETENTION_KEYS)


def _stage_existing(bag: Path, staged: Path, previous_version: int) -> None:
    """Copy the live bag's state into `staged`: payload as hard links (never rewritten), tag files as copies,
    and the previous manifests and bag-info into versions/vNNNN/. The top-level manifests and tag manifests are
    not copied: the new version writes its own (possibly with other algorithms), none may be left stale."""
    for path in sorted(bag.rglob("*")):
        rel = path.relative_to(bag)
        if not path.is_file() or (len(rel.parts) == 1 and rel.name.startswith(("manifest-", "tagmanifest-"))):
            continue
        (staged / rel).parent.mkdir(parents=True, exist_ok=True)
        if rel.parts[0] == "data":
            try:
                os.link(path, staged / rel)
            except OSError:
                shutil.copy2(path, staged / rel)
        else:
            shutil.copy2(path, staged / rel)
    kept = staged / "versions" / f"v{previous_version:04d}"
    kept.mkdir(parents=True, exist_ok=True)
    for name in ["bag-info.txt", *sorted(p.name for p in bag.glob("manifest-*.txt"))]:
        shutil.copy2(bag / name, kept / name)


def package_dossier(archive: Path, dossier: str, documents: Sequence[ArchivedDocument], profile: Profile,
                    register_entry: RegisterEntry | None = None, *, agent: str = "dsd",
                    now: dt.datetime | None = None) -> PackageResult:
    """Store `documents` in the dossier's bag at `dossier_path(archive, dossier)`: a new bag, or a new version.

    Idempotent: documents already archived with the same content, batch and source pages change nothing.
    Raises InputError for a document file that is missing or not a PDF, ConfigError for an unknown document type,
    ArchiveError when the existing bag is not a dsd bag, is damaged or was disposed of. Nothing is published on
    any error. Given a register entry whose dates changed the retention (a dossier closed since), it writes a new
    version with the recomputed retention even when no document is new. Callers hold the archive lock.
    """
    dossier = validate_dossier(dossier)
    if register_entry is not None and normalise_dossier(register_entry.dossier) != dossier:
        raise ArchiveError(f"register entry {register_entry.dossier!r} given for dossier {dossier!r}")
    now = now or dt.datetime.now(dt.UTC)
    stamp = now.isoformat(timespec="seconds")
    bag = dossier_path(archive, dossier)
    staging_root = archive / STAGING
    trash = staging_root / f"{bag.name}.old"
    bagio.recover_interrupted_publish(bag, trash)
    bagio.clean_staging(staging_root, bag.name)
    record = load_record(bag) if bag.exists() else None
    if bag.exists():
        if record is None or not (bag / "bagit.txt").is_file():
            raise ArchiveError(f"{bag} exists but is not a dsd dossier bag; dsd will not change it")
        bagio.check_tag_files(bag)  # documents.json is trusted only once it matches the tag manifests
        record = load_record(bag)
        disposed = bagio.read_bag_info(bag).get("Disposal-Date")
        if disposed:
            raise ArchiveError(f"dossier {dossier} was disposed of on {disposed[0]}; dsd does not add to it",
                               hint="archive new documents under a new dossier number")
    record = record or new_record(dossier)
    if record.get("dossier") != dossier:
        raise ArchiveError(f"{bag.name} holds dossier {record.get('dossier')!r}, not {dossier!r}")
    rules_for_types(profile, [d.doc_type for d in documents])  # unknown type or rule: fail before any work

    additions, duplicates, skipped = _plan(record, documents, profile, dossier, stamp)
    docs = record["documents"] + [e for _, e in additions]
    if not docs:
        raise InputError(f"no documents to package for dossier {dossier}", reason="empty")
    retention = dossier_retention(profile, [d["doc_type"] for d in docs], register_entry,
                                  document_dates=[x for x in (parse_date(d["document_date"]) for d in docs) if x],
                                  scan_dates=[x for x in (parse_date(d["scan_date"]) for d in docs) if x],
                                  legal_hold=bool(record.get("legal_hold")))
    retention_update = bool(not additions and not duplicates and register_entry is not None and bag.exists()
                            and _retention_changed(bag, bag_info_fields(profile, dossier, record, retention, 0, 0,
                                                                        now)))
    if not additions and not duplicates and not retention_update:
        return PackageResult(bag=bag, version=record["version"], stored=(), duplicates=(), unchanged=True,
                             already_archived=tuple(skipped))
    checked = bagio.checked_payload_digests(bag, profile.archive.checksums) if bag.exists() else {}

    previous_version = record["version"]
    version = previous_version + 1
    for _, entry in additions:
        entry["added_in_version"] = version
        entry["events"].append(packaging_event(stamp, agent, f"stored as {entry['path']} in bag version {version}"))
    bag_events = [packaging_event(stamp, agent, f"a {d['doc_type']} document from batch {d['batch']} has the same "
                                                f"content as {d['of']}; not stored again", "duplicate")
                  for d in duplicates]
    if retention_update:
        due = retention.due_date.isoformat() if retention.due_date else "none"
        bag_events.append(packaging_event(stamp, agent, f"bag version {version}: retention recomputed from the "
                                                        f"register (disposition due: {due})", "retention-update"))
    elif previous_version:
        bag_events.append(packaging_event(stamp, agent, f"bag version {version}: {len(additions)} document(s) "
                                                        f"added, earlier manifests kept in versions/"
                                                        f"v{previous_version:04d}", "addition"))
    record = {**record, "version": version, "documents": docs,
              "duplicates": record["duplicates"] + duplicates, "bag_events": record["bag_events"] + bag_events,
              "versions": [*record["versions"], {"version": version, "date": stamp, "agent": agent,
                                                 "added": [e["id"] for _, e in additions],
                                                 "duplicates": [d["of"] for d in duplicates]}]}

    staging_root.mkdir(parents=True, exist_ok=True)
    staged = staging_root / f"{bag.name}.{secrets.token_hex(4)}.new"
    try:
        staged.mkdir()
        if bag.exists():
            _stage_existing(bag, staged, previous_version)
        for doc, entry in additions:
            target = staged / entry["path"]
            atomic_copy(doc.pdf, target)
            checked[entry["path"]] = file_digests(target, tuple(dict.fromkeys(("sha256",
                                                                              *profile.archive.checksums))))
            if checked[entry["path"]]["sha256"] != entry["sha256"]:
                raise InputError(f"{doc.pdf.name}: the file changed while it was being archived",
                                 reason="changed-during-copy")
        atomic_write_text(staged / DOCUMENTS_JSON, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        atomic_write_bytes(staged / METS_XML, build_mets(dossier, record, profile, retention, stamp))
        atomic_write_text(staged / "bagit.txt", bagio.BAGIT_TXT)
        payload = sorted(checked)
        fields = bag_info_fields(profile, dossier, record, retention,
                                 sum((staged / p).stat().st_size for p in payload), len(payload), now)
        bagio.write_bag_info(staged, fields)
        bagio.write_manifests(staged, payload, profile.archive.checksums, "manifest", known=checked)
        bagio.write_manifests(staged, bagio.tag_files(staged), profile.archive.checksums, "tagmanifest")
        bagio.fsync_tree(staged)
        bagio.publish(staged, bag, trash)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return PackageResult(bag=bag, version=version, stored=tuple(e["path"] for _, e in additions),
                         duplicates=tuple(d["of"] for d in duplicates), already_archived=tuple(skipped))
