"""The key figures as CSV files for spreadsheets: one file per table, and figures.csv with the single figures.

Codes stay codes (a `label` column beside them says what they mean in the chosen language); a suppressed count is
the text "< N", exactly as in the report.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from dsd_cli.fsutil import atomic_write_text
from dsd_cli.stats.labels import Labels
from dsd_cli.stats.model import SECTIONS, StatsReport, Value


def _cell(value: Value, suppressed: str) -> str:
    return suppressed if value is None else str(value)


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def write_csv(report: StatsReport, folder: Path, words: Labels) -> list[Path]:
    """Write every table and figures.csv into `folder` (created if needed). Returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    shown = report.suppressed_text
    written = []
    figures = [["section", "figure", "label", "value"]]
    for section in SECTIONS:
        figures += [[section, name, words(name), _cell(value, shown)]
                    for name, value in report.figures.get(section, {}).items()]
    figures += [["period", "from", words("period"), report.period.start.isoformat()],
                ["period", "to", words("period"), report.period.end.isoformat()]]
    target = folder / "figures.csv"
    atomic_write_text(target, _csv(figures))
    written.append(target)
    for table in report.tables:
        rows = [[table.key, "label", *table.columns]]
        rows += [[key, words.code(table.key, key), *(_cell(v, shown) for v in values)] for key, values in table.rows]
        target = folder / f"{table.name}.csv"
        atomic_write_text(target, _csv(rows))
        written.append(target)
    return written
