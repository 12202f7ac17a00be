"""metadata/preservation/premis.xml (PREMIS 3.0): one object per file of the package with its fixity, size and
format; the events the archive recorded for each document (capture, separation, OCR, signing, packaging, …);
the export's own events (the fixity check against the source bags while copying, and the creation of the
package); and every agent those events name."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

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
    events: Sequence[dict[str, Any]] = ()
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


@dataclass
class _Agents:
    """Agents met while writing events, each once: (name, type, version, note) by identifier."""

    found: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)

    def add(self, name: str, kind: str, version: str = "", note: str = "") -> str:
        agent_id = f"agent-{uuid.uuid5(_NAMESPACE, f'{kind}:{name}:{version}').hex[:12]}"
        self.found.setdefault(agent_id, (name, kind, version, note))
        return agent_id

    def actor(self, name: str) -> str:
        if name == "scanner":
            return self.add("scanner", "hardware", note="the scanner that produced the source file")
        return self.add(name or "dsd", "software")

    def tool(self, tool: str) -> str:
        name, _, version = tool.partition(" ")
        return self.add(name, "software", version.strip(), f"program used: {tool}")


def _ident(parent: etree._Element, kind: str, id_type: str, value: str) -> None:
    ident = el(parent, f"premis:{kind}Identifier")
    el(ident, f"premis:{kind}IdentifierType", id_type)
    el(ident, f"premis:{kind}IdentifierValue", value)


def _object(root: etree._Element, item: PremisFile) -> None:
    obj = el(root, "premis:object", xsi__type="premis:file")
    _ident(obj, "object", "filepath", item.facts.href)
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


def _event(root: etree._Element, event_id: str, kind: str, when: str, detail: str, outcome: str,
           agents: Sequence[tuple[str, str]], objects: Sequence[str]) -> None:
    ev = el(root, "premis:event")
    _ident(ev, "event", "UUID", event_id)
    el(ev, "premis:eventType", kind)
    el(ev, "premis:eventDateTime", when)
    if detail:
        el(el(ev, "premis:eventDetailInformation"), "premis:eventDetail", detail)
    el(el(ev, "premis:eventOutcomeInformation"), "premis:eventOutcome", outcome)
    for agent_id, role in agents:
        link = el(ev, "premis:linkingAgentIdentifier")
        el(link, "premis:linkingAgentIdentifierType", "local")
        el(link, "premis:linkingAgentIdentifierValue", agent_id)
        el(link, "premis:linkingAgentRole", role)
    for object_id in objects:
        link = el(ev, "premis:linkingObjectIdentifier")
        el(link, "premis:linkingObjectIdentifierType", "filepath")
        el(link, "premis:linkingObjectIdentifierValue", object_id)


def premis_xml(files: Sequence[PremisFile], export: ExportFacts) -> bytes:
    root = el(None, "premis:premis", nsmap={"premis": PREMIS, "xsi": XSI}, version="3.0")
    for item in files:
        _object(root, item)
    agents = _Agents()
    for item in files:
        for n, event in enumerate(item.events, start=1):
            links = [(agents.actor(str(event.get("agent", ""))), "implementer")]
            if event.get("tool"):
                links.append((agents.tool(str(event["tool"])), "executing program"))
            _event(root, str(uuid.uuid5(_NAMESPACE, f"{item.facts.href}\x00{n}")), str(event.get("type", "unknown")),
                   str(event.get("datetime") or "unknown"), str(event.get("detail", "")),
                   str(event.get("outcome", "success")), links, [item.facts.href])
    name, _, version = export.software.partition(" ")
    dsd = agents.add(name, "software", version, "wrote this package")
    person = agents.add(export.by, "person", note="user@host that ran the export")
    organisation = agents.add(export.organisation, "organization", note="submitter of the package")
    documents = [f.facts.href for f in files if f.original_name]
    _event(root, str(uuid.uuid5(_NAMESPACE, f"{export.package_id}\x00fixity")), "fixity check", export.created,
           "SHA-256 and SHA-512 of every document compared with the manifests of its source bag while it was "
           "copied", "success", [(dsd, "executing program")], documents)
    _event(root, str(uuid.uuid5(_NAMESPACE, f"{export.package_id}\x00creation")), "information package creation",
           export.created, f"E-ARK SIP {export.package_id} made by dsd export; selection: {export.criteria}",
           "success", [(person, "implementer"), (dsd, "executing program"), (organisation, "submitter")],
           [f.facts.href for f in files])
    for agent_id, (agent_name, kind, agent_version, note) in agents.found.items():
        agent = el(root, "premis:agent")
        _ident(agent, "agent", "local", agent_id)
        el(agent, "premis:agentName", agent_name)
        el(agent, "premis:agentType", kind)
        if agent_version:
            el(agent, "premis:agentVersion", agent_version)
        if note:
            el(agent, "premis:agentNote", note)
    return to_bytes(root)
