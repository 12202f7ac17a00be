"""`dsd split`: find separator sheets in scanner output and group pages into documents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from dsd_cli.cli.output import JsonOption, ProfileOption, err_console, info, out_console, print_json
from dsd_cli.errors import PartialResult
from dsd_cli.profiles import load_profile
from dsd_cli.register import load_register

SPLIT_HELP = """Split scanner output on dsd separator sheets and labels: multi-page TIFF, scanner PDF, or a folder.

A folder is read in natural name order; each PDF and multi-page TIFF is a batch, the single page images of a
folder together are one batch. A sheet starts a document and is left out; a page with a dsd label (`dsd labels`)
starts a document and is its first page. Pages that belong to no document are reported (and written with -o),
never dropped; blank backs of sheets are dropped, and kept in DIR/dropped/ with -o. Exit code 0 when every page is
assigned, 3 when some are unassigned or a file is unusable.

Examples:

  dsd split samples/scans --json

  dsd split scan.pdf -o out/ --register register.csv      (one PDF per document + out/split.json)
"""


def register(app: typer.Typer) -> None:
    @app.command("split", help=SPLIT_HELP)
    def split_command(
        inputs: Annotated[list[Path], typer.Argument(help="Scanner files or folders.")],
        output: Annotated[Path | None, typer.Option("--output", "-o", help="Write one PDF per document here.")] = None,
        register_csv: Annotated[Path | None, typer.Option("--register", help="Dossier register CSV.")] = None,
        drop_blank: Annotated[bool, typer.Option("--drop-blank", help="Drop every blank page (recorded).")] = False,
        profile: ProfileOption = None,
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.scan.assemble import split_report, write_split_output
        from dsd_cli.scan.split import split_inputs

        register_data = load_register(register_csv) if register_csv else None
        loaded = load_profile(profile)
        if err_console.is_terminal and not json_output:  # bars for people; scripts get quiet stderr
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
        else:
            table = Table(title="Documents")
            for col in ("dossier", "type", "pages", "source", "separator read"):
                table.add_column(col)
            for d in report["documents"]:
                sep = d["separator"]
                table.add_row(d["dossier"], d["type"], str(d["pages"]), Path(d["source"]).name,
                              f"{sep['kind']}: {sep['reader']} {sep['pass']} {sep['orientation']}°")
            out_console.print(table)
            for u in report["unassigned"]:
                out_console.print(f"[yellow]unassigned[/] {len(u['pages'])} page(s) of {Path(u['source']).name}: "
                                  f"{u['reason']} — {u['detail']}", highlight=False)
            for d in report["dropped"]:
                out_console.print(Text(f"dropped {Path(d['source']).name} page {d['page']}: {d['reason']}"
                                       + (" (kept in the output's dropped/ folder)" if output else "")))
            for q in report["quarantined"]:
                out_console.print(f"[red]unusable[/] {q['source']}: {q['reason']} — {q['message']}", highlight=False)
        if result.unassigned or result.quarantined:
            raise PartialResult("some pages are unassigned or some files unusable (see above)")
