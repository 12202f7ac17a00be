"""`dsd index`: build the archive's search index, or catch it up with the bags."""

from __future__ import annotations

import contextlib
from typing import Annotated

import typer

from dsd_cli.cli.options import ArchiveOption
from dsd_cli.cli.output import JsonOption, err_console, print_json, result_line, warn

INDEX_HELP = """Build the search index of an archive, or bring it up to date with the bags.

The bags are the truth: the index (ARCHIVE/.dsd/index/, readable by the archive's owner only) is made from
the text layers of the archived PDFs and can always be made again. `dsd run`, `dsd package`, retention updates,
legal holds, disposal and timestamp renewal keep it current by themselves; run `dsd index` once for an archive
made before dsd had search, after restoring bags from a backup, or with --rebuild when `dsd verify` asks for it.

Exit codes: 0 built or up to date (a document whose text cannot be read is named in a warning), 8 another dsd
command holds the archive, 9 no such archive, 2 wrong command line (full table: dsd --help).

Examples:

  dsd index --archive /srv/archive

  dsd index --archive /srv/archive --rebuild --json
"""


def register(app: typer.Typer) -> None:
    @app.command("index", help=INDEX_HELP)
    def index_command(
        archive: ArchiveOption,
        rebuild: Annotated[bool, typer.Option("--rebuild", help="Make the whole index again from the bags.")] = False,
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.cli.inputs import existing_archive
        from dsd_cli.cli.progressbar import LogProgress, RichProgress
        from dsd_cli.search.sync import index_archive

        existing_archive(archive)
        bars = err_console.is_terminal and not json_output
        with RichProgress() if bars else contextlib.nullcontext(LogProgress()) as progress:
            update = index_archive(archive, rebuild=rebuild, progress=progress)
        for message in update.warnings:
            warn(message)
        if json_output:
            print_json(update.to_dict())
            return
        verb = "built" if update.rebuilt else "updated"
        result_line(f"index {verb}: {update.dossiers} dossier(s) compared, {update.pages_added} page(s) indexed, "
             f"{update.pages_removed} removed in {update.seconds:.1f} s" + (" (disposed pages purged)"
                                                                            if update.purged else ""))
