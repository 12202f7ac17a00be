"""`dsd split`: find separator sheets in scanner output and group pages into documents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dsd_cli.cli.logsetup import QuietOption, VerboseOption, setup_logging
from dsd_cli.cli.options import RegisterOption
from dsd_cli.cli.output import JsonOption, ProfileOption, err_console, info, print_json, result_line, styled

SPLIT_HELP = """Split scanner output into documents on separator sheets and labels.

Takes multi-page TIFFs, scanner PDFs, or folders of page images.
A folder is read in natural name order; each PDF and multi-page TIFF is a batch, the single page images of a
folder together are one batch. A sheet starts a document and is left out; a page with a dsd label (`dsd labels`)
starts a document and is its first page. Pages that belong to no document are reported (and written with -o),
never dropped; blank backs of sheets are dropped, and kept in DIR/dropped/ with -o.

Exit codes: 0 every page is assigned, 3 some pages are unassigned or a file is unusable, 4 an input is missing or
has no scanner files, 5 a bad profile or register, 2 wrong command line (full table: dsd --help).

Examples:

  dsd split samples/scans --json

  dsd split scan.pdf -o out/ --register register.csv      (one PDF per document + out/split.json)
"""


def register(app: typer.Typer) -> None:
    @app.command("split", help=SPLIT_HELP)
    def split_command(
        inputs: Annotated[list[Path], typer.Argument(help="Scanner files or folders.", metavar="SCAN")],
        output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FOLDER",
                                                    help="Write one PDF per document here.")] = None,
        register_csv: RegisterOption = None,
        drop_blank: Annotated[bool, typer.Option("--drop-blank", help="Drop every blank page (recorded).")] = False,
        profile: ProfileOption = None,
        json_output: JsonOption = False,
        quiet: QuietOption = False,
        verbose: VerboseOption = 0,
    ) -> None:
        from dsd_cli.cli.inputs import input_path, register_file
        from dsd_cli.errors import PartialResult
        from dsd_cli.profiles import load_profile
        from dsd_cli.scan.assemble import split_report, write_split_output
        from dsd_cli.scan.split import split_inputs

        for path in inputs:
            input_path(path)
        setup_logging("auto", quiet, verbose)
        register_data = register_file(register_csv)
        loaded = load_profile(profile)
        if err_console.is_terminal and not json_output and not quiet:  # bars for people; scripts get quiet stderr
            from dsd_cli.cli.progressbar import RichProgress

            with RichProgress() as bars:
                result = split_inputs(inputs, loaded, register_data, True if drop_blank else None, bars)
        else:
            result = split_inputs(inputs, loaded, register_data, True if drop_blank else None)
        if output is not None:
            manifest = write_split_output(result, output)
            info(f"wrote {len(result.documents)} document(s) and {manifest}")
        report = split_report(result)
        if json_output:
            print_json(report)
        elif not quiet:
            from dsd_cli.cli.tables import Column, print_table

            print_table("Documents", (Column("dossier", keep=True), Column("type", keep=True),
                                      Column("pages", keep=True, justify="right"), Column("source", breakable=True),
                                      Column("separator read")),
                        [(d["dossier"], d["type"], d["pages"], Path(d["source"]).name,
                          f"{d['separator']['kind']}: {d['separator']['reader']} {d['separator']['pass']} "
                          f"{d['separator']['orientation']}°")
                         for d in report["documents"]])
            for u in report["unassigned"]:
                result_line(styled(("unassigned", "yellow"), f" {len(u['pages'])} page(s) of "
                                   f"{Path(u['source']).name}: {u['reason']} — {u['detail']}"))
            for d in report["dropped"]:
                result_line(f"dropped {Path(d['source']).name} page {d['page']}: {d['reason']}"
                            + (" (kept in the output's dropped/ folder)" if output else ""))
            for q in report["quarantined"]:
                result_line(styled(("unusable", "red"), f" {q['source']}: {q['reason']} — {q['message']}"))
        if result.unassigned or result.quarantined:
            raise PartialResult("some pages are unassigned or some files unusable (see above)")
