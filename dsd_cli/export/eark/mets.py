"""The two METS documents of the SIP, following the E-ARK CSIP 2.2.0 and SIP 2.2.0 METS profiles.

- METS.xml at the package root: the package (OBJID = the package folder name), its header agents, the
  descriptive (dmdSec) and preservation (amdSec/digiprovMD) metadata files by mdRef, the Documentation, Schemas
  and Representations/rep1 file groups, and the CSIP structMap whose representation division points to the
  representation METS with an mptr.
- representations/rep1/METS.xml: the representation (OBJID rep1), with its preservation metadata
  (representations/rep1/metadata/preservation/premis.xml, CSIPSTR13) by mdRef and one file group holding the
  documents.

The root's TYPE is `Other` from the CSIP content category vocabulary (CSIP2), refined by csip:OTHERTYPE, and
xsi:schemaLocation names every schema the document uses (METS, XLink, PREMIS and the DILCIS extensions).

Every file reference carries MIMETYPE, SIZE, CREATED, CHECKSUM and CHECKSUMTYPE, and an xlink:href relative to
the METS document that makes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from dsd_cli.export.eark.xml import CSIP, METS, PREMIS, SIP, XLINK, XSI, FileFacts, el, to_bytes

CSIP_VERSION = "2.2.0"
SIP_VERSION = "2.2.0"
SIP_PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP-v2-2-0.xml"
CONTENT_CATEGORY = "Social welfare dossiers"
CONTENT_INFORMATION_TYPE = "dsd scanned dossier documents (PDF/A)"
REPRESENTATION = "rep1"
NSMAP = {"mets": METS, "xlink": XLINK, "xsi": XSI, "csip": CSIP, "sip": SIP}


@dataclass(frozen=True)
class Header:
    created: str
    software: str
    """name of the program"""
    version: str
    organisation: str
    """the archival creator and submitter of the package"""


def _root(objid: str, label: str, schemas: str) -> etree._Element:
    root = el(None, "mets:mets", nsmap=NSMAP, OBJID=objid, LABEL=label, TYPE="Other",
              csip__OTHERTYPE=CONTENT_CATEGORY, csip__CONTENTINFORMATIONTYPE="OTHER",
              csip__OTHERCONTENTINFORMATIONTYPE=CONTENT_INFORMATION_TYPE, PROFILE=SIP_PROFILE)
    # The METS, XLink and PREMIS schemas travel in the package; the DILCIS extension schemas are named by their URL.
    root.set(f"{{{XSI}}}schemaLocation", f"{METS} {schemas}mets.xsd {XLINK} {schemas}xlink.xsd "
             f"{PREMIS} {schemas}premis-v3.xsd "
             f"{CSIP} https://earkcsip.dilcis.eu/schema/DILCISExtensionMETS.xsd "
             f"{SIP} https://earksip.dilcis.eu/schema/DILCISExtensionSIPMETS.xsd")
    return root


def _header(root: etree._Element, header: Header) -> None:
    hdr = el(root, "mets:metsHdr", CREATEDATE=header.created, LASTMODDATE=header.created, RECORDSTATUS="NEW",
             csip__OAISPACKAGETYPE="SIP")
    software = el(hdr, "mets:agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    el(software, "mets:name", header.software)
    el(software, "mets:note", header.version, csip__NOTETYPE="SOFTWARE VERSION")
    # SIP9-12: the archival creator of the records; SIP15-18: the organisation submitting the package.
    for role in ("ARCHIVIST", "CREATOR"):
        el(el(hdr, "mets:agent", ROLE=role, TYPE="ORGANIZATION"), "mets:name", header.organisation)


def _checked(facts: FileFacts) -> dict[str, str]:
    return {"MIMETYPE": facts.mimetype, "SIZE": str(facts.size), "CREATED": facts.created,
            "CHECKSUM": facts.sha256, "CHECKSUMTYPE": "SHA-256"}


def _mdref(section: etree._Element, facts: FileFacts, mdtype: str, **extra: str) -> None:
    el(section, "mets:mdRef", LOCTYPE="URL", xlink__type="simple", xlink__href=facts.href, MDTYPE=mdtype,
       LABEL=facts.href.rsplit("/", 1)[-1], **extra, **_checked(facts))


def _file_group(file_sec: etree._Element, group_id: str, use: str, files: Sequence[tuple[str, FileFacts]],
                **extra: str) -> None:
    group = el(file_sec, "mets:fileGrp", ID=group_id, USE=use, **extra)
    for file_id, facts in files:
        file_el = el(group, "mets:file", ID=file_id, **_checked(facts))
        el(file_el, "mets:FLocat", LOCTYPE="URL", xlink__type="simple", xlink__href=facts.href)


def package_mets(objid: str, label: str, header: Header, *, descriptive: FileFacts, preservation: FileFacts,
                 documentation: Sequence[FileFacts], schemas: Sequence[FileFacts],
                 representation: FileFacts) -> bytes:
    """The package METS.xml; every FileFacts.href is relative to the package root."""
    root = _root(objid, label, "schemas/")
    _header(root, header)
    dmd = el(root, "mets:dmdSec", ID="dmd-index", CREATED=descriptive.created, STATUS="CURRENT")
    _mdref(dmd, descriptive, "OTHER", OTHERMDTYPE="DSD-EXPORT-INDEX", MDTYPEVERSION="1")
    amd = el(root, "mets:amdSec", ID="amd")
    prov = el(amd, "mets:digiprovMD", ID="digiprov-premis", CREATED=preservation.created, STATUS="CURRENT")
    _mdref(prov, preservation, "PREMIS", MDTYPEVERSION="3.0")
    file_sec = el(root, "mets:fileSec", ID="filesec")
    _file_group(file_sec, "grp-documentation", "Documentation",
                [(f"file-doc-{n:03d}", f) for n, f in enumerate(documentation, start=1)])
    _file_group(file_sec, "grp-schemas", "Schemas",
                [(f"file-schema-{n:03d}", f) for n, f in enumerate(schemas, start=1)])
    _file_group(file_sec, f"grp-{REPRESENTATION}", f"Representations/{REPRESENTATION}",
                [(f"file-{REPRESENTATION}-mets", representation)], csip__CONTENTINFORMATIONTYPE="OTHER",
                csip__OTHERCONTENTINFORMATIONTYPE=CONTENT_INFORMATION_TYPE)
    struct = el(root, "mets:structMap", ID="structmap-csip", TYPE="PHYSICAL", LABEL="CSIP")
    top = el(struct, "mets:div", ID="div-package", LABEL=objid)
    el(top, "mets:div", ID="div-metadata", LABEL="Metadata", ADMID="digiprov-premis", DMDID="dmd-index")
    el(el(top, "mets:div", ID="div-documentation", LABEL="Documentation"), "mets:fptr",
       FILEID="grp-documentation")
    el(el(top, "mets:div", ID="div-schemas", LABEL="Schemas"), "mets:fptr", FILEID="grp-schemas")
    rep = el(top, "mets:div", ID=f"div-{REPRESENTATION}", LABEL=f"Representations/{REPRESENTATION}")
    el(rep, "mets:mptr", LOCTYPE="URL", xlink__type="simple", xlink__href=representation.href,
       xlink__title=f"grp-{REPRESENTATION}")
    return to_bytes(root)


def representation_mets(label: str, header: Header, documents: Sequence[FileFacts], preservation: FileFacts
                        ) -> bytes:
    """representations/rep1/METS.xml; every FileFacts.href is relative to the representation folder."""
    root = _root(REPRESENTATION, label, "../../schemas/")
    _header(root, header)
    amd = el(root, "mets:amdSec", ID=f"{REPRESENTATION}-amd")
    prov = el(amd, "mets:digiprovMD", ID=f"{REPRESENTATION}-digiprov-premis", CREATED=preservation.created,
              STATUS="CURRENT")
    _mdref(prov, preservation, "PREMIS", MDTYPEVERSION="3.0")
    file_sec = el(root, "mets:fileSec", ID=f"{REPRESENTATION}-filesec")
    group_id = f"{REPRESENTATION}-grp-data"
    _file_group(file_sec, group_id, f"Representations/{REPRESENTATION}/data",
                [(f"{REPRESENTATION}-file-{n:04d}", f) for n, f in enumerate(documents, start=1)],
                csip__CONTENTINFORMATIONTYPE="OTHER", csip__OTHERCONTENTINFORMATIONTYPE=CONTENT_INFORMATION_TYPE)
    struct = el(root, "mets:structMap", ID=f"{REPRESENTATION}-structmap", TYPE="PHYSICAL", LABEL="CSIP")
    top = el(struct, "mets:div", ID=f"{REPRESENTATION}-div", LABEL=REPRESENTATION)
    el(top, "mets:div", ID=f"{REPRESENTATION}-div-metadata", LABEL="Metadata",
       ADMID=f"{REPRESENTATION}-digiprov-premis")
    el(el(top, "mets:div", ID=f"{REPRESENTATION}-div-data", LABEL="Representations"), "mets:fptr",
       FILEID=group_id)
    return to_bytes(root)
