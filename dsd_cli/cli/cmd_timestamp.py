"""`dsd timestamp`: long-term signatures — list PDFs whose timestamp is getting old, and renew a timestamp."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

if TYPE_CHECKING:
    from dsd_cli.profiles import Profile

from dsd_cli.cli.output import JsonOption, ProfileOption, info, out_console, print_json
from dsd_cli.errors import PartialResult, UsageError

timestamp_app = typer.Typer(help="Document timestamps for long-term signatures (PAdES B-LTA).", no_args_is_help=True)

RENEW_HELP = """Add fresh validation data and a new document timestamp to signed PDFs (PAdES B-LTA).

With --archive: every archived signed PDF whose newest timestamp is older than --before (default: today), each
dossier as a new bag version recorded in PREMIS and in the audit log (the earlier file stays the first bytes of
the renewed one). A dossier whose renewal fails is left as it was, the others go on, and the exit code is 3.
With a file: the renewed copy is written to -o.

Existing signatures stay intact: every result is checked before it replaces anything. Needs the TSA (--tsa or the
profile's signing.tsa_url) and the OCSP/CRL services of the certificates involved.

Examples:

  dsd timestamp renew --archive /srv/archive --before 2027-01-01 --tsa http://tsa.example/tsr

  dsd timestamp renew --archive /srv/archive --dossier SD/2019/0456 --json

  dsd timestamp renew dossier-doc.pdf -o dossier-doc.renewed.pdf --tsa http://tsa.example/tsr
"""

DUE_HELP = """List archived PDFs whose newest timestamp is older than --before (default: today), read-only.

Examples:

  dsd timestamp due --archive /srv/archive --before 2027-01-01

  dsd timestamp due --archive /srv/archive --json
"""


def _date(value: str | None) -> dt.datetime:
    if not value:
        return dt.datetime.now(dt.UTC)
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--before: {value!r} is not a date like 2027-01-01") from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


@timestamp_app.command("renew", help=RENEW_HELP)
def renew_command(
    source: Annotated[Path | None, typer.Argument(help="Signed PDF (or use --archive).", exists=True,
                                                  dir_okay=False)] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Renewed PDF to write (with a file).")
                      ] = None,
    archive: Annotated[Path | None, typer.Option("--archive", "-a", help="Renew inside this archive.")] = None,
    before: Annotated[str | None, typer.Option("--before", help="With --archive: renew timestamps older than "
                                                                "this date (YYYY-MM-DD); default today.")] = None,
    dossier: Annotated[list[str] | None, typer.Option("--dossier", help="With --archive: only this dossier "
                                                                        "(repeatable).")] = None,
    tsa: Annotated[str | None, typer.Option("--tsa", help="RFC 3161 timestamp authority URL.")] = None,
    trust: Annotated[list[Path] | None, typer.Option("--trust", help="Trusted root certificate (PEM/DER).")] = None,
    allow_demo: Annotated[bool, typer.Option("--allow-demo", help="Accept the dsd DEMO CA of demo signatures.")
                          ] = False,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    from dsd_cli.profiles import load_profile

    if (source is None) == (archive is None):
        raise UsageError("give either a signed PDF (with -o) or --archive")
    if source is not None and (output is None or before or dossier):
        raise UsageError("a single file needs -o; --before and --dossier go with --archive")
    if archive is not None and output is not None:
        raise UsageError("-o goes with a single file; --archive renews inside the archive")
    prof = load_profile(profile)
    roots = [*(trust or ()), *(Path(p) for p in prof.signing.trust_roots)]
    tsa_url = tsa or prof.signing.tsa_url
    if archive is not None:
        _renew_archive(archive, _date(before), tsa_url, roots, allow_demo, tuple(dossier or ()),
                       prof if profile else None, json_output)
        return
    from dsd_cli.signing.timestamps import renew_document_timestamp

    assert source is not None and output is not None
    result = renew_document_timestamp(source, output, tsa_url, trust_roots=roots, allow_demo=allow_demo)
    if json_output:
        print_json({**dataclasses.asdict(result), "output": str(result.output)})
    else:
        info(f"renewed {result.output}: new document timestamp {result.new_timestamp} "
             f"(previous {result.previous_timestamp or 'none'})")


def _renew_archive(archive: Path, before: dt.datetime, tsa_url: str, roots: list[Path], allow_demo: bool,
                   dossiers: tuple[str, ...], prof: Profile | None, json_output: bool) -> None:
    from dsd_cli.signing.archive_renewal import renew_archive_timestamps

    report = renew_archive_timestamps(archive, before, tsa_url, trust_roots=roots, allow_demo=allow_demo,
                                      dossiers=dossiers, profile=prof)
    if json_output:
        print_json({"renewed": [dataclasses.asdict(r) for r in report.renewed], "versions": report.versions,
                    "failures": [dataclasses.asdict(f) for f in report.failures],
                    "unsigned": [{"dossier": d, "path": p} for d, p in report.unsigned]})
    else:
        table = Table(title=f"{len(report.renewed)} document(s) renewed in {len(report.versions)} dossier(s)")
        for col in ("dossier", "file", "result"):
            table.add_column(col)
        for r in report.renewed:
            table.add_row(r.dossier, r.path, f"new timestamp {r.new_timestamp} (bag version "
                                             f"{report.versions[r.dossier]})")
        for f in report.failures:
            table.add_row(f.dossier, f.path, f"[red]not renewed:[/red] {f.reason}")
        for d, p in report.unsigned:
            table.add_row(d, p, "unsigned: nothing to renew")
        out_console.print(table)
    if report.failures:
        raise PartialResult(f"{len(report.failures)} document(s) could not be renewed; their dossiers are unchanged")


@timestamp_app.command("due", help=DUE_HELP)
def due_command(
    archive: Annotated[Path, typer.Option("--archive", "-a", help="Archive folder.")],
    before: Annotated[str | None, typer.Option("--before", help="Date (YYYY-MM-DD); default today.")] = None,
    json_output: JsonOption = False,
) -> None:
    from dsd_cli.signing.timestamps import documents_due

    due = documents_due(archive, _date(before))
    if json_output:
        print_json([{**dataclasses.asdict(d), "bag": str(d.bag)} for d in due])
        return
    table = Table(title=f"{len(due)} archived PDF(s) due for a new timestamp")
    for col in ("dossier", "file", "newest timestamp"):
        table.add_column(col)
    for d in due:
        table.add_row(d.dossier, d.path, d.problem or d.last_timestamp or "none")
    out_console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(timestamp_app, name="timestamp")
