"""`dsd sheets`: printable QR separator sheets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dsd_cli.cli.output import ProfileOption, info
from dsd_cli.errors import UsageError
from dsd_cli.profiles import load_profile
from dsd_cli.register import load_register

SHEETS_HELP = """Print A4 separator sheets: a QR code (dossier number + document type) and the same in large text.

Put a sheet in front of each document before scanning; `dsd split` and `dsd run` start a new document at every
sheet. With --register the client's name is printed for the desk clerk to check, and unknown dossiers are refused.

Examples:

  dsd sheets --dossier SD/2024/0001 --type aanvraag -o sheet.pdf

  dsd sheets --from stack.csv --register register.csv -o stack.pdf     (CSV columns: dossier,type[,client])
"""


def register(app: typer.Typer) -> None:
    @app.command("sheets", help=SHEETS_HELP)
    def sheets_command(
        output: Annotated[Path, typer.Option("--output", "-o", help="PDF to write.")],
        dossier: Annotated[str | None, typer.Option("--dossier", "-d", help="Dossier number.")] = None,
        doc_type: Annotated[str | None, typer.Option("--type", "-t", help="Document type code (see profile).")] = None,
        from_csv: Annotated[Path | None, typer.Option("--from", help="CSV with one sheet per line.")] = None,
        register_csv: Annotated[Path | None, typer.Option("--register", help="Dossier register CSV.")] = None,
        profile: ProfileOption = None,
    ) -> None:
        from dsd_cli.sheets.render import SheetSpec, read_sheet_csv, write_sheets

        if from_csv is not None:
            if dossier or doc_type:
                raise UsageError("use either --from or --dossier/--type, not both")
            specs = read_sheet_csv(from_csv)
        elif dossier and doc_type:
            specs = [SheetSpec(dossier, doc_type)]
        else:
            raise UsageError("give --dossier and --type, or --from CSV")
        register_data = load_register(register_csv) if register_csv else None
        count = write_sheets(specs, output, load_profile(profile), register_data)
        info(f"wrote {count} separator sheet{'s' if count != 1 else ''} to {output}")
