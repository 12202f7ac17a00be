"""The archive inventory (audit/inventory.json), in the spirit of OCFL's inventory: what the archive must hold.

For every dossier ever packaged it records the bag folder, the current bag version and the SHA-256 of that
version's tag manifest (which lists every tag file: bag-info, manifests, METS, record — so the digest names the
whole version), and for a disposed dossier the disposal date, approval and certificate. A bag deleted, replaced by
an older copy of itself, or added by hand no longer matches it; `dsd verify` says which (verify/archivecheck.py).

The inventory is rewritten (atomically) with every bag version, and every rewrite appends an `inventory` entry to
the hash-chained audit log carrying the SHA-256 of the new inventory, so an edited, deleted or rolled-back
inventory no longer matches the log.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from json.decoder import scanstring
from pathlib import Path
from typing import Any

from dsd_cli.archive.bagio import read_bag_info
from dsd_cli.archive.layout import ArchiveLayout
from dsd_cli.archive.record import load_record
from dsd_cli.errors import ArchiveError, UnsafePathError
from dsd_cli.fsutil import sha256_bytes, sha256_file
from dsd_cli.safepaths import dossier_from_folder_name

INVENTORY_FORMAT = "dsd-archive-inventory/1"
AUDIT_ACTION = "inventory"
"""The audit-log action of every inventory change."""


@dataclass(frozen=True)
class Disposal:
    """A disposed dossier: its documents were destroyed; its bag stays as a tombstone."""

    date: str
    approval: str
    certificate: str = ""
    """Path of the disposal certificate relative to the archive (audit/disposals/…), "" until it is complete."""
    certificate_sha256: str = ""

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class InventoryEntry:
    """What the archive holds for one dossier."""

    dossier: str
    bag: str
    """The bag's folder name inside the archive."""
    version: int
    tagmanifest: str
    """The tag manifest the digest is of (tagmanifest-sha256.txt)."""
    tagmanifest_sha256: str
    recorded: str
    """When this version was recorded (ISO date-time)."""
    disposal: Disposal | None = None

    @classmethod
    def from_dict(cls, dossier: str, item: Any) -> InventoryEntry:
        """Raises ValueError for an entry dsd would not have written."""
        if not isinstance(item, dict) or not isinstance(item.get("version"), int) \
                or not isinstance(item.get("bag"), str) or not isinstance(item.get("tagmanifest_sha256"), str):
            raise ValueError(f"the entry of dossier {dossier!r} is malformed")
        disposal = item.get("disposal")
        return cls(dossier=dossier, bag=item["bag"], version=item["version"], tagmanifest=str(item.get("tagmanifest")),
                   tagmanifest_sha256=item["tagmanifest_sha256"], recorded=str(item.get("recorded", "")),
                   disposal=Disposal(**{k: str(disposal.get(k, "")) for k in ("date", "approval", "certificate",
                                                                                "certificate_sha256")})
                   if isinstance(disposal, dict) else None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"bag": self.bag, "version": self.version, "tagmanifest": self.tagmanifest,
                               "tagmanifest_sha256": self.tagmanifest_sha256, "recorded": self.recorded}
        if self.disposal is not None:
            out["disposal"] = self.disposal.to_dict()
        return out


def _entry_line(dossier: str, entry: InventoryEntry) -> str:
    return f"{json.dumps(dossier, ensure_ascii=False)}: " + json.dumps(entry.to_dict(), ensure_ascii=False,
                                                                        sort_keys=True)


class _Entries(Mapping[str, InventoryEntry]):
    """An inventory's entries, each made from its JSON when first looked at: a command that changes one bag of a
    large archive reads one entry, not all of them."""

    def __init__(self, raw: Mapping[str, Any], made: Mapping[str, InventoryEntry] | None = None) -> None:
        self._raw = raw
        self._made: dict[str, InventoryEntry] = dict(made or {})

    @classmethod
    def of(cls, entries: Mapping[str, InventoryEntry]) -> _Entries:
        return entries if isinstance(entries, _Entries) else cls({d: e.to_dict() for d, e in entries.items()}, entries)

    def __getitem__(self, dossier: str) -> InventoryEntry:
        entry = self._made.get(dossier)
        if entry is None:
            entry = self._made[dossier] = InventoryEntry.from_dict(dossier, self._raw[dossier])
        return entry

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def replaced(self, entry: InventoryEntry) -> _Entries:
        return _Entries({**self._raw, entry.dossier: entry.to_dict()}, {**self._made, entry.dossier: entry})


