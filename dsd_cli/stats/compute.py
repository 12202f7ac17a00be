"""Assemble the key figures of an archive from its bags, its journal and its audit log.

Nothing is OCRed, hashed or opened beyond the records: bag records and bag-info for what is archived, the journal
for the flow of the project (scans, runs, backlog, quarantine, dropped pages, separator problems), the audit log for
verifications. Every category is a code; counts of dossiers and documents by a property of theirs go through
small-cell suppression before they enter the report.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dsd_cli.archive.layout import ArchiveLayout
from dsd_cli.errors import ArchiveError, UsageError
from dsd_cli.profiles import Profile
from dsd_cli.progress import ProgressReporter
from dsd_cli.stats.bags import CONFIDENCE_BINS, BagFacts, QualityCount, scan_bags
from dsd_cli.stats.journal import PENDING_STATES, JournalFacts, read_journal
from dsd_cli.stats.model import Period, StatsReport, Table, Value
from dsd_cli.stats.suppress import protect, suppress_rows
from dsd_cli.stats.verifications import FAILED, OK, WARNINGS, read_verifications

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")
DISPOSITION_ORDER = ("B", "V", "S")
COMPETENCE_ORDER = ("flemish", "federal")
FLAG_ORDER = ("low-confidence", "few-words-for-ink", "uncertain-orientation", "high-skew", "unknown-language")
NONE = "none"
NO_DATE = "no-date"


@dataclass(frozen=True)
class StatsOptions:
    start: dt.date | None = None
    end: dt.date | None = None
    """The period of the time-dependent figures; by default from the first recorded activity to today."""
    use_cache: bool = True
    """Keep each bag's facts in .dsd/stats-cache.msgpack and read only bags changed since."""
    today: dt.date | None = None


def code(value: object) -> str:
    """A category as published: a short code, or `other` for anything that is not one (never free text)."""
    text = str(value)
    return text if _CODE.match(text) else "other"


def _ordered(counts: dict[str, int], order: Sequence[str] = (), *, keep_order_zeros: bool = False) -> list[str]:
    keys = [k for k in order if k in counts or keep_order_zeros]
    return keys + sorted(k for k in counts if k not in keys)


def _rows(counts: dict[str, int], order: Sequence[str] = (), *, keep_order_zeros: bool = False
          ) -> list[tuple[str, list[int]]]:
    return [(k, [counts.get(k, 0)]) for k in _ordered(counts, order, keep_order_zeros=keep_order_zeros)]


def _codes(counts: Iterable[tuple[object, int]]) -> dict[str, int]:
    """Counts summed per raw key first (few distinct keys, many items), then per published code."""
    raw: dict[object, int] = defaultdict(int)
    for key, n in counts:
        raw[key] += n
    out: dict[str, int] = defaultdict(int)
    for key, n in raw.items():
        out[code(key)] += n
    return dict(out)


class _Builder:
    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.tables: list[Table] = []
        self.figures: dict[str, dict[str, Value]] = defaultdict(dict)

    def protected(self, section: str, name: str, key: str, columns: tuple[str, ...],
                  rows: Sequence[tuple[str, Sequence[int]]], *, partition: bool) -> None:
        self.tables.append(Table(section, name, key, columns,
                                 suppress_rows(rows, self.threshold, partition=partition), protected=True))

    def plain(self, section: str, name: str, key: str, columns: tuple[str, ...],
              rows: Sequence[tuple[str, Sequence[Value | str]]]) -> None:
        self.tables.append(Table(section, name, key, columns, tuple((k, tuple(v)) for k, v in rows)))

    def figure(self, section: str, name: str, value: Value | str, *, protected: bool = False) -> None:
        if protected and isinstance(value, int):
            value = protect(value, self.threshold)
        self.figures[section][name] = value


def _year(iso_date: str) -> str:
    return iso_date[:4] if iso_date[:4].isdigit() else NO_DATE


def _week(day: str) -> str:
    year, week, _ = dt.date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def _weeks_between(first: str, last: str) -> list[str]:
    start = dt.date.fromisoformat(first)
    start -= dt.timedelta(days=start.weekday())
    weeks, day = [], start
    while day <= dt.date.fromisoformat(last):
        weeks.append(_week(day.isoformat()))
        day += dt.timedelta(days=7)
    return weeks


