"""`dsd retention due|dispose`: the draft of a destruction request, and carrying out an approved one."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from dsd_cli.cli.output import JsonOption, ProfileOption, info, out_console, print_json
from dsd_cli.errors import ProblemsFound, UsageError
from dsd_cli.profiles import load_profile

if TYPE_CHECKING:
    from dsd_cli.retention.dispose import DisposalPlan

retention_app = typer.Typer(help="Retention: due lists, register updates and approved disposal.", no_args_is_help=True)

DUE_HELP = """List dossiers due for disposition on a date (default today): the draft of a destruction request.

Grouped by disposition (V destroy, S sample, B transfer/keep) and competence (federal, flemish). Dossiers under
legal hold, without a due date or already disposed of are left out; how many have no due date, and why (still
open, not in the register, under legal hold, kept permanently), is said at the end. Apply a newer register with
`dsd retention update`.

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

UPDATE_HELP = """Apply a (newer) dossier register to the archive: closing and opening dates and legal holds.

Each dossier whose retention the register changes (a dossier archived while open and closed since, a hold set or
lifted in the register) gets a new bag version with the recomputed due date, a PREMIS event and an audit entry.
Dossiers not in the register are left as they are; disposed-of dossiers are never changed. Running it again with
the same register changes nothing. Exit code 0: done; 1: some bags could not be updated (see the list).

Examples:

  dsd retention update --archive /srv/archive --register register-2031-01.csv

  dsd retention update --archive /srv/archive --register register.csv --json
"""

ArchiveOpt = Annotated[Path, typer.Option("--archive", "-a", help="Archive folder.")]
OnOpt = Annotated[str | None, typer.Option("--on", help="The day to check against (YYYY-MM-DD); default today.")]


@retention_app.command("due", help=DUE_HELP)
def due_command(archive: ArchiveOpt, on: OnOpt = None, json_output: JsonOption = False,
                csv_output: Annotated[bool, typer.Option("--csv", help="Print the list as CSV on stdout.")] = False
                ) -> None:
    from dsd_cli.retention.due import (
        DISPOSITION_LABELS,
        due_as_dicts,
        due_csv,
        due_dossiers,
        grouped,
        parse_day,
        undated_dossiers,
        undated_text,
    )

    if json_output and csv_output:
        raise UsageError("choose one of --json and --csv")
    day = parse_day(on, "--on") if on else None
    items = due_dossiers(archive, day)
    undated = undated_dossiers(archive)
    if json_output:
        print_json({"on": (day or dt.date.today()).isoformat(), "due": due_as_dicts(items),
                    "without_due_date": {"count": sum(len(v) for v in undated.values()), "by_reason": undated}})
        return
    if csv_output:
        sys.stdout.write(due_csv(items))
        if undated:
            info(undated_text(undated))
        return
    if not items:
        info("no dossier is due")
    for (disposition, competence), group in grouped(items).items():
        table = Table(title=f"{disposition} — {DISPOSITION_LABELS.get(disposition, disposition)}, {competence}")
        for col in ("dossier", "rule", "due date", "documents", "bytes"):
            table.add_column(col, overflow="fold")
        for d in group:
            table.add_row(d.dossier, d.rule, d.due_date, str(d.documents), str(d.bytes))
        out_console.print(table)
    if undated:
        info(undated_text(undated))


@retention_app.command("update", help=UPDATE_HELP)
def update_command(
    archive: ArchiveOpt,
    register_csv: Annotated[Path, typer.Option("--register", help="Dossier register CSV.")],
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    from dsd_cli.register import load_register
    from dsd_cli.retention.update import update_retention

    report = update_retention(archive, load_register(register_csv),
                              profile=load_profile(profile) if profile else None)
    if json_output:
        print_json({"archive": str(archive), "register": str(register_csv), **report.to_dict()})
    else:
        for u in report.changed:
            before, after = u.before, u.after
            out_console.print(Text(f"{u.dossier}: version {u.version}; due date "
                                   f"{before['Disposition-Due-Date'] or '—'} → {after['Disposition-Due-Date'] or '—'} "
                                   f"(trigger date {after['Retention-Trigger-Date'] or '—'}, legal hold "
                                   f"{after['Legal-Hold']})"))
        for dossier, reason in report.failed:
            out_console.print(Text(f"not updated {dossier}: {reason}", style="red"))
        summary = report.to_dict()
        info(f"{len(report.changed)} dossier(s) updated, {summary['unchanged']} already up to date, "
             f"{len(summary['not_in_register'])} not in the register, {len(summary['disposed'])} disposed of")
    if report.failed:
        raise ProblemsFound(f"{len(report.failed)} dossier(s) could not be updated")


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
