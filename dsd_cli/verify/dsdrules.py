"""Rules for dsd's own bags (bag-info has DSD-Profile): the bag-info fields, retention values that agree with the
profile's rules, the manifests and tag files every dsd bag has, and METS matching the payload.

A careful attacker who edits bag-info.txt or METS also recomputes the tag manifests; these rules still catch a
Disposition, period or due date that its own retention rules do not give.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from dsd_cli.archive.bagio import read_manifest
from dsd_cli.errors import ArchiveError
from dsd_cli.findings import Problem
from dsd_cli.profiles import COMPETENCES, DISPOSITIONS, TRIGGERS, Profile
from dsd_cli.signing.keys import DEMO_MARK
from dsd_cli.verify.bagcheck import BagResult

REQUIRED_FIELDS = ("External-Identifier", "Source-Organization", "Bagging-Date", "Payload-Oxum",
                   "BagIt-Profile-Identifier", "Retention-Rule-Id", "Disposition", "Retention-Period",
                   "Retention-Trigger", "Competence", "Legal-Hold", "Selection-List-Version")
REPEATABLE = {"Retention-Note", "Organization-Address", "Contact-Name", "Contact-Email", "Contact-Phone",
              "External-Description"}
REQUIRED_TAG_FILES = ("bagit.txt", "bag-info.txt", "metadata/mets.xml", "metadata/documents.json")
STRICTNESS = {"B": 2, "S": 1, "V": 0}
"""B (keep) beats S (sample) beats V (destroy): a dossier of mixed documents gets the strictest."""
METS_NS = "http://www.loc.gov/METS/"
PREMIS_NS = "http://www.loc.gov/premis/v3"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def safe_parse_xml(path: Path) -> etree._ElementTree:
    """Parse without entities, DTDs or network; a DOCTYPE is refused outright."""
    data = path.read_bytes()
    if b"<!DOCTYPE" in data.upper():
        raise ValueError("a DOCTYPE declaration is not allowed")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    tree = etree.fromstring(data, parser).getroottree()
    if tree.docinfo.doctype:  # e.g. in a UTF-16 document, which the byte check above cannot see
        raise ValueError("a DOCTYPE declaration is not allowed")
    return tree


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later; 29 February becomes 28 February (as dsd's retention computes it)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class _Rules:
    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[Problem] = []

    def error(self, path: str, check: str, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(f"{self.label}/{path}", check, message, severity, self.label))


@dataclass
class DsdBagFindings:
    problems: list[Problem] = field(default_factory=list)
    demo_signing: bool = False
    """The bag's METS records a signing event with a dsd DEMO key: demo signatures are what the bag says it has."""


def check_dsd_bag(bag: Path, label: str, result: BagResult, profile: Profile) -> DsdBagFindings:
    """Every dsd rule for one bag whose BagIt checks have run (`result`)."""
    r = _Rules(label)
    info = result.info
    first = {k: v[0] for k, v in info.items() if v}
    _fields(info, first, profile, r)
    _retention(first, profile, r)
    _structure(result, profile, r)
    tree = _mets(bag, result, r)
    documents = bag / "metadata" / "documents.json"
    if documents.is_file():
        try:
            record = json.loads(documents.read_bytes())
        except (ValueError, OSError) as exc:
            r.error("metadata/documents.json", "profile.tag-file", f"not a readable JSON record: {exc}")
        else:
            _revisions(bag, record, result, r)
    return DsdBagFindings(r.problems, tree is not None and _records_demo_signing(tree))


def _prefix_sha256(path: Path, size: int) -> str | None:
    """SHA-256 of the first `size` bytes of `path`; None when the file is shorter."""
    digest = hashlib.sha256()
    left = size
    with open(path, "rb") as handle:
        while left and (chunk := handle.read(min(left, 1 << 20))):
            digest.update(chunk)
            left -= len(chunk)
    return None if left else digest.hexdigest()


