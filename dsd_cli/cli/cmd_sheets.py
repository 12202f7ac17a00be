"""`dsd sheets`: printable QR separator sheets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dsd_cli.cli.options import LangOption, RegisterOption
from dsd_cli.cli.output import JsonOption, ProfileOption, info, print_json

SHEETS_HELP = """Print QR separator sheets to put in front of each document.

Each A4 sheet has a QR code (dossier number + document type) and the same in large text.

Put a sheet in front of each document before scanning; `dsd split` and `dsd run` start a new document at every
sheet. With --register the client's name is printed for the desk clerk to check, and unknown dossiers are refused.
The sheet names the document type in Dutch and French; its footer is in Dutch, or French with --lang fr.

Exit codes: 0 written, 5 an unknown document type or dossier (not in the register), 4 the CSV or register is
missing, 2 wrong command line (full table: dsd --help).

Examples:

  dsd sheets --dossier SD/2024/0001 --type aanvraag -o sheet.pdf

  dsd sheets --from stack.csv --register register.csv -o stack.pdf     (CSV columns: dossier,type[,client])
"""


def register(app: typer.Typer) -> None:
    @app.command("sheets", help=SHEETS_HELP)
    def sheets_command(
        output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", help="PDF to write.")],
        dossier: Annotated[str | None, typer.Option("--dossier", "-d", metavar="DOSSIER",
                                                    help="Dossier number, e.g. SD/2024/0001.")] = None,
        doc_type: Annotated[str | None, typer.Option("--type", "-t", metavar="TYPE",
                                                     help="Document type code (see the profile).")] = None,
        from_csv: Annotated[Path | None, typer.Option("--from", metavar="FILE",
                                                      help="CSV with one sheet per line.")] = None,
        register_csv: RegisterOption = None,
        lang: LangOption = None,
        profile: ProfileOption = None,
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.cli.inputs import input_file, register_file
        from dsd_cli.errors import UsageError
        from dsd_cli.i18n import document_language
        from dsd_cli.profiles import load_profile
        from dsd_cli.sheets.render import SheetSpec, read_sheet_csv, write_sheets

        prof = load_profile(profile)
        lang = document_language(lang, prof.organization.language)
        if from_csv is not None:
            if dossier or doc_type:
                raise UsageError("use either --from or --dossier/--type, not both")
            specs = read_sheet_csv(input_file(from_csv, "CSV file"))
        elif dossier and doc_type:
            specs = [SheetSpec(dossier, doc_type)]
        else:
            raise UsageError("give --dossier and --type, or --from CSV")
        count = write_sheets(specs, output, prof, register_file(register_csv), lang=lang)
        if json_output:
            print_json({"output": str(output), "sheets": count})
            return
        info(f"wrote {count} separator sheet{'s' if count != 1 else ''} to {output}")
