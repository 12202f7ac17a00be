"""`dsd index`: build the archive's search index, or catch it up with the bags."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from dsd_cli.cli.output import JsonOption, err_console, info, print_json, warn
from dsd_cli.cli.progressbar import LogProgress, RichProgress

INDEX_HELP = """Build the search index of an archive, or bring it up to date with the bags.

The bags are the truth: the index (ARCHIVE/.dsd/index/, readable by the archive's owner only) is made from
the text layers of the archived PDFs and can always be made again. `dsd run`, `dsd package`, legal holds,
disposal and timestamp renewal keep it current by themselves; run `dsd index` once for an archive made before
dsd had search, after restoring bags from a backup, or with --rebuild when `dsd verify` asks for it.

Examples:

  dsd index --archive /srv/archive

  dsd index --archive /srv/archive --rebuild --json
"""


def register(app: typer.Typer) -> None:
    @app.command("index", help=INDEX_HELP)
    def index_command(
        archive: Annotated[Path, typer.Option("--archive", "-a", help="Archive folder.")],
        rebuild: Annotated[bool, typer.Option("--rebuild", help="Make the whole index again from the bags.")] = False,
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.search.sync import index_archive

        bars = err_console.is_terminal and not json_output
        with RichProgress() if bars else contextlib.nullcontext(LogProgress()) as progress:
            update = index_archive(archive, rebuild=rebuild, progress=progress)
        for message in update.warnings:
            warn(message)
        if json_output:
            print_json(update.to_dict())
            return
        verb = "built" if update.rebuilt else "updated"
        info(f"index {verb}: {update.dossiers} dossier(s) compared, {update.pages_added} page(s) indexed, "
             f"{update.pages_removed} removed in {update.seconds:.1f} s" + (" (disposed pages purged)"
                                                                            if update.purged else ""))
