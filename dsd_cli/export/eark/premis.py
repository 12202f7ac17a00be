"""metadata/preservation/premis.xml (PREMIS 3.0): one object per file of the package with its fixity, size and
format; the events the archive recorded for each document (capture, separation, OCR, signing, packaging, …);
the export's own events (the fixity check against the source bags while copying, and the creation of the
package); and every agent those events name."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from dsd_cli.archive.premis import Agents, agent_element, event_element, identifier, record_event
from dsd_cli.archive.record import Event
from dsd_cli.export.eark.formats import FileFormat
from dsd_cli.export.eark.xml import PREMIS, XSI, FileFacts, el, to_bytes

_NAMESPACE = uuid.UUID("0b8f1f8e-3a57-4c1e-9d0e-6f4b8b7c2a10")


@dataclass(frozen=True)
class PremisFile:
    facts: FileFacts
    """href: the path relative to the package root (also the object's identifier)."""
    fmt: FileFormat
    sha512: str = ""
    original_name: str = ""
    """Where the file was in the archive (bag folder and path), for documents."""
    events: Sequence[Event] = ()
    """The archive's provenance events of the document (its record's `events`)."""


@dataclass(frozen=True)
class ExportFacts:
    package_id: str
    created: str
    by: str
    software: str
    """e.g. 'dsd 0.1.0'"""
    organisation: str
    criteria: str


def _object(root: etree._Element, item: PremisFile) -> None:
    obj = el(root, "premis:object", xsi__type="premis:file")
    identifier(obj, "object", "filepath", item.facts.href)
    chars = el(obj, "premis:objectCharacteristics")
    el(chars, "premis:compositionLevel", "0")
    for algorithm, digest in (("SHA-256", item.facts.sha256), ("SHA-512", item.sha512)):
        if digest:
            fixity = el(chars, "premis:fixity")
            el(fixity, "premis:messageDigestAlgorithm", algorithm)
            el(fixity, "premis:messageDigest", digest)
    el(chars, "premis:size", str(item.facts.size))
    fmt = el(chars, "premis:format")
    designation = el(fmt, "premis:formatDesignation")
    el(designation, "premis:formatName", item.fmt.name)
    if item.fmt.version:
        el(designation, "premis:formatVersion", item.fmt.version)
    if item.fmt.pronom:
        registry = el(fmt, "premis:formatRegistry")
        el(registry, "premis:formatRegistryName", "PRONOM")
        el(registry, "premis:formatRegistryKey", item.fmt.pronom)
    if item.original_name:
        el(obj, "premis:originalName", item.original_name)


def premis_xml(files: Sequence[PremisFile], export: ExportFacts) -> bytes:
    root = el(None, "premis:premis", nsmap={"premis": PREMIS, "xsi": XSI}, version="3.0")
    for item in files:
        _object(root, item)
    agents = Agents()
    for item in files:
        for n, event in enumerate(item.events, start=1):
            record_event(root, event, str(uuid.uuid5(_NAMESPACE, f"{item.facts.href}\x00{n}")),
                         ("filepath", item.facts.href), agents)
    name, _, version = export.software.partition(" ")
    dsd = agents.add(f"export-software:{export.software}", name, "software", version, "wrote this package")
    person = agents.add(f"export-person:{export.by}", export.by, "person", note="user@host that ran the export")
    organisation = agents.add(f"submitter:{export.organisation}", export.organisation, "organization",
                              note="submitter of the package")
    documents = [("filepath", f.facts.href) for f in files if f.original_name]
    event_element(root, event_id=str(uuid.uuid5(_NAMESPACE, f"{export.package_id}\x00fixity")),
                  kind="fixity check", when=export.created,
                  detail="SHA-256 and SHA-512 of every document compared with the manifests of its source bag "
                         "while it was copied", outcome="success", agents=[(dsd, "executing program")],
                  objects=documents)
    event_element(root, event_id=str(uuid.uuid5(_NAMESPACE, f"{export.package_id}\x00creation")),
                  kind="information package creation", when=export.created,
                  detail=f"E-ARK SIP {export.package_id} made by dsd export; selection: {export.criteria}",
                  outcome="success",
                  agents=[(person, "implementer"), (dsd, "executing program"), (organisation, "submitter")],
                  objects=[("filepath", f.facts.href) for f in files])
    for agent_id, (agent_name, kind, agent_version, note) in agents.found.items():
        agent_element(root, agent_id, agent_name, kind, agent_version, note)
    return to_bytes(root)
