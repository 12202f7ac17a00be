"""Retention follows the register: closing and opening dates and legal holds of a newer register export are
applied to the bags of an archive, as new bag versions.

Active dossiers are scanned while they are open, so most bags are made without a closing date and hence without a
due date. `dsd retention update --archive DIR --register CSV` (and `dsd run --register` for the dossiers of the
scans it is given) recomputes each dossier's retention from its documents and its register entry exactly as
packaging does; where the result differs from the bag's bag-info.txt, the dossier gets a new bag version with a
PREMIS `retention-update` event and an audit entry. Running it again with the same register changes nothing.

A dossier that is not in the register is left as it is (the register may be partial: dsd never removes a date
because a row is missing); a disposed-of dossier (a tombstone) is never changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsd_cli.archive.dossiers import list_dossiers
from dsd_cli.archive.package import package_dossier
from dsd_cli.archive.session import ArchiveSession
from dsd_cli.archive.versions import bag_profile, info_fields
from dsd_cli.errors import DsdError
from dsd_cli.profiles import Profile
from dsd_cli.register import Register, RegisterEntry

FACTS = ("Retention-Trigger-Date", "Disposition-Due-Date", "Legal-Hold")
"""The bag-info fields a register changes, shown before and after."""


@dataclass(frozen=True)
class RetentionUpdate:
    """What the register did to one dossier."""

    dossier: str
    bag: Path
    changed: bool
    version: int
    """The bag's version afterwards."""
    before: dict[str, str] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)
    note: str = ""
    """Why nothing changed when that is not simply "already so": `not in the register`, `disposed of`."""

    def to_dict(self) -> dict[str, Any]:
        return {"dossier": self.dossier, "bag": self.bag.name, "changed": self.changed, "version": self.version,
                "before": self.before, "after": self.after, "note": self.note}


@dataclass
class RetentionReport:
    """What `update_retention` did, dossier by dossier."""

    updates: list[RetentionUpdate] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(dossier, reason) of bags that could not be updated (damaged, not the version the inventory records)."""

    @property
    def changed(self) -> list[RetentionUpdate]:
        return [u for u in self.updates if u.changed]

    def to_dict(self) -> dict[str, Any]:
        return {"changed": [u.to_dict() for u in self.changed],
                "unchanged": sum(1 for u in self.updates if not u.changed and not u.note),
                "not_in_register": [u.dossier for u in self.updates if u.note == NOT_IN_REGISTER],
                "disposed": [u.dossier for u in self.updates if u.note == DISPOSED],
                "failed": [{"dossier": d, "reason": r} for d, r in self.failed]}


NOT_IN_REGISTER = "not in the register"
DISPOSED = "disposed of"


def _facts(fields: list[tuple[str, str]]) -> dict[str, str]:
    return {name: next((v for k, v in fields if k == name), "") for name in FACTS}


def update_dossier_retention(session: ArchiveSession, dossier: str, entry: RegisterEntry | None,
                             profile: Profile | None = None, *, agent: str = "dsd retention update",
                             now: dt.datetime | None = None, skip: Collection[str] = ()) -> RetentionUpdate | None:
    """Apply `entry` to one dossier's bag (see the module docstring). None when the archive has no bag for it, or
    its bag folder is in `skip`. Raises ArchiveError for a damaged bag or one the inventory does not record so."""
    state = session.bag_state(dossier, hash_payload=False)
    if state is None or state.bag.name in skip:
        return None
    before = _facts(state.fields)
    if state.first("Disposal-Date"):
        return RetentionUpdate(state.dossier, state.bag, False, state.record.version, before, before, DISPOSED)
    if entry is None:
        return RetentionUpdate(state.dossier, state.bag, False, state.record.version, before, before,
                               NOT_IN_REGISTER)
    result = package_dossier(session, state.dossier, (), bag_profile(state, profile), entry, agent=agent, now=now)
    if not result.retention_updated:
        return RetentionUpdate(state.dossier, state.bag, False, result.version, before, before)
    after = _facts(info_fields(state.bag))
    session.audit("retention-update", dossier=state.dossier,
                  detail={"bag_version": result.version, "trigger_date": after["Retention-Trigger-Date"],
                          "due_date": after["Disposition-Due-Date"], "legal_hold": after["Legal-Hold"]})
    return RetentionUpdate(state.dossier, state.bag, True, result.version, before, after)


def update_retention(archive: Path, register: Register, *, profile: Profile | None = None,
                     agent: str = "dsd retention update", now: dt.datetime | None = None) -> RetentionReport:
    """Apply the register to every dossier of the archive. `profile`: the rules to compute with (default: the
    profile each bag names). A bag that cannot be updated is reported and the others go on."""
    report = RetentionReport()
    with ArchiveSession.open(archive) as session:
        for summary in list_dossiers(archive):
            try:
                update = update_dossier_retention(session, summary.dossier, register.lookup(summary.dossier),
                                                  profile, agent=agent, now=now)
            except DsdError as exc:
                report.failed.append((summary.dossier, exc.message))
                continue
            if update is not None:
                report.updates.append(update)
    return report
