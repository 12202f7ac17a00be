"""`dsd package`: put finished PDFs into a dossier's BagIt bag (new bag or new version)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dsd_cli.cli.output import JsonOption, ProfileOption, out_console, print_json, warn
from dsd_cli.errors import InputError, UsageError
from dsd_cli.models import ArchivedDocument, PageRef
from dsd_cli.pipeline.layout import ArchiveLayout
from dsd_cli.pipeline.lock import archive_lock
from dsd_cli.profiles import load_profile
from dsd_cli.register import Register, load_register

PACKAGE_HELP = """Put finished PDFs (OCR'd PDF/A, signed) into their dossier's bag in the archive.

A dossier's first documents create its bag; later ones add a new version (the old manifests are kept in
versions/). A document whose content is already in the dossier is not stored again. With --register, every
dossier must be in the register, which also supplies the dates that start retention periods.

Examples:

  dsd package brief.pdf besluit.pdf --archive ./archive --dossier SD/2024/0001 --type briefwisseling

  dsd package --from split-out/ --archive ./archive --register register.csv   (what `dsd split -o split-out/` wrote)
"""


def _from_pdfs(pdfs: list[Path], dossier: str, doc_type: str) -> list[ArchivedDocument]:
    from dsd_cli.ocr import count_pages

    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    documents = []
    for pdf in pdfs:
        if not pdf.is_file():
            raise InputError(f"{pdf}: no such file", reason="missing")
        pages = count_pages(pdf)
        documents.append(ArchivedDocument(
            dossier=dossier, doc_type=doc_type, pdf=pdf, page_count=pages,
            sources=tuple(PageRef(pdf, i) for i in range(pages)), batch=pdf.name,
            events=({"type": "ingestion", "datetime": now, "agent": "dsd package", "tool": "", "outcome": "success",
                     "detail": f"finished PDF {pdf.name} added by hand"},)))
    return documents


def _check_register(register: Register | None, dossiers: list[str]) -> None:
    if register is None:
        return
    unknown = [d for d in dossiers if d not in register]
    if unknown:
        raise InputError(f"dossier {unknown[0]!r} is not in the register {register.source}", reason="unknown-dossier",
                         hint="check the dossier number, or export a current register")


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
        from dsd_cli.archive.package import package_dossier
        from dsd_cli.archive.splitdir import documents_from_split
        from dsd_cli.search.sync import bags_changed

        prof = load_profile(profile)
        register_data = load_register(register_csv) if register_csv else None
        if from_split is not None and not pdfs and dossier is None and doc_type is None:
            documents = documents_from_split(from_split)
        elif from_split is None and pdfs and dossier and doc_type:
            prof.document_type(doc_type)
            documents = _from_pdfs(pdfs, dossier, doc_type)
        else:
            raise UsageError("give PDFs with --dossier and --type, or --from SPLITDIR alone")
        dossiers = list(dict.fromkeys(d.dossier for d in documents))
        _check_register(register_data, dossiers)
        layout = ArchiveLayout(archive)
        layout.ensure()
        results = []
        with archive_lock(layout.lock):
            try:
                for name in dossiers:
                    entry = register_data.lookup(name) if register_data else None
                    group = [d for d in documents if d.dossier == name]
                    result = package_dossier(archive, name, group, prof, entry, agent="dsd package")
                    results.append({"dossier": name, "bag": str(result.bag), "version": result.version,
                                    "stored": list(result.stored), "duplicates": list(result.duplicates),
                                    "already_archived": list(result.already_archived),
                                    "unchanged": result.unchanged})
            finally:
                update = bags_changed(archive, [r["dossier"] for r in results], create=True)
        for message in update.warnings if update else ():
            warn(message)
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
