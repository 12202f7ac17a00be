"""Read-only views of an archive's dossiers (for `dsd show`, exports and retention lists).

Only what a bag says about itself is used (bag-info.txt and metadata/documents.json): no journal, no register.
Folders that are not dsd dossier bags (`.dsd/`, `audit/`, `quarantine/`, anything else) are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsd_cli.archive.bagio import read_bag_info
from dsd_cli.archive.record import BagRecord, DocumentEntry, VersionEntry, load_record
from dsd_cli.errors import ArchiveError, UnsafePathError
from dsd_cli.safepaths import dossier_from_folder_name, dossier_path

RETENTION_FIELDS = ("Retention-Rule-Id", "Selection-List-Version", "Retention-Period", "Retention-Trigger",
                    "Retention-Trigger-Date", "Disposition", "Disposition-Due-Date", "Legal-Hold", "Competence",
                    "Disposal-Date", "Disposal-Approval")


@dataclass(frozen=True)
class DossierSummary:
    """One line of an archive listing."""

    dossier: str
    bag: Path
    version: int
    documents: int
    pages: int
    doc_types: tuple[str, ...]
    bagging_date: str
    disposition: str
    due_date: str
    """ISO date, or "" when there is none (permanent, open dossier, legal hold)."""
    legal_hold: bool
    disposal_date: str = ""
    """ISO date the documents were destroyed (the bag is a tombstone), or "" when they were not."""


@dataclass(frozen=True)
class DossierDetails:
    """Everything `dsd show` displays about a dossier."""

    dossier: str
    bag: Path
    version: int
    documents: tuple[DocumentEntry, ...]
    """The documents the current version holds (see record.DocumentEntry)."""
    versions: tuple[VersionEntry, ...]
    """Per bag version: version, date, agent, added (document ids), duplicates (ids of the documents repeated)
    and what else it changed."""
    retention: dict[str, str] = field(default_factory=dict)
    """The retention fields of bag-info.txt; `Retention-Note` joins the notes with '; '."""
    legal_hold: dict[str, Any] = field(default_factory=dict)
    """held (bool); with `dsd hold` also since, by, reason and suspended_due_date (the due date it suspends)."""
    disposal: dict[str, Any] = field(default_factory=dict)
    """Empty unless disposed of: date, approval, and per destroyed document id, doc_type, path, size, sha256."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form `dsd show --json` prints (documents without their events, with their scans)."""
        return {"dossier": self.dossier, "bag": str(self.bag), "version": self.version,
                "documents": [{**d.to_dict(events=False), "scans": [dict(s) for s in document_scans(d)]}
                              for d in self.documents],
                "versions": [v.to_dict() for v in self.versions], "retention": self.retention,
                "legal_hold": self.legal_hold, "disposal": self.disposal}


def _is_dossier_folder(path: Path) -> bool:
    if not path.is_dir() or path.is_symlink() or not (path / "bagit.txt").is_file():
        return False
    try:
        dossier_from_folder_name(path.name)
    except UnsafePathError:
        return False
    return True


def _details(bag: Path) -> DossierDetails | None:
    record = load_record(bag)
    if record is None:
        return None
    info = read_bag_info(bag)
    retention = {k: info[k][0] for k in RETENTION_FIELDS if k in info}
    if info.get("Retention-Note"):
        retention["Retention-Note"] = "; ".join(info["Retention-Note"])
    return DossierDetails(dossier=record.dossier, bag=bag, version=record.version, documents=record.documents,
                          versions=record.versions, retention=retention, legal_hold=_legal_hold(retention, record),
                          disposal=_disposal(retention, record))


def document_scans(doc: DocumentEntry) -> tuple[Mapping[str, Any], ...]:
    """How a document's pages were scanned (device, settings, operator), once per distinct scan."""
    found: list[Mapping[str, Any]] = []
    for event in doc.events:
        if event.type == "capture" and event.scan is not None and event.scan not in found:
            found.append(event.scan)
    return tuple(found)


def _legal_hold(retention: dict[str, str], record: BagRecord) -> dict[str, Any]:
    held = retention.get("Legal-Hold") == "yes"
    # A hold from the register has no record facts; one placed with `dsd hold` has them until it is lifted.
    facts = record.legal_hold.to_dict() if held and record.legal_hold is not None else {}
    return {"held": held, **facts}


def _disposal(retention: dict[str, str], record: BagRecord) -> dict[str, Any]:
    if not retention.get("Disposal-Date"):
        return {}
    destroyed = [{"id": d.id, "doc_type": d.doc_type, "path": d.path, "size": d.size, "sha256": d.sha256,
                  "disposed": d.disposed} for d in record.disposed]
    return {"date": retention["Disposal-Date"], "approval": retention.get("Disposal-Approval", ""),
            "documents": destroyed}


def dossier_details(archive: Path, dossier: str) -> DossierDetails:
    """The documents, versions and retention of one dossier. ArchiveError when it is not in the archive."""
    bag = dossier_path(archive, dossier)
    details = _details(bag) if _is_dossier_folder(bag) else None
    if details is None:
        raise ArchiveError(f"dossier {dossier!r} is not in the archive {archive}")
    return details


def list_dossiers(archive: Path) -> list[DossierSummary]:
    """A summary of every dossier bag directly inside `archive`, ordered by folder name."""
    if not archive.is_dir():
        raise ArchiveError(f"{archive} is not a folder")
    found: list[DossierSummary] = []
    for child in sorted(archive.iterdir()):
        if not _is_dossier_folder(child):
            continue
        details = _details(child)
        if details is None:
            continue
        info = details.retention
        bag_info = read_bag_info(child)
        found.append(DossierSummary(
            dossier=details.dossier, bag=child, version=details.version, documents=len(details.documents),
            pages=sum(d.pages for d in details.documents),
            doc_types=tuple(sorted({d.doc_type for d in details.documents})),
            bagging_date=(bag_info.get("Bagging-Date") or [""])[0], disposition=info.get("Disposition", ""),
            due_date=info.get("Disposition-Due-Date", ""), legal_hold=info.get("Legal-Hold") == "yes",
            disposal_date=info.get("Disposal-Date", "")))
    return found