def _archive_section(b: _Builder, live: list[BagFacts], gone: list[BagFacts], readable: list[BagFacts],
                     unreadable: int, profile: Profile) -> None:
    s = "archive"
    b.figure(s, "dossiers", len(live), protected=True)
    b.figure(s, "documents", sum(f.documents for f in live), protected=True)
    b.figure(s, "pages", sum(f.pages for f in live))
    b.figure(s, "bytes", sum(f.bytes for f in live))
    b.figure(s, "bag_versions", sum(f.version for f in readable))
    b.figure(s, "legal_holds", sum(f.hold for f in live), protected=True)
    b.figure(s, "disposed_dossiers", len(gone), protected=True)
    b.figure(s, "disposed_documents", sum(f.disposed_documents for f in readable), protected=True)
    b.figure(s, "unreadable_bags", unreadable)
    types = _codes(item for f in live for item in f.types.items())
    b.protected(s, "documents_by_type", "doc_type", ("documents",),
                _rows(types, list(profile.document_types)), partition=True)
    rules = _codes((rule, 1) for f in live for rule in f.rules)
    # A dossier whose documents follow several rules counts under each: the rows are not a partition.
    b.protected(s, "dossiers_by_rule", "rule", ("dossiers",),
                _rows(rules, [r.id for r in profile.retention.rules]), partition=False)
    b.protected(s, "dossiers_by_disposition", "disposition", ("dossiers",),
                _rows(_codes((f.disposition or NONE, 1) for f in live), DISPOSITION_ORDER,
                      keep_order_zeros=True), partition=True)
    b.protected(s, "dossiers_by_competence", "competence", ("dossiers",),
                _rows(_codes((f.competence or NONE, 1) for f in live), COMPETENCE_ORDER,
                      keep_order_zeros=True), partition=True)
    due = _codes((_year(f.due), 1) for f in live)
    b.protected(s, "dossiers_by_due_year", "year", ("dossiers",),
                [(k, [due[k]]) for k in sorted(k for k in due if k != NO_DATE)]
                + ([(NO_DATE, [due[NO_DATE]])] if NO_DATE in due else []), partition=True)
    versions = Counter(f.version for f in live)
    b.protected(s, "dossiers_by_versions", "versions", ("dossiers",),
                [(str(v), [versions[v]]) for v in sorted(versions)], partition=True)
    disposals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for f in gone:
        entry = disposals[_year(f.disposal)]
        entry[0] += 1
        entry[1] += f.disposed_documents
    b.protected(s, "disposals_by_year", "year", ("dossiers", "documents"),
                [(k, disposals[k]) for k in sorted(disposals)], partition=True)


