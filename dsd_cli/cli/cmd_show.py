"""`dsd show`: a dossier's documents, versions and retention."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dsd_cli.archive.dossiers import dossier_details
from dsd_cli.cli.output import JsonOption, out_console, print_json

SHOW_HELP = """Show a dossier: its documents, bag versions and retention.

Examples:

  dsd show SD/2024/0001 --archive demo-archive

  dsd show SD/2024/0001 --archive /srv/archive --json
"""


def register(app: typer.Typer) -> None:
    @app.command("show", help=SHOW_HELP)
    def show_command(
        dossier: Annotated[str, typer.Argument(help="Dossier number.")],
        archive: Annotated[Path, typer.Option("--archive", "-a", help="Archive folder.")],
        json_output: JsonOption = False,
    ) -> None:
        details = dossier_details(archive, dossier)
        if json_output:
            print_json({**dataclasses.asdict(details), "bag": str(details.bag)})
            return
        out_console.print(f"[bold]Dossier {details.dossier}[/] — bag {details.bag.name}, version {details.version}")
        docs = Table(title="Documents")
        for col in ("id", "type", "pages", "scanned", "batch", "file", "sha256"):
            docs.add_column(col, overflow="fold")
        for d in details.documents:
            docs.add_row(d["id"], d["doc_type"], str(d["pages"]), d.get("scan_date", "")[:10], d.get("batch", ""),
                         d["path"], d["sha256"][:16] + "…")
        out_console.print(docs)
        versions = Table(title="Versions")
        for col in ("version", "date", "added", "duplicates"):
            versions.add_column(col)
        for v in details.versions:
            versions.add_row(str(v["version"]), v["date"], ", ".join(v["added"]), ", ".join(v["duplicates"]))
        out_console.print(versions)
        retention = Table(title="Retention", show_header=False)
        for key, value in details.retention.items():
            retention.add_row(key, value)
        out_console.print(retention)
