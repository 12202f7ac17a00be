"""`dsd retention due|dispose`: the draft of a destruction request, and carrying out an approved one."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dsd_cli.cli.options import ArchiveOption, CsvOption, LangOption, one_listing_format
from dsd_cli.cli.output import JsonOption, ProfileOption, info, print_json, result_line, styled
from dsd_cli.i18n import Catalog

if TYPE_CHECKING:
    from dsd_cli.retention.dispose import DisposalPlan
    from dsd_cli.retention.due import DueDossier

RETENTION_HELP = """Retention: due lists, register updates and approved disposal.

Which dossiers are due for disposition, and carrying out an approved destruction list.

Exit codes: each command's --help lists its own; the full table is in dsd --help.

Examples:

  dsd retention due --archive /srv/archive --on 2031-01-01

  dsd retention due --archive /srv/archive --on 2031-01-01 --csv > request.csv     (send for approval)

  dsd retention dispose --archive /srv/archive --list request.csv --approval "RAB/2031/17"     (dry run)

  dsd retention dispose --archive /srv/archive --list request.csv --approval "RAB/2031/17" --yes

  dsd retention update --archive /srv/archive --register register-2031-01.csv     (closing dates, holds)
"""

DUE_HELP = """List dossiers due for disposition: a destruction request draft.

On a date (--on, default today).
Grouped by disposition (V destroy, S sample, B transfer/keep) and competence (federal, flemish), in Dutch or
French (--lang) with the organisation's name from the profile. Dossiers under legal hold, without a due date or
already disposed of are left out; how many have no due date, and why (still open, not in the register, under legal
hold, kept permanently), is said at the end. Apply a newer register with `dsd retention update`. --csv writes the
list for approval; `dsd retention dispose --list` reads it back (headers in either language).

Exit codes: 0 listed (also when nothing is due), 2 wrong command line or date, 9 no such archive (full table:
dsd --help).

Examples:

  dsd retention due --archive /srv/archive

  dsd retention due --archive /srv/archive --on 2031-01-01 --csv --lang fr > demande.csv
"""

UPDATE_HELP = """Apply a (newer) dossier register to the archive: closing and opening dates and legal holds.

Each dossier whose retention the register changes (a dossier archived while open and closed since, a hold set or
lifted in the register) gets a new bag version with the recomputed due date, a PREMIS event and an audit entry.
Dossiers not in the register are left as they are; disposed-of dossiers are never changed. Running it again with
the same register changes nothing.

Exit codes: 0 done, 1 some bags could not be updated (see the list), 4 the register cannot be read, 5 a bad
register or profile, 8 the archive is in use, 9 no such archive, 2 wrong command line (full table: dsd --help).

Examples:

  dsd retention update --archive /srv/archive --register register-2031-01.csv

  dsd retention update --archive /srv/archive --register register.csv --json
"""

DISPOSE_HELP = """Carry out an approved destruction list.

The list is the CSV of `dsd retention due --csv`, as approved.

Without --yes only shows what would be removed. With --yes removes the documents of the listed dossiers that are
still due, not under legal hold, and disposition V (or S with selected = no in the list); one dossier that may not
be disposed of refuses the whole list. Each bag keeps a tombstone version and a certificate is written to
ARCHIVE/audit/disposals/.

Exit codes: 0 done (or the dry run found nothing to refuse), 1 the dry run found dossiers that may not be disposed
of, 4 the list cannot be read, 8 the archive is in use, 9 the list was refused or no such archive (nothing was
removed), 2 wrong command line (full table: dsd --help).

Examples:

  dsd retention dispose --archive /srv/archive --list request.csv --approval "RAB/2031/17"

  dsd retention dispose --archive /srv/archive --list request.csv --approval "RAB/2031/17" --yes
