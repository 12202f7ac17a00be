"""`dsd labels`: printable A4 sheets of adhesive QR labels for incoming mail."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dsd_cli.cli.options import RegisterOption
from dsd_cli.cli.output import JsonOption, ProfileOption, info, print_json

LABELS_HELP = """Print A4 sheets of adhesive QR labels for incoming mail.

Each label has a QR code with the dossier number and document type. Stick a label on the first page of a letter
before scanning: `dsd split` and `dsd run` start a new document at that page and archive it, label and all (a
separator sheet, by contrast, is removed). Each label carries its code twice and the dossier number, document type
and, with --register, the client's name as text. Print at actual size (100 %, no "fit to page"). Layouts: 3x8 (70 x
37 mm, the default), 2x7 (99.1 x 38.1 mm), 3x7 (63.5 x 38.1 mm); see docs/separator-payload.md.

Exit codes: 0 written, 5 an unknown document type or dossier (not in the register), 4 the CSV or register is
missing, 2 wrong command line (full table: dsd --help).

Examples:

  dsd labels --dossier SD/2024/0001 --type briefwisseling -o labels.pdf          (one full sheet)

  dsd labels --dossier SD/2024/0001 --type aanvraag --count 5 --skip 3 --layout 2x7 -o labels.pdf

  dsd labels --from post.csv --register register.csv -o labels.pdf     (CSV columns: dossier,type[,client][,count])
"""


def register(app: typer.Typer) -> None:
    @app.command("labels", help=LABELS_HELP)
    def labels_command(
        output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", help="PDF to write.")],
        dossier: Annotated[str | None, typer.Option("--dossier", "-d", metavar="DOSSIER",
                                                    help="Dossier number, e.g. SD/2024/0001.")] = None,
        doc_type: Annotated[str | None, typer.Option("--type", "-t", metavar="TYPE",
                                                     help="Document type code (see the profile).")] = None,
        count: Annotated[int | None, typer.Option("--count", "-n", min=1, metavar="N",
                                                  help="How many labels (default: one full sheet).")] = None,
        from_csv: Annotated[Path | None, typer.Option("--from", metavar="FILE",
                                                      help="CSV with one line per kind of label.")] = None,
        layout_name: Annotated[str, typer.Option("--layout", metavar="3x8|2x7|3x7",
                                                 help="Label sheet layout.")] = "3x8",
        skip: Annotated[int, typer.Option("--skip", min=0, metavar="N",
                                          help="Leave this many labels of the first sheet free (already used).")] = 0,
        register_csv: RegisterOption = None,
        profile: ProfileOption = None,
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.cli.inputs import input_file, register_file
        from dsd_cli.errors import UsageError
        from dsd_cli.profiles import load_profile
        from dsd_cli.sheets.labels import LabelSpec, layout_named, read_label_csv, write_labels

        layout = layout_named(layout_name)
        if from_csv is not None:
            if dossier or doc_type or count:
                raise UsageError("use either --from or --dossier/--type/--count, not both")
            specs = read_label_csv(input_file(from_csv, "CSV file"))
        elif dossier and doc_type:
            specs = [LabelSpec(dossier, doc_type, count=count or layout.per_sheet - skip)]
        else:
            raise UsageError("give --dossier and --type, or --from CSV")
        written = write_labels(specs, output, load_profile(profile), register_file(register_csv), layout, skip)
        if json_output:
            print_json({"output": str(output), "labels": written, "layout": layout.name})
            return
        info(f"wrote {written} label{'s' if written != 1 else ''} ({layout.name}) to {output}")