@dataclass(frozen=True)
class Inventory:
    created: str
    origin: str
    """How the inventory began: `new archive`, or `built from the bags` (an archive older than inventories)."""
    dossiers: Mapping[str, InventoryEntry] = field(default_factory=dict)
    _lines: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    """Each dossier's line of the JSON form, made once: an archive of many dossiers is rewritten with every bag
    change, and only the changed line is serialised again."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "dossiers", _Entries.of(self.dossiers))

    def with_entry(self, entry: InventoryEntry) -> Inventory:
        dossiers = _Entries.of(self.dossiers).replaced(entry)
        lines = {**self._lines, entry.dossier: _entry_line(entry.dossier, entry)}
        return dataclasses.replace(self, dossiers=dossiers, _lines=lines)

    def validate(self) -> None:
        """ValueError naming the first entry dsd would not have written (entries are otherwise read lazily)."""
        for dossier in self.dossiers:
            self.dossiers[dossier]

    def to_json(self) -> str:
        """Deterministic (its digest is in the audit log): the same inventory always gives the same bytes. One
        dossier per line, in dossier order."""
        lines = [self._lines.get(d) or _entry_line(d, self.dossiers[d]) for d in sorted(self.dossiers)]
        head = json.dumps({"created": self.created, "format": INVENTORY_FORMAT, "origin": self.origin},
                          ensure_ascii=False)[:-1]
        return head + ', "dossiers": {\n' + ",\n".join(lines) + "\n}}\n"

    @classmethod
    def from_json(cls, text: str) -> Inventory:
        """Raises ValueError for what is not an inventory dsd wrote (an entry, when it is first read: `validate`)."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != INVENTORY_FORMAT \
                or not isinstance(data.get("dossiers"), dict):
            raise ValueError("not a dsd archive inventory")
        raw = data["dossiers"]
        return cls(created=str(data.get("created", "")), origin=str(data.get("origin", "")), dossiers=_Entries(raw),
                   _lines=_written_lines(text, list(raw)))


def _written_lines(text: str, dossiers: list[str]) -> dict[str, str]:
    """The dossier lines of an inventory as `to_json` wrote them (one per line, in order), so loading does not
    serialise every entry again; {} when the text is laid out otherwise (then `to_json` makes the lines)."""
    lines = text.split("\n")[1:-2]
    if len(lines) != len(dossiers):
        return {}
    found = {}
    for dossier, line in zip(dossiers, lines, strict=True):
        try:
            key, end = scanstring(line, 1)
        except (ValueError, IndexError):
            return {}
        if line[:1] != '"' or key != dossier or not line.startswith(": {", end):
            return {}
        found[dossier] = line.removesuffix(",")
    return found


def inventory_digest(text: str) -> str:
    return sha256_bytes(text.encode("utf-8"))


def read_inventory(layout: ArchiveLayout) -> tuple[Inventory, str] | None:
    """The archive's inventory and the SHA-256 of its file, None when it has none; ArchiveError when it is not
    readable."""
    try:
        text = layout.inventory.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{layout.inventory}: cannot be read ({exc})") from None
    try:
        return Inventory.from_json(text), inventory_digest(text)
    except ValueError as exc:
        raise ArchiveError(f"{layout.inventory}: {exc}", hint="run `dsd verify` on the archive") from None


def load_inventory(layout: ArchiveLayout) -> Inventory | None:
    """The archive's inventory, None when it has none; ArchiveError when it is not readable."""
    found = read_inventory(layout)
    return found[0] if found else None


@dataclass(frozen=True)
class BagOnDisk:
    """A dsd dossier bag as found in the archive folder, without checking it."""

    dossier: str
    bag: Path
    version: int
    tagmanifest: str
    tagmanifest_sha256: str
    disposal_date: str = ""
    disposal_approval: str = ""


