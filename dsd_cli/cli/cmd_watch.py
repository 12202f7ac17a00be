"""`dsd watch`: process scanner output as it lands in an inbox folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dsd_cli.cli.logsetup import LogFormatOption, QuietOption, VerboseOption, setup_logging
from dsd_cli.cli.options import KeyOption, PassphraseFileOption, RegisterOption, WorkersOption
from dsd_cli.cli.output import ProfileOption, info

if TYPE_CHECKING:
    from dsd_cli.pipeline.watch import WatchResult

WATCH_HELP = """Watch a hot folder and archive each scan once it is complete.

Each scanner file (or folder of pages) is archived once it stops growing.
Archived sources move to INBOX/done/; sources with quarantined or unassigned pages move to INBOX/held/.
Stop with Ctrl-C or SIGTERM; a later `dsd watch` or `dsd run` resumes unfinished work.

Exit codes: 0 stopped after --max-items, 130 stopped by Ctrl-C or SIGTERM, 5 a bad profile or register, 6 a
program is missing, 8 another dsd process holds the archive, 2 wrong command line (full table: dsd --help).

Examples:

  dsd watch /srv/scans/inbox --archive /srv/archive --key /etc/dsd/signer.p12 --log-format json

  dsd watch ./inbox --archive ./archive --settle 30
"""


def register(app: typer.Typer) -> None:
    @app.command("watch", help=WATCH_HELP)
    def watch_command(
        inbox: Annotated[Path, typer.Argument(help="Folder the scanner writes into.", metavar="INBOX")],
        archive: Annotated[Path, typer.Option("--archive", "-a", metavar="FOLDER",
                                              help="Archive folder (created if needed).")],
        profile: ProfileOption = None,
        register_csv: RegisterOption = None,
        settle: Annotated[float, typer.Option("--settle", metavar="SECONDS",
                                              help="Seconds a file must stay unchanged.")] = 10.0,
        workers: WorkersOption = 0,
        key: KeyOption = None,
        passphrase_file: PassphraseFileOption = None,
        no_sign: Annotated[bool, typer.Option("--no-sign", help="Do not sign documents.")] = False,
        max_items: Annotated[int | None, typer.Option("--max-items", metavar="N",
                                                      help="Stop after this many items.")] = None,
        log_format: LogFormatOption = "auto",
        quiet: QuietOption = False,
        verbose: VerboseOption = 0,
    ) -> None:
        from dsd_cli.cli.inputs import register_file
        from dsd_cli.pipeline.run import RunOptions
        from dsd_cli.pipeline.watch import watch_inbox
        from dsd_cli.profiles import load_profile

        setup_logging(log_format, quiet, verbose)
        template = RunOptions(inputs=(), archive=archive, profile=load_profile(profile),
                              register=register_file(register_csv),
                              workers=workers or (os.cpu_count() or 1), sign=not no_sign, key=key,
                              passphrase_file=passphrase_file)

        def show(result: WatchResult) -> None:
            if not quiet:
                state = result.error or f"→ {result.moved_to.parent.name}/{result.moved_to.name}"
                info(f"{result.source.name}: {state}")

        if not quiet:
            info(f"watching {inbox} (settle {settle:g} s); Ctrl-C to stop")
        watch_inbox(inbox, template, settle_seconds=settle, max_items=max_items, on_result=show)
