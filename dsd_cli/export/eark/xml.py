"""What the E-ARK writers share: namespaces, an element helper, safe serialisation and the facts METS records
about a file (size, SHA-256, MIME type, creation time)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from dsd_cli.fsutil import sha256_file

METS = "http://www.loc.gov/METS/"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PREMIS = "http://www.loc.gov/premis/v3"
CSIP = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
DSDX = "https://dsd.example.org/ns/export-index/1"
PREFIXES = {"mets": METS, "xlink": XLINK, "xsi": XSI, "premis": PREMIS, "csip": CSIP, "sip": SIP, "dsdx": DSDX}

MIME_TYPES = {".pdf": "application/pdf", ".xml": "application/xml", ".xsd": "application/xml",
              ".html": "text/html", ".csv": "text/csv"}


def qname(name: str) -> str:
    """'csip:OTHERTYPE' -> '{namespace}OTHERTYPE'; a name without a prefix stays as it is."""
    prefix, sep, local = name.partition(":")
    return f"{{{PREFIXES[prefix]}}}{local}" if sep else name


def el(parent: etree._Element | None, name: str, text: str | None = None, nsmap: dict[str, str] | None = None,
       **attrs: str) -> etree._Element:
    """An element `prefix:name` under `parent` (a root when None). Attribute names may carry a prefix written
    with a double underscore: `csip__OTHERTYPE="…"` is csip:OTHERTYPE."""
    values = {qname(k.replace("__", ":", 1)): v for k, v in attrs.items()}
    element = etree.Element(qname(name), values, nsmap=nsmap) if parent is None \
        else etree.SubElement(parent, qname(name), values)
    if text is not None:
        element.text = text
    return element


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@dataclass(frozen=True)
class FileFacts:
    href: str
    """Path relative to the METS document that describes the file."""
    size: int
    sha256: str
    mimetype: str
    created: str


def file_facts(base: Path, rel: str, created: str, sha256: str = "") -> FileFacts:
    """The facts of `base/rel`; `sha256` when already known (the documents were hashed while copied)."""
    path = base / rel
    return FileFacts(href=rel, size=path.stat().st_size, sha256=sha256 or sha256_file(path),
                     mimetype=MIME_TYPES.get(path.suffix.lower(), "application/octet-stream"), created=created)
