"""PREMIS 3 events and agents, as a dossier bag's METS and an E-ARK export's premis.xml both write them.

dsd records provenance as events (record.Event in metadata/documents.json: type, datetime, agent, tool, outcome,
detail);
these functions turn them into PREMIS and collect the agents they name, each once, with identifiers derived from
what they are, so that rewriting the XML for a new bag version keeps them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from lxml import etree

from dsd_cli.archive.record import Event

PREMIS = "http://www.loc.gov/premis/v3"
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
                  agents: Sequence[tuple[str, str]], objects: Sequence[tuple[str, str]]) -> None:
    """A PREMIS event; `agents` are (agent identifier, role), `objects` (identifier type, value)."""
    ev = _sub(parent, "event")
    identifier(ev, "event", "UUID", event_id)
    _sub(ev, "eventType", kind)
    _sub(ev, "eventDateTime", when)
    if detail:
        _sub(_sub(ev, "eventDetailInformation"), "eventDetail", detail)
    _sub(_sub(ev, "eventOutcomeInformation"), "eventOutcome", outcome)
    for agent_id, role in agents:
        link = _sub(ev, "linkingAgentIdentifier")
        _sub(link, "linkingAgentIdentifierType", "local")
        _sub(link, "linkingAgentIdentifierValue", agent_id)
        _sub(link, "linkingAgentRole", role)
    for id_type, value in objects:
        identifier(ev, "linkingObject", id_type, value)


def record_event(parent: etree._Element, event: Event, event_id: str, obj: tuple[str, str],
                 agents: Agents) -> None:
    """One of dsd's recorded events about `obj` (identifier type, value) as PREMIS; its agents go into `agents`.
    PREMIS requires a date-time: an unknown one ("" in the record) is written `unknown`."""
    detail = event.detail
    links = [(agents.actor(event.agent), "implementer")]
    if event.tool:
        detail = f"{detail} [{event.tool}]".strip()
        links.append((agents.tool(event.tool), "executing program"))
    event_element(parent, event_id=event_id, kind=event.type, when=event.datetime or "unknown", detail=detail,
                  outcome=event.outcome, agents=links, objects=[obj])


def agent_element(parent: etree._Element, agent_id: str, name: str, kind: str, version: str, note: str) -> None:
    agent = _sub(parent, "agent")
    identifier(agent, "agent", "local", agent_id)
    _sub(agent, "agentName", name)
    _sub(agent, "agentType", kind)
    if version:
        _sub(agent, "agentVersion", version)
    if note:
        _sub(agent, "agentNote", note)
