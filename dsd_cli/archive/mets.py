"""metadata/mets.xml: what a dossier bag holds and how each document came to be, readable without dsd.

METS 1.12 with PREMIS 3 inside:
- a dmdSec for the dossier (its retention as in bag-info.txt) and one per document with what the Flemish rule on
  replacing paper by scans asks to register: category (document type) and dossier, document name, the date the
  paper document was created or received (when known), the date of the scan, and the source files and pages;
- per document a techMD with the PREMIS object: SHA-256, size, format PDF/A-2b with PRONOM id fmt/477;
- digiprovMD sections with PREMIS events (capture, separation, ocr, format-conversion, signing, packaging,
  duplicate, addition) and one PREMIS agent per program and version that took part (plus dsd and the scanner);
- a fileSec where every payload file has a `file` with CHECKSUMTYPE="SHA-256", CHECKSUM, SIZE, MIMETYPE and an
  FLocat whose xlink:href is its path relative to the bag root, so a verifier can match METS to the payload.

Identifiers are derived from the dossier and the document ids, so rebuilding METS for a new bag version keeps the
identifiers of earlier events.
"""

from __future__ import annotations

import uuid

from lxml import etree

from dsd_cli import __version__
from dsd_cli.archive.premis import PREMIS, Agents, agent_element, identifier, record_event
from dsd_cli.archive.record import BagRecord, DocumentEntry
from dsd_cli.archive.retention import DossierRetention
from dsd_cli.i18n import Catalog
from dsd_cli.profiles import Profile

METS = "http://www.loc.gov/METS/"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
DSD = "https://dsd.example.org/ns/document/1"
NSMAP = {"mets": METS, "premis": PREMIS, "xlink": XLINK, "xsi": XSI, "dsd": DSD}
PDFA_2B_PRONOM = "fmt/477"
_ID_NAMESPACE = uuid.UUID("5d1c4c3e-6f0b-4f57-9a43-2f0c0d5a9d11")
# Labels a reader of mets.xml sees, in the organisation's language (profile: organization.language).
LABELS = Catalog({
    "dossier": {"nl": "Dossier {dossier}", "fr": "Dossier {dossier}"},
    "structure": {"nl": "Dossier", "fr": "Dossier"},
    "files": {"nl": "Archiefdocumenten", "fr": "Documents d'archives"},
    "version": {"nl": "versie {version}", "fr": "version {version}"},
})


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


def _premis_object(parent: etree._Element, doc: DocumentEntry) -> None:
    obj = etree.SubElement(parent, f"{{{PREMIS}}}object", {f"{{{XSI}}}type": "premis:file"})
    identifier(obj, "object", "local", doc.id)
    chars = _el(obj, PREMIS, "objectCharacteristics")
    fixity = _el(chars, PREMIS, "fixity")
    _el(fixity, PREMIS, "messageDigestAlgorithm", "SHA-256")
    _el(fixity, PREMIS, "messageDigest", doc.sha256)
    _el(chars, PREMIS, "size", str(doc.size))
    fmt = _el(chars, PREMIS, "format")
    designation = _el(fmt, PREMIS, "formatDesignation")
    _el(designation, PREMIS, "formatName", "PDF/A-2b")
    _el(designation, PREMIS, "formatVersion", "2b")
    registry = _el(fmt, PREMIS, "formatRegistry")
    _el(registry, PREMIS, "formatRegistryName", "PRONOM")
    _el(registry, PREMIS, "formatRegistryKey", PDFA_2B_PRONOM)
    _el(obj, PREMIS, "originalName", doc.path)


def _dossier_dmd(root: etree._Element, dossier: str, profile: Profile, retention: DossierRetention) -> None:
    dmd = _el(root, METS, "dmdSec", ID="dmd-dossier")
    entry = _el(_wrap(dmd, "OTHER", OTHERMDTYPE="DSD-DOSSIER"), DSD, "dossier", id=dossier)
    values = {
        "organisation": profile.organization.name, "retention-rules": retention.rule_ids,
        "selection-list-version": profile.retention.selection_list_version,
        "retention-period": retention.period, "retention-trigger": retention.trigger,
        "retention-trigger-date": retention.trigger_date.isoformat() if retention.trigger_date else "",
        "disposition": retention.disposition, "competence": retention.competence,
        "disposition-due-date": retention.due_date.isoformat() if retention.due_date else "",
        "legal-hold": "yes" if retention.legal_hold else "no",
    }
    for key, value in values.items():
        if value:
            _el(entry, DSD, key, value)
    for note in retention.notes:
        _el(entry, DSD, "retention-note", note)


def _document_dmd(root: etree._Element, n: int, dossier: str, doc: DocumentEntry) -> None:
    dmd = _el(root, METS, "dmdSec", ID=f"dmd-{n:04d}")
    entry = _el(_wrap(dmd, "OTHER", OTHERMDTYPE="DSD-DOCUMENT"), DSD, "document", id=doc.id, dossier=dossier,
                category=doc.doc_type)
    for key in ("label_nl", "label_fr", "name", "document_date", "scan_date", "batch", "retention_rule",
                "retention_period", "retention_trigger", "disposition", "competence", "language", "pages",
                "added_in_version"):
        value = getattr(doc, key)
        if value not in (None, ""):
            _el(entry, DSD, key.replace("_", "-"), str(value))
    for source in doc.sources:
        _el(entry, DSD, "source", file=source.file, sha256=source.sha256, pages=" ".join(map(str, source.pages)))
    _substitution(entry, doc)


