"""`dsd scan`: scan a batch through SANE (scanimage), with its scan record; optionally archive it at once."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dsd_cli.cli.logsetup import LogFormatOption, QuietOption, VerboseOption, setup_logging
from dsd_cli.cli.options import KeyOption, PassphraseFileOption, RegisterOption, WorkersOption
from dsd_cli.cli.output import JsonOption, ProfileOption, err_console, info, print_json, result_line, styled, warn
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

An empty feeder ends the batch. A jam, an open cover or a device error keeps the pages already scanned; so does
Ctrl-C. A device that cannot do what was asked (no duplex, no such resolution) is refused before anything is
scanned.

Exit codes: 0 scanned until the feeder was empty (or --pages), 3 the scanner stopped after some pages (jam, open
cover, device error; with --run also: archived, some input quarantined), 4 nothing scanned (empty feeder, the
scanner cannot be opened), 2 the device cannot do what was asked or a wrong command line, 6 no scanimage, 130
Ctrl-C (the pages scanned are kept); with --run also 1, 5, 7, 8, 9 as for dsd run (full table: dsd --help).

Examples:

  dsd scan --list

  dsd scan --device 'fujitsu:fi-7160:1234' --duplex --dpi 300 --inbox /srv/scans/inbox

  dsd scan --device 'fujitsu:fi-7160:1234' --mode color -o /srv/scans/2026-11-24-a --device-option swdeskew=yes

  dsd scan --device 'fujitsu:fi-7160:1234' --duplex --run --archive /srv/archive --register /srv/register.csv
"""


def _render_devices(devices: list[dict[str, str]]) -> None:
    from dsd_cli.cli.tables import Column, print_table

    if not devices:
        info("SANE finds no scanner (is it switched on and connected? `scanimage -L` should list it)")
        return
    print_table("Scanners", (Column("device", keep=True), Column("vendor"), Column("model"), Column("type"),
                             Column("backend", keep=True)),
                [tuple(d[k] for k in ("name", "vendor", "model", "type", "backend")) for d in devices])


def _render_prepared(prepared: PreparedScan) -> None:
    from dsd_cli.cli.tables import print_facts

    print_facts(f"Device values for {prepared.device.name}", list(prepared.device_settings.values))


def _render_result(result: ScanResult) -> None:
    from dsd_cli.cli.tables import print_facts

    record = result.record
    where = str(result.batch) if result.batch else "—"
    result_line(styled((f"{result.pages} page(s)", "bold"), f" scanned into {where}: {record.message}"))
    print_facts("Scan", [("device", record.describe()), ("operator", record.operator),
                         ("started", record.started), ("ended", record.ended)])


def register(app: typer.Typer) -> None:
    @app.command("scan", help=SCAN_HELP)
    def scan_command(
        device: Annotated[str | None, typer.Option("--device", metavar="DEVICE", envvar="DSD_SCANNER",
                                                   show_envvar=True, help="SANE device name (see --list).")] = None,
        source: Annotated[str, typer.Option("--source", metavar="adf|flatbed",
                                            help="adf (document feeder) or flatbed.")] = "adf",
        duplex: Annotated[bool, typer.Option("--duplex", help="Scan both sides (feeder only).")] = False,
        dpi: Annotated[int, typer.Option("--dpi", metavar="N", help="Resolution in dots per inch.")] = 300,
        mode: Annotated[str, typer.Option("--mode", metavar="gray|color|lineart", help="Colour mode.")] = "gray",
        pages: Annotated[int | None, typer.Option("--pages", metavar="N", help="Stop after this many page images "
                                                                               "(both sides count in duplex).")]
        = None,
        device_option: Annotated[list[str] | None, typer.Option(
            "--device-option", metavar="NAME=VALUE",
            help="Another device option (repeatable), e.g. swdeskew=yes.")] = None,
        output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FOLDER",
                                                    help="Batch folder to create.")] = None,
        inbox: Annotated[Path | None, typer.Option("--inbox", metavar="FOLDER",
                                                   help="Create the batch folder in this inbox.")] = None,
        operator: Annotated[str | None, typer.Option("--operator", metavar="NAME",
                                                     help="Who scans (default: the login name).")] = None,
        list_devices: Annotated[bool, typer.Option("--list", help="List the scanners SANE finds.")] = False,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the settings against the device and show "
                                                                "its values; scan nothing.")] = False,
        run: Annotated[bool, typer.Option("--run", help="Archive the batch at once (as `dsd run` would).")] = False,
        archive: Annotated[Path | None, typer.Option("--archive", "-a", metavar="FOLDER",
                                                     help="Archive folder for --run (created if needed).")] = None,
        profile: ProfileOption = None,
        register_csv: RegisterOption = None,
        workers: WorkersOption = 0,
        key: KeyOption = None,
        passphrase_file: PassphraseFileOption = None,
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
            raise UsageError("give exactly one of -o FOLDER (the batch folder) and --inbox FOLDER")
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
            from dsd_cli.archive.session import check_archive_folder
            from dsd_cli.cli.inputs import register_file
            from dsd_cli.pipeline.run import RunOptions
            from dsd_cli.profiles import load_profile

            assert archive is not None
            # Archive, profile and register are checked before scanning: a mistake in them must not cost a batch.
            check_archive_folder(archive, create=True)
            run_options = RunOptions(inputs=(), archive=archive, profile=load_profile(profile),
                                     register=register_file(register_csv),
                                     workers=workers or (os.cpu_count() or 1), sign=not no_sign, key=key,
                                     passphrase_file=passphrase_file)
        prepared = prepare_scan(request)
        if dry_run:
            if json_output:
                print_json({"dry_run": True, **prepared.to_dict()})
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
            err_console.print(styled(("DEMO signatures", "bold yellow"), ": this archive was signed with a demo "
                                     "key — not for production."))
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
