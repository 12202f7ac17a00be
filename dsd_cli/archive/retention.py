"""Retention: when a rule makes a dossier due for disposition, and the retention of a dossier of mixed documents.

Rules are versioned data in the profile (`[[retention.rules]]`). A dossier holding documents that follow different
rules gets the strictest combination of them, attribute by attribute:

- disposition: B (keep) beats S (sample) beats V (destroy);
- period: the longest; a permanent rule makes the whole dossier permanent;
- competence: federal beats flemish (the State Archives must agree before anything federal is destroyed);
- due date: the latest of the rules' own due dates, and none as long as any rule's trigger has not happened.

Each document's own rule stays recorded in METS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from dsd_cli.errors import ConfigError
from dsd_cli.profiles import Profile, RetentionRule
from dsd_cli.register import RegisterEntry

_DISPOSITION_RANK = {"V": 1, "S": 2, "B": 3}
SHIPPED_DEFAULTS_NOTE = ("shipped default periods, not an approved selection list: set your own in the profile "
                         "before archiving for real")


@dataclass(frozen=True)
class DossierRetention:
    """The retention of one dossier, as written to bag-info.txt."""

    rules: tuple[RetentionRule, ...]
    """Every rule that applies to a document of the dossier, ordered by id."""
    period: str
    """ISO 8601 duration of the longest period (`P10Y`), or `permanent`."""
    trigger: str
    """The trigger(s) of the rules, space-separated when they differ (`dossier-closed`, `permanent`)."""
    trigger_date: dt.date | None
    """Trigger date of the rule that sets the due date."""
    disposition: str
    competence: str
    due_date: dt.date | None
    legal_hold: bool
    notes: tuple[str, ...] = ()
    """Why a date is missing, and whether the periods are shipped defaults."""

    @property
    def rule_ids(self) -> str:
        return " ".join(r.id for r in self.rules)


def add_years(day: dt.date, years: int) -> dt.date:
    """`day` plus whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def trigger_date(rule: RetentionRule, entry: RegisterEntry | None, *, document_dates: Sequence[dt.date] = (),
                 scan_dates: Sequence[dt.date] = ()) -> dt.date | None:
    """The date the rule's retention period starts, or None while it is unknown (an open dossier, no dates)."""
    if rule.trigger == "dossier-closed":
        return entry.closed if entry else None
    if rule.trigger == "dossier-opened":
        return entry.opened if entry else None
    if rule.trigger == "document-date":
        return max(document_dates) if document_dates else None
    if rule.trigger == "scan-date":
        return max(scan_dates) if scan_dates else None
    return None  # permanent


def compute_disposition(rule: RetentionRule | str, register_entry: RegisterEntry | None,
                        profile: Profile | None = None, *, document_dates: Sequence[dt.date] = (),
                        scan_dates: Sequence[dt.date] = ()) -> tuple[dt.date, dt.date] | None:
    """`(trigger_date, due_date)` of one rule for a dossier, or None when there is no due date.

    None means: the rule is permanent, the dossier is under legal hold, or the trigger has not happened yet (a
    `dossier-closed` rule while the register has no closing date). `rule` may be a rule id when `profile` is given.
    """
    if isinstance(rule, str):
        if profile is None:
            raise ConfigError(f"retention rule {rule!r}: a profile is needed to look it up")
        rule = profile.rule(rule)
    if rule.trigger == "permanent" or (register_entry is not None and register_entry.legal_hold):
        return None
    start = trigger_date(rule, register_entry, document_dates=document_dates, scan_dates=scan_dates)
    if start is None:
        return None
    return start, add_years(start, rule.period_years)


# Why a dossier has no due date: a code and the words its Retention-Note uses (`undated_reason` reads them back).
UNDATED_REASONS = {
    "legal-hold": ("under legal hold", "legal hold: disposal suspended"),
    "permanent": ("kept permanently", "kept permanently"),
    "open": ("still open (not closed in the register)", "is not closed in the register"),
    "not-in-register": ("not in the register", "is not in the register"),
    "no-opening-date": ("no opening date in the register", "the register has no opening date"),
    "unknown-dates": ("the documents' dates are unknown", "are unknown"),
}
HOLD_NOTE = UNDATED_REASONS["legal-hold"][1]


