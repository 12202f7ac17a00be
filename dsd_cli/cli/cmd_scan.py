"""`dsd scan`: scan a batch through SANE (scanimage), with its scan record; optionally archive it at once."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from dsd_cli.cli.logsetup import LogFormatOption, QuietOption, VerboseOption, setup_logging
from dsd_cli.cli.output import JsonOption, ProfileOption, err_console, info, out_console, print_json, warn
from dsd_cli.errors import PartialResult, ProblemsFound, UsageError

if TYPE_CHECKING:
    from dsd_cli.pipeline.run import RunOptions, RunReport
    from dsd_cli.scan.sane_batch import PreparedScan, ScanResult

log = logging.getLogger("dsd.scan")

SCAN_HELP = """Scan a batch through SANE: empty the document feeder into one folder of pages with its scan record.

The batch folder holds the pages (PNG) and scan-record.json: device, SANE backend and version, settings, operator,
start and end time and the SHA-256 of every page. It is written hidden beside its final place and renamed into
place when complete, so `dsd watch` never takes half a batch. `dsd run` reads the scan record and puts device,
settings and operator into every document's provenance (PREMIS). dsd picks the device's own values for --source,
--duplex, --mode and --dpi (backends name them differently) and says so when the device lacks one.

An empty feeder ends the batch (exit 0). A jam, an open cover or a device error keeps the pages already scanned
(exit 3); Ctrl-C keeps them too (exit 130); nothing scanned at all: exit 4. A device that cannot do what was asked
(no duplex, no such resolution): exit 2, before anything is scanned.

Examples:

  dsd scan --list

  dsd scan --device 'fujitsu:fi-7160:1234' --duplex --dpi 300 --inbox /srv/scans/inbox

  dsd scan -d 'fujitsu:fi-7160:1234' --mode color -o /srv/scans/2026-11-24-a --device-option swdeskew=yes

  dsd scan -d 'fujitsu:fi-7160:1234' --duplex --run --archive /srv/archive --register /srv/register.csv
