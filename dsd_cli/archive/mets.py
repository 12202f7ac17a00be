"""metadata/mets.xml: what a dossier bag holds and how each document came to be, readable without dsd.

METS 1.12 with PREMIS 3 inside: per document a dmdSec (type, labels, dossier, dates: what the Flemish rule on
replacing paper by scans asks to register), a techMD with the PREMIS object (checksum, size, format PDF/A-2b with its
PRONOM id) and digiprovMD sections with its PREMIS events (capture, separation, OCR, format conversion, signing,
packaging, duplicates) and the agents (dsd and the tools, with versions). Every payload file has a METS file entry
whose FLocat is its path in the bag and whose CHECKSUM is its SHA-256, so verifiers can match METS to the payload.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from lxml import etree

from dsd_cli import __version__

METS = "http://www.loc.gov/METS/"
PREMIS = "http://www.loc.gov/premis/v3"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
DSD = "https://dsd.example.org/ns/document/1"
NSMAP = {"mets": METS, "premis": PREMIS, "xlink": XLINK, "xsi": XSI, "dsd": DSD}
PDFA_2B_PRONOM = "fmt/477"


def _el(parent: etree._Element, ns: str, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    # `xlink__href=` stands for the namespaced attribute xlink:href.
    names = {k: (f"{{{NSMAP[k.split('__')[0]]}}}{k.split('__')[1]}" if "__" in k else k) for k in attrs}
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", {names[k]: v for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _wrap(section: etree._Element, mdtype: str, **attrs: str) -> etree._Element:
    wrap = _el(section, METS, "mdWrap", MDTYPE=mdtype, **attrs)
    return _el(wrap, METS, "xmlData")


def _premis_object(parent: etree._Element, doc: dict[str, Any]) -> None:
    obj = etree.SubElement(parent, f"{{{PREMIS}}}object", {f"{{{XSI}}}type": "premis:file"})
    ident = _el(obj, PREMIS, "objectIdentifier")
    _el(ident, PREMIS, "objectIdentifierType", "local")
    _el(ident, PREMIS, "objectIdentifierValue", doc["id"])
    chars = _el(obj, PREMIS, "objectCharacteristics")
    fixity = _el(chars, PREMIS, "fixity")
    _el(fixity, PREMIS, "messageDigestAlgorithm", "SHA-256")
    _el(fixity, PREMIS, "messageDigest", doc["sha256"])
    _el(chars, PREMIS, "size", str(doc["size"]))
    fmt = _el(chars, PREMIS, "format")
    designation = _el(fmt, PREMIS, "formatDesignation")
    _el(designation, PREMIS, "formatName", "PDF/A-2b")
    _el(designation, PREMIS, "formatVersion", "2b")
    registry = _el(fmt, PREMIS, "formatRegistry")
    _el(registry, PREMIS, "formatRegistryName", "PRONOM")
    _el(registry, PREMIS, "formatRegistryKey", PDFA_2B_PRONOM)
    _el(obj, PREMIS, "originalName", doc["path"])


def _premis_event(parent: etree._Element, event: dict[str, Any], object_id: str, agent_id: str) -> None:
    ev = _el(parent, PREMIS, "event")
    ident = _el(ev, PREMIS, "eventIdentifier")
    _el(ident, PREMIS, "eventIdentifierType", "UUID")
    _el(ident, PREMIS, "eventIdentifierValue", event.get("id") or str(uuid.uuid4()))
    _el(ev, PREMIS, "eventType", event["type"])
    _el(ev, PREMIS, "eventDateTime", event.get("datetime") or "unknown")
    if event.get("detail") or event.get("tool"):
        info = _el(ev, PREMIS, "eventDetailInformation")
        detail = event.get("detail", "")
        if event.get("tool"):
            detail = f"{detail} [{event['tool']}]".strip()
        _el(info, PREMIS, "eventDetail", detail)
    outcome = _el(ev, PREMIS, "eventOutcomeInformation")
    _el(outcome, PREMIS, "eventOutcome", event.get("outcome", "success"))
    agent = _el(ev, PREMIS, "linkingAgentIdentifier")
    _el(agent, PREMIS, "linkingAgentIdentifierType", "local")
    _el(agent, PREMIS, "linkingAgentIdentifierValue", agent_id)
    link = _el(ev, PREMIS, "linkingObjectIdentifier")
    _el(link, PREMIS, "linkingObjectIdentifierType", "local")
    _el(link, PREMIS, "linkingObjectIdentifierValue", object_id)


def _premis_agent(parent: etree._Element, agent_id: str, name: str, kind: str, note: str) -> None:
    agent = _el(parent, PREMIS, "agent")
    ident = _el(agent, PREMIS, "agentIdentifier")
    _el(ident, PREMIS, "agentIdentifierType", "local")
    _el(ident, PREMIS, "agentIdentifierValue", agent_id)
    _el(agent, PREMIS, "agentName", name)
    _el(agent, PREMIS, "agentType", kind)
    if note:
        _el(agent, PREMIS, "agentNote", note)


def build_mets(dossier: str, documents: Sequence[dict[str, Any]], bag_events: Sequence[dict[str, Any]],
               organization: str, created: str, version: int) -> bytes:
    """The METS document for a dossier bag. `documents` are the records kept in metadata/documents.json."""
    root = etree.Element(f"{{{METS}}}mets", nsmap=NSMAP, OBJID=dossier, LABEL=f"Dossier {dossier}",
                         TYPE="dossier", PROFILE="https://dsd.example.org/mets-profile/1")
    root.set(f"{{{XSI}}}schemaLocation", f"{METS} http://www.loc.gov/standards/mets/mets.xsd")
    header = _el(root, METS, "metsHdr", CREATEDATE=created, RECORDSTATUS=f"version {version}")
    agent = _el(header, METS, "agent", ROLE="CREATOR", TYPE="ORGANIZATION")
    _el(agent, METS, "name", organization)
    software = _el(header, METS, "agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    _el(software, METS, "name", f"dsd {__version__}")

    for n, doc in enumerate(documents, start=1):
        dmd = _el(root, METS, "dmdSec", ID=f"dmd-{n:04d}")
        data = _wrap(dmd, "OTHER", OTHERMDTYPE="DSD-DOCUMENT")
        entry = _el(data, DSD, "document", id=doc["id"], dossier=dossier, category=doc["doc_type"])
        for key in ("label_nl", "label_fr", "name", "document_date", "scan_date", "batch", "retention_rule",
                    "disposition", "language", "pages", "added_in_version"):
            value = doc.get(key)
            if value not in (None, ""):
                _el(entry, DSD, key.replace("_", "-"), str(value))
        for source in doc.get("sources", []):
            _el(entry, DSD, "source", file=source["file"], sha256=source.get("sha256", ""),
                pages=" ".join(str(p) for p in source.get("pages", [])))

    amd = _el(root, METS, "amdSec", ID="amd")
    agents = {"agent-dsd": (f"dsd {__version__}", "software", "archiving pipeline")}
    # METS orders amdSec children: every techMD before every digiprovMD.
    for n, doc in enumerate(documents, start=1):
        tech = _el(amd, METS, "techMD", ID=f"tech-{n:04d}")
        _premis_object(_wrap(tech, "PREMIS:OBJECT"), doc)
    for n, doc in enumerate(documents, start=1):
        for m, event in enumerate(doc.get("events", []), start=1):
            prov = _el(amd, METS, "digiprovMD", ID=f"event-{n:04d}-{m:03d}")
            agent_id = "agent-scanner" if event.get("agent") == "scanner" else "agent-dsd"
            if agent_id == "agent-scanner":
                agents[agent_id] = ("scanner", "hardware", "the scanner that produced the source file")
            _premis_event(_wrap(prov, "PREMIS:EVENT"), event, doc["id"], agent_id)
    for m, event in enumerate(bag_events, start=1):
        prov = _el(amd, METS, "digiprovMD", ID=f"bag-event-{m:03d}")
        _premis_event(_wrap(prov, "PREMIS:EVENT"), event, dossier, "agent-dsd")
    for agent_id, (name, kind, note) in agents.items():
        prov = _el(amd, METS, "digiprovMD", ID=agent_id)
        _premis_agent(_wrap(prov, "PREMIS:AGENT"), agent_id, name, kind, note)

    file_sec = _el(root, METS, "fileSec")
    group = _el(file_sec, METS, "fileGrp", USE="Archival documents")
    for n, doc in enumerate(documents, start=1):
        file_el = _el(group, METS, "file", ID=f"file-{n:04d}", MIMETYPE="application/pdf", SIZE=str(doc["size"]),
                      CHECKSUM=doc["sha256"], CHECKSUMTYPE="SHA-256", ADMID=f"tech-{n:04d}",
                      CREATED=doc.get("added", created))
        _el(file_el, METS, "FLocat", LOCTYPE="URL", xlink__href=doc["path"], xlink__type="simple")
    struct = _el(root, METS, "structMap", TYPE="logical", LABEL="Dossier")
    top = _el(struct, METS, "div", TYPE="dossier", LABEL=dossier)
    for n, doc in enumerate(documents, start=1):
        div = _el(top, METS, "div", TYPE=doc["doc_type"], LABEL=doc.get("name", doc["doc_type"]),
                  DMDID=f"dmd-{n:04d}", ORDER=str(n))
        _el(div, METS, "fptr", FILEID=f"file-{n:04d}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


