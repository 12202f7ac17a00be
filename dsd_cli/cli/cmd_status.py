"""`dsd status`: what an archive's runs have done, what is pending, and what is in quarantine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from dsd_cli.cli.output import JsonOption, out_console, print_json

STATUS_HELP = """Show batches, pages done / pending / failed, throughput, and the quarantine with reasons.

Examples:

  dsd status --archive /srv/archive

  dsd status --archive /srv/archive --json | jq .pages
"""


def _when(ts: float | None) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M") if ts else ""


def register(app: typer.Typer) -> None:
    @app.command("status", help=STATUS_HELP)
    def status_command(
        archive: Annotated[Path, typer.Option("--archive", "-a", help="Archive folder.")],
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.pipeline.status import archive_status

        status = archive_status(archive)
        if json_output:
            print_json(status)
            return
        pages = status["pages"]
        out_console.print(f"[bold]{archive}[/]: {pages['archived']} pages archived, {pages['pending']} pending, "
                          f"{pages['failed']} failed (unassigned or quarantined), {pages['in']} pages in")
        for run in status["running"]:
            out_console.print(Text(f"running: run {run['id']} on {run['host']} since {_when(run['started'])}, "
                                   f"OCR: {run['executor'] or 'local'}"))
            for w in run["workers"]:
                rate = f", {w['pages_per_second']} pages/s" if "pages_per_second" in w else ""
                out_console.print(Text(f"  worker {w['name']}: {w.get('pages', 0)} pages{rate}"))
        if status["last_run_pages_per_second"] is not None:
            out_console.print(f"last run: {status['last_run_pages_per_second']} pages/s")
        batches = Table(title="Batches")
        for col in ("batch", "label", "state", "started", "finished"):
            batches.add_column(col)
        for b in status["batches"]:
            batches.add_row(b["id"], b["label"], b["state"], _when(b["created"]), _when(b["finished"]))
        out_console.print(batches)
        if status["quarantine"]:
            q = Table(title="Quarantine")
            for col in ("source", "reason", "message", "pages", "kept at"):
                q.add_column(col)
            for item in status["quarantine"]:
                q.add_row(item["source"], item["reason"], item["message"], str(item["pages"]), item["path"])
            out_console.print(q)
