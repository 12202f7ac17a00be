"""Read-only views of an archive's dossiers (for `dsd show`, exports and retention lists)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsd_cli.archive.bagio import read_bag_info
from dsd_cli.archive.package import load_record
from dsd_cli.errors import ArchiveError
from dsd_cli.pipeline.layout import RESERVED_NAMES
from dsd_cli.safepaths import dossier_path


@dataclass(frozen=True)
class DossierDetails:
    dossier: str
    bag: Path
    version: int
    documents: list[dict[str, Any]]
    versions: list[dict[str, Any]]
    retention: dict[str, str] = field(default_factory=dict)


_RETENTION_FIELDS = ("Retention-Rule-Id", "Selection-List-Version", "Retention-Period", "Retention-Trigger",
                     "Retention-Trigger-Date", "Disposition", "Disposition-Due-Date", "Legal-Hold", "Competence")


def _details(bag: Path) -> DossierDetails | None:
    record = load_record(bag)
    if record is None:
        return None
    info = read_bag_info(bag)
    retention = {k: info[k][0] for k in _RETENTION_FIELDS if info.get(k)}
    notes = info.get("Retention-Note", [])
    if notes:
        retention["Retention-Note"] = "; ".join(notes)
    docs = [{k: v for k, v in d.items() if k != "events"} for d in record["documents"]]
    return DossierDetails(dossier=record["dossier"], bag=bag, version=record["version"], documents=docs,
                          versions=record["versions"], retention=retention)


def dossier_details(archive: Path, dossier: str) -> DossierDetails:
    bag = dossier_path(archive, dossier)
    details = _details(bag) if bag.is_dir() else None
    if details is None:
        raise ArchiveError(f"dossier {dossier!r} is not in the archive {archive}")
    return details


def list_dossiers(archive: Path) -> list[DossierDetails]:
    if not archive.is_dir():
        raise ArchiveError(f"{archive} is not a folder")
    found = []
    for child in sorted(archive.iterdir()):
        if child.name in RESERVED_NAMES or not (child / "bagit.txt").is_file():
            continue
        details = _details(child)
        if details is not None:
            found.append(details)
    return found
