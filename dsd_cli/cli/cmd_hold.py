"""`dsd hold add|remove`: place or lift a legal hold on a dossier."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dsd_cli.cli.options import ArchiveOption
from dsd_cli.cli.output import JsonOption, ProfileOption, print_json, result_line

if TYPE_CHECKING:
    from dsd_cli.retention.hold import HoldResult

HOLD_HELP = """Legal holds: suspend a dossier's disposal, or lift it.

For a court case or an inspection.
A dossier under legal hold is never listed as due and never disposed of; each change is a new bag version recorded
in METS and the audit log, with the reason.

Exit codes: each command's --help lists its own; the full table is in dsd --help.

Examples:

  dsd hold add SD/2019/0456 --archive /srv/archive --reason "court case 2026/123"

  dsd hold remove SD/2019/0456 --archive /srv/archive --reason "court case closed"

  dsd show SD/2019/0456 --archive /srv/archive     (since when, by whom, why)
"""

ADD_HELP = """Place a legal hold on a dossier.

A new bag version with Legal-Hold: yes and no due date.

Exit codes: 0 placed, 8 the archive is in use, 9 no such archive or dossier, 2 wrong command line (full table:
dsd --help).

Example:

  dsd hold add SD/2019/0456 --archive /srv/archive --reason "court case 2026/123"
"""

REMOVE_HELP = """Lift a legal hold from a dossier.

A new bag version with Legal-Hold: no and the suspended due date restored.

Exit codes: 0 lifted, 8 the archive is in use, 9 no such archive or dossier, 2 wrong command line (full table:
dsd --help).

Example:

  dsd hold remove SD/2019/0456 --archive /srv/archive --reason "court case closed"
"""

hold_app = typer.Typer(help=HOLD_HELP, no_args_is_help=True)

DossierArg = Annotated[str, typer.Argument(help="Dossier number, e.g. SD/2019/0456.", metavar="DOSSIER")]
ReasonOpt = Annotated[str, typer.Option("--reason", metavar="REASON",
                                        help="Why (recorded in METS and the audit log).")]


def _render(result: HoldResult, json_output: bool) -> None:
    if json_output:
        print_json({**dataclasses.asdict(result), "bag": str(result.bag)})
        return
    state = "under legal hold" if result.legal_hold else "no longer under legal hold"
    due = f"; disposal due on {result.due_date}" if result.due_date else ""
    result_line(f"dossier {result.dossier} is {state} (bag version {result.version}){due}")


def _set(dossier: str, archive: Path, held: bool, reason: str, profile: str | None,
         json_output: bool) -> None:
    from dsd_cli.cli.inputs import existing_archive
    from dsd_cli.profiles import load_profile
    from dsd_cli.retention.hold import set_legal_hold

    _render(set_legal_hold(existing_archive(archive), dossier, held, reason,
                           profile=load_profile(profile) if profile else None), json_output)


@hold_app.command("add", help=ADD_HELP)
def add_command(dossier: DossierArg, archive: ArchiveOption, reason: ReasonOpt, profile: ProfileOption = None,
                json_output: JsonOption = False) -> None:
    _set(dossier, archive, True, reason, profile, json_output)


@hold_app.command("remove", help=REMOVE_HELP)
def remove_command(dossier: DossierArg, archive: ArchiveOption, reason: ReasonOpt, profile: ProfileOption = None,
                   json_output: JsonOption = False) -> None:
    _set(dossier, archive, False, reason, profile, json_output)


def register(app: typer.Typer) -> None:
    app.add_typer(hold_app, name="hold")
