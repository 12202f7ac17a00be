"""`dsd verify`: check archives, bags and PDFs; a summary for people, JSON for scripts, HTML to file."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dsd_cli.cli.output import JsonOption, ProfileOption, err_console, out_console, print_json
from dsd_cli.errors import InputError, NothingChecked, ProblemsFound
from dsd_cli.fsutil import atomic_write_text
from dsd_cli.models import VerifyReport
from dsd_cli.profiles import load_profile

VERIFY_HELP = """Verify an archive folder, single BagIt bags (any BagIt 0.93-1.0 bag) or single PDFs.

Checks every checksum of every manifest and tag manifest, completeness, paths that would leave a bag, signatures
(integrity, coverage of the current file, trust), PDF/A structure, dsd profile rules, METS and the audit log; see
docs/verification.md for every check and what is not checked. Nothing is changed.

Exit code 0: all well (warnings allowed), 1: problems found, 4: a path cannot be read, 10: nothing to verify (no
bag and no PDF: an empty folder, loose files, an empty mount).

Examples:

  dsd verify /srv/archive --report verification-2026-11.html

  dsd verify bag1 bag2 --json --workers 8

  dsd verify /srv/archive --fast

  dsd verify /srv/archive --fixity-only

  dsd verify brief.pdf --trust /etc/dsd/trusted-ca.pem
"""


def _human(size: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size} bytes"


def _render(report: VerifyReport) -> None:
    if report.problems:
        table = Table(title="Problems")
        for col in ("severity", "path", "check", "finding"):
            table.add_column(col, overflow="fold")
        for p in report.problems:
            style = "red" if p.severity == "error" else "yellow"
            table.add_row(f"[{style}]{p.severity}[/]", p.path, p.check, p.message)
        out_console.print(table)
    counts = ", ".join(_human(v) if k == "bytes" else f"{v} {k.replace('_', ' ')}"
                       for k, v in sorted(report.checked.items()))
    errors = sum(p.severity == "error" for p in report.problems)
    warnings = len(report.problems) - errors
    verdict = "[green]all well[/]" if report.ok else f"[red]{errors} problem(s) found[/]"
    out_console.print(f"{verdict}, {warnings} warning(s) — checked {counts or 'nothing'}", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("verify", help=VERIFY_HELP)
    def verify_command(
        paths: Annotated[list[Path], typer.Argument(help="Archive folders, bags or PDF files.")],
        fast: Annotated[bool, typer.Option("--fast", help="Presence and Payload-Oxum only (no hashing).")] = False,
        fixity_only: Annotated[bool, typer.Option("--fixity-only", help="BagIt fixity only, like bagit.py "
                                                  "--validate: every checksum, no PDF, signature or profile "
                                                  "checks.")] = False,
        workers: Annotated[int, typer.Option("--workers", "-w",
                                             help="Hashing threads and PDF-checking processes (0: one per core).",
                                             min=0)] = 0,
        trust: Annotated[list[Path] | None, typer.Option("--trust", help="Trusted root certificate, PEM or DER "
                                                                         "(repeat for several).")] = None,
        no_demo_trust: Annotated[bool, typer.Option("--no-demo-trust",
                                                    help="Treat dsd demo signatures as untrusted.")] = False,
        report_html: Annotated[Path | None, typer.Option("--report", help="Also write a self-contained HTML "
                                                                          "report to this file.")] = None,
        profile: ProfileOption = None,
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.verify import VerifyOptions, verify_paths

        if report_html is not None and not report_html.parent.is_dir():
            raise InputError(f"{report_html.parent}: no such folder for the report", reason="missing")
        # Without --profile, each dsd bag is checked against the profile it names (DSD-Profile).
        prof = load_profile(profile) if profile else None
        signatures = not (fast or fixity_only)  # only then do trust roots matter
        roots = tuple(trust or ()) + (tuple(Path(p) for p in (prof or load_profile()).signing.trust_roots)
                                      if signatures else ())
        for root in roots:
            if not root.is_file():
                raise InputError(f"{root}: trust root certificate not found", reason="missing")
        options = VerifyOptions(workers=workers or (os.cpu_count() or 1), fast=fast, fixity_only=fixity_only,
                                trust_roots=roots, profile=prof, allow_demo_trust=not no_demo_trust)
        bars = err_console.is_terminal and not json_output
        if bars:
            from dsd_cli.cli.progressbar import RichProgress

            progress_context: contextlib.AbstractContextManager = RichProgress()
        else:
            progress_context = contextlib.nullcontext()
        with progress_context as progress:
            report = verify_paths(paths, options, progress)
        if report_html is not None:
            from dsd_cli.verify.html_report import render_html

            try:
                atomic_write_text(report_html, render_html(report, paths, fast=fast))
            except OSError as exc:
                raise InputError(f"{report_html}: the report cannot be written ({exc.strerror})",
                                 reason="unwritable") from None
        if json_output:
            print_json(report.to_dict())
        else:
            _render(report)
        from dsd_cli.verify.archivecheck import NOTHING_CHECKED

        if any(p.check == NOTHING_CHECKED for p in report.problems):
            raise NothingChecked("nothing was verified: no bag and no PDF found")
        if not report.ok:
            raise ProblemsFound(f"{sum(p.severity == 'error' for p in report.problems)} problem(s) found")
