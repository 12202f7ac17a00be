"""Legal holds: suspend (and later restore) a dossier's disposal, as a new bag version.

Placing a hold sets `Legal-Hold: yes`, empties Disposition-Due-Date (a held dossier has no due date) and keeps the
suspended date in the record (metadata/documents.json, `legal_hold`), so lifting the hold restores it. Both are
PREMIS events of the bag in METS and entries in the audit log. A hold set through the register when the bag was
made has no suspended date: lifting it computes the date again from the trigger date and the rules' periods when
all rules share one trigger, and otherwise leaves the date empty with a Retention-Note saying why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from dsd_cli.archive.record import Event, LegalHold
from dsd_cli.archive.retention import HOLD_NOTE, add_years
from dsd_cli.archive.session import ArchiveSession
from dsd_cli.archive.versions import BagState, VersionChange, bag_profile, set_field
from dsd_cli.audit import current_user
from dsd_cli.errors import ArchiveError, UsageError
from dsd_cli.fsutil import sha256_bytes
from dsd_cli.profiles import Profile

RECOMPUTE_NOTE = "no due date after the legal hold was lifted: the rules have different triggers; " \
                 "package the dossier again with the register to compute it"


@dataclass(frozen=True)
class HoldResult:
    dossier: str
    bag: Path
    version: int
    legal_hold: bool
    due_date: str


def _clean_reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise UsageError("a legal hold needs a reason (--reason)")
    return text


def _restored_due(state: BagState, profile: Profile) -> tuple[str, list[str]]:
    kept = state.record.legal_hold.suspended_due_date if state.record.legal_hold else ""
    if kept:
        return kept, []
    trigger, start = state.first("Retention-Trigger"), state.first("Retention-Trigger-Date")
    rules = [profile.rule(r) for r in state.first("Retention-Rule-Id").split()]
    if trigger == "permanent" or not rules:
        return "", []
    if " " in trigger or not start:
        return "", [RECOMPUTE_NOTE] if start else []
    return add_years(dt.date.fromisoformat(start), max(r.period_years for r in rules)).isoformat(), []


def _hold_fields(state: BagState, hold: bool, due: str, extra_notes: list[str]) -> list[tuple[str, str]]:
    notes = [v for k, v in state.fields if k == "Retention-Note" and v not in (HOLD_NOTE, RECOMPUTE_NOTE)]
    notes = ([HOLD_NOTE] if hold else []) + extra_notes + notes
    fields = [(k, v) for k, v in state.fields if k != "Retention-Note"]
    fields = set_field(fields, "Legal-Hold", "yes" if hold else "no")
    fields = set_field(fields, "Disposition-Due-Date", due)
    return fields + [("Retention-Note", n) for n in notes]


def set_legal_hold(archive: Path, dossier: str, hold: bool, reason: str, *, profile: Profile | None = None,
                   agent: str = "dsd hold", now: dt.datetime | None = None) -> HoldResult:
    """Place (`hold=True`) or lift a legal hold on a dossier. ArchiveError when it is already so, or disposed of."""
    reason = _clean_reason(reason)
    now = now or dt.datetime.now(dt.UTC)
    stamp = now.isoformat(timespec="seconds")
    with ArchiveSession.open(archive) as session:
        state = session.require_bag(dossier)
        held = state.first("Legal-Hold") == "yes"
        if state.first("Disposal-Date"):
            raise ArchiveError(f"dossier {state.dossier} was disposed of on {state.first('Disposal-Date')}; "
                               "there is nothing left to hold")
        if hold and held:
            raise ArchiveError(f"dossier {state.dossier} is already under legal hold")
        if not hold and not held:
            raise ArchiveError(f"dossier {state.dossier} is not under legal hold")
        used_profile = bag_profile(state, profile)
        who = current_user()
        if hold:
            previous_due = state.first("Disposition-Due-Date")
            detail = f"legal hold placed by {who}: {reason}"
            facts: LegalHold | None = LegalHold(since=stamp, by=who, reason=reason, suspended_due_date=previous_due)
            due, extra_notes = "", []
        else:
            previous_due = ""
            due, extra_notes = _restored_due(state, used_profile)
            detail = f"legal hold lifted by {who}: {reason}" + (f"; disposal due again on {due}" if due else "")
            facts = None
        kind = "legal-hold" if hold else "legal-hold-lifted"
        record = state.record.next_version(stamp, agent, Event.dsd(kind, stamp, agent, detail),
                                           change=kind, retention_change=detail)
        record = dataclasses.replace(record, legal_hold=facts)
        version = session.write_version(state, VersionChange(kind=kind, record=record,
                                                             fields=_hold_fields(state, hold, due, extra_notes)),
                                        used_profile, now=now).version
        # The reason may name people: it is kept in the bag (METS), the audit log gets its SHA-256 only.
        session.audit(kind, dossier=state.dossier,
                      detail={"bag_version": version, "reason_sha256": sha256_bytes(reason.encode("utf-8")),
                              "suspended_due_date": previous_due, "due_date": due})
    return HoldResult(dossier=state.dossier, bag=state.bag, version=version, legal_hold=hold, due_date=due)
