"""`dsd duplicates`: documents kept more than once — exact copies and the same letter scanned twice."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from dsd_cli.cli.output import JsonOption, info, out_console, print_json
from dsd_cli.errors import UsageError

if TYPE_CHECKING:
    from dsd_cli.search.duplicates import DuplicateReport

DUPLICATES_HELP = """Find documents the archive holds more than once.

Exact: the same file content, or the very same page scan, in different documents. Near: the same letter
scanned twice (another scanner or resolution, skewed, stamped, photocopied) — the same words up to OCR errors
and the same numbers, dates, amounts and account numbers; letters from one template that differ in name, date
or amount are not duplicates. Nothing is removed: which copy stays is a person's decision.

Reads the search index (`dsd index` first on an archive made before dsd had search).

Examples:

  dsd duplicates --archive /srv/archive

  dsd duplicates --archive /srv/archive --dossier SD/2024/0001 --json

  dsd duplicates --archive /srv/archive --report dubbels.html --lang fr
"""


def _render(report: DuplicateReport) -> None:
    if not report.groups:
        info(f"no duplicates among {report.pages} page(s)")
        return
    table = Table(title=f"Duplicates among {report.pages} page(s)")
    for col in ("group", "kind", "similarity", "dossier", "document", "type", "pages"):
        table.add_column(col, overflow="fold")
    for number, group in enumerate(report.groups, start=1):
        for m in group.documents:
            table.add_row(str(number), group.kind, f"{group.similarity:.2f}", Text(m.dossier), Text(m.document),
                          Text(m.doc_type), " ".join(map(str, m.pages)))
    out_console.print(table)


def register(app: typer.Typer) -> None:
    @app.command("duplicates", help=DUPLICATES_HELP)
    def duplicates_command(
        archive: Annotated[Path, typer.Option("--archive", "-a", help="Archive folder.")],
        dossier: Annotated[str | None, typer.Option("--dossier", "-d", help="Only groups with this dossier.")]
        = None,
        csv_output: Annotated[bool, typer.Option("--csv", help="Print the groups as CSV on stdout.")] = False,
        report_file: Annotated[Path | None, typer.Option("--report", help="Write an HTML report with thumbnails.")]
        = None,
        lang: Annotated[str, typer.Option("--lang", help="Language of the HTML report: nl or fr.")] = "nl",
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.search.access import record_access
        from dsd_cli.search.duplicates import archive_duplicates
        from dsd_cli.search.dupreport import duplicates_csv, write_html

        if json_output and csv_output:
            raise UsageError("choose one of --json and --csv")
        if lang not in ("nl", "fr"):
            raise UsageError(f"--lang {lang!r}: choose nl or fr")
        report = archive_duplicates(archive, dossier)
        dossiers = [m.dossier for g in report.groups for m in g.documents]
        record_access(archive, "duplicates", dossiers,
                      detail={"dossier": dossier or "", "groups": len(report.groups),
                              "report": bool(report_file)})
        if report_file is not None:
            write_html(archive, report, report_file, lang)
            info(f"report written to {report_file}")
        if json_output:
            print_json(report.to_dict())
        elif csv_output:
            sys.stdout.write(duplicates_csv(report))
        elif report_file is None:
            _render(report)