def _revisions(bag: Path, record: object, result: BagResult, r: _Rules) -> None:
    """A document replaced by an incremental update (timestamp renewal) must still hold its earlier file as its
    first bytes, and that earlier file must be the one the earlier version's manifest names."""
    documents = record.get("documents") if isinstance(record, dict) else None
    checked = set(result.payload)
    for doc in documents if isinstance(documents, list) else ():
        if not isinstance(doc, dict) or doc.get("path") not in checked:
            continue
        rel = str(doc["path"])
        for rev in doc.get("revisions") or ():
            try:
                size, sha, until = int(rev["size"]), str(rev["sha256"]).lower(), int(rev["until_version"])
            except (KeyError, TypeError, ValueError):
                r.error("metadata/documents.json", "record.revision", f"{rel}: a revision entry is malformed")
                continue
            if _prefix_sha256(bag / rel, size) != sha:
                r.error(rel, "record.revision", f"the first {size} bytes are not the earlier file (SHA-256 "
                        f"{sha[:12]}…) that the record says this document was until version {until}: the "
                        "document was rewritten, not incrementally updated")
            earlier = bag / "versions" / f"v{until:04d}" / "manifest-sha256.txt"
            if earlier.is_file() and not _manifest_names(earlier, rel, sha):
                r.error(rel, "record.revision", f"versions/v{until:04d}/manifest-sha256.txt does not list the "
                        "earlier file the record names for this document")


def _manifest_names(manifest: Path, rel: str, sha: str) -> bool:
    try:
        return read_manifest(manifest).get(rel, "").lower() == sha
    except ArchiveError:  # a damaged old manifest does not name it
        return False


def _records_demo_signing(tree: etree._ElementTree) -> bool:
    for event in tree.iter(f"{{{PREMIS_NS}}}event"):
        kind = event.findtext(f"{{{PREMIS_NS}}}eventType") or ""
        details = " ".join(d.text or "" for d in event.iter(f"{{{PREMIS_NS}}}eventDetail"))
        if kind == "signing" and DEMO_MARK in details:
            return True
    return False


def _fields(info: dict[str, list[str]], first: dict[str, str], profile: Profile, r: _Rules) -> None:
    for name in REQUIRED_FIELDS:
        if not first.get(name):
            r.error("bag-info.txt", "profile.required-field", f"bag-info.txt lacks {name}")
    for name, values in sorted(info.items()):
        if len(values) > 1 and name not in REPEATABLE:
            r.error("bag-info.txt", "profile.repeated-field", f"{name} is given {len(values)} times")
    if first.get("DSD-Profile") and first["DSD-Profile"] != profile.name:
        r.error("bag-info.txt", "profile.mismatch", f"the bag was made under profile {first['DSD-Profile']!r}; "
                f"the rules of {profile.name!r} were applied", "warning")
    elif (profile.profile.bagit_profile_identifier and first.get("BagIt-Profile-Identifier")
          and first.get("DSD-Profile-Version") == profile.profile.version
          and first["BagIt-Profile-Identifier"] != profile.profile.bagit_profile_identifier):
        r.error("bag-info.txt", "profile.identifier", "BagIt-Profile-Identifier is not the one of the profile "
                "version the bag names")
    for name in ("Bagging-Date", "Retention-Trigger-Date", "Disposition-Due-Date"):
        value = first.get(name, "")
        if value:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                r.error("bag-info.txt", "profile.date", f"{name} {value!r} is not an ISO date (YYYY-MM-DD)")


