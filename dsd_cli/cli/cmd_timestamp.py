"""`dsd timestamp`: long-term signatures — list PDFs whose timestamp is getting old, and renew a timestamp."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dsd_cli.cli.logsetup import QuietOption, VerboseOption, setup_logging
from dsd_cli.cli.options import ArchiveOption, TrustOption, TsaOption
from dsd_cli.cli.output import JsonOption, ProfileOption, info, print_json, styled

if TYPE_CHECKING:
    from dsd_cli.profiles import Profile

TIMESTAMP_HELP = """Document timestamps: find old ones, and renew them.

Long-term signatures (PAdES B-LTA) need a fresh document timestamp from time to time.
A timestamp is only as strong as the algorithms and certificates behind it; renew before they age (for example
every few years, or when the TSA's certificate nears its end).

Exit codes: each command's --help lists its own; the full table is in dsd --help.

Examples:

  dsd timestamp due --archive /srv/archive --before 2027-01-01

  dsd timestamp renew --archive /srv/archive --before 2027-01-01 --tsa http://tsa.example/tsr

  dsd timestamp renew signed.pdf -o signed.renewed.pdf --tsa http://tsa.example/tsr
"""

RENEW_HELP = """Renew the document timestamps of signed PDFs.

Adds fresh validation data and a new document timestamp (PAdES B-LTA).

With --archive: every archived signed PDF whose newest timestamp is older than --before (default: today), each
dossier as a new bag version recorded in PREMIS and in the audit log (the earlier file stays the first bytes of
the renewed one). A dossier whose renewal fails is left as it was, the others go on, and the exit code is 3.
With a file: the renewed copy is written to -o.

Existing signatures stay intact: every result is checked before it replaces anything. Needs the TSA (--tsa or the
profile's signing.tsa_url) and the OCSP/CRL services of the certificates involved.

Exit codes: 0 renewed, 3 some documents could not be renewed (their dossiers are unchanged), 4 the PDF cannot be
used, 7 the TSA or a validation service failed, 8 the archive is in use, 9 no such archive, 2 wrong command line
(full table: dsd --help).

Examples:

  dsd timestamp renew --archive /srv/archive --before 2027-01-01 --tsa http://tsa.example/tsr

  dsd timestamp renew --archive /srv/archive --dossier SD/2019/0456 --json

  dsd timestamp renew dossier-doc.pdf -o dossier-doc.renewed.pdf --tsa http://tsa.example/tsr
"""

DUE_HELP = """List archived PDFs whose newest timestamp is getting old.

Older than --before (default: today); read-only.

Exit codes: 0 listed (also when none is due), 9 no such archive, 2 wrong command line or date (full table:
dsd --help).

Examples:

  dsd timestamp due --archive /srv/archive --before 2027-01-01

  dsd timestamp due --archive /srv/archive --json
"""

timestamp_app = typer.Typer(help=TIMESTAMP_HELP, no_args_is_help=True)

BeforeOption = Annotated[str | None, typer.Option("--before", metavar="DATE",
                                                  help="Date (YYYY-MM-DD); default today.")]


def _date(value: str | None) -> dt.datetime:
    from dsd_cli.errors import UsageError

    if not value:
        return dt.datetime.now(dt.UTC)
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--before: {value!r} is not a date like 2027-01-01") from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


@timestamp_app.command("renew", help=RENEW_HELP)
def renew_command(
    source: Annotated[Path | None, typer.Argument(help="Signed PDF (or use --archive).", metavar="PDF")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE",
                                                help="Renewed PDF to write (with a file).")] = None,
    archive: Annotated[Path | None, typer.Option("--archive", "-a", metavar="FOLDER",
                                                 help="Renew inside this archive.")] = None,
    before: Annotated[str | None, typer.Option("--before", metavar="DATE",
                                               help="With --archive: renew timestamps older than this date "
                                                    "(YYYY-MM-DD); default today.")] = None,
    dossier: Annotated[list[str] | None, typer.Option("--dossier", "-d", metavar="DOSSIER",
                                                      help="With --archive: only this dossier (repeatable).")
                       ] = None,
    tsa: TsaOption = None,
    trust: TrustOption = None,
    allow_demo: Annotated[bool, typer.Option("--allow-demo", help="Accept the dsd DEMO CA of demo signatures.")
                          ] = False,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = 0,
) -> None:
    from dsd_cli.cli.inputs import existing_archive, input_file
    from dsd_cli.errors import UsageError
    from dsd_cli.profiles import load_profile

    if (source is None) == (archive is None):
        raise UsageError("give either a signed PDF (with -o) or --archive")
    if source is not None and (output is None or before or dossier):
        raise UsageError("a single file needs -o; --before and --dossier go with --archive")
    if archive is not None and output is not None:
        raise UsageError("-o goes with a single file; --archive renews inside the archive")
    setup_logging("auto", quiet, verbose)
    prof = load_profile(profile)
    roots = [*(trust or ()), *(Path(p) for p in prof.signing.trust_roots)]
    tsa_url = tsa or prof.signing.tsa_url
    if archive is not None:
        _renew_archive(existing_archive(archive), _date(before), tsa_url, roots, allow_demo, tuple(dossier or ()),
                       prof if profile else None, json_output, quiet)
        return
    from dsd_cli.signing.timestamps import renew_document_timestamp

    assert source is not None and output is not None
    result = renew_document_timestamp(input_file(source, "PDF"), output, tsa_url, trust_roots=roots,
                                      allow_demo=allow_demo)
    if json_output:
        print_json({**dataclasses.asdict(result), "output": str(result.output)})
    else:
        info(f"renewed {result.output}: new document timestamp {result.new_timestamp} "
             f"(previous {result.previous_timestamp or 'none'})")


def _renew_archive(archive: Path, before: dt.datetime, tsa_url: str, roots: list[Path], allow_demo: bool,
                   dossiers: tuple[str, ...], prof: Profile | None, json_output: bool, quiet: bool) -> None:
    from dsd_cli.errors import PartialResult
    from dsd_cli.signing.archive_renewal import renew_archive_timestamps

    report = renew_archive_timestamps(archive, before, tsa_url, trust_roots=roots, allow_demo=allow_demo,
                                      dossiers=dossiers, profile=prof)
    if json_output:
        print_json({"renewed": [dataclasses.asdict(r) for r in report.renewed], "versions": report.versions,
                    "failures": [dataclasses.asdict(f) for f in report.failures],
                    "unsigned": [{"dossier": d, "path": p} for d, p in report.unsigned]})
    elif not quiet or report.failures:
        from dsd_cli.cli.tables import Column, print_table

        rows: list[tuple[object, ...]] = [
            (r.dossier, r.path, f"new timestamp {r.new_timestamp} (bag version {report.versions[r.dossier]})")
            for r in report.renewed]
        rows += [(f.dossier, f.path, styled(("not renewed: ", "red"), f.reason)) for f in report.failures]
        rows += [(d, p, "unsigned: nothing to renew") for d, p in report.unsigned]
        print_table(f"{len(report.renewed)} document(s) renewed in {len(report.versions)} dossier(s)",
                    (Column("dossier", keep=True), Column("file", breakable=True), Column("result")), rows)
    if report.failures:
        raise PartialResult(f"{len(report.failures)} document(s) could not be renewed; their dossiers are unchanged")


@timestamp_app.command("due", help=DUE_HELP)
def due_command(archive: ArchiveOption, before: BeforeOption = None, json_output: JsonOption = False) -> None:
    from dsd_cli.cli.inputs import existing_archive
    from dsd_cli.signing.timestamps import documents_due

    moment = _date(before)
    due = documents_due(existing_archive(archive), moment)
    if json_output:
        print_json({"before": moment.isoformat(timespec="seconds"),
                    "documents": [{**dataclasses.asdict(d), "bag": str(d.bag)} for d in due]})
        return
    from dsd_cli.cli.tables import Column, print_table

    print_table(f"{len(due)} archived PDF(s) due for a new timestamp",
                (Column("dossier", keep=True), Column("file", breakable=True), Column("newest timestamp")),
                [(d.dossier, d.path, d.problem or d.last_timestamp or "none") for d in due])


def register(app: typer.Typer) -> None:
    app.add_typer(timestamp_app, name="timestamp")
