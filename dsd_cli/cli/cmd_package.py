"""`dsd package`: put finished PDFs into a dossier's BagIt bag (new bag or new version)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from dsd_cli.cli.output import JsonOption, ProfileOption, info, print_json
from dsd_cli.errors import ConfigError, UsageError
from dsd_cli.models import ArchivedDocument, PageRef
from dsd_cli.pipeline.layout import ArchiveLayout
from dsd_cli.pipeline.lock import archive_lock
from dsd_cli.profiles import load_profile
from dsd_cli.register import load_register

PACKAGE_HELP = """Put finished PDFs (OCR'd PDF/A, signed) into their dossier's bag in the archive.

A dossier's first documents create its bag; later ones add a new version (the old manifests are kept in
versions/). A document whose content is already in the dossier is not stored again.

Examples:

  dsd package brief.pdf besluit.pdf --archive ./archive --dossier SD/2024/0001 --type briefwisseling

  dsd package --from split-out/ --archive ./archive        (the PDFs and split.json written by `dsd split -o`)
"""


def _from_split(folder: Path) -> list[ArchivedDocument]:
    from dsd_cli.ocr import count_pages

    manifest = folder / "split.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read {manifest}: {exc}") from None
    docs = []
    for entry in data.get("documents", []):
        pdf = folder / Path(entry["pdf"]).name
        pages = tuple(PageRef(Path(p["source"]), int(p["page"]) - 1) for p in entry["page_numbers"])
        docs.append(ArchivedDocument(dossier=entry["dossier"], doc_type=entry["type"], pdf=pdf,
                                     page_count=count_pages(pdf), sources=pages, batch=entry.get("batch", "")))
    return docs


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
        from dsd_cli.ocr import count_pages

        prof = load_profile(profile)
        register_data = load_register(register_csv) if register_csv else None
        if from_split is not None:
            documents = _from_split(from_split)
        elif pdfs and dossier and doc_type:
            documents = [ArchivedDocument(dossier=dossier, doc_type=doc_type, pdf=p, page_count=count_pages(p),
                                          sources=tuple(PageRef(p, i) for i in range(count_pages(p))),
                                          batch=p.name) for p in pdfs]
        else:
            raise UsageError("give PDFs with --dossier and --type, or --from SPLITDIR")
        layout = ArchiveLayout(archive)
        layout.ensure()
        results = []
        with archive_lock(layout.lock):
            for name in dict.fromkeys(d.dossier for d in documents):
                entry = register_data.lookup(name) if register_data else None
                group = [d for d in documents if d.dossier == name]
                result = package_dossier(archive, name, group, prof, entry, agent="dsd package")
                results.append({"dossier": name, "bag": str(result.bag), "version": result.version,
                                "stored": list(result.stored), "duplicates": list(result.duplicates)})
        if json_output:
            print_json({"dossiers": results})
        else:
            for r in results:
                info(f"{r['dossier']}: version {r['version']} of {r['bag']} — {len(r['stored'])} stored, "
                     f"{len(r['duplicates'])} duplicate(s)")