"""

retention_app = typer.Typer(help=RETENTION_HELP, no_args_is_help=True)

OnOpt = Annotated[str | None, typer.Option("--on", metavar="DATE",
                                           help="The day to check against (YYYY-MM-DD); default today.")]

WORDS = Catalog({
    "title": {"nl": "Dossiers met een verstreken bewaartermijn op {day}",
              "fr": "Dossiers dont le délai de conservation a expiré au {day}"},
    "title.org": {"nl": "{organisation} — dossiers met een verstreken bewaartermijn op {day}",
                  "fr": "{organisation} — dossiers dont le délai de conservation a expiré au {day}"},
    "group": {"nl": "{code} — {disposition}; {competence}", "fr": "{code} — {disposition} ; {competence}"},
    "dossier": {"nl": "dossier", "fr": "dossier"},
    "rule": {"nl": "regel", "fr": "règle"},
    "due": {"nl": "vervaldatum", "fr": "échéance"},
    "documents": {"nl": "documenten", "fr": "documents"},
    "size": {"nl": "grootte", "fr": "taille"},
    "bytes": {"nl": "bytes", "fr": "octets"},
    "nothing": {"nl": "geen enkel dossier is vervallen op {day}", "fr": "aucun dossier n'est échu au {day}"},
})


def _render_due(items: list[DueDossier], day: str, organisation: str, lang: str) -> None:
    from dsd_cli.cli.output import human_size
    from dsd_cli.cli.tables import Column, print_table
    from dsd_cli.i18n import competence_label, disposition_label
    from dsd_cli.retention.due import grouped

    title = WORDS("title.org", lang, organisation=organisation, day=day) if organisation else \
        WORDS("title", lang, day=day)
    result_line(styled((title, "bold")))
    if not items:
        result_line(WORDS("nothing", lang, day=day))
        return
    columns = (Column(WORDS("dossier", lang), keep=True), Column(WORDS("rule", lang), keep=True),
               Column(WORDS("due", lang), keep=True), Column(WORDS("documents", lang), keep=True, justify="right"),
               Column(WORDS("size", lang), keep=True, justify="right"))
    for (disposition, competence), group in grouped(items).items():
        heading = WORDS("group", lang, code=disposition, disposition=disposition_label(disposition, lang),
                        competence=competence_label(competence, lang))
        print_table(heading, columns, [(d.dossier, d.rule, d.due_date, d.documents,
                                        human_size(d.bytes, WORDS("bytes", lang)))
                                       for d in group])


@retention_app.command("due", help=DUE_HELP)
def due_command(archive: ArchiveOption, on: OnOpt = None, json_output: JsonOption = False,
                csv_output: CsvOption = False,
                lang: LangOption = None, profile: ProfileOption = None) -> None:
    from dsd_cli.cli.inputs import existing_archive
    from dsd_cli.i18n import document_language
    from dsd_cli.profiles import load_profile
    from dsd_cli.retention.due import (
        due_as_dicts,
        due_csv,
        due_dossiers,
        parse_day,
        undated_dossiers,
        undated_text,
    )

    one_listing_format(json_output, csv_output)
    prof = load_profile(profile)
    lang = document_language(lang, prof.organization.language)
    day = parse_day(on, "--on") if on else dt.date.today()
    items = due_dossiers(existing_archive(archive), day)
    undated = undated_dossiers(archive)
    if json_output:
        print_json({"on": day.isoformat(), "dossiers": due_as_dicts(items),
                    "without_due_date": {"count": sum(len(v) for v in undated.values()), "by_reason": undated}})
        return
    if csv_output:
        sys.stdout.write(due_csv(items, lang))
    else:
        _render_due(items, day.isoformat(), prof.organization.name, lang)
    if undated:
        info(undated_text(undated, lang))


@retention_app.command("update", help=UPDATE_HELP)
def update_command(
    archive: ArchiveOption,
    register_csv: Annotated[Path, typer.Option("--register", metavar="FILE", help="Dossier register CSV.")],
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    from dsd_cli.cli.inputs import existing_archive, input_file
    from dsd_cli.errors import ProblemsFound
    from dsd_cli.profiles import load_profile
    from dsd_cli.register import load_register
    from dsd_cli.retention.update import update_retention

    input_file(register_csv, "register")
    report = update_retention(existing_archive(archive), load_register(register_csv),
                              profile=load_profile(profile) if profile else None)
    if json_output:
        print_json({"archive": str(archive), "register": str(register_csv), **report.to_dict()})
    else:
        for u in report.changed:
            before, after = u.before, u.after
            result_line(f"{u.dossier}: version {u.version}; due date {before['Disposition-Due-Date'] or '—'} → "
                        f"{after['Disposition-Due-Date'] or '—'} (trigger date "
                        f"{after['Retention-Trigger-Date'] or '—'}, legal hold {after['Legal-Hold']})")
        for dossier, reason in report.failed:
            result_line(styled(("not updated", "red"), f" {dossier}: {reason}"))
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
    archive: ArchiveOption,
    list_file: Annotated[Path, typer.Option("--list", metavar="FILE", help="The approved list (CSV).")],
    approval: Annotated[str, typer.Option("--approval", metavar="REFERENCE",
                                          help="Reference of the approval (e.g. the letter).")],
    yes: Annotated[bool, typer.Option("--yes", help="Really remove the documents.")] = False,
    on: OnOpt = None,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    from dsd_cli.cli.inputs import existing_archive, input_file
    from dsd_cli.errors import ProblemsFound
    from dsd_cli.profiles import load_profile
    from dsd_cli.retention.dispose import dispose_listed, plan_disposal
    from dsd_cli.retention.due import parse_day

    day = parse_day(on, "--on") if on else None
    existing_archive(archive)
    input_file(list_file, "list")
    if not yes:
        plan = plan_disposal(archive, list_file, approval, on=day)
        if json_output:
            print_json({**_plan_dict(plan), "dry_run": True})
        else:
            for d in plan.dossiers:
                result_line(f"would destroy {d['dossier']}: {len(d['documents'])} document(s), rule "
                            f"{d['rule']}, disposition {d['disposition']}, due {d['due_date']}")
            for reason in plan.refused:
                result_line(styled(("refused", "red"), f" {reason}"))
            info("dry run: nothing was removed; add --yes to carry out the list")
        if plan.refused:
            raise ProblemsFound(f"{len(plan.refused)} listed dossier(s) may not be disposed of")
        return
    result = dispose_listed(archive, list_file, approval, on=day,
                            profile=load_profile(profile) if profile else None)
    if json_output:
        print_json({**_plan_dict(result.plan), "certificate": str(result.certificate), "versions": result.versions})
        return
    result_line(f"destroyed {result.plan.documents} document(s) of {len(result.plan.dossiers)} dossier(s); "
                f"certificate {result.certificate}")


def register(app: typer.Typer) -> None:
    app.add_typer(retention_app, name="retention")
