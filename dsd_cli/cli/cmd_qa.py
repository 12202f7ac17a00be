"""`dsd qa`: per-page OCR quality of an archive, as a rescan worklist (table, JSON, CSV or an HTML report)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from dsd_cli.cli.output import JsonOption, info, out_console, print_json

QA_HELP = """List the pages of archived documents with their OCR quality figures (words, word confidence,
orientation, residual skew, language, ink) and the flags set by the profile's [qa] thresholds: the worklist of
pages to check and rescan. The HTML report shows a thumbnail of each page next to its figures (Dutch, or French
with --lang fr).

Examples:

  dsd qa --archive /srv/archive --flagged

  dsd qa --archive /srv/archive --dossier SD/2024/0001 --json

  dsd qa --archive /srv/archive --flagged --report qa.html

  dsd qa --archive /srv/archive --csv > pages.csv
"""


def register(app: typer.Typer) -> None:
    @app.command("qa", help=QA_HELP)
    def qa_command(
        archive: Annotated[Path, typer.Option("--archive", "-a", help="Archive folder.")],
        dossier: Annotated[str | None, typer.Option("--dossier", "-d", help="Only this dossier.")] = None,
        flagged: Annotated[bool, typer.Option("--flagged", help="Only pages with a flag.")] = False,
        csv_output: Annotated[bool, typer.Option("--csv", help="Print CSV on stdout.")] = False,
        report: Annotated[Path | None, typer.Option("--report", help="Write an HTML report with thumbnails.")]
        = None,
        lang: Annotated[str, typer.Option("--lang", help="Language of the HTML report: nl or fr.")] = "nl",
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.errors import UsageError
        from dsd_cli.fsutil import atomic_write_text
        from dsd_cli.ocr.qa import archive_quality, to_csv, to_html

        if lang not in ("nl", "fr"):
            raise UsageError(f"--lang: {lang!r} is not nl or fr")
        listing = archive_quality(archive, dossier, flagged)
        if report is not None:
            atomic_write_text(report, to_html(listing, lang))
            info(f"wrote {report} ({len(listing.pages)} page(s))")
        if json_output:
            print_json({"pages": [p.to_dict() for p in listing.pages], "measured_pages": listing.measured,
                        "unmeasured_documents": listing.unmeasured_documents})
        elif csv_output:
            sys.stdout.write(to_csv(listing))
        elif report is None:
            table = Table(title=f"OCR quality in {archive}" + (" (flagged pages)" if flagged else ""))
            for col in ("dossier", "document", "page", "flags", "confidence", "words", "orientation", "skew",
                        "language"):
                table.add_column(col, overflow="fold")
            for page in listing.pages:
                r = page.record
                table.add_row(Text(page.dossier), Text(page.document), str(r["page"]), Text(", ".join(r["flags"])),
                              str(r["confidence_mean"]), str(r["words"]), f"{r['orientation']}°",
                              f"{r['skew_residual']}°", Text(r["language"] or "—"))
            out_console.print(table)
            out_console.print(f"{len(listing.pages)} of {listing.measured} measured page(s) listed; "
                              f"{listing.unmeasured_documents} document(s) without quality figures", highlight=False)
