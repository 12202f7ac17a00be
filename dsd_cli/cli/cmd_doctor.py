"""`dsd doctor`: is everything dsd needs installed?"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from dsd_cli.cli.output import JsonOption, out_console, print_json
from dsd_cli.errors import MissingToolError
from dsd_cli.tools.versions import REQUIREMENTS, check

DOCTOR_HELP = """Check every external program, library and Tesseract language pack dsd needs, with versions.

Exit code 0 when all required parts are there, 6 when something required is missing (with what to install).

Examples:

  dsd doctor

  dsd doctor --json
"""


def register(app: typer.Typer) -> None:
    @app.command("doctor", help=DOCTOR_HELP)
    def doctor_command(
        json_output: JsonOption = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only what is missing.")] = False,
    ) -> None:
        rows = [(r, check(r)) for r in REQUIREMENTS]
        missing = [r for r, found in rows if not found and r.required]
        if json_output:
            print_json({"ok": not missing, "requirements": [
                {"name": r.name, "kind": r.kind, "purpose": r.purpose, "version": found or None,
                 "required": r.required, "install": r.install} for r, found in rows]})
        elif not quiet:
            table = Table(title="dsd doctor")
            for col in ("", "name", "kind", "version", "purpose", "install"):
                table.add_column(col)
            for r, found in rows:
                mark = "[green]✓[/]" if found else ("[red]✗[/]" if r.required else "[yellow]–[/]")
                table.add_row(mark, r.name, r.kind, found or "missing", r.purpose, "" if found else r.install)
            out_console.print(table)
        if missing:
            raise MissingToolError("missing: " + ", ".join(r.name for r in missing),
                                   hint="; ".join(r.install for r in missing))