def _date(first: dict[str, str], name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(first.get(name, ""))
    except ValueError:
        return None


def _retention(first: dict[str, str], profile: Profile, r: _Rules) -> None:
    def bad(message: str) -> None:
        r.error("bag-info.txt", "profile.retention", message)

    disposition, period = first.get("Disposition", ""), first.get("Retention-Period", "")
    if disposition and disposition not in DISPOSITIONS:
        bad(f"Disposition {disposition!r} is not B, V or S")
    if first.get("Legal-Hold", "no") not in ("yes", "no"):
        bad(f"Legal-Hold {first['Legal-Hold']!r} is not yes or no")
    if first.get("Competence") and first["Competence"] not in COMPETENCES:
        bad(f"Competence {first['Competence']!r} is not one of {', '.join(COMPETENCES)}")
    years = re.fullmatch(r"P(\d+)Y", period)
    if period and not years and period != "permanent":
        bad(f"Retention-Period {period!r} is neither an ISO 8601 period of years (P10Y) nor 'permanent'")
    for trigger in first.get("Retention-Trigger", "").split():
        if trigger not in TRIGGERS:
            bad(f"Retention-Trigger {trigger!r} is not one of {', '.join(TRIGGERS)}")
    trigger_date, due = _date(first, "Retention-Trigger-Date"), _date(first, "Disposition-Due-Date")
    if due and first.get("Legal-Hold") == "yes":
        bad("a dossier under legal hold has a Disposition-Due-Date")
    if due and period == "permanent":
        bad("a permanent dossier has a Disposition-Due-Date")
    if due and trigger_date and years and due != add_years(trigger_date, int(years[1])):
        bad(f"Disposition-Due-Date {due} is not Retention-Trigger-Date {trigger_date} + {period}")
    if due and not trigger_date:
        bad("a Disposition-Due-Date without a Retention-Trigger-Date")
    _against_rules(first, profile, bad)


def _against_rules(first: dict[str, str], profile: Profile, bad: Callable[[str], None]) -> None:
    """Under the profile's own selection list, the bag's rules must give its Disposition, period and competence."""
    if first.get("Selection-List-Version") != profile.retention.selection_list_version:
        return  # made under another selection list: its rules are not ours to apply
    known = {rule.id: rule for rule in profile.retention.rules}
    rules = []
    for rule_id in first.get("Retention-Rule-Id", "").split():
        if rule_id not in known:
            bad(f"Retention-Rule-Id {rule_id!r} is not a rule of selection list "
                f"{profile.retention.selection_list_version!r}")
            return
        rules.append(known[rule_id])
    if not rules:
        return
    disposition = max((rule.disposition for rule in rules), key=lambda d: STRICTNESS.get(d, 3))
    if first.get("Disposition") and first["Disposition"] != disposition:
        bad(f"Disposition {first['Disposition']!r} is not what its rules give ({disposition})")
    permanent = any(rule.trigger == "permanent" for rule in rules)
    period = "permanent" if permanent else f"P{max(rule.period_years for rule in rules)}Y"
    if first.get("Retention-Period") and first["Retention-Period"] != period:
        bad(f"Retention-Period {first['Retention-Period']!r} is not what its rules give ({period})")
    competence = "federal" if any(rule.competence == "federal" for rule in rules) else rules[0].competence
    if first.get("Competence") and first["Competence"] != competence:
        bad(f"Competence {first['Competence']!r} is not what its rules give ({competence})")


def _structure(result: BagResult, profile: Profile, r: _Rules) -> None:
    if result.version != "1.0":
        r.error("bagit.txt", "profile.bagit-version", f"dsd bags are BagIt 1.0; this one says {result.version}")
    if result.fetch:
        r.error("fetch.txt", "profile.fetch", "dsd bags hold every file; this one has a fetch.txt")
    for alg in profile.archive.checksums:
        if alg not in result.payload_algorithms:
            r.error(f"manifest-{alg}.txt", "profile.manifests", f"the profile requires a {alg} payload manifest")
        listed = result.tag_listed.get(alg)
        if listed is None:
            r.error(f"tagmanifest-{alg}.txt", "profile.manifests",
                    f"the profile requires a {alg} tag manifest (without it, bag-info and METS are unprotected)")
            continue
        needed = {*REQUIRED_TAG_FILES, *(f"manifest-{a}.txt" for a in result.payload_algorithms),
                  *result.tag_files}
        for name in sorted(needed - listed):
            r.error(name, "profile.tag-coverage", f"not listed in tagmanifest-{alg}.txt: changes to it would "
                    "go unnoticed")


def _mets(bag: Path, result: BagResult, r: _Rules) -> etree._ElementTree | None:
    mets = bag / "metadata" / "mets.xml"
    if not mets.is_file() or mets.is_symlink():
        r.error("metadata/mets.xml", "mets.missing", "the dossier has no METS description")
        return None
    try:
        tree = safe_parse_xml(mets)
    except (etree.XMLSyntaxError, ValueError, OSError) as exc:
        r.error("metadata/mets.xml", "mets.malformed", f"METS is not well-formed, safe XML: {exc}")
        return None
    described: dict[str, str] = {}
    for file_el in tree.iter(f"{{{METS_NS}}}file"):
        flocat = file_el.find(f"{{{METS_NS}}}FLocat")
        href = flocat.get(XLINK_HREF, "") if flocat is not None else ""
        if href in described:
            r.error(href, "mets.duplicate-file", "METS describes this file twice")
        if file_el.get("CHECKSUMTYPE") == "SHA-256":
            described[href] = (file_el.get("CHECKSUM") or "").lower()
        else:
            described[href] = ""
    manifest = result.manifest_sha256
    for rel in sorted(set(manifest) | set(result.payload)):
        if rel not in described:
            r.error(rel, "mets.undescribed-file", "payload file has no file entry in METS")
        elif rel in manifest and described[rel] != manifest[rel].lower():
            r.error(rel, "mets.checksum", "the SHA-256 in METS differs from the payload manifest"
                    if described[rel] else "METS gives no SHA-256 for this file")
    for href in sorted(set(described) - set(manifest)):
        r.error(href, "mets.missing-file", "METS describes a file that is not in the payload manifest")
    return tree
