"""`dsd package`: put finished PDFs into a dossier's BagIt bag (new bag or new version)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dsd_cli.cli.output import JsonOption, ProfileOption, out_console, print_json
from dsd_cli.errors import UsageError
from dsd_cli.profiles import load_profile
from dsd_cli.register import load_register

PACKAGE_HELP = """Put finished PDFs (OCR'd PDF/A, signed) into their dossier's bag in the archive.

Each PDF is checked first: a separator sheet is refused, a PDF that is not PDF/A (a scan, raw `dsd split` output)
needs `dsd ocr`, and under a profile that requires signatures an unsigned PDF needs `dsd sign` — or give the scans
to `dsd run`, which does all of it. A dossier's first documents create its bag; later ones add a new version (the
old manifests are kept in versions/). A document whose content is already in the dossier is not stored again.
With --register, every dossier must be in the register, which also supplies the dates that start retention
periods. The archive is created when the folder is new or empty.

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
        pdfs: Annotated[list[Path] | None, typer.Argument(help="Finished PDFs of one dossier.")] = None,
        archive: Annotated[Path, typer.Option("--archive", "-a", help="Archive folder.")] = ...,
        dossier: Annotated[str | None, typer.Option("--dossier", "-d", help="Dossier number.")] = None,
        doc_type: Annotated[str | None, typer.Option("--type", "-t", help="Document type code.")] = None,
        from_split: Annotated[Path | None, typer.Option("--from", help="Folder written by `dsd split -o`.")] = None,
        register_csv: Annotated[Path | None, typer.Option("--register", help="Dossier register CSV.")] = None,
        profile: ProfileOption = None,
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.archive.intake import documents_from_pdfs, package_documents
        from dsd_cli.archive.session import check_archive_folder
        from dsd_cli.archive.splitdir import documents_from_split

        check_archive_folder(archive, create=True)
        prof = load_profile(profile)
        register_data = load_register(register_csv) if register_csv else None
        if from_split is not None and not pdfs and dossier is None and doc_type is None:
            documents = documents_from_split(from_split)
        elif from_split is None and pdfs and dossier and doc_type:
            prof.document_type(doc_type)
            documents = documents_from_pdfs(pdfs, dossier, doc_type)
        else:
            raise UsageError("give PDFs with --dossier and --type, or --from SPLITDIR alone")
        results = [{"dossier": r.dossier, "bag": str(r.bag), "version": r.version, "stored": list(r.stored),
                    "duplicates": list(r.duplicates), "already_archived": list(r.already_archived),
                    "unchanged": r.unchanged}
                   for r in package_documents(archive, documents, prof, register_data)]
        if json_output:
            print_json({"dossiers": results})
            return
        table = Table(title=f"Packaged into {archive}")
        for col in ("dossier", "bag", "version", "stored", "duplicates", "already archived"):
            table.add_column(col, overflow="fold")
        for r in results:
            table.add_row(r["dossier"], Path(r["bag"]).name, str(r["version"]), str(len(r["stored"])),
                          str(len(r["duplicates"])), str(len(r["already_archived"])))
        out_console.print(table)