def _progress_section(b: _Builder, readable: list[BagFacts], journal: JournalFacts, period: Period) -> None:
    s = "progress"
    archived: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for f in readable:
        for day, count in f.added.items():
            if day and day in period:
                archived[day][0] += count.documents
                archived[day][1] += count.pages
    scanned = {d: n for d, n in journal.pages_in.items() if d and d in period}
    days = sorted(set(archived) | set(scanned))
    with_journal = journal.present
    columns = (("pages_scanned",) if with_journal else ()) + ("documents_archived", "pages_archived")

    def values(scan: int, docs_pages: Sequence[int]) -> list[int]:
        return ([scan] if with_journal else []) + list(docs_pages)

    b.plain(s, "per_day", "day", columns, [(d, values(scanned.get(d, 0), archived.get(d, [0, 0]))) for d in days])
    weekly: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for d in days:
        w = weekly[_week(d)]
        w[0] += scanned.get(d, 0)
        w[1] += archived.get(d, [0, 0])[0]
        w[2] += archived.get(d, [0, 0])[1]
    weeks = _weeks_between(days[0], days[-1]) if days else []
    b.plain(s, "per_week", "week", columns,
            [(w, values(weekly[w][0], weekly[w][1:]) if w in weekly else values(0, [0, 0])) for w in weeks])
    b.figure(s, "documents_archived", sum(v[0] for v in archived.values()))
    b.figure(s, "pages_archived", sum(v[1] for v in archived.values()))
    if not with_journal:
        return
    b.figure(s, "pages_scanned", sum(scanned.values()))
    pending = {state: journal.documents.get(state, (0, 0)) for state in PENDING_STATES}
    b.figure(s, "backlog_documents", sum(n for n, _ in pending.values()))
    b.figure(s, "backlog_pages", sum(p for _, p in pending.values()))
    b.plain(s, "backlog_by_state", "state", ("documents", "pages"),
            [(state, list(pending[state])) for state in PENDING_STATES])
    quarantine: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for day, reason, _whole_file, pages in journal.quarantine:
        if day in period:
            quarantine[code(reason)][0] += 1
            quarantine[code(reason)][1] += pages
    b.figure(s, "quarantined_items", sum(v[0] for v in quarantine.values()))
    b.figure(s, "quarantined_pages", sum(v[1] for v in quarantine.values()))
    b.plain(s, "quarantine_by_reason", "reason", ("items", "pages"),
            [(k, quarantine[k]) for k in sorted(quarantine)])
    by_role: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (day, role, reason), n in journal.roles.items():
        if day in period:
            by_role[role][code(reason or NONE)] += n
    dropped, unassigned = dict(by_role["dropped"]), dict(by_role["unassigned"])
    b.figure(s, "pages_dropped", sum(dropped.values()))
    b.plain(s, "dropped_by_reason", "reason", ("pages",), _rows(dropped))
    b.figure(s, "separator_problem_pages", sum(unassigned.values()))
    b.plain(s, "separator_problems", "reason", ("pages",), _rows(unassigned))
    runs = [r for r in journal.runs if r.day in period]
    rates = [r.pages * 3600 / r.seconds for r in runs if r.seconds and r.pages]
    b.figure(s, "runs", len(runs))
    b.figure(s, "pages_per_hour", round(statistics.median(rates)) if rates else 0)
    b.plain(s, "runs_table", "run", ("day", "status", "minutes", "documents", "pages", "rate"),
            [(str(r.id), [r.day, code(r.status), "" if r.seconds is None else round(r.seconds / 60, 1),
                          r.documents, r.pages,
                          round(r.pages * 3600 / r.seconds) if r.seconds else 0]) for r in runs])


def _quality_section(b: _Builder, live: list[BagFacts], period: Period) -> bool:
    s = "quality"
    total = QualityCount(flags={}, languages={})
    confidence_sum = 0.0
    for f in live:
        for day, q in f.quality.items():
            if day not in period:
                continue
            total.pages += q.pages
            total.no_confidence += q.no_confidence
            total.flagged += q.flagged
            confidence_sum += q.confidence_sum
            for i, n in enumerate(q.confidence):
                total.confidence[i] += n
            for key, n in q.flags.items():
                total.flags[key] = total.flags.get(key, 0) + n
            for key, n in q.languages.items():
                total.languages[key] = total.languages.get(key, 0) + n
    total.flags, total.languages = _codes(total.flags.items()), _codes(total.languages.items())
    if not total.pages:
        return False
    measured = total.pages - total.no_confidence
    b.figure(s, "pages_with_quality", total.pages)
    b.figure(s, "confidence_mean", round(confidence_sum / measured, 1) if measured else 0)
    b.figure(s, "pages_flagged", total.flagged)
    for lang in ("nld", "fra"):
        b.figure(s, f"share_{lang}", round(100 * total.languages.get(lang, 0) / total.pages, 1))
    width = 100 // CONFIDENCE_BINS
    bins = [(f"{i * width}-{(i + 1) * width}", [n]) for i, n in enumerate(total.confidence)]
    b.plain(s, "confidence_distribution", "bin", ("pages",), [*bins, ("no-text", [total.no_confidence])])
    b.plain(s, "flags", "flag", ("pages",), _rows(total.flags, FLAG_ORDER))
    b.plain(s, "languages", "language", ("pages", "share"),
            [(k, [n, round(100 * n / total.pages, 1)]) for k, n in
             sorted(total.languages.items(), key=lambda kv: (-kv[1], kv[0]))])
    return True


