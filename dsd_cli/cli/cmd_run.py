"""`dsd run`: the whole pipeline on scanner output, resumable."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from dsd_cli.cli.logsetup import LogFormatOption, QuietOption, VerboseOption, setup_logging
from dsd_cli.cli.output import JsonOption, ProfileOption, err_console, out_console, print_json, warn
from dsd_cli.cli.progressbar import LogProgress, RichProgress
from dsd_cli.errors import PartialResult, ProblemsFound
from dsd_cli.profiles import load_profile
from dsd_cli.register import load_register

if TYPE_CHECKING:
    from dsd_cli.pipeline.run import RunReport

log = logging.getLogger("dsd.run")

RUN_HELP = """Run the whole pipeline: ingest → split → OCR/PDF/A → sign → package → verify.

Resumable: run the same command again after a crash, a reboot or Ctrl-C and dsd finishes what is unfinished;
scans that were archived before are skipped. Blank backs of separator sheets are left out but kept in
ARCHIVE/.dsd/dropped/ (see `dsd status`) and recorded in the dossier's provenance. Exit code 0: all archived and
verified; 3: some input was quarantined or left unassigned (see the summary and ARCHIVE/quarantine/); 1: the
archive failed verification.

Examples:

  dsd run samples/scans --archive ./archive --register samples/register.csv

  dsd run /srv/scans/2026-11-24 --archive /srv/archive --key /etc/dsd/signer.p12 --workers 8 --log-format json
"""


def render_summary(report: RunReport) -> None:
    table = Table(title="Archived dossiers", show_lines=False)
    table.add_column("dossier")
    table.add_column("documents", justify="right")
    table.add_column("pages", justify="right")
    table.add_column("document types")
    for dossier, info in sorted(report.dossiers.items()):
        table.add_row(dossier, str(info["documents"]), str(info["pages"]), ", ".join(info["types"]))
    out_console.print(table)
    counts = Table.grid(padding=(0, 2))
    for label, value in (("pages in", report.pages_in), ("pages archived", report.pages_archived),
                         ("separator sheets", report.separators), ("blank pages dropped", report.dropped),
                         ("pages unassigned", report.unassigned), ("pages quarantined", report.quarantined_pages),
                         ("files quarantined", report.quarantined_files), ("duplicates", report.duplicates)):
        counts.add_row(label, str(value))
    out_console.print(counts)
    if report.dropped_pages:
        out_console.print(dropped_table(report.dropped_pages, "Blank pages dropped (kept aside; see dsd status)"))
    if report.near_duplicates:
        dups = Table(title="Possible duplicates in the same dossier (archived all the same; see dsd duplicates)")
        for col in ("dossier", "new document", "repeats", "kind", "similarity", "pages (new → earlier)"):
            dups.add_column(col)
        for d in report.near_duplicates:
            pages = ", ".join(f"{new} → {old}" for new, old in d["pages"])
            dups.add_row(Text(d["dossier"]), d["document"], d["duplicate_of"], d["kind"], f"{d['similarity']:.2f}",
                         pages)
        out_console.print(dups)
    if report.quarantine:
        q = Table(title="Quarantine (kept for a person to resolve)")
        for col in ("source", "reason", "message", "kept at"):
            q.add_column(col)
        for item in report.quarantine:
            q.add_row(str(item["source"]), item["reason"], item["message"], str(item["path"]))
        out_console.print(q)
    if report.verify_ok is not None:
        errors = [p for p in report.problems if p["severity"] == "error"]
        warnings = len(report.problems) - len(errors)
        status = "[green]verified[/]" if report.verify_ok else f"[red]{len(errors)} problem(s)[/]"
        out_console.print(f"verification: {status}" + (f" ({warnings} warning(s))" if warnings else ""))
        for p in errors[:20]:
            out_console.print(f"  {p['check']}: {p['path']}: {p['message']}", highlight=False)


def dropped_table(pages: list[dict[str, Any]], title: str) -> Table:
    """Dropped pages with where each is kept; file names are shown literally."""
    table = Table(title=title)
    for col in ("source", "page", "reason", "kept at", "sha256"):
        table.add_column(col)
    for page in pages:
        kept = page.get("kept", "")
        if kept and page.get("still_kept") is False:
            kept = f"{kept} (removed after the retention period)"
        table.add_row(Text(Path(page["source"]).name), str(page["page"]), Text(page["reason"]), Text(kept),
                      Text(page.get("sha256", "")[:16]))
    return table


def register(app: typer.Typer) -> None:
    @app.command("run", help=RUN_HELP)
    def run_command(
        inputs: Annotated[list[Path] | None, typer.Argument(help="Scanner files or folders (none: resume).")] = None,
        archive: Annotated[Path, typer.Option("--archive", "-a", help="Archive folder (created if needed).")] = ...,
        profile: ProfileOption = None,
        register_csv: Annotated[Path | None, typer.Option("--register", help="Dossier register CSV.")] = None,
        workers: Annotated[int, typer.Option("--workers", "-w", help="Parallel workers (0: one per core).")] = 0,
        key: Annotated[Path | None, typer.Option("--key", envvar="DSD_KEY",
                                                 help="PKCS#12 signing key (passphrase: DSD_KEY_PASSPHRASE, "
                                                      "--passphrase-file or a prompt).")] = None,
        passphrase_file: Annotated[Path | None, typer.Option("--passphrase-file")] = None,
        no_sign: Annotated[bool, typer.Option("--no-sign", help="Do not sign documents.")] = False,
        drop_blank: Annotated[bool, typer.Option("--drop-blank", help="Drop every blank page (recorded).")] = False,
        no_verify: Annotated[bool, typer.Option("--no-verify", help="Skip the final verification.")] = False,
        json_output: JsonOption = False,
        log_format: LogFormatOption = "auto",
        quiet: QuietOption = False,
        verbose: VerboseOption = 0,
    ) -> None:
        from dsd_cli.pipeline.run import RunOptions, run_pipeline

        fmt = setup_logging(log_format, quiet, verbose)
        options = RunOptions(
            inputs=tuple(inputs or ()), archive=archive, profile=load_profile(profile),
            register=load_register(register_csv) if register_csv else None,
            workers=workers or (os.cpu_count() or 1), sign=not no_sign, key=key, passphrase_file=passphrase_file,
            drop_blank=True if drop_blank else None, verify=not no_verify,
        )
        use_bars = fmt == "rich" and not quiet and not json_output
        progress_cm = RichProgress() if use_bars else contextlib.nullcontext(LogProgress())
        with progress_cm as progress:
            report = run_pipeline(options, progress, warn=warn if fmt == "rich" else log.warning)
        for message in report.warnings:
            warn(message)
        if json_output:
            print_json(report.to_dict())
        elif not quiet:
            render_summary(report)
        if report.demo_signing:
            err_console.print("[bold yellow]DEMO signatures[/]: this archive was signed with a demo key — "
                              "not for production.")
        if report.verify_ok is False:
            raise ProblemsFound("the archive did not pass verification")
        if report.partial:
            raise PartialResult("finished, but some input was quarantined or left unassigned "
                                f"(see {archive / 'quarantine'})")