def _substitution(entry: etree._Element, doc: DocumentEntry) -> None:
    """How the digital copy was made and how good each page came out: what replacement scanning must show."""
    if not doc.ocr and not doc.quality:
        return  # documents archived before dsd recorded it
    ocr = doc.ocr or {}
    element = _el(entry, DSD, "substitution", engine=str(ocr.get("engine", "")), tool=str(ocr.get("tool", "")),
                  languages="+".join(ocr.get("languages", [])))
    for key, value in sorted((ocr.get("settings") or {}).items()):
        _el(element, DSD, "setting", str(value).lower() if isinstance(value, bool) else str(value), name=key)
    for record in doc.quality or ():
        _el(element, DSD, "page", number=str(record["page"]), words=str(record["words"]),
            **{"confidence-mean": str(record["confidence_mean"]), "confidence-p10": str(record["confidence_p10"]),
               "orientation": str(record["orientation"]),
               "orientation-confidence": str(record["orientation_confidence"]),
               "skew-residual": str(record["skew_residual"]), "language": str(record["language"]),
               "languages": " ".join(f"{k}:{v}" for k, v in record["languages"].items()),
               "ink": str(record["ink"]), "text-lines": str(record["text_lines"]),
               "flags": " ".join(record["flags"])})


def build_mets(dossier: str, record: BagRecord, profile: Profile, retention: DossierRetention,
               created: str) -> bytes:
    """The METS document of a dossier bag, from its record (metadata/documents.json)."""
    documents = record.documents
    lang = profile.organization.language
    root = etree.Element(f"{{{METS}}}mets", nsmap=NSMAP, OBJID=dossier,
                         LABEL=LABELS("dossier", lang, dossier=dossier), TYPE="dossier",
                         PROFILE="https://dsd.example.org/mets-profile/1")
    root.set(f"{{{XSI}}}schemaLocation", f"{METS} http://www.loc.gov/standards/mets/mets.xsd "
             f"{PREMIS} http://www.loc.gov/standards/premis/v3/premis.xsd")
    header = _el(root, METS, "metsHdr", CREATEDATE=created,
                 RECORDSTATUS=LABELS("version", lang, version=record.version))
    agent = _el(header, METS, "agent", ROLE="CREATOR", TYPE="ORGANIZATION")
    _el(agent, METS, "name", profile.organization.name)
    software = _el(header, METS, "agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    _el(software, METS, "name", f"dsd {__version__}")
    _el(header, METS, "altRecordID", dossier, TYPE="dossier")

    _dossier_dmd(root, dossier, profile, retention)
    for n, doc in enumerate(documents, start=1):
        _document_dmd(root, n, dossier, doc)

    amd = _el(root, METS, "amdSec", ID="amd")
    agents = Agents()
    # METS orders amdSec children: every techMD before every digiprovMD.
    for n, doc in enumerate(documents, start=1):
        tech = _el(amd, METS, "techMD", ID=f"tech-{n:04d}")
        _premis_object(_wrap(tech, "PREMIS:OBJECT"), doc)
    for n, doc in enumerate(documents, start=1):
        for m, event in enumerate(doc.events, start=1):
            prov = _el(amd, METS, "digiprovMD", ID=f"event-{n:04d}-{m:03d}")
            event_id = str(uuid.uuid5(_ID_NAMESPACE, f"{dossier}\x00{doc.id}\x00{m}"))
            record_event(_wrap(prov, "PREMIS:EVENT"), event, event_id, ("local", doc.id), agents)
    for m, event in enumerate(record.bag_events, start=1):
        prov = _el(amd, METS, "digiprovMD", ID=f"bag-event-{m:04d}")
        event_id = str(uuid.uuid5(_ID_NAMESPACE, f"{dossier}\x00bag\x00{m}"))
        record_event(_wrap(prov, "PREMIS:EVENT"), event, event_id, ("local", dossier), agents)
    for agent_id, (name, kind, version, note) in agents.found.items():
        prov = _el(amd, METS, "digiprovMD", ID=agent_id)
        agent_element(_wrap(prov, "PREMIS:AGENT"), agent_id, name, kind, version, note)

    file_sec = _el(root, METS, "fileSec")
    group = _el(file_sec, METS, "fileGrp", USE=LABELS("files", lang))
    for n, doc in enumerate(documents, start=1):
        file_el = _el(group, METS, "file", ID=f"file-{n:04d}", MIMETYPE="application/pdf", SIZE=str(doc.size),
                      CHECKSUM=doc.sha256, CHECKSUMTYPE="SHA-256", ADMID=f"tech-{n:04d}",
                      CREATED=doc.added or created)
        _el(file_el, METS, "FLocat", LOCTYPE="URL", xlink__href=doc.path, xlink__type="simple")
    struct = _el(root, METS, "structMap", TYPE="logical", LABEL=LABELS("structure", lang))
    top = _el(struct, METS, "div", TYPE="dossier", LABEL=dossier, DMDID="dmd-dossier")
    for n, doc in enumerate(documents, start=1):
        div = _el(top, METS, "div", TYPE=doc.doc_type, LABEL=doc.name or doc.doc_type,
                  DMDID=f"dmd-{n:04d}", ORDER=str(n))
        _el(div, METS, "fptr", FILEID=f"file-{n:04d}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