def _integrity_section(b: _Builder, archive: Path, bags: dict[str, BagFacts], live: list[BagFacts],
                       profile: Profile, period: Period) -> bool:
    s = "integrity"
    log = read_verifications(archive)
    last: dict[str, tuple[str, str]] = {}
    for v in log.verifications:  # oldest first: the last one seen is the newest
        for bag, verdict in v.verdicts.items():
            if bag in bags:
                last[bag] = (v.time, verdict)
    results = Counter(verdict for _, verdict in last.values())
    b.figure(s, "bags", len(bags))
    b.figure(s, "bags_verified", len(last))
    b.figure(s, "never_verified", len(bags) - len(last))
    b.figure(s, "last_verification", max((v.time[:10] for v in log.verifications), default=""))
    b.figure(s, "unconfirmed_records", log.unconfirmed)
    b.plain(s, "verification_results", "result", ("bags",),
            [(k, [results.get(k, 0)]) for k in (OK, WARNINGS, FAILED)] + [("never", [len(bags) - len(last)])])
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for time, verdict in last.values():
        months[time[:7]][(OK, WARNINGS, FAILED).index(verdict)] += 1
    b.plain(s, "verification_months", "month", (OK, WARNINGS, FAILED), [(m, months[m]) for m in sorted(months)])
    b.plain(s, "verifications", "time", ("level", "bags", "failed", "warnings"),
            [(v.time, [code(v.level), len(v.verdicts), sum(x == FAILED for x in v.verdicts.values()),
                       sum(x == WARNINGS for x in v.verdicts.values())])
             for v in log.verifications if v.time[:10] in period])
    due: Counter[str] = Counter()
    renewal = profile.stats.timestamp_renewal_years
    for f in live:
        for year, n in f.timestamps.items():
            due[str(int(year) + renewal) if year.isdigit() else "no-timestamp"] += n
    b.figure(s, "unsigned_documents", sum(f.unsigned for f in live))
    b.plain(s, "timestamps_due", "year", ("documents",),
            [(k, [due[k]]) for k in sorted(k for k in due if k != "no-timestamp")]
            + ([("no-timestamp", [due["no-timestamp"]])] if "no-timestamp" in due else []))
    return bool(log.verifications)


def _first_day(bags: Iterable[BagFacts], journal: JournalFacts) -> str:
    days = [d for f in bags for d in f.added if d]
    days += [d for d in journal.pages_in if d] + [r.day for r in journal.runs if r.day]
    days += [d for d, *_ in journal.quarantine if d]
    return min(days, default="")


def compute_stats(archive: Path, profile: Profile, options: StatsOptions = StatsOptions(),
                  progress: ProgressReporter | None = None) -> StatsReport:
    """The key figures of `archive`. ArchiveError when the folder is not a dsd archive."""
    if not archive.is_dir():
        raise ArchiveError(f"{archive} is not a folder")
    if options.start and options.end and options.start > options.end:
        raise UsageError(f"--from {options.start} is after --to {options.end}")
    scan = scan_bags(archive, use_cache=options.use_cache, progress=progress)
    journal = read_journal(archive)
    if not scan.facts and not journal.present and not ArchiveLayout(archive).state.is_dir():
        raise ArchiveError(f"{archive} is not a dsd archive (no dossier bags, no journal)",
                           hint="give the folder that `dsd run --archive` or `dsd package --archive` filled")
    today = options.today or dt.datetime.now(dt.UTC).date()
    first = _first_day(scan.facts.values(), journal)
    period = Period(options.start or (dt.date.fromisoformat(first) if first else today), options.end or today)

    readable = [f for f in scan.facts.values() if f.readable]
    live = [f for f in readable if not f.disposal]
    gone = [f for f in readable if f.disposal]
    b = _Builder(profile.stats.small_count_threshold)
    _archive_section(b, live, gone, readable, len(scan.facts) - len(readable), profile)
    _progress_section(b, readable, journal, period)
    quality = _quality_section(b, live, period)
    verified = _integrity_section(b, archive, scan.facts, live, profile, period)
    return StatsReport(organisation=profile.organization.name, period=period,
                       generated=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                       threshold=profile.stats.small_count_threshold, figures=dict(b.figures),
                       tables=tuple(b.tables),
                       available={"journal": journal.present, "quality": quality, "verifications": verified})
