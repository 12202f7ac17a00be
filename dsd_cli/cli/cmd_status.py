"""`dsd status`: what an archive's runs have done, what is pending, and what is in quarantine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import typer

from dsd_cli.cli.options import ArchiveOption
from dsd_cli.cli.output import JsonOption, human_duration, print_json, result_line, styled

STATUS_HELP = """Show what an archive's runs did, are doing, and left pending.

A run in progress (process, host, since when) or an interrupted one, the last run's throughput, batches, pages done
/ pending / failed, and the quarantine with reasons. Read-only: safe while a run is going on.

Times are local (Europe/Brussels) for people; --json gives ISO 8601 in UTC.

Exit codes: 0 shown, 9 not a dsd archive (no journal), 2 wrong command line (full table: dsd --help).

Examples:

  dsd status --archive /srv/archive

  dsd status --archive /srv/archive --json | jq .pages
"""


def _local(iso: str | None) -> str:
    from dsd_cli.i18n import local_time

    return local_time(dt.datetime.fromisoformat(iso)) if iso else ""


def _run_facts(run: dict[str, Any]) -> str:
    where = f"pid {run['pid']} on {run['host']}" if run.get("pid") else f"on {run['host']}"
    return f"run {run['id']} ({where}), started {_local(run['started'])}: {run['command']}"


def _render(status: dict[str, Any]) -> None:
    from dsd_cli.cli.tables import Column, print_table

    pages = status["pages"]
    result_line(styled((status["archive"], "bold"), f": {pages['archived']} pages archived, {pages['pending']} "
                       f"pending, {pages['failed']} failed (unassigned or quarantined), {pages['in']} pages in"))
    dossiers = status["dossiers"]
    if dossiers["missing"] or dossiers["with_missing_documents"]:
        result_line(styled(("missing from the archive", "bold red"),
                           f": {pages['missing']} page(s) recorded as archived; dossiers without their bag: "
                           f"{', '.join(dossiers['missing']) or 'none'}; dossiers lacking documents: "
                           f"{', '.join(dossiers['with_missing_documents']) or 'none'} — run `dsd verify`, and "
                           "`dsd run` with the same scans to archive them again"))
    current = status["run_in_progress"]
    if current is not None:
        label = "run in progress" if current["state"] == "running" else "run in progress on another host (not checked)"
        result_line(styled((label, "bold green"), ": " + _run_facts(current)))
    interrupted = status["last_run_interrupted"]
    if interrupted is not None:
        result_line(styled(("interrupted", "bold yellow"), ": " + _run_facts(interrupted)
                           + f" — run `dsd run --archive {status['archive']}` to resume"))
    last = status["last_run"]
    if last is not None:
        result_line(f"last run: run {last['id']} {last['status']}, {_local(last['started'])} to "
                    f"{_local(last['finished'])}: {last['pages_archived']} pages archived in "
                    f"{human_duration(last['elapsed_seconds'])} ({last['pages_per_second']:.2f} pages/s)")
    print_table("Batches", (Column("batch", keep=True), Column("label", breakable=True), Column("state", keep=True),
                            Column("started", keep=True), Column("finished", keep=True)),
                [(b["id"], b["label"], b["state"], _local(b["created"]), _local(b["finished"]))
                 for b in status["batches"]])
    if status["dropped"]:
        from dsd_cli.cli.cmd_run import print_dropped

        print_dropped(status["dropped"], "Blank pages dropped (kept aside)")
    if status["quarantine"]:
        print_table("Quarantine", (Column("source", breakable=True), Column("reason", keep=True),
                                   Column("message", breakable=True),
                                   Column("pages", keep=True, justify="right"), Column("kept at", breakable=True)),
                    [(q["source"], q["reason"], q["message"], q["pages"], q["path"]) for q in status["quarantine"]])


def register(app: typer.Typer) -> None:
    @app.command("status", help=STATUS_HELP)
    def status_command(archive: ArchiveOption, json_output: JsonOption = False) -> None:
        from dsd_cli.cli.inputs import existing_archive
        from dsd_cli.pipeline.status import archive_status

        status = archive_status(existing_archive(archive))
        if json_output:
            print_json(status)
            return
        _render(status)
