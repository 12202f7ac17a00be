"""`dsd inventory`: the archive inventory (every dossier, its bag version and tag manifest), and building one for
an archive made before dsd kept it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from dsd_cli.cli.output import JsonOption, info, out_console, print_json
from dsd_cli.errors import ArchiveError

INVENTORY_HELP = """Show the archive inventory: every dossier ever packaged, its current bag version and the SHA-256
of that version's tag manifest, and the disposed-of dossiers with their certificate.

dsd keeps the inventory (audit/inventory.json) with every bag change and records each change in the audit log;
`dsd verify` compares it with the bags (a bag deleted, replaced by an older copy, or added by hand). An archive
made before dsd kept an inventory gets one with --build: from its bags as they are, checked against the audit
log (a dossier the log names at a later version, or without a bag, refuses the build unless --accept-as-found).

Examples:

  dsd inventory --archive /srv/archive

  dsd inventory --archive /srv/archive --build

  dsd inventory --archive /srv/archive --json
"""


def register(app: typer.Typer) -> None:
    @app.command("inventory", help=INVENTORY_HELP)
    def inventory_command(
        archive: Annotated[Path, typer.Option("--archive", "-a", help="Archive folder.")],
        build: Annotated[bool, typer.Option("--build", help="Build the inventory of an archive that has none.")
                         ] = False,
        accept_as_found: Annotated[bool, typer.Option(
            "--accept-as-found", help="With --build: record the bags as they are even where the audit log "
                                      "disagrees (the disagreements go into the audit log).")] = False,
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.archive.inventory import load_inventory
        from dsd_cli.archive.layout import ArchiveLayout
        from dsd_cli.archive.session import ArchiveSession, require_archive

        accepted: list[str] = []
        if build:
            with ArchiveSession.open(archive) as session:
                inventory, accepted = session.build_inventory(accept_as_found=accept_as_found)
        else:
            require_archive(archive)
            found = load_inventory(ArchiveLayout(archive))
            if found is None:
                raise ArchiveError(f"{archive} has no archive inventory yet",
                                   hint="build it with `dsd inventory --archive DIR --build`")
            inventory = found
        if json_output:
            print_json({"archive": str(archive), "created": inventory.created, "origin": inventory.origin,
                        "built": build, "accepted_as_found": accepted,
                        "dossiers": {d: e.to_dict() for d, e in sorted(inventory.dossiers.items())}})
            return
        table = Table(title=f"Archive inventory of {archive} ({inventory.origin}, {inventory.created})")
        for col in ("dossier", "bag", "version", "tag manifest SHA-256", "recorded", "disposed of"):
            table.add_column(col, overflow="fold")
        for dossier, entry in sorted(inventory.dossiers.items()):
            disposed = f"{entry.disposal.date} ({entry.disposal.approval})" if entry.disposal else ""
            table.add_row(Text(dossier), Text(entry.bag), str(entry.version), entry.tagmanifest_sha256[:16] + "…",
                          entry.recorded, Text(disposed))
        out_console.print(table)
        for line in accepted:
            info(f"accepted as found: {line}")
