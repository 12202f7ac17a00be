"""`dsd qa`: per-page OCR quality of an archive, as a rescan worklist (table, JSON, CSV or an HTML report)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from dsd_cli.cli.options import (
    ArchiveOption,
    CsvOption,
    DossierFilterOption,
    HtmlReportOption,
    LangOption,
    one_listing_format,
)
from dsd_cli.cli.output import JsonOption, ProfileOption, info, print_json, result_line

QA_HELP = """List archived pages with their OCR quality: the worklist of pages to rescan.

Each page's figures (words, word confidence, orientation, residual skew, language, ink) and the flags set by the
profile's [qa] thresholds. The HTML report shows a thumbnail of each page next to its figures (Dutch, or French
with --lang fr).

Exit codes: 0 listed, 4 the report cannot be written, 9 no such archive, 2 wrong command line (full table:
dsd --help).

Examples:

  dsd qa --archive /srv/archive --flagged

  dsd qa --archive /srv/archive --dossier SD/2024/0001 --json

  dsd qa --archive /srv/archive --flagged --report qa.html

  dsd qa --archive /srv/archive --csv > pages.csv
"""


def register(app: typer.Typer) -> None:
    @app.command("qa", help=QA_HELP)
    def qa_command(
        archive: ArchiveOption,
        dossier: DossierFilterOption = None,
        flagged: Annotated[bool, typer.Option("--flagged", help="Only pages with a flag.")] = False,
        csv_output: CsvOption = False,
        report: HtmlReportOption = None,
        lang: LangOption = None,
        profile: ProfileOption = None,
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.cli.inputs import existing_archive, output_folder_of, writing_report
        from dsd_cli.fsutil import atomic_write_text
        from dsd_cli.i18n import document_language
        from dsd_cli.ocr.qa import archive_quality, to_csv, to_html
        from dsd_cli.profiles import load_profile

        one_listing_format(json_output, csv_output)
        lang = document_language(lang, load_profile(profile).organization.language)
        if report is not None:
            output_folder_of(report)
        listing = archive_quality(existing_archive(archive), dossier, flagged)
        if report is not None:
            with writing_report(report):
                atomic_write_text(report, to_html(listing, lang))
            info(f"wrote {report} ({len(listing.pages)} page(s))")
        if json_output:
            print_json({"pages": [p.to_dict() for p in listing.pages], "measured_pages": listing.measured,
                        "unmeasured_documents": listing.unmeasured_documents})
        elif csv_output:
            sys.stdout.write(to_csv(listing))
        elif report is None:
            from dsd_cli.cli.tables import Column, print_table

            print_table(f"OCR quality in {archive}" + (" (flagged pages)" if flagged else ""),
                        (Column("dossier", keep=True), Column("document", keep=True),
                         Column("page", keep=True, justify="right"), Column("flags"),
                         Column("confidence", keep=True, justify="right"), Column("words", keep=True, justify="right"),
                         Column("orientation", keep=True, justify="right"), Column("skew", keep=True, justify="right"),
                         Column("language", keep=True)),
                        [(page.dossier, page.document, page.record["page"], ", ".join(page.record["flags"]),
                          page.record["confidence_mean"], page.record["words"], f"{page.record['orientation']}°",
                          f"{page.record['skew_residual']}°", page.record["language"] or "—")
                         for page in listing.pages])
            result_line(f"{len(listing.pages)} of {listing.measured} measured page(s) listed; "
                        f"{listing.unmeasured_documents} document(s) without quality figures")
