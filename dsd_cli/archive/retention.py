"""Retention: which rule a dossier follows and when its disposition is due.

A dossier holding documents of several types follows the strictest of their rules: disposition B (keep) beats S
(sample) beats V (destroy); then the longer period; then federal competence (the State Archives must agree before
destruction) beats Flemish. Each document's own rule stays recorded in METS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from dsd_cli.profiles import Profile, RetentionRule
from dsd_cli.register import RegisterEntry

_DISPOSITION_RANK = {"B": 3, "S": 2, "V": 1}


@dataclass(frozen=True)
class Disposition:
    rule: RetentionRule
    trigger_date: dt.date | None
    due_date: dt.date | None
    legal_hold: bool
    note: str


def strictest_rule(rules: Sequence[RetentionRule]) -> RetentionRule:
    return max(rules, key=lambda r: (_DISPOSITION_RANK[r.disposition], r.trigger == "permanent", r.period_years,
                                     r.competence == "federal"))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def compute_disposition(rule: RetentionRule, entry: RegisterEntry | None, *,
                        document_dates: Sequence[dt.date] = (), scan_dates: Sequence[dt.date] = ()) -> Disposition:
    """When `rule` makes the dossier due. No due date under legal hold, for permanent rules, or while the trigger
    (e.g. the dossier's closing) has not happened yet."""
    hold = bool(entry and entry.legal_hold)
    trigger: dt.date | None = None
    note = ""
    if rule.trigger == "permanent":
        note = "kept permanently"
    elif rule.trigger == "dossier-closed":
        trigger = entry.closed if entry else None
        note = "" if trigger else "dossier not closed (or not in the register): no due date yet"
    elif rule.trigger == "dossier-opened":
        trigger = entry.opened if entry else None
        note = "" if trigger else "opening date unknown: no due date yet"
    elif rule.trigger == "document-date":
        trigger = max(document_dates) if document_dates else None
        note = "" if trigger else "document dates unknown: no due date yet"
    elif rule.trigger == "scan-date":
        trigger = max(scan_dates) if scan_dates else None
    due = add_years(trigger, rule.period_years) if trigger and rule.trigger != "permanent" else None
    if hold:
        due, note = None, "legal hold: disposal suspended"
    return Disposition(rule=rule, trigger_date=trigger, due_date=due, legal_hold=hold, note=note)


def dossier_rule(profile: Profile, doc_types: Sequence[str]) -> RetentionRule:
    return strictest_rule([profile.rule_for_type(t) for t in sorted(set(doc_types))])