"""


def _render_devices(devices: list[dict[str, str]]) -> None:
    if not devices:
        info("SANE finds no scanner (is it switched on and connected? `scanimage -L` should list it)")
        return
    table = Table(title="Scanners")
    for col in ("device", "vendor", "model", "type", "backend"):
        table.add_column(col, overflow="fold")
    for d in devices:
        table.add_row(*(escape(d[k]) for k in ("name", "vendor", "model", "type", "backend")))
    out_console.print(table)


def _render_prepared(prepared: PreparedScan) -> None:
    table = Table(title=f"Device values for {escape(prepared.device.name)}", show_header=False)
    table.add_column("option", style="bold")
    table.add_column("value", overflow="fold")
    for name, value in prepared.device_settings.values:
        table.add_row(escape(name), escape(value))
    out_console.print(table)


def _render_result(result: ScanResult) -> None:
    record = result.record
    where = escape(str(result.batch)) if result.batch else "—"
    out_console.print(f"[bold]{result.pages} page(s)[/] scanned into {where}: {escape(record.message)}",
                      highlight=False)
    table = Table(show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in (("device", record.describe()), ("operator", record.operator),
                       ("started", record.started), ("ended", record.ended)):
        table.add_row(key, escape(value or "—"))
    out_console.print(table)


def register(app: typer.Typer) -> None:
    @app.command("scan", help=SCAN_HELP)
    def scan_command(
        device: Annotated[str | None, typer.Option("--device", "-d", envvar="DSD_SCANNER", show_envvar=True,
                                                   help="SANE device name (see --list).")] = None,
        source: Annotated[str, typer.Option("--source", help="adf (document feeder) or flatbed.")] = "adf",
        duplex: Annotated[bool, typer.Option("--duplex", help="Scan both sides (feeder only).")] = False,
        dpi: Annotated[int, typer.Option("--dpi", help="Resolution in dots per inch.")] = 300,
        mode: Annotated[str, typer.Option("--mode", help="gray, color or lineart.")] = "gray",
        pages: Annotated[int | None, typer.Option("--pages", help="Stop after this many page images "
                                                                  "(both sides count in duplex).")] = None,
        device_option: Annotated[list[str] | None, typer.Option(
            "--device-option", help="Another device option as NAME=VALUE (repeatable), e.g. swdeskew=yes.")] = None,
        output: Annotated[Path | None, typer.Option("--output", "-o", help="Batch folder to create.")] = None,
        inbox: Annotated[Path | None, typer.Option("--inbox", help="Create the batch folder in this inbox.")] = None,
        operator: Annotated[str | None, typer.Option("--operator", help="Who scans (default: the login name).")]
        = None,
        list_devices: Annotated[bool, typer.Option("--list", help="List the scanners SANE finds.")] = False,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the settings against the device and show "
                                                                "its values; scan nothing.")] = False,
        run: Annotated[bool, typer.Option("--run", help="Archive the batch at once (as `dsd run` would).")] = False,
        archive: Annotated[Path | None, typer.Option("--archive", "-a", help="Archive folder for --run.")] = None,
        profile: ProfileOption = None,
        register_csv: Annotated[Path | None, typer.Option("--register", help="Dossier register CSV (--run).")]
        = None,
        workers: Annotated[int, typer.Option("--workers", "-w", help="Parallel workers for --run.")] = 0,
        key: Annotated[Path | None, typer.Option("--key", envvar="DSD_KEY", help="PKCS#12 signing key (--run).")]
        = None,
        passphrase_file: Annotated[Path | None, typer.Option("--passphrase-file")] = None,
        no_sign: Annotated[bool, typer.Option("--no-sign", help="Do not sign documents (--run).")] = False,
        json_output: JsonOption = False,
        log_format: LogFormatOption = "auto",
        quiet: QuietOption = False,
        verbose: VerboseOption = 0,
    ) -> None:
        from dsd_cli.audit import current_user
        from dsd_cli.scan.sane_batch import ScanRequest, check_operator, prepare_scan, scan_batch, scan_error
        from dsd_cli.scan.sane_options import MODES, SOURCES, ScanSettings, parse_device_option
        from dsd_cli.scan.sane_scanimage import list_devices as sane_devices

        fmt = setup_logging(log_format, quiet, verbose)
        if list_devices:
            found = [d.to_dict() for d in sane_devices()]
            if json_output:
                print_json({"devices": found})
            else:
                _render_devices(found)
            return
        if not device:
            raise UsageError("give the scanner with --device (dsd scan --list shows them)")
        if source not in SOURCES:
            raise UsageError(f"--source must be one of {', '.join(SOURCES)}, not {source!r}")
        if mode not in MODES:
            raise UsageError(f"--mode must be one of {', '.join(MODES)}, not {mode!r}")
        if not 10 <= dpi <= 9600:
            raise UsageError(f"--dpi {dpi} is not a scanner resolution")
        if not dry_run and (output is None) == (inbox is None):
            raise UsageError("give exactly one of -o DIR (the batch folder) and --inbox DIR")
        if run and archive is None:
            raise UsageError("--run needs --archive")
        if archive is not None and not run:
            raise UsageError("--archive is for --run")
        settings = ScanSettings(source=source, duplex=duplex, mode=mode, dpi=dpi,
                                extra=tuple(parse_device_option(o) for o in device_option or ()))
        request = ScanRequest(device=device, settings=settings, target=inbox or output or Path("."),
                              into_inbox=inbox is not None, operator=check_operator(operator or current_user()),
                              max_pages=pages)
        run_options = None
        if run:
            from dsd_cli.pipeline.run import RunOptions
            from dsd_cli.profiles import load_profile
            from dsd_cli.register import load_register

            assert archive is not None
            # Profile and register are read before scanning: a mistake in them must not cost a scanned batch.
            run_options = RunOptions(inputs=(), archive=archive, profile=load_profile(profile),
                                     register=load_register(register_csv) if register_csv else None,
                                     workers=workers or (os.cpu_count() or 1), sign=not no_sign, key=key,
                                     passphrase_file=passphrase_file)
        prepared = prepare_scan(request)
        if dry_run:
            if json_output:
                print_json({"ok": True, "dry_run": True, **prepared.to_dict()})
            elif not quiet:
                _render_prepared(prepared)
            return
        use_bars = fmt == "rich" and not quiet and not json_output
        from dsd_cli.cli.progressbar import LogProgress, RichProgress

        with RichProgress() if use_bars else contextlib.nullcontext(LogProgress()) as progress:
            result = scan_batch(prepared, progress)
        for leftover in result.leftovers:
            warn(f"an earlier scan was cut off and left its pages in {leftover} (see its scan-record.json)")
        problem = scan_error(result)
        report = None
        if run_options is not None and result.batch is not None and not result.stop_requested:
            report = _archive(run_options, result.batch, fmt, quiet, json_output)
        if json_output:
            print_json({**result.to_dict(), "run": report.to_dict() if report is not None else None})
        elif not quiet:
            _render_result(result)
            if report is not None:
                from dsd_cli.cli.cmd_run import render_summary

                render_summary(report)
        if report is not None and report.demo_signing:
            err_console.print("[bold yellow]DEMO signatures[/]: this archive was signed with a demo key — "
                              "not for production.")
        if report is not None and report.verify_ok is False:
            raise ProblemsFound("the archive did not pass verification")
        if problem is not None:
            raise problem
        if report is not None and report.partial:
            raise PartialResult("archived, but some input was quarantined or left unassigned "
                                f"(see {report.archive / 'quarantine'})")


def _archive(options: RunOptions, batch: Path, fmt: str, quiet: bool, json_output: bool) -> RunReport:
    """The batch through the whole pipeline, as `dsd run BATCH` would."""
    import dataclasses

    from dsd_cli.cli.progressbar import LogProgress, RichProgress
    from dsd_cli.pipeline.run import run_pipeline

    use_bars = fmt == "rich" and not quiet and not json_output
    with RichProgress() if use_bars else contextlib.nullcontext(LogProgress()) as progress:
        report = run_pipeline(dataclasses.replace(options, inputs=(batch,)), progress,
                              warn=warn if fmt == "rich" else log.warning)
    for message in report.warnings:
        warn(message)
    return report
