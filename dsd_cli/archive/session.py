"""An archive session: one command's hold on an archive — its layout, its lock, its audit log, its inventory, and
the one way a dossier bag changes (`write_version`).

    with ArchiveSession.open(archive) as session:          # refuses a folder that is not a dsd archive
        state = session.bag_state(dossier)
        session.write_version(state, change, profile)       # bag, inventory and audit log move together
        session.audit("legal-hold", dossier=dossier, detail={...})

Only `dsd run` and `dsd package` create an archive (`open(..., create=True)`): in a folder that does not exist or
is empty. After each new bag version the session tells its listeners (`BagVersionWritten`): a search index, for
example, can then index the new documents and forget destroyed ones. Listeners are added per session
(`session.listen`) or for every session of the process (`add_bag_listener`); a listener that fails is logged and
does not undo the change, which is durable by then.

A version is recorded in three steps that survive a crash at any point: before the swap, the change (the dossier's
new inventory entry and the new inventory's SHA-256) is written to .dsd/inventory.pending.json; after the swap, the
audit entry carrying that SHA-256 is appended and audit/inventory.json replaced. The next session finishes or drops
a pending change by looking at which version the bag holds. A session records nothing in an inventory that is not
the one the audit log recorded last (an edit would otherwise be blessed by the next change).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsd_cli.archive import bagio
from dsd_cli.archive.inventory import (
    AUDIT_ACTION,
    Disposal,
    Inventory,
    InventoryEntry,
    inventory_digest,
    inventory_from_bags,
    read_inventory,
)
from dsd_cli.archive.layout import RESERVED_NAMES, ArchiveLayout
from dsd_cli.archive.lock import archive_lock
from dsd_cli.archive.record import BagRecord, load_record
from dsd_cli.archive.versions import (
    BagState,
    VersionChange,
    build_version,
    discard,
    publish,
    read_bag_state,
    tag_manifest_digest,
)
from dsd_cli.audit import append_audit, last_entry_of, read_entries
from dsd_cli.errors import ArchiveError
from dsd_cli.fsutil import atomic_write_text
from dsd_cli.profiles import Profile
from dsd_cli.safepaths import dossier_path

log = logging.getLogger("dsd.archive")

NOT_AN_ARCHIVE_HINT = ("give the folder that `dsd run --archive` or `dsd package --archive` created "
                       "(`dsd run --archive DIR` with no scans creates an empty archive)")


@dataclass(frozen=True)
class BagVersionWritten:
    """What a listener hears after a new bag version is in place and recorded."""

    archive: Path
    dossier: str
    bag: Path
    version: int
    previous_version: int
    """0 for a new bag."""
    kind: str
    """The VersionChange kind: packaging, addition, duplicate, retention-update, legal-hold, legal-hold-lifted,
    disposal, timestamp-renewal, re-archived."""
    added: tuple[str, ...]
    """Payload paths stored in this version."""
    removed: tuple[str, ...]
    """Payload paths destroyed in this version (disposal): their content is gone from the archive."""
    replaced: tuple[str, ...]
    """Payload paths whose content was replaced (timestamp renewal)."""
    record: BagRecord
    """The new version's record (documents, their quality, events)."""


BagListener = Callable[[BagVersionWritten], None]
_PROCESS_LISTENERS: list[BagListener] = []


def add_bag_listener(listener: BagListener) -> None:
    """Tell `listener` about every bag version any session of this process writes."""
    if listener not in _PROCESS_LISTENERS:
        _PROCESS_LISTENERS.append(listener)


def remove_bag_listener(listener: BagListener) -> None:
    with contextlib.suppress(ValueError):
        _PROCESS_LISTENERS.remove(listener)


def is_dsd_archive(root: Path) -> bool:
    """A folder dsd made an archive of: its state folder, its audit log or inventory, or a dossier bag."""
    if not root.is_dir():
        return False
    layout = ArchiveLayout(root)
    if layout.state.is_dir() or layout.inventory.is_file() or layout.audit_log.is_file():
        return True
    try:
        children = list(root.iterdir())
    except OSError:
        return False
    return any(c.is_dir() and not c.is_symlink() and (c / "bagit.txt").is_file()
               and (c / "metadata" / "documents.json").is_file() for c in children)


def require_archive(root: Path) -> None:
    """ArchiveError (exit 9) unless `root` is a dsd archive: every `--archive` command checks this first."""
    if not root.exists():
        raise ArchiveError(f"{root} does not exist", hint=NOT_AN_ARCHIVE_HINT)
    if not is_dsd_archive(root):
        raise ArchiveError(f"{root} is not a dsd archive", hint=NOT_AN_ARCHIVE_HINT)


