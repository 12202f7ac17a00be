"""Rules for dsd's own bags (bag-info has DSD-Profile): required fields, retention values, METS matching the payload."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lxml import etree

from dsd_cli.models import Problem

REQUIRED_FIELDS = ("External-Identifier", "Source-Organization", "Bagging-Date", "Payload-Oxum",
                   "BagIt-Profile-Identifier", "Retention-Rule-Id", "Disposition", "Retention-Period",
                   "Retention-Trigger", "Competence", "Legal-Hold", "Selection-List-Version", "DSD-Bag-Version")
METS_NS = "http://www.loc.gov/METS/"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def safe_parse_xml(path: Path) -> etree._ElementTree:
    """Parse without entities, DTDs or network; a DOCTYPE is refused outright."""
    data = path.read_bytes()
    if b"<!DOCTYPE" in data[:4096].upper():
        raise ValueError("a DOCTYPE declaration is not allowed")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.ElementTree(etree.fromstring(data, parser))


def check_dsd_bag(bag: Path, label: str, info: dict[str, list[str]], manifest_sha256: dict[str, str],
                  payload: list[str]) -> list[Problem]:
    problems: list[Problem] = []

    def error(path: str, check: str, message: str) -> None:
        problems.append(Problem(f"{label}/{path}", check, message, "error", label))

    for name in REQUIRED_FIELDS:
        if not info.get(name):
            error("bag-info.txt", "profile.required-field", f"bag-info.txt lacks {name}")
    first = {k: v[0] for k, v in info.items() if v}
    if first.get("Disposition", "B") not in ("B", "V", "S"):
        error("bag-info.txt", "profile.retention", f"Disposition {first['Disposition']!r} is not B, V or S")
    if first.get("Legal-Hold", "no") not in ("yes", "no"):
        error("bag-info.txt", "profile.retention", "Legal-Hold is not yes or no")
    for name in ("Bagging-Date", "Retention-Trigger-Date", "Disposition-Due-Date"):
        value = first.get(name, "")
        if value:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                error("bag-info.txt", "profile.date", f"{name} {value!r} is not an ISO date")
    if first.get("Legal-Hold") == "yes" and first.get("Disposition-Due-Date"):
        error("bag-info.txt", "profile.retention", "a dossier under legal hold has a disposal date")
    if first.get("Disposition-Due-Date") and first.get("Retention-Trigger-Date", "") > first["Disposition-Due-Date"]:
        error("bag-info.txt", "profile.retention", "Disposition-Due-Date is before Retention-Trigger-Date")

    mets = bag / "metadata" / "mets.xml"
    if not mets.is_file():
        error("metadata/mets.xml", "mets.missing", "the dossier has no METS description")
        return problems
    try:
        tree = safe_parse_xml(mets)
    except (etree.XMLSyntaxError, ValueError) as exc:
        error("metadata/mets.xml", "mets.malformed", f"METS is not well-formed XML: {exc}")
        return problems
    described: dict[str, str] = {}
    for file_el in tree.iter(f"{{{METS_NS}}}file"):
        flocat = file_el.find(f"{{{METS_NS}}}FLocat")
        href = flocat.get(XLINK_HREF, "") if flocat is not None else ""
        if file_el.get("CHECKSUMTYPE") == "SHA-256":
            described[href] = (file_el.get("CHECKSUM") or "").lower()
    for rel in sorted(set(manifest_sha256) | set(payload)):
        if rel not in described:
            error(rel, "mets.undescribed-file", "payload file has no entry in METS")
        elif rel in manifest_sha256 and described[rel] != manifest_sha256[rel].lower():
            error(rel, "mets.checksum", "METS checksum differs from the manifest")
    for href in sorted(set(described) - set(manifest_sha256)):
        error(href, "mets.missing-file", "METS describes a file that is not in the payload manifest")
    return problems
