"""`dsd verify`: check archives, bags and PDFs; a summary for people, JSON for scripts, HTML to file."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dsd_cli.cli.logsetup import QuietOption, VerboseOption, setup_logging
from dsd_cli.cli.options import LangOption, TrustOption
from dsd_cli.cli.output import (
    JsonOption,
    ProfileOption,
    counted,
    err_console,
    human_duration,
    human_size,
    print_json,
    result_line,
    styled,
    warn,
)
from dsd_cli.errors import NothingChecked, ProblemsFound

if TYPE_CHECKING:
    from dsd_cli.findings import VerifyReport
    from dsd_cli.profiles import Profile

CHECKED_WORDS = {
    "bags": ("bag",), "files": ("file",), "pdfs": ("PDF",), "signatures": ("signature",),
    "audit_logs": ("audit log",), "inventories": ("inventory", "inventories"),
    "inventoried_dossiers": ("inventoried dossier",),
    "index_disposals": ("disposal checked in the search index", "disposals checked in the search index"),
}
"""The summary line's words for the counts of dsd_cli.findings.CHECKED_COUNTS (singular, and plural if not +s)."""

VERIFY_HELP = """Verify archive folders, BagIt bags and PDF files.

Any BagIt 0.93-1.0 bag, from dsd or another tool. Checks every checksum of every manifest and tag manifest,
completeness, paths that would leave a bag, signatures (integrity, coverage of the current file, trust), PDF/A
structure, dsd profile rules, METS and the audit log; see docs/verification.md for every check and what is not
checked. Nothing in a bag is changed; of an archive folder, the verdict per bag is recorded (audit/verifications/,
with an audit-log entry) for `dsd stats`. The HTML report (--report) is for an auditor: in Dutch, or French with
--lang fr.

Exit codes: 0 all well (warnings allowed), 1 problems found, 2 wrong command line, 4 a path cannot be read or
the report cannot be written, 5 a bad profile, 10 nothing to verify (no bag and no PDF: an empty folder, loose
files, an empty backup mount) (full table: dsd --help).

Examples:

  dsd verify /srv/archive --report verification-2026-11.html

  dsd verify /srv/archive --report verification-2026-11.html --lang fr

  dsd verify bag1 bag2 --json --workers 8

  dsd verify /srv/archive --fast

  dsd verify /srv/archive --fixity-only

  dsd verify brief.pdf --trust /etc/dsd/trusted-ca.pem
"""


def _render(report: VerifyReport, seconds: float) -> None:
    from dsd_cli.cli.tables import Column, print_table
    from dsd_cli.findings import ordered_counts

    if report.problems:
        rows = [(styled((p.severity, "red" if p.severity == "error" else "yellow")), p.path, p.check, p.message)
                for p in report.problems]
        print_table("Problems", (Column("severity", keep=True), Column("path", breakable=True),
                                 Column("check", keep=True),
                                 Column("finding", breakable=True)), rows)
    counts = ", ".join(human_size(v) if k == "bytes" else counted(v, *CHECKED_WORDS.get(k, (k.replace("_", " "),)))
                       for k, v in ordered_counts(report.checked))
    errors = sum(p.severity == "error" for p in report.problems)
    warnings = len(report.problems) - errors
    verdict = ("all well", "green") if report.ok else (f"{counted(errors, 'problem')} found", "red")
    speed = report.checked.get("bytes", 0) / seconds if seconds > 0 else 0
    rate = f" ({human_size(speed)}/s)" if report.checked.get("bytes") else ""
    result_line(styled(verdict, f", {counted(warnings, 'warning')} — checked {counts or 'nothing'} in "
                                f"{human_duration(seconds)}{rate}"))


def _organisation(report: VerifyReport, profile: Profile | None) -> str:
    """Whose archive the report is about: the given profile's organisation, else the one(s) the bags name."""
    if profile is not None:
        return profile.organization.name
    from dsd_cli.archive.bagio import read_bag_info

    names: list[str] = []
    for bag in report.details.get("bags", []):
        try:
            named = read_bag_info(Path(bag["path"])).get("Source-Organization", [])
        except (OSError, UnicodeDecodeError, KeyError):
            continue
        names += [n for n in named[:1] if n and n not in names]
    return ", ".join(names)


