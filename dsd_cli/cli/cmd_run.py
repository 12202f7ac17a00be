"""`dsd run`: the whole pipeline on scanner output, resumable."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
from dsd_cli.cli.output import (
    JsonOption,
    ProfileOption,
    counted,
    err_console,
    human_duration,
    out_console,
    print_json,
    result_line,
    styled,
    warn,
)
from dsd_cli.errors import PartialResult, ProblemsFound

if TYPE_CHECKING:
    from dsd_cli.pipeline.run import RunReport

log = logging.getLogger("dsd.run")

RUN_HELP = """Run the whole pipeline on scanner output, resumably.

Ingest → split → OCR/PDF/A → sign → package → verify.

Resumable: run the same command again after a crash, a reboot or Ctrl-C and dsd finishes what is unfinished;
scans that were archived before are skipped. Blank backs of separator sheets are left out but kept in
ARCHIVE/.dsd/dropped/ (see `dsd status`) and recorded in the dossier's provenance. `dsd status --archive ARCHIVE`
shows a run in progress from another terminal.

With --cluster the OCR runs on the workers of a Dask cluster (`dask worker ADDRESS --nthreads 1` on each scan
server); this machine keeps the journal, splits, signs, packages and verifies. See docs/operations.md.

Exit codes: 0 all archived and verified; 3 some input was quarantined or left unassigned (see the summary and
ARCHIVE/quarantine/); 1 the archive failed verification; 4 an input cannot be used; 6 a program is missing;
7 signing failed; 8 another dsd process holds the archive; 11 the Dask scheduler of --cluster could not be reached
or went away (run the same command again once it is back); 130 interrupted, run it again to resume (full table:
dsd --help).

Examples:

  dsd run samples/scans --archive ./archive --register samples/register.csv

  dsd run /srv/scans/2026-11-24 --archive /srv/archive --key /etc/dsd/signer.p12 --workers 8 --log-format json

  dsd run /srv/scans/2026-11-24 --archive /srv/archive --cluster tls://coordinator.ocmw.local:8786
