"""`dsd watch`: process scanner output as it lands in an inbox folder."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dsd_cli.cli.logsetup import LogFormatOption, QuietOption, VerboseOption, setup_logging
from dsd_cli.cli.options import (
    ClusterOption,
    InsecureClusterOption,
    KeyOption,
    PassphraseFileOption,
    RegisterOption,
    WorkersOption,
)
from dsd_cli.cli.output import ProfileOption, info, warn

if TYPE_CHECKING:
    from dsd_cli.pipeline.watch import WatchResult

WATCH_HELP = """Watch a hot folder and archive each scan once it is complete.

Each scanner file (or folder of pages) is archived once it stops growing.
Archived sources move to INBOX/done/; sources with quarantined or unassigned pages move to INBOX/held/.
Stop with Ctrl-C or SIGTERM; a later `dsd watch` or `dsd run` resumes unfinished work. With --cluster the OCR runs
on a Dask cluster's workers (see `dsd run --help`).

Exit codes: 0 stopped after --max-items, 130 stopped by Ctrl-C or SIGTERM, 5 a bad profile or register, 6 a
program is missing, 8 another dsd process holds the archive, 11 the Dask scheduler of --cluster went away, 2 wrong
command line (full table: dsd --help).

Examples:

  dsd watch /srv/scans/inbox --archive /srv/archive --key /etc/dsd/signer.p12 --log-format json

  dsd watch ./inbox --archive ./archive --settle 30

  dsd watch /srv/scans/inbox --archive /srv/archive --cluster tls://coordinator.ocmw.local:8786
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
        cluster: ClusterOption = None,
        insecure_cluster: InsecureClusterOption = False,
        log_format: LogFormatOption = "auto",
        quiet: QuietOption = False,
        verbose: VerboseOption = 0,
    ) -> None:
        from dsd_cli.cli.inputs import register_file
        from dsd_cli.pipeline.cluster import open_executor
        from dsd_cli.pipeline.run import RunOptions
        from dsd_cli.pipeline.watch import watch_inbox
        from dsd_cli.profiles import load_profile

        fmt = setup_logging(log_format, quiet, verbose)
        loaded = load_profile(profile)
        template = RunOptions(inputs=(), archive=archive, profile=loaded,
                              register=register_file(register_csv),
                              workers=workers or (os.cpu_count() or 1), sign=not no_sign, key=key,
                              passphrase_file=passphrase_file)

        def show(result: WatchResult) -> None:
            if not quiet:
                state = result.error or f"→ {result.moved_to.parent.name}/{result.moved_to.name}"
                info(f"{result.source.name}: {state}")

        executor = open_executor(loaded, cluster=cluster, workers=template.workers, insecure=insecure_cluster,
                                 warn=warn if fmt == "rich" else logging.getLogger("dsd.watch").warning)
        with executor:
            if not quiet:
                info(f"watching {inbox} (settle {settle:g} s, OCR: {executor.description}); Ctrl-C to stop")
            watch_inbox(inbox, template, settle_seconds=settle, max_items=max_items, on_result=show,
                        executor=executor)
