"""Archive-level checks of `dsd verify ARCHIVE`: the archive inventory against the bags and the audit log.

The inventory (audit/inventory.json, see dsd_cli/archive/inventory.py) says which dossiers the archive must hold,
at which bag version and with which tag manifest; the audit log carries the SHA-256 of every inventory dsd wrote
and the version of every bag change. Each way the three can disagree has its own check name (an error):

- `archive.missing-dossier`: a dossier of the inventory has no bag;
- `archive.rolled-back`: a bag is at an older version than the inventory records (replaced by an older copy);
- `archive.unrecorded-version`: a bag is at a newer version than the inventory records;
- `archive.bag-replaced`: a bag has the recorded version number but not the recorded tag manifest;
- `archive.unknown-bag`: a bag the inventory does not list (added by hand, copied from elsewhere);
- `archive.inventory-edited`: the inventory is not the one the audit log recorded last (edited, or rolled back);
- `archive.inventory-missing`: the inventory is gone although the audit log (or a bag's record) says the archive
  kept one;
- `archive.inventory-disagrees`: the inventory does not hold the versions the audit log records for its dossiers,
  or the log records no inventory at all;
- `archive.inventory-malformed`, `archive.disposal-certificate` (a recorded certificate missing or changed).

An archive made before dsd kept an inventory gets the warning `archive.no-inventory` (`dsd inventory --build`
makes one). Nothing here changes what it verifies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsd_cli.archive.inventory import AUDIT_ACTION, Inventory, bags_on_disk, inventory_digest
from dsd_cli.archive.layout import AUDIT_DIR, INVENTORY, ArchiveLayout
from dsd_cli.archive.record import load_record
from dsd_cli.audit import read_entries
from dsd_cli.errors import ArchiveError
from dsd_cli.findings import Problem
from dsd_cli.fsutil import sha256_file

INVENTORY_PATH = f"{AUDIT_DIR}/{INVENTORY}"


@dataclass
class ArchiveFindings:
    problems: list[Problem] = field(default_factory=list)
    inventory: bool = False
    """An inventory was compared with the bags and the audit log."""
    dossiers: int = 0
    """How many dossiers the inventory lists (each was looked for: a verdict on them, even when all are gone)."""

    def error(self, path: str, check: str, message: str, bag: str = "") -> None:
        self.problems.append(Problem(path, check, message, "error", bag))


def _detail(entry: dict[str, Any]) -> dict[str, Any]:
    detail = entry.get("detail")
    return detail if isinstance(detail, dict) else {}


def _bag_expects_inventory(bags: list[Path]) -> bool:
    for bag in bags:
        try:
            record = load_record(bag)
        except ArchiveError:
            continue
        if record is not None and record.archive_inventory:
            return True
    return False


def _recorded_versions(entries: list[dict[str, Any]]) -> dict[str, tuple[int, str]]:
    """Dossier -> (bag version, tag manifest SHA-256) of the last inventory change the audit log records for it."""
    versions: dict[str, tuple[int, str]] = {}
    for entry in entries:
        detail, dossier = _detail(entry), entry.get("dossier")
        if isinstance(dossier, str) and dossier and isinstance(detail.get("bag_version"), int):
            versions[dossier] = (detail["bag_version"], str(detail.get("tagmanifest_sha256", "")))
    return versions


def check_archive(root: Path) -> ArchiveFindings:
    """Compare the archive's inventory with its bags and its audit log (see the module docstring)."""
    layout = ArchiveLayout(root)
    findings = ArchiveFindings()
    on_disk = bags_on_disk(root)
    changes = read_entries(layout.audit_log, AUDIT_ACTION)
    if layout.pending_change.is_file():
        findings.problems.append(Problem(INVENTORY_PATH, "archive.interrupted-change", "a bag change was "
                                         "interrupted before the inventory recorded it; the next dsd command on the "
                                         "archive records or drops it", "warning"))
    try:
        text = layout.inventory.read_text(encoding="utf-8")
    except FileNotFoundError:
        if changes or _bag_expects_inventory([b.bag for b in on_disk.values()]):
            findings.error(INVENTORY_PATH, "archive.inventory-missing",
                           f"the archive inventory is missing, but the archive kept one ("
                           f"{len(changes)} inventory change(s) in the audit log): deleted or lost bags can no "
                           "longer be told; restore it from a backup")
        elif on_disk:
            findings.problems.append(Problem(INVENTORY_PATH, "archive.no-inventory", "the archive was made before "
                                             "dsd kept an inventory: a deleted or rolled-back bag cannot be told; "
                                             "make one with `dsd inventory --archive DIR --build`", "warning"))
        return findings
    except (OSError, UnicodeDecodeError) as exc:
        findings.error(INVENTORY_PATH, "archive.inventory-malformed", f"the inventory cannot be read: {exc}")
        return findings
    try:
        inventory = Inventory.from_json(text)
        inventory.validate()
    except ValueError as exc:
        findings.error(INVENTORY_PATH, "archive.inventory-malformed", f"not a dsd archive inventory: {exc}")
        return findings
    findings.inventory = True
    findings.dossiers = len(inventory.dossiers)
    _against_audit_log(inventory, inventory_digest(text), changes, findings)
    _against_bags(inventory, on_disk, root, findings)
    return findings


