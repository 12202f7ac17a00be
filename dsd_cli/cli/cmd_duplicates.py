"""`dsd duplicates`: documents kept more than once — exact copies and the same letter scanned twice."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from dsd_cli.search.duplicates import DuplicateReport

DUPLICATES_HELP = """Find documents the archive holds more than once.

Exact: the same file content, or the very same page scan, in different documents. Near: the same letter
scanned twice (another scanner or resolution, skewed, stamped, photocopied) — the same words up to OCR errors
and the same numbers, dates, amounts and account numbers; letters from one template that differ in name, date
or amount are not duplicates. Nothing is removed: which copy stays is a person's decision.

Reads the search index (`dsd index` first on an archive made before dsd had search). Every listing is recorded
in the audit log (who, when, which dossiers). The HTML report shows the pages side by side, in Dutch or, with
--lang fr, in French.

Exit codes: 0 listed (also when there are none), 4 the report cannot be written, 9 no such archive or no search
index yet, 2 wrong command line (full table: dsd --help).

Examples:

  dsd duplicates --archive /srv/archive

  dsd duplicates --archive /srv/archive --dossier SD/2024/0001 --json

  dsd duplicates --archive /srv/archive --report dubbels.html --lang fr
"""


def _render(report: DuplicateReport) -> None:
    from dsd_cli.cli.tables import Column, print_table

    if not report.groups:
        result_line(f"no duplicates among {report.pages} page(s)")
        return
    print_table(f"Duplicates among {report.pages} page(s)",
                (Column("group", keep=True, justify="right"), Column("kind", keep=True),
                 Column("similarity", keep=True, justify="right"), Column("dossier", keep=True),
                 Column("document", keep=True), Column("type", keep=True), Column("pages")),
                [(number, group.kind, f"{group.similarity:.2f}", m.dossier, m.document, m.doc_type,
                  " ".join(map(str, m.pages)))
                 for number, group in enumerate(report.groups, start=1) for m in group.documents])


def register(app: typer.Typer) -> None:
    @app.command("duplicates", help=DUPLICATES_HELP)
    def duplicates_command(
        archive: ArchiveOption,
        dossier: DossierFilterOption = None,
        csv_output: CsvOption = False,
        report_file: HtmlReportOption = None,
        lang: LangOption = None,
        profile: ProfileOption = None,
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.cli.inputs import existing_archive, output_folder_of, writing_report
        from dsd_cli.i18n import document_language
        from dsd_cli.profiles import load_profile
        from dsd_cli.search.access import record_access
        from dsd_cli.search.duplicates import archive_duplicates
        from dsd_cli.search.dupreport import duplicates_csv, write_html

        one_listing_format(json_output, csv_output)
        lang = document_language(lang, load_profile(profile).organization.language)
        if report_file is not None:
            output_folder_of(report_file)
        report = archive_duplicates(existing_archive(archive), dossier)
        dossiers = [m.dossier for g in report.groups for m in g.documents]
        record_access(archive, "duplicates", dossiers,
                      detail={"dossier": dossier or "", "groups": len(report.groups),
                              "report": bool(report_file)})
        if report_file is not None:
            with writing_report(report_file):
                write_html(archive, report, report_file, lang)
            info(f"wrote {report_file} ({len(report.groups)} group(s))")
        if json_output:
            print_json(report.to_dict())
        elif csv_output:
            sys.stdout.write(duplicates_csv(report))
        elif report_file is None:
            _render(report)
