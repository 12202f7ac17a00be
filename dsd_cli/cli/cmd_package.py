"""`dsd package`: put finished PDFs into a dossier's BagIt bag (new bag or new version)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dsd_cli.cli.options import RegisterOption
from dsd_cli.cli.output import JsonOption, ProfileOption, print_json

PACKAGE_HELP = """Put finished PDFs into their dossier's bag in the archive.

Each PDF is checked first: a separator sheet is refused, a PDF that is not PDF/A (a scan, raw `dsd split` output)
needs `dsd ocr`, and under a profile that requires signatures an unsigned PDF needs `dsd sign` — or give the scans
to `dsd run`, which does all of it. A dossier's first documents create its bag; later ones add a new version (the
old manifests are kept in versions/). A document whose content is already in the dossier is not stored again.
With --register, every dossier must be in the register, which also supplies the dates that start retention
periods. The archive is created when the folder is new or empty.

Exit codes: 0 packaged, 4 a PDF is missing or unusable (a separator sheet, not PDF/A, unsigned where the profile
requires signatures), or a dossier is not in the register, 5 a bad profile or register, 8 the archive is in use,
9 the folder is not an archive or cannot be written, 2 wrong command line (full table: dsd --help).

Examples (a scanned letter, made PDF/A and signed with a demo key, then archived and verified):

  dsd keys demo -o demo-key --passphrase-file pass.txt

  dsd ocr brief-scan.pdf -o brief.pdf

  dsd sign brief.pdf -o brief.signed.pdf --key demo-key/demo-signer.p12 --passphrase-file pass.txt

  dsd package brief.signed.pdf --archive ./archive --dossier SD/2024/0001 --type briefwisseling

  dsd verify ./archive --trust demo-key/demo-ca.pem

  dsd package --from split-out/ --archive ./archive --register register.csv   (a `dsd split -o` folder whose
  PDFs were made PDF/A and signed in place)
"""


def register(app: typer.Typer) -> None:
    @app.command("package", help=PACKAGE_HELP)
    def package_command(
        pdfs: Annotated[list[Path] | None, typer.Argument(help="Finished PDFs of one dossier.", metavar="PDF")] = None,
        archive: Annotated[Path, typer.Option("--archive", "-a", metavar="FOLDER",
                                              help="Archive folder (created if needed).")] = ...,
        dossier: Annotated[str | None, typer.Option("--dossier", "-d", metavar="DOSSIER",
                                                    help="Dossier number, e.g. SD/2024/0001.")] = None,
        doc_type: Annotated[str | None, typer.Option("--type", "-t", metavar="TYPE",
                                                     help="Document type code (see the profile).")] = None,
        from_split: Annotated[Path | None, typer.Option("--from", metavar="FOLDER",
                                                        help="Folder written by `dsd split -o`.")] = None,
        register_csv: RegisterOption = None,
        profile: ProfileOption = None,
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.archive.intake import documents_from_pdfs, package_documents
        from dsd_cli.archive.session import check_archive_folder
        from dsd_cli.archive.splitdir import documents_from_split
        from dsd_cli.cli.inputs import input_files, input_path, register_file
        from dsd_cli.errors import UsageError
        from dsd_cli.profiles import load_profile

        check_archive_folder(archive, create=True)
        prof = load_profile(profile)
        register_data = register_file(register_csv)
        if from_split is not None and not pdfs and dossier is None and doc_type is None:
            documents = documents_from_split(input_path(from_split))
        elif from_split is None and pdfs and dossier and doc_type:
            prof.document_type(doc_type)
            documents = documents_from_pdfs(input_files(pdfs, "PDF"), dossier, doc_type)
        else:
            raise UsageError("give PDFs with --dossier and --type, or --from SPLITDIR alone")
        results = [{"dossier": r.dossier, "bag": str(r.bag), "version": r.version, "stored": list(r.stored),
                    "duplicates": list(r.duplicates), "already_archived": list(r.already_archived),
                    "unchanged": r.unchanged}
                   for r in package_documents(archive, documents, prof, register_data)]
        if json_output:
            print_json({"dossiers": results})
            return
        from dsd_cli.cli.tables import Column, print_table

        print_table(f"Packaged into {archive}",
                    (Column("dossier", keep=True), Column("bag", breakable=True),
                     Column("version", keep=True, justify="right"),
                     Column("stored", keep=True, justify="right"), Column("duplicates", keep=True, justify="right"),
                     Column("already archived", keep=True, justify="right")),
                    [(r["dossier"], Path(r["bag"]).name, r["version"], len(r["stored"]), len(r["duplicates"]),
                      len(r["already_archived"])) for r in results])
