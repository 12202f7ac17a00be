"""`dsd stats`: depersonalised key figures of an archive and of the digitisation project."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dsd_cli.cli.options import ArchiveOption, LangOption
from dsd_cli.cli.output import JsonOption, ProfileOption, err_console, info, out_console, print_json
from dsd_cli.errors import InputError, UsageError

if TYPE_CHECKING:
    from dsd_cli.stats.labels import Labels
    from dsd_cli.stats.model import StatsReport

STATS_HELP = """Key figures of an archive and of the digitisation project.

What it holds, how the project progresses, OCR quality, integrity. Read from the bags, the journal and the audit
log (no OCR, no hashing). No dossier number, name, national register number or text from a document appears in any
output; counts of dossiers or documents below the profile's stats.small_count_threshold (default 5) are shown as "<
5". The HTML report is one self-contained file with charts, for screen and A4 paper, in Dutch (default) or French.

Exit codes: 0 computed, 4 the report or CSV files cannot be written, 9 no such archive or an unreadable journal, 2
wrong command line (full table: dsd --help).

Examples:

  dsd stats --archive /srv/archive

  dsd stats --archive /srv/archive --from 2026-01-01 --to 2026-03-31 --report kerncijfers-q1.html

  dsd stats --archive /srv/archive --report chiffres.html --lang fr

  dsd stats --archive /srv/archive --csv stats-csv/ --json
"""


def _date(option: str, value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option}: {value!r} is not a date like 2026-01-31") from None


def _render(report: StatsReport, words: Labels) -> None:
    from rich.table import Table
    from rich.text import Text

    from dsd_cli.stats.html import format_value, human_bytes
    from dsd_cli.stats.model import SECTIONS

    out_console.print(Text(f"{words('title')} — {report.organisation}", style="bold"))
    out_console.print(Text(f"{words('period')}: {report.period.start} – {report.period.end}"))
    for section in SECTIONS:
        table = Table(title=words(section), show_header=False, title_justify="left")
        table.add_column("figure")
        table.add_column("value", justify="right")
        for name, value in report.figures.get(section, {}).items():
            shown = human_bytes(value, words.lang) if name == "bytes" and isinstance(value, int) \
                else format_value(value, words.lang, report.suppressed_text)
            table.add_row(Text(words(name)), Text(shown or "—"))
        out_console.print(table)
    missing = [k for k, present in report.available.items() if not present]
    for key in missing:
        out_console.print(Text(words({"journal": "no_journal", "quality": "no_quality",
                                      "verifications": "no_verifications"}[key]), style="dim"))


def register(app: typer.Typer) -> None:
    @app.command("stats", help=STATS_HELP)
    def stats_command(
        archive: ArchiveOption,
        date_from: Annotated[str | None, typer.Option("--from", metavar="DATE",
                                                      help="First day of the period (YYYY-MM-DD); default: the "
                                                           "first recorded activity.")] = None,
        date_to: Annotated[str | None, typer.Option("--to", metavar="DATE", help="Last day of the period "
                                                                                "(YYYY-MM-DD); default: today.")
                           ] = None,
        csv_dir: Annotated[Path | None, typer.Option("--csv", metavar="FOLDER",
                                                     help="Write one CSV file per table into this folder.")] = None,
        report_html: Annotated[Path | None, typer.Option("--report", metavar="FILE",
                                                         help="Write the HTML report (charts, A4) to this file.")
                               ] = None,
        lang: LangOption = None,
        no_cache: Annotated[bool, typer.Option("--no-cache", help="Read every bag again (ignore and do not "
                                                                  "update .dsd/stats-cache.msgpack).")] = False,
        profile: ProfileOption = None,
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.cli.inputs import existing_archive, output_folder_of, writing_report
        from dsd_cli.i18n import document_language
        from dsd_cli.profiles import load_profile
        from dsd_cli.stats import StatsOptions, compute_stats
        from dsd_cli.stats.labels import Labels

        prof = load_profile(profile)
        lang = document_language(lang, prof.organization.language)
        if report_html is not None:
            output_folder_of(report_html)
        existing_archive(archive)
        options = StatsOptions(start=_date("--from", date_from), end=_date("--to", date_to), use_cache=not no_cache)
        bars = err_console.is_terminal and not json_output
        if bars:
            from dsd_cli.cli.progressbar import RichProgress

            progress_context: contextlib.AbstractContextManager = RichProgress()
        else:
            progress_context = contextlib.nullcontext()
        with progress_context as progress:
            report = compute_stats(archive, prof, options, progress)
        labels = {code: (t.label_fr or t.label_nl) if lang == "fr" else t.label_nl
                  for code, t in prof.document_types.items()}
        words = Labels(lang, labels)
        if report_html is not None:
            from dsd_cli.fsutil import atomic_write_text
            from dsd_cli.stats.html import render_html

            with writing_report(report_html):
                atomic_write_text(report_html, render_html(report, words))
            info(f"report written to {report_html}")
        if csv_dir is not None:
            from dsd_cli.stats.csvout import write_csv

            try:
                written = write_csv(report, csv_dir, words)
            except OSError as exc:
                raise InputError(f"{csv_dir}: the CSV files cannot be written ({exc.strerror})",
                                 reason="unwritable") from None
            info(f"{len(written)} CSV files written to {csv_dir}")
        if json_output:
            print_json(report.to_dict())
        else:
            _render(report, words)
