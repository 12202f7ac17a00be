"""Read-only views of an archive's dossiers (for `dsd show`, exports and retention lists).

Only what a bag says about itself is used (bag-info.txt and metadata/documents.json): no journal, no register.
Folders that are not dsd dossier bags (`.dsd/`, `audit/`, `quarantine/`, anything else) are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsd_cli.archive.bagio import read_bag_info
from dsd_cli.archive.record import load_record
from dsd_cli.errors import ArchiveError, UnsafePathError
from dsd_cli.safepaths import dossier_from_folder_name, dossier_path

RETENTION_FIELDS = ("Retention-Rule-Id", "Selection-List-Version", "Retention-Period", "Retention-Trigger",
                    "Retention-Trigger-Date", "Disposition", "Disposition-Due-Date", "Legal-Hold", "Competence")


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


@dataclass(frozen=True)
class DossierDetails:
    """Everything `dsd show` displays about a dossier."""

    dossier: str
    bag: Path
    version: int
    documents: list[dict[str, Any]]
    """Per document: id, path, sha256, size, doc_type, labels, pages, batch, sources, scan/document dates, rule."""
    versions: list[dict[str, Any]]
    """Per bag version: version, date, agent, added (document ids), duplicates (ids of the documents repeated)."""
    retention: dict[str, str] = field(default_factory=dict)
    """The retention fields of bag-info.txt; `Retention-Note` joins the notes with '; '."""


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
    docs = [{k: v for k, v in d.items() if k != "events"} for d in record["documents"]]
    return DossierDetails(dossier=str(record.get("dossier", "")), bag=bag, version=record["version"],
                          documents=docs, versions=list(record["versions"]), retention=retention)


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
            pages=sum(int(d.get("pages", 0)) for d in details.documents),
            doc_types=tuple(sorted({d["doc_type"] for d in details.documents})),
            bagging_date=(bag_info.get("Bagging-Date") or [""])[0], disposition=info.get("Disposition", ""),
            due_date=info.get("Disposition-Due-Date", ""), legal_hold=info.get("Legal-Hold") == "yes"))
    return found