def check_archive_folder(root: Path, *, create: bool = False) -> bool:
    """ArchiveError (exit 9) unless `root` is a dsd archive — or, with `create`, a folder that may become one (it
    does not exist, or is empty). Returns whether it would be a new archive. Commands check this before reading
    their inputs."""
    if create:
        return _is_new(root)
    require_archive(root)
    return False


def _is_new(root: Path) -> bool:
    """Whether `root` may become a new archive: it does not exist, or it is an empty folder."""
    if not root.exists():
        return True
    if root.is_dir() and not is_dsd_archive(root):
        try:
            if not any(root.iterdir()):
                return True
        except OSError as exc:
            raise ArchiveError(f"{root}: cannot be read ({exc.strerror})") from None
        raise ArchiveError(f"{root} is not empty and not a dsd archive; dsd makes an archive only in a new or "
                           "empty folder", hint=NOT_AN_ARCHIVE_HINT)
    require_archive(root)
    return False


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(now: dt.datetime) -> str:
    return now.isoformat(timespec="seconds")


class ArchiveSession:
    """Holds the archive lock; see the module docstring. Make one with `ArchiveSession.open`."""

    def __init__(self, layout: ArchiveLayout) -> None:
        self.layout = layout
        self.root = layout.root
        self._listeners: list[BagListener] = []
        self._inventory: Inventory | None = None
        self._inventory_digest = ""
        self._inventory_trusted = False

    @classmethod
    @contextlib.contextmanager
    def open(cls, root: Path, *, create: bool = False) -> Iterator[ArchiveSession]:
        """Lock the archive at `root` for one command. `create`: make a new archive when `root` does not exist or
        is an empty folder (`dsd run`, `dsd package`); otherwise ArchiveError unless it is a dsd archive."""
        new = check_archive_folder(root, create=create)
        layout = ArchiveLayout(root)
        layout.ensure()
        with archive_lock(layout.lock):
            session = cls(layout)
            if new and not layout.inventory.exists():
                session._start_inventory(Inventory(created=_stamp(_now()), origin="new archive"), "created")
            session._finish_pending_change()
            yield session

    # audit log -----------------------------------------------------------------------------------------------
    def audit(self, action: str, *, dossier: str = "", detail: dict[str, Any] | None = None) -> dict[str, Any]:
        """Append an entry to the archive's hash-chained audit log (no personal data: see dsd_cli.audit)."""
        return append_audit(self.layout.audit_log, action, dossier=dossier, detail=detail)

    # listeners ---------------------------------------------------------------------------------------------------
    def listen(self, listener: BagListener) -> None:
        self._listeners.append(listener)

    def _notify(self, written: BagVersionWritten) -> None:
        for listener in [*_PROCESS_LISTENERS, *self._listeners]:
            try:
                listener(written)
            except Exception:  # the version is durable; a listener (an index) can be rebuilt
                log.exception("a bag listener failed", extra={"dossier": written.dossier,
                                                              "version": written.version})

    # bags ------------------------------------------------------------------------------------------------------
    def bag_state(self, dossier: str, *, hash_payload: bool = True) -> BagState | None:
        """The dossier's live bag, checked (see versions.read_bag_state); None when there is none."""
        return read_bag_state(self.layout, dossier, hash_payload=hash_payload)

    def require_bag(self, dossier: str) -> BagState:
        state = self.bag_state(dossier)
        if state is None:
            raise ArchiveError(f"dossier {dossier!r} is not in the archive {self.root}")
        return state

    def write_version(self, state: BagState | None, change: VersionChange, profile: Profile, *,
                      now: dt.datetime | None = None) -> BagVersionWritten:
        """Build, publish and record the new version `change` describes (a new bag when `state` is None).

        Refuses (ArchiveError, nothing written) a bag the inventory does not know, one that is not the version the
        inventory records (replaced by an older copy, changed outside dsd), and a new bag over a disposed dossier.
        """
        now = now or _now()
        inventory = self.inventory_for_change(now)
        entry = inventory.dossiers.get(change.record.dossier)
        self._check_against_inventory(state, change, entry)
        change = dataclasses.replace(change, record=dataclasses.replace(change.record, archive_inventory=True))
        staged = build_version(self.layout, state, change, profile, now)
        disposal = entry.disposal if entry else None
        disposal_date = next((v for k, v in change.fields if k == "Disposal-Date"), "")
        if disposal_date and disposal is None:
            disposal = Disposal(disposal_date, next((v for k, v in change.fields if k == "Disposal-Approval"), ""))
        updated = inventory.with_entry(InventoryEntry(
            dossier=staged.dossier, bag=staged.bag.name, version=staged.version, tagmanifest=staged.tagmanifest,
            tagmanifest_sha256=staged.tagmanifest_sha256, recorded=_stamp(now), disposal=disposal))
        detail = {"change": change.kind, "bag_version": staged.version,
                  "tagmanifest_sha256": staged.tagmanifest_sha256}
        text = updated.to_json()
        pending = {"dossier": staged.dossier, "bag": staged.bag.name, "detail": detail,
                   "entry": updated.dossiers[staged.dossier].to_dict(), "inventory_sha256": inventory_digest(text)}
        try:
            atomic_write_text(self.layout.pending_change, json.dumps(pending, ensure_ascii=False) + "\n")
        except BaseException:
            discard(staged)
            raise
        try:
            publish(self.layout, staged)
        except BaseException:
            self.layout.pending_change.unlink(missing_ok=True)
            raise
        self._record(staged.dossier, detail, updated, text)
        self.layout.pending_change.unlink(missing_ok=True)
        written = BagVersionWritten(
            archive=self.root, dossier=staged.dossier, bag=staged.bag, version=staged.version,
            previous_version=staged.previous_version, kind=change.kind, added=tuple(sorted(change.add)),
            removed=tuple(change.remove), replaced=tuple(sorted(change.replace)), record=change.record)
        self._notify(written)
        return written

    # inventory -------------------------------------------------------------------------------------------------
    @property
    def inventory(self) -> Inventory | None:
        """The archive inventory as recorded (None for an archive made before dsd kept one)."""
        if self._inventory is None:
            found = read_inventory(self.layout)
            if found is not None:
                self._inventory, self._inventory_digest = found
        return self._inventory

    def inventory_for_change(self, now: dt.datetime | None = None) -> Inventory:
        """The inventory a change is recorded in; an archive made before dsd kept one gets it built from its bags
        first (recorded as such). ArchiveError when the inventory is missing although the archive had one, or when
        the bags disagree with the audit log (a bag missing or older than the log says)."""
        if self.inventory is not None:
            if not self._inventory_trusted:
                last = last_entry_of(self.layout.audit_log, AUDIT_ACTION) or {}
                if (last.get("detail") or {}).get("inventory_sha256") != self._inventory_digest:
                    raise ArchiveError("the archive inventory is not the one the audit log recorded last (edited or "
                                       "rolled back); dsd records no new version in it",
                                       hint="run `dsd verify`; restore audit/inventory.json from a backup")
                self._inventory_trusted = True
            return self.inventory
        self._refuse_lost_inventory()
        inventory, conflicts = inventory_from_bags(self.layout, _stamp(now or _now()))
        if conflicts:
            raise ArchiveError("the archive has no inventory yet, and its bags disagree with the audit log:\n  "
                               + "\n  ".join(conflicts),
                               hint="run `dsd verify`; restore the bags from a backup, or accept them as they are "
                                    "with `dsd inventory --archive DIR --build --accept-as-found`")
        self._start_inventory(inventory, "built", dossiers=len(inventory.dossiers))
        return inventory

    def build_inventory(self, *, accept_as_found: bool = False, now: dt.datetime | None = None
                        ) -> tuple[Inventory, list[str]]:
        """Build the inventory of an archive made before dsd kept one (`dsd inventory --build`): from its bags,
        checked against the audit log. Returns it and the disagreements accepted (with `accept_as_found`)."""
        if self.inventory is not None:
            raise ArchiveError(f"{self.layout.inventory} exists already; dsd never rebuilds an inventory",
                               hint="run `dsd verify` to compare it with the bags")
        self._refuse_lost_inventory()
        inventory, conflicts = inventory_from_bags(self.layout, _stamp(now or _now()))
        if conflicts and not accept_as_found:
            raise ArchiveError("the bags disagree with the audit log:\n  " + "\n  ".join(conflicts),
                               hint="restore the bags from a backup, or add --accept-as-found to record them as "
                                    "they are (the disagreements go into the audit log)")
        self._start_inventory(inventory, "built", dossiers=len(inventory.dossiers),
                              **({"accepted_as_found": conflicts} if conflicts else {}))
        return inventory, conflicts

    def record_disposal_certificate(self, dossiers: list[str], certificate: Path, sha256: str) -> None:
        """Name a finished disposal certificate in the inventory entries of the dossiers it covers."""
        inventory = self.inventory_for_change()
        rel = certificate.relative_to(self.root).as_posix()
        for dossier in dossiers:
            entry = inventory.dossiers[dossier]
            disposal = entry.disposal or Disposal("", "")
            inventory = inventory.with_entry(dataclasses.replace(entry, disposal=dataclasses.replace(
                disposal, certificate=rel, certificate_sha256=sha256)))
        self._record("", {"change": "disposal-certificate", "certificate": rel, "certificate_sha256": sha256,
                          "dossiers": dossiers}, inventory)

    def _refuse_lost_inventory(self) -> None:
        if read_entries(self.layout.audit_log, AUDIT_ACTION) or self._a_bag_expects_an_inventory():
            raise ArchiveError(f"{self.layout.inventory} is missing, but the archive kept an inventory",
                               hint="run `dsd verify`; restore audit/inventory.json from a backup")

    def _a_bag_expects_an_inventory(self) -> bool:
        for child in self.root.iterdir():
            if child.name in RESERVED_NAMES or not child.is_dir() or child.is_symlink():
                continue
            try:
                record = load_record(child)
            except ArchiveError:
                continue
            if record is not None and record.archive_inventory:
                return True
        return False

    def _start_inventory(self, inventory: Inventory, change: str, **facts: Any) -> None:
        self._record("", {"change": change, **facts}, inventory)

    def _record(self, dossier: str, detail: dict[str, Any], inventory: Inventory, text: str = "") -> None:
        """Audit entry first (carrying the new inventory's digest), then the inventory itself."""
        text = text or inventory.to_json()
        digest = inventory_digest(text)
        self.audit(AUDIT_ACTION, dossier=dossier, detail={**detail, "inventory_sha256": digest})
        atomic_write_text(self.layout.inventory, text)
        self._inventory, self._inventory_digest, self._inventory_trusted = inventory, digest, True

    def _finish_pending_change(self) -> None:
        """Record, or drop, the change a crashed session left half done (see the module docstring)."""
        path = self.layout.pending_change
        try:
            pending = json.loads(path.read_text(encoding="utf-8"))
            bag = self.root / str(pending["bag"])
            entry = InventoryEntry.from_dict(str(pending["dossier"]), pending["entry"])
            wanted = str(pending["inventory_sha256"])
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
            log.warning("an unreadable pending inventory change was removed")
            path.unlink(missing_ok=True)
            return
        bagio.recover_interrupted_publish(bag, self.layout.staging / f"{bag.name}.old")
        if bag.is_dir() and tag_manifest_digest(bag)[1] == entry.tagmanifest_sha256:
            self._complete(entry, wanted, pending.get("detail") or {})
        path.unlink(missing_ok=True)

    def _complete(self, entry: InventoryEntry, wanted: str, detail: dict[str, Any]) -> None:
        """The bag holds the new version: append its audit entry and write the inventory, where not done yet."""
        found = read_inventory(self.layout)
        if found is None:
            log.warning("the inventory is missing; an interrupted change could not be recorded")
            return
        current, digest = found
        text = current.to_json() if digest == wanted else current.with_entry(entry).to_json()
        if inventory_digest(text) != wanted:
            log.warning("the inventory changed since an interrupted change; it was not recorded")
            return
        last = last_entry_of(self.layout.audit_log, AUDIT_ACTION) or {}
        if (last.get("detail") or {}).get("inventory_sha256") != wanted:
            self.audit(AUDIT_ACTION, dossier=entry.dossier, detail={**detail, "recovered": True,
                                                                     "inventory_sha256": wanted})
        if digest != wanted:
            atomic_write_text(self.layout.inventory, text)
        self._inventory = None

    def _check_against_inventory(self, state: BagState | None, change: VersionChange,
                                 entry: InventoryEntry | None) -> None:
        dossier = change.record.dossier
        if state is None:
            if entry is not None and entry.disposal is not None:
                raise ArchiveError(f"dossier {dossier} was disposed of; its tombstone bag is missing",
                                   hint="run `dsd verify`; restore the tombstone bag from a backup")
            if entry is not None and change.record.version <= entry.version:
                raise ArchiveError(f"dossier {dossier}: a new bag must continue after version {entry.version}")
            return
        if entry is None:
            raise ArchiveError(f"{state.bag.name} is not in the archive inventory: it was not made in this archive",
                               hint="run `dsd verify`; move the bag out of the archive")
        if tag_manifest_digest(state.bag)[1] != entry.tagmanifest_sha256:
            if state.record.version < entry.version:
                raise ArchiveError(f"the bag of dossier {dossier} is at version {state.record.version}, but the "
                                   f"archive inventory records version {entry.version}: it was replaced by an older "
                                   "copy", hint="restore the current version from a backup, or move the old bag "
                                                "out of the archive and archive the scans again")
            raise ArchiveError(f"the bag of dossier {dossier} is not the version the archive inventory records "
                               f"(version {entry.version})", hint="run `dsd verify` on the archive")


def new_bag_record(session: ArchiveSession, dossier: str) -> BagRecord:
    """The record a new bag starts from: version 0, or — when the inventory knows the dossier but its bag is gone
    — the version the inventory records, so the new bag continues the numbering (see `dsd run` re-archiving)."""
    entry = (session.inventory or Inventory("", "")).dossiers.get(dossier)
    if entry is not None and not dossier_path(session.root, dossier).exists():
        return BagRecord(dossier=dossier, version=entry.version)
    return BagRecord(dossier=dossier)
