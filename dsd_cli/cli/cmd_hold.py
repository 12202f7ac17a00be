"""`dsd hold add|remove`: place or lift a legal hold on a dossier."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dsd_cli.cli.output import JsonOption, ProfileOption, out_console, print_json
from dsd_cli.profiles import load_profile

if TYPE_CHECKING:
    from dsd_cli.retention.hold import HoldResult

hold_app = typer.Typer(help="Legal holds: suspend a dossier's disposal, or lift the suspension.",
                       no_args_is_help=True)

ADD_HELP = """Place a legal hold on a dossier: a new bag version with Legal-Hold: yes and no due date.

Example:

  dsd hold add SD/2019/0456 --archive /srv/archive --reason "court case 2026/123"
"""

REMOVE_HELP = """Lift a legal hold: a new bag version with Legal-Hold: no and the suspended due date restored.

Example:

  dsd hold remove SD/2019/0456 --archive /srv/archive --reason "court case closed"
"""

DossierArg = Annotated[str, typer.Argument(help="Dossier number.")]
ArchiveOpt = Annotated[Path, typer.Option("--archive", "-a", help="Archive folder.")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (recorded in METS and the audit log).")]


def _render(result: HoldResult, json_output: bool) -> None:
    if json_output:
        print_json({**dataclasses.asdict(result), "bag": str(result.bag)})
        return
    state = "under legal hold" if result.legal_hold else "no longer under legal hold"
    due = f"; disposal due on {result.due_date}" if result.due_date else ""
    out_console.print(f"dossier {result.dossier} is {state} (bag version {result.version}){due}", highlight=False)


@hold_app.command("add", help=ADD_HELP)
def add_command(dossier: DossierArg, archive: ArchiveOpt, reason: ReasonOpt, profile: ProfileOption = None,
                json_output: JsonOption = False) -> None:
    from dsd_cli.retention.hold import set_legal_hold

    _render(set_legal_hold(archive, dossier, True, reason, profile=load_profile(profile) if profile else None),
            json_output)


@hold_app.command("remove", help=REMOVE_HELP)
def remove_command(dossier: DossierArg, archive: ArchiveOpt, reason: ReasonOpt, profile: ProfileOption = None,
                   json_output: JsonOption = False) -> None:
    from dsd_cli.retention.hold import set_legal_hold

    _render(set_legal_hold(archive, dossier, False, reason, profile=load_profile(profile) if profile else None),
            json_output)


def register(app: typer.Typer) -> None:
    app.add_typer(hold_app, name="hold")
