"""The key-figures report as ONE self-contained HTML file: styles and charts inline, no script, no link out.

Each chart has its figures in a table beside it (for screen readers, for copying, and because a chart alone can be
misread). The print style lays it out on A4; every text is escaped (the organisation's name comes from a profile).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Sequence

from dsd_cli import __version__
from dsd_cli.i18n import moment_for_people, with_colon
from dsd_cli.stats.charts import Series, bar_chart
from dsd_cli.stats.labels import Labels
from dsd_cli.stats.model import SECTIONS, StatsReport, Table, Value

# Table -> (horizontal bars, the columns drawn). Tables not listed are shown as tables only.
CHARTS: dict[str, tuple[bool, tuple[str, ...]]] = {
    "documents_by_type": (True, ("documents",)),
    "dossiers_by_rule": (True, ("dossiers",)),
    "dossiers_by_disposition": (False, ("dossiers",)),
    "dossiers_by_competence": (False, ("dossiers",)),
    "dossiers_by_due_year": (False, ("dossiers",)),
    "dossiers_by_versions": (False, ("dossiers",)),
    "disposals_by_year": (False, ("dossiers", "documents")),
    "per_day": (False, ("pages_scanned", "pages_archived")),
    "per_week": (False, ("pages_scanned", "pages_archived")),
    "runs_table": (False, ("rate",)),
    "backlog_by_state": (False, ("pages",)),
    "quarantine_by_reason": (True, ("items",)),
    "dropped_by_reason": (True, ("pages",)),
    "separator_problems": (True, ("pages",)),
    "confidence_distribution": (False, ("pages",)),
    "flags": (True, ("pages",)),
    "languages": (True, ("pages",)),
    "verification_results": (False, ("bags",)),
    "verification_months": (False, ("ok", "warnings", "failed")),
    "timestamps_due": (False, ("documents",)),
}
LONG_TABLE = 16
"""Rows beyond which a table goes under its chart instead of beside it."""
LAST_ROWS = {"per_day": 62, "runs_table": 40}
"""On paper, these show their last rows only (chart and table alike); JSON and CSV have them all."""

STYLE = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #c8c8c8; --band: #f3f5f7; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: var(--ink); margin: 0 auto;
       max-width: 1100px; padding: 1.5rem; font-size: 14px; line-height: 1.4; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid var(--ink); padding-bottom: .2rem; margin-top: 2rem; }
header p { margin: .15rem 0; }
.note { color: var(--muted); font-size: .9em; }
dl.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: .5rem; margin: 1rem 0; }
dl.figures div { background: var(--band); border-radius: 4px; padding: .45rem .6rem; }
dl.figures dt { font-size: .8em; color: var(--muted); }
dl.figures dd { margin: 0; font-size: 1.25em; font-weight: bold; }
figure { margin: 1.2rem 0; display: flex; gap: 1rem; align-items: flex-start; flex-wrap: wrap; }
figure.long { display: block; }
figure.long .chart-box { max-width: 46rem; }
figcaption { flex-basis: 100%; font-weight: bold; }
.chart-box { flex: 1 1 60%; min-width: 20rem; }
.chart-box svg { width: 100%; height: auto; display: block; }
figure table { flex: 1 1 30%; }
table { border-collapse: collapse; font-size: .85em; }
th, td { border-bottom: 1px solid var(--rule); padding: .15rem .5rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 1.5px solid var(--ink); }
p.empty { color: var(--muted); font-style: italic; }
footer { margin-top: 2rem; color: var(--muted); font-size: .8em; }
@page { size: A4 portrait; margin: 14mm 12mm 16mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  h2 { break-after: avoid; }
  section { break-before: page; }
  section:first-of-type { break-before: auto; }
  figure, dl.figures div, tr { break-inside: avoid; }
  figure.long { break-inside: auto; }
  .chart-box { flex-basis: 62%; min-width: 0; }
  dl.figures { grid-template-columns: repeat(4, 1fr); }
}
"""


def format_value(value: Value, lang: str, suppressed: str) -> str:
    """A figure the way people of the language write it: 12.345 / 12 345 and 91,3."""
    if value is None:
        return suppressed
    if isinstance(value, bool) or isinstance(value, str):
        return str(value)
    thousands = "." if lang == "nl" else "\u202f"
    if isinstance(value, float) and not value.is_integer():
        whole, _, fraction = f"{value:,.1f}".partition(".")
        return whole.replace(",", thousands) + "," + fraction
    return f"{int(value):,}".replace(",", thousands)


def human_bytes(size: int, lang: str) -> str:
    """'1,1 MB'; a size under a kilobyte in the language's word for bytes ('512 octets')."""
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            number = format_value(int(value) if unit == "bytes" else round(value, 1), lang, "")
            return f"{number} {Labels(lang)('unit_bytes') if unit == 'bytes' else unit}"
        value /= 1000
    return str(size)  # pragma: no cover - the loop returns