def register(app: typer.Typer) -> None:
    @app.command("verify", help=VERIFY_HELP)
    def verify_command(
        paths: Annotated[list[Path], typer.Argument(help="Archive folders, bags or PDF files.",
                                                    metavar="ARCHIVE|BAG|PDF")],
        fast: Annotated[bool, typer.Option("--fast", help="Presence and Payload-Oxum only (no hashing).")] = False,
        fixity_only: Annotated[bool, typer.Option("--fixity-only", help="BagIt fixity only, like bagit.py "
                                                  "--validate: every checksum, no PDF, signature or profile "
                                                  "checks.")] = False,
        workers: Annotated[int, typer.Option("--workers", "-w", metavar="N",
                                             help="Hashing threads and PDF-checking processes (0: one per core).",
                                             min=0)] = 0,
        trust: TrustOption = None,
        no_demo_trust: Annotated[bool, typer.Option("--no-demo-trust",
                                                    help="Treat dsd demo signatures as untrusted.")] = False,
        report_html: Annotated[Path | None, typer.Option("--report", metavar="FILE",
                                                         help="Also write a self-contained HTML report for an "
                                                              "auditor to this file.")] = None,
        lang: LangOption = None,
        profile: ProfileOption = None,
        json_output: JsonOption = False,
        quiet: QuietOption = False,
        verbose: VerboseOption = 0,
    ) -> None:
        from dsd_cli.cli.inputs import input_file, input_path, output_folder_of, writing_report

        for path in paths:
            input_path(path)
        if report_html is not None:
            output_folder_of(report_html)

        def profile_named(name: str | None = None) -> Profile:
            from dsd_cli.profiles import load_profile  # loaded only when a profile is asked for or needed

            return load_profile(name)

        setup_logging("auto", quiet, verbose)
        # Without --profile, each dsd bag is checked against the profile it names (DSD-Profile).
        prof = profile_named(profile) if profile else None

        from dsd_cli.verify import NOTHING_CHECKED, VerifyOptions, verify_paths

        roots = tuple(trust or ())
        for root in roots:
            input_file(root, "trust root certificate")
        # The profile's own trust roots are added by the library, which reads the profile only if a PDF is checked.
        options = VerifyOptions(workers=workers or (os.cpu_count() or 1), fast=fast, fixity_only=fixity_only,
                                trust_roots=roots, profile_trust_roots=True, profile=prof,
                                allow_demo_trust=not no_demo_trust)
        bars = not json_output and not quiet and err_console.is_terminal  # is_terminal loads Rich
        if bars:
            from dsd_cli.cli.progressbar import RichProgress

            progress_context: contextlib.AbstractContextManager = RichProgress()
        else:
            progress_context = contextlib.nullcontext()
        started = time.monotonic()
        with progress_context as progress:
            report = verify_paths(paths, options, progress)
        seconds = time.monotonic() - started
        from dsd_cli.archive.layout import has_archive_state

        if any(has_archive_state(path) for path in paths):  # the statistics code only for an archive folder
            from dsd_cli.stats.verifications import record_archive_verifications

            level = "fast" if fast else "fixity" if fixity_only else "full"
            for message in record_archive_verifications(paths, report, level=level):
                warn(message)
        if report_html is not None:
            from dsd_cli.fsutil import atomic_write_text
            from dsd_cli.i18n import document_language
            from dsd_cli.verify.html_report import render_html

            lang = document_language(lang, (prof or profile_named()).organization.language)
            with writing_report(report_html):
                atomic_write_text(report_html, render_html(report, paths, fast=fast, fixity_only=fixity_only,
                                                           lang=lang, organisation=_organisation(report, prof)))
        if json_output:
            print_json({**report.to_dict(), "seconds": round(seconds, 3)})
        elif not quiet or not report.ok:
            _render(report, seconds)
        if any(p.check == NOTHING_CHECKED for p in report.problems):
            raise NothingChecked("nothing was verified: no bag and no PDF found")
        if not report.ok:
            raise ProblemsFound(f"{counted(sum(p.severity == 'error' for p in report.problems), 'problem')} found")
