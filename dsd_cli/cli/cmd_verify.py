"""`dsd verify`: check archives, bags and PDFs; a summary for people, JSON for scripts, HTML to file."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dsd_cli.cli.output import JsonOption, ProfileOption, err_console, out_console, print_json
from dsd_cli.cli.progressbar import RichProgress
from dsd_cli.errors import ProblemsFound
from dsd_cli.fsutil import atomic_write_text
from dsd_cli.profiles import load_profile
from dsd_cli.verify import VerifyOptions, verify_paths
from dsd_cli.verify.html_report import render_html

VERIFY_HELP = """Verify an archive folder, single BagIt bags (any BagIt 0.97/1.0 bag) or single PDFs.

Checks every checksum, completeness, paths, signatures (integrity, coverage, trust), PDF/A structure, dsd profile
rules and the audit log; see docs/verification.md for every check and what is not checked. Exit code 0: all well
(warnings allowed), 1: problems found, 4: a path cannot be read.

Examples:

  dsd verify /srv/archive --report verification-2026-11.html

  dsd verify bag1 bag2 --json --workers 8

  dsd verify brief.pdf --trust /etc/dsd/trusted-ca.pem
"""


def register(app: typer.Typer) -> None:
    @app.command("verify", help=VERIFY_HELP)
    def verify_command(
        paths: Annotated[list[Path], typer.Argument(help="Archive folders, bags or PDF files.")],
        fast: Annotated[bool, typer.Option("--fast", help="Presence and Payload-Oxum only.")] = False,
        workers: Annotated[int, typer.Option("--workers", "-w", help="Hashing threads (0: per core).")] = 0,
        trust: Annotated[list[Path] | None, typer.Option("--trust", help="Trusted root certificate (repeat).")] = None,
        no_demo_trust: Annotated[bool, typer.Option("--no-demo-trust",
                                                    help="Treat dsd demo signatures as untrusted.")] = False,
        report_html: Annotated[Path | None, typer.Option("--report", help="Write an HTML report here.")] = None,
        profile: ProfileOption = None,
        json_output: JsonOption = False,
    ) -> None:
        prof = load_profile(profile)
        roots = tuple(trust or ()) + tuple(Path(p) for p in prof.signing.trust_roots)
        options = VerifyOptions(workers=workers or (os.cpu_count() or 1), fast=fast, trust_roots=roots,
                                profile=prof, allow_demo_trust=not no_demo_trust)
        bars = err_console.is_terminal and not json_output
        with RichProgress() if bars else contextlib.nullcontext() as progress:
            report = verify_paths(paths, options, progress)
        if report_html is not None:
            atomic_write_text(report_html, render_html(report, paths, "fast" if fast else "full check"))
        if json_output:
            print_json(report.to_dict())
        else:
            if report.problems:
                table = Table(title="Problems")
                for col in ("severity", "path", "check", "finding"):
                    table.add_column(col, overflow="fold")
                for p in report.problems:
                    style = "red" if p.severity == "error" else "yellow"
                    table.add_row(f"[{style}]{p.severity}[/]", p.path, p.check, p.message)
                out_console.print(table)
            counts = ", ".join(f"{v} {k}" for k, v in sorted(report.checked.items()))
            verdict = "[green]all well[/]" if report.ok else "[red]problems found[/]"
            out_console.print(f"{verdict} — checked {counts or 'nothing'}")
        if not report.ok:
            raise ProblemsFound(f"{sum(p.severity == 'error' for p in report.problems)} problem(s) found")
