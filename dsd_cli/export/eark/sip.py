"""Write the E-ARK SIP folder of an export, after build.py has copied the documents into
representations/rep1/data/:

    <package id>/METS.xml
    <package id>/metadata/descriptive/index.xml        dsd's index of dossiers and documents (schema in schemas/)
    <package id>/metadata/preservation/premis.xml      PREMIS 3 objects, events and agents
    <package id>/documentation/index.html, index.csv   the table of contents of the export
    <package id>/schemas/                              mets.xsd, xlink.xsd, premis-v3.xsd, dsd-export-index-1.xsd
    <package id>/representations/rep1/METS.xml
    <package id>/representations/rep1/metadata/preservation/premis.xml   the documents' PREMIS objects and events
    <package id>/representations/rep1/data/<dossier folder>/<NNNN-type>.pdf

Files are written in dependency order — everything a METS or PREMIS file describes exists (and is hashed)
before it is written.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsd_cli import __version__
from dsd_cli.export.eark.describe import SCHEMA_NAME, index_xml
from dsd_cli.export.eark.formats import other_format, pdf_format
from dsd_cli.export.eark.mets import REPRESENTATION, Header, package_mets, representation_mets
from dsd_cli.export.eark.premis import ExportFacts, PremisFile, premis_xml
from dsd_cli.export.eark.xml import FileFacts, file_facts
from dsd_cli.export.index import index_csv, index_html
from dsd_cli.export.select import SelectedDossier
from dsd_cli.fsutil import atomic_copy, atomic_write_bytes, atomic_write_text

REPRESENTATION_DATA = f"representations/{REPRESENTATION}/data"
SCHEMAS = Path(__file__).resolve().parents[2] / "data" / "schemas"
SCHEMA_FILES = ("mets.xsd", "xlink.xsd", "premis-v3.xsd", SCHEMA_NAME)
DESCRIPTIVE = "metadata/descriptive/index.xml"
PRESERVATION = "metadata/preservation/premis.xml"


@dataclass(frozen=True)
class SipInput:
    package_id: str
    rows: list[dict[str, Any]]
    """build.py's index rows; `file` is relative to the bag's data/."""
    sources: list[dict[str, Any]]
    selected: list[SelectedDossier]
    payload: dict[str, dict[str, str]]
    """bag path -> digests of the documents already copied"""
    created: str
    by: str
    criteria: str
    """The selection in English, for the descriptive metadata and PREMIS."""
    lang: str
    criteria_for_people: str = ""
    """The selection in `lang`, for the index people read (the English `criteria` when not given)."""


def new_package_id() -> str:
    """The OBJID and folder name: a fresh UUID, so it names no person and no dossier."""
    while True:
        candidate = f"uuid-{uuid.uuid4()}"
        # Eleven digits in a row could pass for a national register number, which export names may not hold.
        if not re.search(r"[0-9]{11}", candidate):
            return candidate


def _write(sip: Path, rel: str, data: bytes | str) -> str:
    target = sip / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        atomic_write_bytes(target, data)
    else:
        atomic_write_text(target, data)
    return rel


def _documents(sip: Path, given: SipInput) -> list[PremisFile]:
    """The copied documents as PREMIS files, with their archive events and original place."""
    docs = {(s.dossier, d.id): d for s in given.selected for d in s.documents}
    found = []
    for row in given.rows:
        rel = row["file"].removeprefix(f"{given.package_id}/")
        digests = given.payload[f"data/{row['file']}"]
        doc = docs[(row["dossier"], row["document"])]
        facts = file_facts(sip, rel, doc.added or given.created, digests["sha256"])
        found.append(PremisFile(facts, pdf_format(sip / rel), digests.get("sha512", ""), row["source"], doc.events))
    return found


def write_sip(sip: Path, given: SipInput) -> list[str]:
    """Write everything but the documents (already copied); returns the written paths relative to `sip`."""
    prefix = f"{given.package_id}/"
    rows = [{**r, "file": r["file"].removeprefix(prefix)} for r in given.rows]
    written = [_write(sip, "documentation/index.csv", index_csv(rows, given.lang)),
               _write(sip, "documentation/index.html", index_html(rows, given.lang, created=given.created,
                                                                  by=given.by,
                                                                  criteria=given.criteria_for_people or given.criteria,
                                                                  link_prefix="../"))]
    (sip / "schemas").mkdir(parents=True, exist_ok=True)
    for name in SCHEMA_FILES:
        atomic_copy(SCHEMAS / name, sip / "schemas" / name)
        written.append(f"schemas/{name}")
    bags = {s.dossier: s.bag for s in given.selected}
    written.append(_write(sip, DESCRIPTIVE, index_xml(given.rows, given.sources, bags, created=given.created,
                                                      criteria=given.criteria, software=f"dsd {__version__}",
                                                      file_prefix=prefix)))
    documents = _documents(sip, given)
    organisation = given.sources[0]["organisation"]
    header = Header(created=given.created, software="dsd", version=__version__, organisation=organisation)
    label = f"Export of {len(rows)} document(s) from {len(given.selected)} dossier(s)"
    rep_base = f"representations/{REPRESENTATION}/"
    export = ExportFacts(package_id=given.package_id, created=given.created, by=given.by,
                         software=f"dsd {__version__}", organisation=organisation, criteria=given.criteria)
    # CSIPSTR13: the representation's own metadata folder, with its documents' PREMIS (paths relative to it).
    rep_documents = [dataclasses.replace(d, facts=dataclasses.replace(d.facts, href=d.facts.href.removeprefix(
        rep_base))) for d in documents]
    written.append(_write(sip, f"{rep_base}{PRESERVATION}", premis_xml(rep_documents, export)))
    rep_premis = file_facts(sip / rep_base, PRESERVATION, given.created)
    written.append(_write(sip, f"{rep_base}METS.xml", representation_mets(
        label, header, [d.facts for d in rep_documents], rep_premis)))

    def facts(rel: str) -> FileFacts:
        return file_facts(sip, rel, given.created)

    others = [PremisFile(facts(rel), other_format(sip / rel)) for rel in written]
    written.append(_write(sip, PRESERVATION, premis_xml([*documents, *others], export)))
    written.append(_write(sip, "METS.xml", package_mets(
        given.package_id, label, header, descriptive=facts(DESCRIPTIVE), preservation=facts(PRESERVATION),
        documentation=[facts("documentation/index.csv"), facts("documentation/index.html")],
        schemas=[facts(f"schemas/{n}") for n in SCHEMA_FILES], representation=facts(f"{rep_base}METS.xml"))))
    return written

