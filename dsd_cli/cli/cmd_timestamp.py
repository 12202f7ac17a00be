"""`dsd timestamp`: long-term signatures — list PDFs whose timestamp is getting old, and renew a timestamp."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dsd_cli.cli.output import JsonOption, ProfileOption, info, out_console, print_json
from dsd_cli.errors import UsageError

timestamp_app = typer.Typer(help="Document timestamps for long-term signatures (PAdES B-LTA).", no_args_is_help=True)

RENEW_HELP = """Add fresh validation data and a new document timestamp to a signed PDF (written to -o).

Existing signatures stay intact: the result is checked before it is written. Needs the TSA (--tsa or the profile's
signing.tsa_url) and the OCSP/CRL services of the certificates involved.

Example:

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
    source: Annotated[Path, typer.Argument(help="Signed PDF.", exists=True, dir_okay=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Renewed PDF to write.")],
    tsa: Annotated[str | None, typer.Option("--tsa", help="RFC 3161 timestamp authority URL.")] = None,
    trust: Annotated[list[Path] | None, typer.Option("--trust", help="Trusted root certificate (PEM/DER).")] = None,
    allow_demo: Annotated[bool, typer.Option("--allow-demo", help="Accept the dsd DEMO CA of demo signatures.")
                          ] = False,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    from dsd_cli.profiles import load_profile
    from dsd_cli.signing.timestamps import renew_document_timestamp

    prof = load_profile(profile)
    roots = [*(trust or ()), *(Path(p) for p in prof.signing.trust_roots)]
    result = renew_document_timestamp(source, output, tsa or prof.signing.tsa_url, trust_roots=roots,
                                      allow_demo=allow_demo)
    if json_output:
        print_json({**dataclasses.asdict(result), "output": str(result.output)})
    else:
        info(f"renewed {result.output}: new document timestamp {result.new_timestamp} "
             f"(previous {result.previous_timestamp or 'none'})")


@timestamp_app.command("due", help=DUE_HELP)
def due_command(
    archive: Annotated[Path, typer.Option("--archive", "-a", help="Archive folder.", exists=True, file_okay=False)],
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
