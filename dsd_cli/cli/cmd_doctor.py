"""`dsd doctor`: is everything dsd needs installed?"""

from __future__ import annotations

from typing import Annotated

import typer

from dsd_cli.cli.output import JsonOption, print_json, styled

DOCTOR_HELP = """Check that every program and language pack dsd needs is there.

Lists each with its version, what dsd uses it for, and how to install what is missing.

Exit codes: 0 all required parts are there, 6 something required is missing (with what to install), 2 wrong
command line (full table: dsd --help).

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
        from dsd_cli.errors import MissingToolError
        from dsd_cli.tools.versions import REQUIREMENTS, check

        rows = [(r, check(r)) for r in REQUIREMENTS]
        missing = [r for r, found in rows if not found and r.required]
        if json_output:
            print_json({"ok": not missing, "requirements": [
                {"name": r.name, "kind": r.kind, "purpose": r.purpose, "version": found or None,
                 "required": r.required, "install": r.install} for r, found in rows]})
        elif not quiet:
            from dsd_cli.cli.tables import Column, print_table

            def mark(found: str | None, required: bool) -> object:
                return styled(("✓", "green")) if found else styled(("✗", "red") if required else ("–", "yellow"))

            print_table("dsd doctor", (Column("", keep=True), Column("name", keep=True), Column("kind", keep=True),
                                       Column("version"), Column("purpose"), Column("install", breakable=True)),
                        [(mark(found, r.required), r.name, r.kind, found or "missing", r.purpose,
                          "" if found else r.install) for r, found in rows])
        if missing:
            raise MissingToolError("missing: " + ", ".join(r.name for r in missing),
                                   hint="; ".join(r.install for r in missing))