def _against_audit_log(inventory: Inventory, digest: str, changes: list[dict[str, Any]],
                       findings: ArchiveFindings) -> None:
    if not changes:
        findings.error(INVENTORY_PATH, "archive.inventory-disagrees", "the audit log records no inventory: this "
                       "inventory was not written by dsd in this archive")
        return
    if _detail(changes[-1]).get("inventory_sha256") != digest:
        earlier = any(_detail(e).get("inventory_sha256") == digest for e in changes[:-1])
        findings.error(INVENTORY_PATH, "archive.inventory-edited",
                       "the inventory is an earlier one than the audit log recorded last: it was rolled back"
                       if earlier else "the inventory is not the one the audit log recorded last: it was edited")
    for dossier, (version, tagmanifest) in sorted(_recorded_versions(changes).items()):
        entry = inventory.dossiers.get(dossier)
        if entry is None:
            findings.error(INVENTORY_PATH, "archive.inventory-disagrees", f"the audit log records dossier {dossier} "
                           f"at bag version {version}; the inventory does not list it")
        elif (entry.version, entry.tagmanifest_sha256) != (version, tagmanifest):
            findings.error(INVENTORY_PATH, "archive.inventory-disagrees", f"the audit log records dossier {dossier} "
                           f"at bag version {version}; the inventory records version {entry.version}"
                           + (" with another tag manifest" if entry.version == version else ""))


def _against_bags(inventory: Inventory, on_disk: dict[str, Any], root: Path, findings: ArchiveFindings) -> None:
    for dossier, entry in sorted(inventory.dossiers.items()):
        bag = on_disk.get(dossier)
        if bag is None:
            findings.error(entry.bag, "archive.missing-dossier", f"dossier {dossier} (bag version {entry.version}) "
                           "is in the archive inventory, but its bag is missing", entry.bag)
        elif bag.version < entry.version:
            findings.error(entry.bag, "archive.rolled-back", f"the bag is at version {bag.version}, the archive "
                           f"inventory records version {entry.version}: it was replaced by an older copy", entry.bag)
        elif bag.version > entry.version:
            findings.error(entry.bag, "archive.unrecorded-version", f"the bag is at version {bag.version}, the "
                           f"archive inventory records version {entry.version}: it was changed outside dsd",
                           entry.bag)
        elif bag.tagmanifest_sha256 != entry.tagmanifest_sha256:
            findings.error(entry.bag, "archive.bag-replaced", f"the bag says version {bag.version}, but its "
                           f"{entry.tagmanifest} is not the one the archive inventory records for that version",
                           entry.bag)
        certificate = entry.disposal.certificate if entry.disposal else ""
        if certificate and entry.disposal is not None:
            path = root / certificate
            if not path.is_file():
                findings.error(certificate, "archive.disposal-certificate", f"the disposal certificate of dossier "
                               f"{dossier} is missing")
            elif sha256_file(path) != entry.disposal.certificate_sha256:
                findings.error(certificate, "archive.disposal-certificate", f"the disposal certificate of dossier "
                               f"{dossier} is not the one recorded")
    for dossier, bag in sorted(on_disk.items()):
        if dossier not in inventory.dossiers:
            findings.error(bag.bag.name, "archive.unknown-bag", f"a bag (dossier {dossier}) that the archive "
                           "inventory does not list: it was not made in this archive", bag.bag.name)