def _version_of(bag: Path, info: Mapping[str, list[str]]) -> int:
    value = (info.get("DSD-Bag-Version") or [""])[0]
    if value.isdigit():
        return int(value)
    try:
        record = load_record(bag)
    except ArchiveError:
        return 0
    return record.version if record else 0


def bags_on_disk(root: Path) -> dict[str, BagOnDisk]:
    """Every direct child folder that is a dossier bag (a bagit.txt, a name dsd could have written), by dossier.

    The version is the bag's DSD-Bag-Version; nothing is hashed but the tag manifest."""
    from dsd_cli.archive.versions import tag_manifest_digest

    found: dict[str, BagOnDisk] = {}
    for child in sorted(root.iterdir()) if root.is_dir() else ():
        if child.is_symlink() or not child.is_dir() or not (child / "bagit.txt").is_file():
            continue
        try:
            dossier = dossier_from_folder_name(child.name)
        except UnsafePathError:
            continue
        info = read_bag_info(child)
        name, digest = tag_manifest_digest(child)
        found[dossier] = BagOnDisk(dossier=dossier, bag=child, version=_version_of(child, info), tagmanifest=name,
                                   tagmanifest_sha256=digest,
                                   disposal_date=(info.get("Disposal-Date") or [""])[0],
                                   disposal_approval=(info.get("Disposal-Approval") or [""])[0])
    return found


def certificates_by_dossier(layout: ArchiveLayout) -> dict[str, tuple[str, str]]:
    """Dossier -> (certificate path relative to the archive, its SHA-256), from audit/disposals/."""
    found: dict[str, tuple[str, str]] = {}
    for path in sorted((layout.audit_dir / "disposals").glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        for item in data.get("dossiers", []) if isinstance(data, dict) else ():
            if isinstance(item, dict) and isinstance(item.get("dossier"), str):
                found[item["dossier"]] = (path.relative_to(layout.root).as_posix(), sha256_file(path))
    return found


def audit_versions(entries: list[dict[str, Any]]) -> dict[str, int]:
    """Dossier -> the highest bag version the audit log names for it (packaging, holds, renewals, inventory)."""
    versions: dict[str, int] = {}
    for entry in entries:
        detail = entry.get("detail") if isinstance(entry.get("detail"), dict) else {}
        dossier = entry.get("dossier")
        version = detail.get("bag_version", detail.get("version"))
        if isinstance(dossier, str) and dossier and isinstance(version, int) and not isinstance(version, bool):
            versions[dossier] = max(version, versions.get(dossier, 0))
    return versions


def inventory_from_bags(layout: ArchiveLayout, stamp: str) -> tuple[Inventory, list[str]]:
    """An inventory of the bags as they are, for an archive made before dsd kept one, and what disagrees with the
    audit log: a dossier the log names at a later version than its bag has, or that has no bag at all."""
    from dsd_cli.audit import read_entries

    on_disk = bags_on_disk(layout.root)
    certificates = certificates_by_dossier(layout)
    entries: dict[str, InventoryEntry] = {}
    for dossier, bag in on_disk.items():
        disposal = None
        if bag.disposal_date:
            certificate, digest = certificates.get(dossier, ("", ""))
            disposal = Disposal(bag.disposal_date, bag.disposal_approval, certificate, digest)
        entries[dossier] = InventoryEntry(dossier=dossier, bag=bag.bag.name, version=bag.version,
                                          tagmanifest=bag.tagmanifest, tagmanifest_sha256=bag.tagmanifest_sha256,
                                          recorded=stamp, disposal=disposal)
    inventory = Inventory(created=stamp, origin="built from the bags", dossiers=entries)
    conflicts = []
    for dossier, version in sorted(audit_versions(read_entries(layout.audit_log)).items()):
        if dossier not in on_disk:
            conflicts.append(f"{dossier}: the audit log records bag version {version}; the bag is missing")
        elif on_disk[dossier].version < version:
            conflicts.append(f"{dossier}: the audit log records bag version {version}; the bag is at version "
                             f"{on_disk[dossier].version}")
    return inventory, conflicts
