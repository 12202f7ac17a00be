"""PREMIS 3 events and agents, as a dossier bag's METS and an E-ARK export's premis.xml both write them.

dsd records provenance as events (record.Event in metadata/documents.json: type, datetime, agent, tool, outcome,
detail);
these functions turn them into PREMIS and collect the agents they name, each once, with identifiers derived from
what they are, so that rewriting the XML for a new bag version keeps them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from lxml import etree

from dsd_cli.archive.record import Event

PREMIS = "http://www.loc.gov/premis/v3"
SCAN = "https://dsd.example.org/ns/scan/1"
"""dsd's namespace for the scan settings of a capture event (PREMIS eventDetailExtension)."""
_AGENT_NAMESPACE = uuid.UUID("5d1c4c3e-6f0b-4f57-9a43-2f0c0d5a9d11")


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{PREMIS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def identifier(parent: etree._Element, kind: str, id_type: str, value: str) -> None:
    """`kind`Identifier with its type and value; `kind` is object, event, agent, linkingObject, …"""
    ident = _sub(parent, f"{kind}Identifier")
    _sub(ident, f"{kind}IdentifierType", id_type)
    _sub(ident, f"{kind}IdentifierValue", value)


class Agents:
    """The agents met while writing events: the acting agent (a dsd command, the scanner), each program with its
    version, and any other agent added by key."""

    def __init__(self) -> None:
        self.found: dict[str, tuple[str, str, str, str]] = {}
        """identifier -> (name, type, version, note)"""

    def add(self, key: str, name: str, kind: str, version: str = "", note: str = "") -> str:
        agent_id = f"agent-{uuid.uuid5(_AGENT_NAMESPACE, key).hex[:12]}"
        self.found.setdefault(agent_id, (name, kind, version, note))
        return agent_id

    def actor(self, name: str) -> str:
        name = name or "dsd"
        if name == "scanner":
            return self.add("actor:scanner", "scanner", "hardware", "", "the scanner that produced the source file")
        return self.add(f"actor:{name}", name, "software", "",
                        "dsd command that acted" if name.startswith("dsd") else "")

    def tool(self, tool: str) -> str:
        name, _, version = tool.partition(" ")
        return self.add(f"tool:{tool}", name, "software", version.strip(), f"program used: {tool}")


def event_element(parent: etree._Element, *, event_id: str, kind: str, when: str, detail: str, outcome: str,
                  agents: Sequence[tuple[str, str]], objects: Sequence[tuple[str, str]],
                  extension: etree._Element | None = None) -> None:
    """A PREMIS event; `agents` are (agent identifier, role), `objects` (identifier type, value); `extension`
    goes into eventDetailExtension."""
    ev = _sub(parent, "event")
    identifier(ev, "event", "UUID", event_id)
    _sub(ev, "eventType", kind)
    _sub(ev, "eventDateTime", when)
    if detail or extension is not None:
        information = _sub(ev, "eventDetailInformation")
        if detail:
            _sub(information, "eventDetail", detail)
        if extension is not None:
            _sub(information, "eventDetailExtension").append(extension)
    _sub(_sub(ev, "eventOutcomeInformation"), "eventOutcome", outcome)
    for agent_id, role in agents:
        link = _sub(ev, "linkingAgentIdentifier")
        _sub(link, "linkingAgentIdentifierType", "local")
        _sub(link, "linkingAgentIdentifierValue", agent_id)
        _sub(link, "linkingAgentRole", role)
    for id_type, value in objects:
        identifier(ev, "linkingObject", id_type, value)


def scan_extension(scan: dict[str, Any]) -> etree._Element:
    """The scan settings of a capture event as `<scan:scan>` with one `<scan:device-option>` per device value."""
    element = etree.Element(f"{{{SCAN}}}scan", nsmap={"scan": SCAN})
    for key, value in scan.items():
        if key == "device_options" or value in (None, ""):
            continue
        element.set(key.replace("_", "-"), str(value).lower() if isinstance(value, bool) else str(value))
    for name, value in dict(scan.get("device_options") or {}).items():
        etree.SubElement(element, f"{{{SCAN}}}device-option", name=str(name), value=str(value))
    return element


def _scan_agents(scan: dict[str, Any], agents: Agents) -> list[tuple[str, str]]:
    """The scanner that captured the file (hardware) and the person who scanned, as PREMIS agents."""
    device = str(scan.get("device", ""))
    name = " ".join(str(scan[k]) for k in ("device_vendor", "device_model") if scan.get(k)) or device
    backend = f"SANE backend {scan['backend']} {scan.get('backend_version', '')}".strip() if scan.get("backend") \
        else ""
    note = "; ".join(x for x in (f"device {device}" if device != name else "", backend) if x)
    links = [(agents.add(f"device:{device}:{name}", name, "hardware", "", note or "the scanner"), "capture device")]
    if scan.get("operator"):
        operator = str(scan["operator"])
        links.append((agents.add(f"person:{operator}", operator, "person", "", "scan operator"), "implementer"))
    return links


def record_event(parent: etree._Element, event: Event, event_id: str, obj: tuple[str, str],
                 agents: Agents) -> None:
    """One of dsd's recorded events about `obj` (identifier type, value) as PREMIS; its agents go into `agents`.
    PREMIS requires a date-time: an unknown one ("" in the record) is written `unknown`. A capture event with a
    scan record names the scanner and the operator as agents and carries the settings in an eventDetailExtension."""
    detail = event.detail
    scan = dict(event.scan) if event.scan else None
    links = _scan_agents(scan, agents) if scan else [(agents.actor(event.agent), "implementer")]
    if event.tool:
        detail = f"{detail} [{event.tool}]".strip()
        links.append((agents.tool(event.tool), "executing program"))
    event_element(parent, event_id=event_id, kind=event.type, when=event.datetime or "unknown", detail=detail,
                  outcome=event.outcome, agents=links, objects=[obj],
                  extension=scan_extension(scan) if scan else None)


def agent_element(parent: etree._Element, agent_id: str, name: str, kind: str, version: str, note: str) -> None:
    agent = _sub(parent, "agent")
    identifier(agent, "agent", "local", agent_id)
    _sub(agent, "agentName", name)
    _sub(agent, "agentType", kind)
    if version:
        _sub(agent, "agentVersion", version)
    if note:
        _sub(agent, "agentNote", note)
