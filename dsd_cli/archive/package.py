"""Put finished documents into their dossier's bag: a new bag, or a new version of an existing one.

A version is built completely in ARCHIVE/.dsd/staging/ (unchanged payload hard-linked, not rewritten), fsynced, and
swapped into place atomically. The previous version's manifests and bag-info are kept in versions/vNNNN/. A document
whose content (SHA-256) is already in the dossier is not stored again: a re-run of the same scan changes nothing,
and the same document arriving from another batch is recorded as a `duplicate` event.
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

from dsd_cli import __version__
from dsd_cli.archive import bagio
from dsd_cli.archive.mets import build_mets
from dsd_cli.archive.retention import compute_disposition, dossier_rule
from dsd_cli.errors import ArchiveError
from dsd_cli.fsutil import atomic_copy, atomic_write_bytes, atomic_write_text, file_digests
from dsd_cli.models import ArchivedDocument
from dsd_cli.profiles import DISPOSITIONS, Profile
from dsd_cli.register import RegisterEntry
from dsd_cli.safepaths import dossier_path, safe_file_stem, validate_dossier

DOCUMENTS_JSON = "metadata/documents.json"
METS_XML = "metadata/mets.xml"


@dataclass(frozen=True)
class PackageResult:
    bag: Path
    version: int
    stored: tuple[str, ...]
    """Payload paths added in this version."""
    duplicates: tuple[str, ...]
    """Documents not stored because their content already was in the dossier (from another batch)."""
    unchanged: bool = False
    """True when nothing had to change (every document was already archived)."""


def load_record(bag: Path) -> dict[str, Any] | None:
    path = bag / DOCUMENTS_JSON
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _sources(doc: ArchivedDocument) -> list[dict[str, Any]]:
    capture = {e.get("source_file"): e for e in doc.events if e.get("type") == "capture"}
    files: dict[str, dict[str, Any]] = {}
    for page in doc.sources:
        entry = files.setdefault(page.source.name, {"file": page.source.name, "pages": [],
                                                    "sha256": capture.get(page.source.name, {}).get(
                                                        "source_sha256", "")})
        entry["pages"].append(page.index + 1)
    return list(files.values())


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _bag_info(profile: Profile, dossier: str, record: dict[str, Any], entry: RegisterEntry | None,
              payload_bytes: int, payload_files: int, now: dt.datetime) -> list[tuple[str, str]]:
    org = profile.organization
    docs = record["documents"]
    types = sorted({d["doc_type"] for d in docs})
    rule = dossier_rule(profile, types)
    disposition = compute_disposition(rule, entry, scan_dates=[d for d in (_date(x["scan_date"]) for x in docs) if d],
                                      document_dates=[d for d in (_date(x.get("document_date", "")) for x in docs)
                                                      if d])
    fields = [
        ("Source-Organization", org.name), ("Organization-Address", org.address),
        ("Contact-Name", org.contact_name), ("Contact-Email", org.contact_email),
        ("Contact-Phone", org.contact_phone), ("External-Identifier", dossier),
        ("External-Description", f"Dossier {dossier}: {len(docs)} document(s)"),
        ("Bagging-Date", now.date().isoformat()), ("Bag-Software-Agent", f"dsd {__version__}"),
        ("Payload-Oxum", f"{payload_bytes}.{payload_files}"), ("Bag-Size", f"{payload_bytes / 1e6:.1f} MB"),
        ("Bag-Group-Identifier", org.identifier or org.name), ("Bag-Count", "1 of 1"),
        ("BagIt-Profile-Identifier", profile.profile.bagit_profile_identifier),
        ("DSD-Profile", profile.name), ("DSD-Profile-Version", profile.profile.version),
        ("DSD-Bag-Version", str(record["version"])), ("Document-Types", " ".join(types)),
        ("Retention-Rule-Id", rule.id), ("Selection-List-Version", profile.retention.selection_list_version),
        ("Retention-Period", f"P{rule.period_years}Y"), ("Retention-Trigger", rule.trigger),
        ("Retention-Trigger-Date", disposition.trigger_date.isoformat() if disposition.trigger_date else ""),
        ("Disposition", rule.disposition), ("Disposition-Meaning", DISPOSITIONS[rule.disposition]),
        ("Disposition-Due-Date", disposition.due_date.isoformat() if disposition.due_date else ""),
        ("Legal-Hold", "yes" if disposition.legal_hold else "no"), ("Competence", rule.competence),
    ]
    if disposition.note:
        fields.append(("Retention-Note", disposition.note))
    if profile.retention.shipped_defaults:
        fields.append(("Retention-Note", "retention periods are dsd's shipped defaults, not an approved "
                                         "selection list"))
    return [(k, v) for k, v in fields if v != "" or k in ("Retention-Trigger-Date", "Disposition-Due-Date")]


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def package_dossier(archive: Path, dossier: str, documents: Sequence[ArchivedDocument], profile: Profile,
                    register_entry: RegisterEntry | None = None, *, agent: str = "dsd",
                    now: dt.datetime | None = None) -> PackageResult:
    dossier = validate_dossier(dossier)
    now = now or dt.datetime.now(dt.UTC)
    stamp = now.isoformat(timespec="seconds")
    bag = dossier_path(archive, dossier)
    staging_root = archive / ".dsd" / "staging"
    trash = staging_root / f"{bag.name}.old"
    bagio.recover_interrupted_publish(bag, trash)
    record = load_record(bag) if bag.exists() else None
    if bag.exists() and record is None:
        raise ArchiveError(f"{bag} exists but is not a dsd dossier bag; dsd will not change it")
    record = record or {"dossier": dossier, "version": 0, "documents": [], "bag_events": [], "versions": []}
    known = {d["sha256"]: d for d in record["documents"]}

    additions: list[tuple[ArchivedDocument, dict[str, Any]]] = []
    duplicates: list[str] = []
    new_events: list[dict[str, Any]] = []
    for doc in documents:
        if doc.dossier != dossier:
            raise ArchiveError(f"document for dossier {doc.dossier!r} given to dossier {dossier!r}")
        profile.document_type(doc.doc_type)
        digests = file_digests(doc.pdf, ("sha256",))
        sha = digests["sha256"]
        same = known.get(sha) or next((d for _, d in additions if d["sha256"] == sha), None)
        if same is not None:
            if same.get("batch") == doc.batch and same.get("sources") == _sources(doc):
                continue  # the very same document again (a resumed run): nothing to do
            duplicates.append(same["id"])
            new_events.append({"type": "duplicate", "datetime": stamp, "agent": agent, "outcome": "success",
                               "detail": f"a {doc.doc_type} document from batch {doc.batch} has the same content "
                                         f"as {same['id']}; not stored again", "tool": f"dsd {__version__}"})
            continue
        number = len(record["documents"]) + len(additions) + 1
        doc_type = profile.document_type(doc.doc_type)
        entry = {
            "id": f"doc-{number:04d}", "path": f"data/documents/{number:04d}-{safe_file_stem(doc.doc_type)}.pdf",
            "sha256": sha, "size": doc.pdf.stat().st_size, "doc_type": doc.doc_type,
            "label_nl": doc_type.label_nl, "label_fr": doc_type.label_fr,
            "name": f"{doc_type.label_nl} ({doc.batch}, document {number})", "pages": doc.page_count,
            "language": "+".join(doc.languages), "batch": doc.batch, "sources": _sources(doc),
            "scan_date": doc.scan_date, "document_date": doc.document_date,
            "retention_rule": doc_type.retention_rule,
            "disposition": profile.rule(doc_type.retention_rule).disposition if doc_type.retention_rule else "",
            "added": stamp, "events": list(doc.events),
        }
        additions.append((doc, entry))
    if not additions and not new_events:
        return PackageResult(bag=bag, version=record["version"], stored=(), duplicates=(), unchanged=True)

    previous_version = record["version"]
    version = previous_version + 1
    for _, entry in additions:
        entry["added_in_version"] = version
        entry["events"].append({"type": "packaging", "datetime": stamp, "agent": agent, "outcome": "success",
                                "tool": f"dsd {__version__}",
                                "detail": f"stored as {entry['path']} in bag version {version}"})
    record = {**record, "version": version, "documents": record["documents"] + [e for _, e in additions],
              "bag_events": record["bag_events"] + new_events,
              "versions": [*record["versions"], {"version": version, "date": stamp, "agent": agent,
                                                 "added": [e["id"] for _, e in additions],
                                                 "duplicates": duplicates}]}

    staging_root.mkdir(parents=True, exist_ok=True)
    staged = staging_root / f"{bag.name}.{secrets.token_hex(4)}.new"
    try:
        if bag.exists():
            for path in sorted(bag.rglob("*")):
                rel = path.relative_to(bag)
                if path.is_file():
                    # Payload is linked (never rewritten); tag files are copied because they change.
                    if rel.parts[0] == "data":
                        _link_or_copy(path, staged / rel)
                    else:
                        (staged / rel).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(path, staged / rel)
            kept = staged / "versions" / f"v{previous_version:04d}"
            kept.mkdir(parents=True, exist_ok=True)
            for name in ["bag-info.txt", *(p.name for p in bag.glob("manifest-*.txt"))]:
                shutil.copy2(bag / name, kept / name)
        for doc, entry in additions:
            atomic_copy(doc.pdf, staged / entry["path"])
        (staged / "metadata").mkdir(parents=True, exist_ok=True)
        atomic_write_text(staged / DOCUMENTS_JSON, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        mets = build_mets(dossier, record["documents"], record["bag_events"], profile.organization.name, stamp,
                          version)
        atomic_write_bytes(staged / METS_XML, mets)
        atomic_write_text(staged / "bagit.txt", bagio.BAGIT_TXT)
        payload = [p for p in (staged / "data").rglob("*") if p.is_file()]
        fields = _bag_info(profile, dossier, record, register_entry, sum(p.stat().st_size for p in payload),
                           len(payload), now)
        bagio.write_bag_info(staged, fields)
        algorithms = profile.archive.checksums
        bagio.write_manifests(staged, [p.relative_to(staged).as_posix() for p in payload], algorithms, "manifest")
        bagio.write_manifests(staged, bagio.tag_files(staged), algorithms, "tagmanifest")
        bagio.fsync_tree(staged)
        bagio.publish(staged, bag, trash)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return PackageResult(bag=bag, version=version, stored=tuple(e["path"] for _, e in additions),
                         duplicates=tuple(duplicates))
