"""`dsd watch`: process scanner output as it lands in an inbox folder."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dsd_cli.cli.logsetup import LogFormatOption, QuietOption, VerboseOption, setup_logging
from dsd_cli.cli.output import ClusterOption, InsecureClusterOption, ProfileOption, info, warn
from dsd_cli.profiles import load_profile
from dsd_cli.register import load_register

if TYPE_CHECKING:
    from dsd_cli.pipeline.watch import WatchResult

WATCH_HELP = """Watch a hot folder: each scanner file (or folder of pages) is archived once it stops growing.

Archived sources move to INBOX/done/; sources with quarantined or unassigned pages move to INBOX/held/.
Stop with Ctrl-C; a later `dsd watch` or `dsd run` resumes unfinished work. With --cluster the OCR runs on a Dask
cluster's workers (see `dsd run --help`); when its scheduler goes away, dsd watch stops with exit code 10.

Examples:

  dsd watch /srv/scans/inbox --archive /srv/archive --key /etc/dsd/signer.p12 --log-format json

  dsd watch ./inbox --archive ./archive --settle 30

  dsd watch /srv/scans/inbox --archive /srv/archive --cluster tls://coordinator.ocmw.local:8786
"""


def register(app: typer.Typer) -> None:
    @app.command("watch", help=WATCH_HELP)
    def watch_command(
        inbox: Annotated[Path, typer.Argument(help="Folder the scanner writes into.", file_okay=False)],
        archive: Annotated[Path, typer.Option("--archive", "-a", help="Archive folder.")],
        profile: ProfileOption = None,
        register_csv: Annotated[Path | None, typer.Option("--register", help="Dossier register CSV.")] = None,
        settle: Annotated[float, typer.Option("--settle", help="Seconds a file must stay unchanged.")] = 10.0,
        workers: Annotated[int, typer.Option("--workers", "-w", help="Parallel workers (0: one per core).")] = 0,
        key: Annotated[Path | None, typer.Option("--key", envvar="DSD_KEY", help="PKCS#12 signing key.")] = None,
        passphrase_file: Annotated[Path | None, typer.Option("--passphrase-file")] = None,
        no_sign: Annotated[bool, typer.Option("--no-sign", help="Do not sign documents.")] = False,
        max_items: Annotated[int | None, typer.Option("--max-items", help="Stop after this many items.")] = None,
        cluster: ClusterOption = None,
        insecure_cluster: InsecureClusterOption = False,
        log_format: LogFormatOption = "auto",
        quiet: QuietOption = False,
        verbose: VerboseOption = 0,
    ) -> None:
        from dsd_cli.pipeline.cluster import open_executor
        from dsd_cli.pipeline.run import RunOptions
        from dsd_cli.pipeline.watch import watch_inbox

        fmt = setup_logging(log_format, quiet, verbose)
        loaded = load_profile(profile)
        template = RunOptions(inputs=(), archive=archive, profile=loaded,
                              register=load_register(register_csv) if register_csv else None,
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
