"""`dsd package`: put finished PDFs into a dossier's BagIt bag (new bag or new version)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dsd_cli.cli.options import RegisterOption
from dsd_cli.cli.output import JsonOption, ProfileOption, print_json

if TYPE_CHECKING:
    from dsd_cli.models import ArchivedDocument
    from dsd_cli.register import Register

PACKAGE_HELP = """Put finished PDFs into their dossier's bag in the archive.

The PDFs are OCR'd PDF/A, usually signed. A dossier's first documents create its bag; later ones add a new version
(the old manifests are kept in versions/). A document whose content is already in the dossier is not stored again.
With --register, every dossier must be in the register, which also supplies the dates that start retention periods.

Exit codes: 0 packaged, 4 a PDF is missing or unusable, or a dossier is not in the register, 5 a bad profile or
register, 8 the archive is in use, 9 the archive cannot be written, 2 wrong command line (full table: dsd --help).

Examples:

  dsd package brief.pdf besluit.pdf --archive ./archive --dossier SD/2024/0001 --type briefwisseling

  dsd package --from split-out/ --archive ./archive --register register.csv   (what `dsd split -o split-out/` wrote)
"""


def _from_pdfs(pdfs: list[Path], dossier: str, doc_type: str) -> list[ArchivedDocument]:
    from dsd_cli.models import ArchivedDocument, PageRef
    from dsd_cli.ocr import count_pages

    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    documents = []
    for pdf in pdfs:
        pages = count_pages(pdf)
        documents.append(ArchivedDocument(
            dossier=dossier, doc_type=doc_type, pdf=pdf, page_count=pages,
            sources=tuple(PageRef(pdf, i) for i in range(pages)), batch=pdf.name,
            events=({"type": "ingestion", "datetime": now, "agent": "dsd package", "tool": "", "outcome": "success",
                     "detail": f"finished PDF {pdf.name} added by hand"},)))
    return documents


def _check_register(register: Register | None, dossiers: list[str]) -> None:
    from dsd_cli.errors import InputError

    if register is None:
        return
    unknown = [d for d in dossiers if d not in register]
    if unknown:
        raise InputError(f"dossier {unknown[0]!r} is not in the register {register.source}", reason="unknown-dossier",
                         hint="check the dossier number, or export a current register")


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
        from dsd_cli.archive.package import package_dossier
        from dsd_cli.archive.splitdir import documents_from_split
        from dsd_cli.cli.inputs import input_files, input_path, register_file
        from dsd_cli.errors import UsageError
        from dsd_cli.pipeline.layout import ArchiveLayout
        from dsd_cli.pipeline.lock import archive_lock
        from dsd_cli.profiles import load_profile

        prof = load_profile(profile)
        register_data = register_file(register_csv)
        if from_split is not None and not pdfs and dossier is None and doc_type is None:
            documents = documents_from_split(input_path(from_split))
        elif from_split is None and pdfs and dossier and doc_type:
            prof.document_type(doc_type)
            documents = _from_pdfs(input_files(pdfs, "PDF"), dossier, doc_type)
        else:
            raise UsageError("give PDFs with --dossier and --type, or --from SPLITDIR alone")
        dossiers = list(dict.fromkeys(d.dossier for d in documents))
        _check_register(register_data, dossiers)
        layout = ArchiveLayout(archive)
        layout.ensure()
        results = []
        with archive_lock(layout.lock):
            for name in dossiers:
                entry = register_data.lookup(name) if register_data else None
                group = [d for d in documents if d.dossier == name]
                result = package_dossier(archive, name, group, prof, entry, agent="dsd package")
                results.append({"dossier": name, "bag": str(result.bag), "version": result.version,
                                "stored": list(result.stored), "duplicates": list(result.duplicates),
                                "already_archived": list(result.already_archived), "unchanged": result.unchanged})
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