def _figures(report: StatsReport, section: str, words: Labels) -> str:
    items = []
    for name, value in report.figures.get(section, {}).items():
        if name == "bytes" and isinstance(value, int):
            shown = human_bytes(value, words.lang)
        else:
            shown = format_value(value, words.lang, report.suppressed_text)
            if name.startswith("share_") and value is not None:
                shown += " %"
        items.append(f"<div><dt>{html.escape(words(name))}</dt><dd>{html.escape(shown or '—')}</dd></div>")
    return f'<dl class="figures">{"".join(items)}</dl>' if items else ""


def _cell(column: str, value: Value, words: Labels, suppressed: str) -> str:
    return words.code(column, value) if isinstance(value, str) else format_value(value, words.lang, suppressed)


def _table_html(table: Table, words: Labels, suppressed: str) -> str:
    head = "".join(f"<th scope=\"col\">{html.escape(words(c))}</th>" for c in (table.key, *table.columns))
    body = []
    for key, values in table.rows:
        cells = "".join(f"<td>{html.escape(_cell(c, v, words, suppressed))}</td>"
                        for c, v in zip(table.columns, values, strict=True))
        body.append(f'<tr><th scope="row">{html.escape(words.code(table.key, key))}</th>{cells}</tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _chart(table: Table, words: Labels, suppressed: str) -> str:
    horizontal, columns = CHARTS[table.name]
    columns = tuple(c for c in columns if c in table.columns)
    drawn = [Series(words(c), tuple(v if v is None or isinstance(v, int | float) else 0
                                    for v in table.column(c))) for c in columns]
    if not any(v is None or v for s in drawn for v in s.values):
        return ""  # nothing but zeros: the table says it
    categories = [words.code(table.key, k) for k, _ in table.rows]
    unit = words(columns[0]) if len(columns) == 1 else ""
    return bar_chart(f"c-{table.name}", categories, drawn, horizontal=horizontal, suppressed_text=suppressed,
                     value_label=unit, description=f"{words('chart_of')}: {words(table.name)}")


def _table_figure(table: Table, words: Labels, suppressed: str) -> str:
    title = html.escape(words(table.name))
    limit = LAST_ROWS.get(table.name)
    if limit and len(table.rows) > limit:
        table = dataclasses.replace(table, rows=table.rows[-limit:])
        title += html.escape(f" ({words('last_rows', n=limit)})")
    if not table.rows:
        return f'<figure id="t-{table.name}"><figcaption>{title}</figcaption>' \
               f'<p class="empty">{html.escape(words("no_data"))}</p></figure>'
    chart = _chart(table, words, suppressed) if table.name in CHARTS else ""
    long = " long" if len(table.rows) > LONG_TABLE else ""
    box = f'<div class="chart-box">{chart}</div>' if chart else ""
    return (f'<figure id="t-{table.name}" class="stats{long}{" charted" if chart else ""}">'
            f"<figcaption>{title}</figcaption>{box}{_table_html(table, words, suppressed)}</figure>")


def _notes(report: StatsReport, section: str, words: Labels) -> Sequence[str]:
    if section == "progress" and not report.available.get("journal"):
        return [words("no_journal")]
    if section == "quality" and not report.available.get("quality"):
        return [words("no_quality")]
    if section == "integrity" and not report.available.get("verifications"):
        return [words("no_verifications")]
    return []


def render_html(report: StatsReport, words: Labels) -> str:
    suppressed = report.suppressed_text
    period = f"{report.period.start.isoformat()} – {report.period.end.isoformat()}"
    parts = [f'<!DOCTYPE html>\n<html lang="{words.lang}"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{html.escape(words('title'))} — {html.escape(report.organisation)}</title>",
             f"<style>{STYLE}</style></head><body>",
             f"<header><h1>{html.escape(words('title'))}</h1>",
             f"<p><strong>{html.escape(with_colon(words('organisation'), words.lang))}</strong> "
             f"{html.escape(report.organisation)}</p>",
             f'<p><strong>{html.escape(with_colon(words("period"), words.lang))}</strong> '
             f'<span id="period">{period}</span></p>',
             f"<p><strong>{html.escape(with_colon(words('generated'), words.lang))}</strong> "
             f"{html.escape(moment_for_people(report.generated))}</p>",
             f'<p class="note">{html.escape(words("suppression", n=report.threshold))} '
             f"{html.escape(words('utc'))}</p></header>"]
    for section in SECTIONS:
        parts.append(f'<section id="{section}"><h2>{html.escape(words(section))}</h2>')
        parts += [f'<p class="note">{html.escape(n)}</p>' for n in _notes(report, section, words)]
        parts.append(_figures(report, section, words))
        parts += [_table_figure(t, words, suppressed) for t in report.section_tables(section)]
        parts.append("</section>")
    parts.append(f"<footer>dsd {html.escape(__version__)} — dsd stats</footer></body></html>\n")
    return "".join(parts)