def _missing_trigger_note(rule: RetentionRule, entry: RegisterEntry | None) -> str:
    if rule.trigger == "dossier-closed":
        where = UNDATED_REASONS["not-in-register" if entry is None else "open"][1]
        return f"no due date yet: the dossier {where} (rule {rule.id} starts when it is closed)"
    if rule.trigger == "dossier-opened":
        return f"no due date yet: {UNDATED_REASONS['no-opening-date'][1]} (rule {rule.id})"
    return f"no due date yet: the documents' dates ({rule.trigger}) {UNDATED_REASONS['unknown-dates'][1]} " \
           f"(rule {rule.id})"


def undated_reason(legal_hold: bool, period: str, notes: Sequence[str]) -> str:
    """Why a dossier's bag has no Disposition-Due-Date, as an UNDATED_REASONS code ('other' when its notes do not
    say)."""
    if legal_hold:
        return "legal-hold"
    if period == "permanent":
        return "permanent"
    for code in ("open", "not-in-register", "no-opening-date", "unknown-dates"):
        if any(UNDATED_REASONS[code][1] in note for note in notes):
            return code
    return "other"


def rules_for_types(profile: Profile, doc_types: Sequence[str]) -> tuple[RetentionRule, ...]:
    """The distinct rules the given document types follow. A type without a rule is a configuration error:
    dsd never archives a document whose retention it cannot state."""
    rules: dict[str, RetentionRule] = {}
    for code in sorted(set(doc_types)):
        doc_type = profile.document_type(code)
        if not doc_type.retention_rule:
            raise ConfigError(f"document type {code!r} has no retention rule in profile {profile.name!r}",
                              hint=f"set document_types.{code}.retention_rule")
        rule = profile.rule(doc_type.retention_rule)
        rules[rule.id] = rule
    return tuple(sorted(rules.values(), key=lambda r: r.id))


def dossier_retention(profile: Profile, doc_types: Sequence[str], entry: RegisterEntry | None, *,
                      document_dates: Sequence[dt.date] = (), scan_dates: Sequence[dt.date] = (),
                      legal_hold: bool = False) -> DossierRetention:
    """The strictest combination of the rules of `doc_types` (see the module docstring).

    `legal_hold` adds a hold placed on the bag itself (`dsd hold`) to the register's.
    """
    rules = rules_for_types(profile, doc_types)
    if not rules:
        raise ConfigError("a dossier needs at least one document to have a retention")
    disposition = max((r.disposition for r in rules), key=_DISPOSITION_RANK.__getitem__)
    competence = "federal" if any(r.competence == "federal" for r in rules) else "flemish"
    hold = bool(entry and entry.legal_hold) or legal_hold
    notes: list[str] = []
    permanent = [r for r in rules if r.trigger == "permanent"]
    trigger = " ".join(dict.fromkeys(r.trigger for r in rules))
    start: dt.date | None = None
    due: dt.date | None = None
    if permanent:
        period, trigger = "permanent", "permanent"
        notes.append(f"kept permanently (rule {permanent[0].id})")
    else:
        period = f"P{max(r.period_years for r in rules)}Y"
        dated: list[tuple[dt.date, dt.date]] = []
        for rule in rules:
            start_i = trigger_date(rule, entry, document_dates=document_dates, scan_dates=scan_dates)
            if start_i is None:
                notes.append(_missing_trigger_note(rule, entry))
            else:
                dated.append((add_years(start_i, rule.period_years), start_i))
        if dated:
            latest_due, start = max(dated)
            due = latest_due if len(dated) == len(rules) else None
    if hold:
        due = None
        notes.insert(0, HOLD_NOTE)
    if profile.retention.shipped_defaults:
        notes.append(SHIPPED_DEFAULTS_NOTE)
    return DossierRetention(rules=rules, period=period, trigger=trigger, trigger_date=start,
                            disposition=disposition, competence=competence, due_date=due, legal_hold=hold,
                            notes=tuple(notes))