"""


def render_summary(report: RunReport) -> None:
    from rich.table import Table

    from dsd_cli.cli.output import lit
    from dsd_cli.cli.tables import Column, print_table

    print_table("Archived dossiers", (Column("dossier", keep=True), Column("documents", keep=True, justify="right"),
                                      Column("pages", keep=True, justify="right"), Column("document types")),
                [(dossier, info["documents"], info["pages"], ", ".join(info["types"]))
                 for dossier, info in sorted(report.dossiers.items())])
    counts = Table.grid(padding=(0, 2))
    for label, value in (("pages in", report.pages_in), ("pages archived", report.pages_archived),
                         ("separator sheets", report.separators), ("blank pages dropped", report.dropped),
                         ("pages unassigned", report.unassigned), ("pages quarantined", report.quarantined_pages),
                         ("files quarantined", report.quarantined_files), ("duplicates", report.duplicates)):
        counts.add_row(label, str(value))
    counts.add_row("time", lit(f"{human_duration(report.elapsed_seconds)} "
                               f"({report.pages_per_second:.2f} pages archived per second)"))
    if report.executor:
        counts.add_row("OCR on", lit(report.executor))
    out_console.print(counts)
    if report.dropped_pages:
        print_dropped(report.dropped_pages, "Blank pages dropped (kept aside; see dsd status)")
    if report.near_duplicates:
        print_table("Possible duplicates in the same dossier (archived all the same; see dsd duplicates)",
                    (Column("dossier", keep=True), Column("new document", keep=True), Column("repeats", keep=True),
                     Column("kind", keep=True), Column("similarity", keep=True, justify="right"),
                     Column("pages (new → earlier)")),
                    [(d["dossier"], d["document"], d["duplicate_of"], d["kind"], f"{d['similarity']:.2f}",
                      ", ".join(f"{new} → {old}" for new, old in d["pages"])) for d in report.near_duplicates])
    if report.quarantine:
        print_table("Quarantine (kept for a person to resolve)",
                    (Column("source", breakable=True), Column("reason", keep=True), Column("message", breakable=True),
                     Column("kept at", breakable=True)),
                    [(item["source"], item["reason"], item["message"], item["path"]) for item in report.quarantine])
    if report.verify_ok is not None:
        errors = [p for p in report.problems if p["severity"] == "error"]
        warnings = len(report.problems) - len(errors)
        status = ("verified", "green") if report.verify_ok else (counted(len(errors), "problem"), "red")
        result_line(styled("verification: ", status, f" ({counted(warnings, 'warning')})" if warnings else ""))
        for p in errors[:20]:
            result_line(f"  {p['check']}: {p['path']}: {p['message']}")


def print_dropped(pages: list[dict[str, Any]], title: str) -> None:
    """Dropped pages with where each is kept; file names are shown literally."""
    from dsd_cli.cli.tables import Column, print_table

    def kept(page: dict[str, Any]) -> str:
        where = page.get("kept", "")
        return f"{where} (removed after the retention period)" if where and page.get("still_kept") is False else where

    print_table(title, (Column("source", breakable=True), Column("page", keep=True, justify="right"),
                        Column("reason", keep=True), Column("kept at", breakable=True),
                        Column("sha256", keep=True, detail=True)),
                [(Path(p["source"]).name, p["page"], p["reason"], kept(p), p.get("sha256", "")[:16]) for p in pages])


def register(app: typer.Typer) -> None:
    @app.command("run", help=RUN_HELP)
    def run_command(
        inputs: Annotated[list[Path] | None, typer.Argument(help="Scanner files or folders (none: resume).",
                                                            metavar="SCAN")] = None,
        archive: Annotated[Path, typer.Option("--archive", "-a", metavar="FOLDER",
                                              help="Archive folder (created if needed).")] = ...,
        profile: ProfileOption = None,
        register_csv: RegisterOption = None,
        workers: WorkersOption = 0,
        key: KeyOption = None,
        passphrase_file: PassphraseFileOption = None,
        no_sign: Annotated[bool, typer.Option("--no-sign", help="Do not sign documents.")] = False,
        drop_blank: Annotated[bool, typer.Option("--drop-blank", help="Drop every blank page (recorded).")] = False,
        no_verify: Annotated[bool, typer.Option("--no-verify", help="Skip the final verification.")] = False,
        cluster: ClusterOption = None,
        insecure_cluster: InsecureClusterOption = False,
        json_output: JsonOption = False,
        log_format: LogFormatOption = "auto",
        quiet: QuietOption = False,
        verbose: VerboseOption = 0,
    ) -> None:
        from dsd_cli.cli.inputs import input_path, register_file
        from dsd_cli.cli.progressbar import LogProgress, RichProgress
        from dsd_cli.pipeline.cluster import open_executor
        from dsd_cli.pipeline.run import RunOptions, run_pipeline
        from dsd_cli.profiles import load_profile

        for path in inputs or ():
            input_path(path)
        fmt = setup_logging(log_format, quiet, verbose)
        loaded = load_profile(profile)
        options = RunOptions(
            inputs=tuple(inputs or ()), archive=archive, profile=loaded,
            register=register_file(register_csv),
            workers=workers or (os.cpu_count() or 1), sign=not no_sign, key=key, passphrase_file=passphrase_file,
            drop_blank=True if drop_blank else None, verify=not no_verify,
        )
        say = warn if fmt == "rich" else log.warning
        executor = open_executor(loaded, cluster=cluster, workers=options.workers, insecure=insecure_cluster,
                                 warn=say)
        use_bars = fmt == "rich" and not quiet and not json_output
        progress_cm = RichProgress() if use_bars else contextlib.nullcontext(LogProgress())
        with executor, progress_cm as progress:
            report = run_pipeline(options, progress, warn=say, executor=executor)
        for message in report.warnings:
            warn(message)
        if json_output:
            print_json(report.to_dict())
        elif not quiet:
            render_summary(report)
        if report.demo_signing:
            err_console.print(styled(("DEMO signatures", "bold yellow"), ": this archive was signed with a demo "
                                     "key — not for production."))
        if report.verify_ok is False:
            raise ProblemsFound("the archive did not pass verification")
        if report.partial:
            raise PartialResult("finished, but some input was quarantined or left unassigned "
                                f"(see {archive / 'quarantine'})")
