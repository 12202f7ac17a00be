"""The data objects of `dsd stats`: what a key-figures report holds once small counts are suppressed.

A StatsReport holds only what may be published: categories are codes (document types, retention rules, reasons,
years, days), never dossier numbers, names or text from documents, and a suppressed count is None — its exact value
is not in the object at all, so no renderer can show it by mistake.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

SECTIONS = ("archive", "progress", "quality", "integrity")

Value = int | float | str | None
"""A published figure (a count, a share, a day, a code); None where a small count was suppressed."""


@dataclass(frozen=True)
class Period:
    """The days (inclusive, UTC) that the time-dependent figures cover."""

    start: dt.date
    end: dt.date

    def __contains__(self, day: str | dt.date) -> bool:
        if isinstance(day, str):
            return self.start.isoformat() <= day[:10] <= self.end.isoformat()
        return self.start <= day <= self.end

    def to_dict(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


@dataclass(frozen=True)
class Table:
    """One breakdown or time series: a key column (a code, a day, a year) and one or more count columns."""

    section: str
    name: str
    """Stable identifier, also the CSV file name and the JSON key (`documents_by_type`)."""
    key: str
    """What the key column holds (`doc_type`, `day`, `reason`)."""
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Value, ...]], ...]
    protected: bool = False
    """Small counts were suppressed in this table (it counts dossiers or documents by a property of theirs)."""

    def column(self, name: str) -> list[Value]:
        index = self.columns.index(name)
        return [values[index] for _, values in self.rows]

    def to_rows(self, suppressed: str) -> list[dict[str, Any]]:
        return [{self.key: key, **{c: suppressed if v is None else v for c, v in zip(self.columns, values,
                                                                                     strict=True)}}
                for key, values in self.rows]


@dataclass(frozen=True)
class StatsReport:
    organisation: str
    period: Period
    generated: str
    """ISO date-time (UTC) the figures were computed."""
    threshold: int
    """Counts below this are suppressed in protected tables and figures."""
    figures: dict[str, dict[str, Value]]
    """Per section, single figures (totals, current backlog); None where suppressed."""
    tables: tuple[Table, ...]
    available: dict[str, bool] = field(default_factory=dict)
    """Per source (`journal`, `quality`, `verifications`): whether the archive holds any of it."""

    @property
    def suppressed_text(self) -> str:
        return f"< {self.threshold}"

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    def section_tables(self, section: str) -> list[Table]:
        return [t for t in self.tables if t.section == section]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: suppressed values are the string "< N"."""
        shown = self.suppressed_text
        out: dict[str, Any] = {"organisation": self.organisation, "period": self.period.to_dict(),
                               "generated": self.generated, "small_count_threshold": self.threshold,
                               "available": dict(self.available)}
        for section in SECTIONS:
            out[section] = {
                "figures": {k: shown if v is None else v for k, v in self.figures.get(section, {}).items()},
                "tables": {t.name: t.to_rows(shown) for t in self.section_tables(section)},
            }
        return out
