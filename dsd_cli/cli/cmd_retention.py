"""`dsd retention due|dispose`: the draft of a destruction request, and carrying out an approved one."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from dsd_cli.cli.output import JsonOption, ProfileOption, info, out_console, print_json
from dsd_cli.errors import ProblemsFound, UsageError
from dsd_cli.profiles import load_profile

if TYPE_CHECKING:
    from dsd_cli.retention.dispose import DisposalPlan

retention_app = typer.Typer(help="Retention: due lists and approved disposal.", no_args_is_help=True)

DUE_HELP = """List dossiers due for disposition on a date (default today): the draft of a destruction request.

Grouped by disposition (V destroy, S sample, B transfer/keep) and competence (federal, flemish). Dossiers under
legal hold, without a due date or already disposed of are left out.

Examples:

  dsd retention due --archive /srv/archive

  dsd retention due --archive /srv/archive --on 2031-01-01 --csv > request.csv
"""

DISPOSE_HELP = """Carry out an approved destruction list (the CSV of `dsd retention due --csv`).

Without --yes only shows what would be removed. With --yes removes the documents of the listed dossiers that are
still due, not under legal hold, and disposition V (or S with selected = no in the list); one dossier that may not
be disposed of refuses the whole list. Each bag keeps a tombstone version and a certificate is written to
ARCHIVE/audit/disposals/.

Example:

  dsd retention dispose --archive /srv/archive --list request.csv --approval "RAB/2031/17" --yes
"""

ArchiveOpt = Annotated[Path, typer.Option("--archive", "-a", help="Archive folder.")]
OnOpt = Annotated[str | None, typer.Option("--on", help="The day to check against (YYYY-MM-DD); default today.")]


@retention_app.command("due", help=DUE_HELP)
def due_command(archive: ArchiveOpt, on: OnOpt = None, json_output: JsonOption = False,
                csv_output: Annotated[bool, typer.Option("--csv", help="Print the list as CSV on stdout.")] = False
                ) -> None:
    from dsd_cli.retention.due import DISPOSITION_LABELS, due_as_dicts, due_csv, due_dossiers, grouped, parse_day

    if json_output and csv_output:
        raise UsageError("choose one of --json and --csv")
    items = due_dossiers(archive, parse_day(on, "--on") if on else None)
    if json_output:
        print_json(due_as_dicts(items))
        return
    if csv_output:
        sys.stdout.write(due_csv(items))
        return
    if not items:
        info("no dossier is due")
        return
    for (disposition, competence), group in grouped(items).items():
        table = Table(title=f"{disposition} — {DISPOSITION_LABELS.get(disposition, disposition)}, {competence}")
        for col in ("dossier", "rule", "due date", "documents", "bytes"):
            table.add_column(col, overflow="fold")
        for d in group:
            table.add_row(d.dossier, d.rule, d.due_date, str(d.documents), str(d.bytes))
        out_console.print(table)


def _plan_dict(plan: DisposalPlan) -> dict[str, object]:
    return {"approval": plan.approval, "on": plan.on.isoformat(), "dossiers": plan.dossiers,
            "refused": plan.refused, "documents": plan.documents, "bytes": plan.bytes}


@retention_app.command("dispose", help=DISPOSE_HELP)
def dispose_command(
    archive: ArchiveOpt,
    list_file: Annotated[Path, typer.Option("--list", help="The approved list (CSV).")],
    approval: Annotated[str, typer.Option("--approval", help="Reference of the approval (e.g. the letter).")],
    yes: Annotated[bool, typer.Option("--yes", help="Really remove the documents.")] = False,
    on: OnOpt = None,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    from dsd_cli.retention.dispose import dispose_listed, plan_disposal
    from dsd_cli.retention.due import parse_day

    day = parse_day(on, "--on") if on else None
    if not yes:
        plan = plan_disposal(archive, list_file, approval, on=day)
        if json_output:
            print_json({**_plan_dict(plan), "dry_run": True})
        else:
            for d in plan.dossiers:
                out_console.print(f"would destroy {d['dossier']}: {len(d['documents'])} document(s), rule "
                                  f"{d['rule']}, disposition {d['disposition']}, due {d['due_date']}",
                                  highlight=False)
            for reason in plan.refused:
                out_console.print(f"[red]refused[/] {reason}", highlight=False)
            info("dry run: nothing was removed; add --yes to carry out the list")
        if plan.refused:
            raise ProblemsFound(f"{len(plan.refused)} listed dossier(s) may not be disposed of")
        return
    result = dispose_listed(archive, list_file, approval, on=day,
                            profile=load_profile(profile) if profile else None)
    if json_output:
        print_json({**_plan_dict(result.plan), "certificate": str(result.certificate), "versions": result.versions})
        return
    out_console.print(f"destroyed {result.plan.documents} document(s) of {len(result.plan.dossiers)} dossier(s); "
                      f"certificate {result.certificate}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(retention_app, name="retention")
