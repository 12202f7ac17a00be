"""The XMP metadata of a PDF as the PDF/A rules read it (ISO 19005-2 6.6): the packet header, the PDF/A
identification (pdfaid:part, pdfaid:conformance, with the namespace and prefix the standard fixes), and the values
of the properties that mirror Info dictionary entries.

The packet is parsed by lxml without entities, DTDs or network access; a DOCTYPE makes it unreadable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

PDFAID = "http://www.aiim.org/pdfa/ns/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NAMESPACES = {"dc": "http://purl.org/dc/elements/1.1/", "pdf": "http://ns.adobe.com/pdf/1.3/",
              "xmp": "http://ns.adobe.com/xap/1.0/", "pdfaid": PDFAID}
CONFORMANCE = {"1": {"A", "B"}, "2": {"A", "B", "U"}, "3": {"A", "B", "U"}, "4": {"", "E", "F"}}
_PACKET_HEADER = re.compile(rb"<\?xpacket\b([^?]*)\?>")


@dataclass
class Xmp:
    properties: dict[str, str] = field(default_factory=dict)
    """'dc:title', 'pdfaid:part', ... -> text (an Alt's x-default or first item; a Seq's or Bag's items joined)."""
    claims: bool = False
    """Something in the packet tries to identify the file as PDF/A, even with a wrong namespace or prefix."""
    problems: list[str] = field(default_factory=list)
    """Identification and packet findings (ISO 19005-2 6.6.2.1, 6.6.4)."""

    @property
    def part(self) -> str:
        return self.properties.get("pdfaid:part", "")

    @property
    def conformance(self) -> str:
        return self.properties.get("pdfaid:conformance", "")


def _text(element: etree._Element) -> str:
    items = element.findall(f".//{{{RDF}}}li")
    if not items:
        return (element.text or "").strip()
    alt = element.find(f"{{{RDF}}}Alt")
    if alt is not None:
        chosen = next((li for li in items if li.get(XML_LANG) == "x-default"), items[0])
        return (chosen.text or "").strip()
    return ", ".join((li.text or "").strip() for li in items)


def _short(tag: str) -> str | None:
    namespace, _, local = tag[1:].partition("}")
    prefix = next((p for p, ns in NAMESPACES.items() if ns == namespace), None)
    return f"{prefix}:{local}" if prefix else None


def read_xmp(data: bytes | None) -> Xmp:
    """The packet's properties and PDF/A identification findings; `data` None when the catalog has none."""
    xmp = Xmp()
    if data is None:
        xmp.problems.append("the document catalog has no XMP metadata stream")
        return xmp
    header = _PACKET_HEADER.search(data[:512])
    if header and re.search(rb"\b(bytes|encoding)\s*=", header[1]):
        xmp.problems.append("the XMP packet header carries a 'bytes' or 'encoding' attribute")
    xmp.claims = b"pdfaid" in data or b"/pdfa/ns/id" in data
    if b"<!DOCTYPE" in data.upper():
        xmp.problems.append("the XMP metadata has a DOCTYPE declaration")
        return xmp
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data.strip(b"\x00 \t\r\n"), parser)
    except etree.XMLSyntaxError as exc:
        xmp.problems.append(f"the XMP metadata is not well-formed XML: {exc}")
        return xmp
    for description in root.iter(f"{{{RDF}}}Description"):
        for name, value in description.attrib.items():
            short = _short(name) if name.startswith("{") else None
            if short:
                xmp.properties.setdefault(short, value.strip())
        for child in description:
            short = _short(child.tag) if isinstance(child.tag, str) else None
            if short:
                xmp.properties.setdefault(short, _text(child))
    _identification(root, xmp)
    return xmp


def _identification(root: etree._Element, xmp: Xmp) -> None:
    """ISO 19005-2 6.6.4: pdfaid:part and pdfaid:conformance, in the pdfaid namespace under the pdfaid prefix."""
    wrong_prefix = any(prefix != "pdfaid" and namespace == PDFAID
                       for element in root.iter() for prefix, namespace in (element.nsmap or {}).items())
    wrong_namespace = any(prefix == "pdfaid" and namespace != PDFAID
                          for element in root.iter() for prefix, namespace in (element.nsmap or {}).items())
    if wrong_namespace:
        xmp.problems.append(f"the pdfaid prefix is bound to another namespace than {PDFAID}")
    if wrong_prefix:
        xmp.problems.append("the PDF/A identification schema is used under another prefix than 'pdfaid'")
    if not xmp.claims and not xmp.part:
        return
    part, conformance = xmp.part, xmp.conformance
    if not part:
        if not (wrong_prefix or wrong_namespace):
            xmp.problems.append("the PDF/A identification has no pdfaid:part")
    elif part not in CONFORMANCE:
        xmp.problems.append(f"pdfaid:part {part!r} is not a PDF/A part (1, 2, 3 or 4)")
    elif "pdfaid:conformance" not in xmp.properties and part != "4":
        xmp.problems.append("the PDF/A identification has no pdfaid:conformance")
    elif conformance not in CONFORMANCE[part]:
        xmp.problems.append(f"pdfaid:conformance {conformance!r} is not a conformance level of PDF/A-{part}")
