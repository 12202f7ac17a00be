"""`dsd show`: a dossier's documents, versions and retention (or, without a dossier, the archive's dossiers)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from dsd_cli.cli.output import JsonOption, out_console, print_json

if TYPE_CHECKING:
    from dsd_cli.archive.dossiers import DossierDetails, DossierSummary

SHOW_HELP = """Show a dossier: its documents, bag versions and retention, a legal hold, and for a disposed-of
dossier the disposal date, approval reference and destroyed documents. Without a dossier number, list the
archive's dossiers with their due and disposal dates.

Examples:

  dsd show SD/2024/0001 --archive demo-archive

  dsd show SD/2024/0001 --archive /srv/archive --json

  dsd show --archive /srv/archive
"""


def _facts_table(title: str, rows: list[tuple[str, str]]) -> Table:
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in rows:
        table.add_row(key, value or "—")
    return table


def _render_status(details: DossierDetails) -> None:
    """What a reader must not miss: destroyed documents, and a hold that stops disposal."""
    disposal, hold = details.disposal, details.legal_hold
    if disposal:
        out_console.print(f"[bold red]Disposed of[/] on {disposal['date']} — approval {disposal['approval']}; "
                          f"{len(disposal['documents'])} document(s) destroyed, the bag is a tombstone",
                          highlight=False)
        destroyed = Table(title="Destroyed documents")
        for col in ("id", "type", "file", "size", "sha256"):
            destroyed.add_column(col, overflow="fold")
        for d in disposal["documents"]:
            destroyed.add_row(str(d["id"]), str(d["doc_type"]), str(d["path"]), str(d["size"]),
                              str(d["sha256"])[:16] + "…")
        out_console.print(destroyed)
    if hold.get("held"):
        out_console.print("[bold yellow]Under legal hold[/]: disposal is suspended", highlight=False)
        out_console.print(_facts_table("Legal hold", [
            ("since", hold.get("since", "")), ("by", hold.get("by", "")),
            ("reason", hold.get("reason", "") or ("set in the register" if "since" not in hold else "")),
            ("suspended due date", hold.get("suspended_due_date", ""))]))


def _version_change(version: dict[str, object]) -> str:
    """What a version did besides adding documents (renewal, hold, disposal), from the facts it records."""
    renewed = version.get("renewed")
    if isinstance(renewed, list) and renewed:
        return "timestamps renewed: " + ", ".join(str(r) for r in renewed)
    if version.get("removed"):
        return f"disposed of (approval {version.get('disposal_approval', '')})"
    return str(version.get("retention_change", ""))


def _scan_settings(scan: dict[str, object]) -> str:
    source = {"adf": "feeder", "flatbed": "flatbed"}.get(str(scan.get("source", "")), "")
    duplex = scan.get("duplex")
    sides = "duplex" if duplex is True else "simplex" if duplex is False else ""
    dpi = f"{scan['dpi']} dpi" if scan.get("dpi") else ""
    return ", ".join(str(x) for x in (source, sides, scan.get("mode", ""), dpi) if x)


def _render_scans(details: DossierDetails) -> None:
    """How each document was scanned, for documents whose batch had a scan record."""
    rows = [(d["id"], scan) for d in details.documents for scan in d.get("scans", [])]
    if not rows:
        return
    table = Table(title="Scans")
    for col in ("document", "scanned", "device", "settings", "operator"):
        table.add_column(col, overflow="fold")
    for doc_id, scan in rows:
        device = " ".join(str(scan[k]) for k in ("device_vendor", "device_model") if scan.get(k))
        device = f"{device} ({scan.get('device', '')})" if device else str(scan.get("device", ""))
        table.add_row(escape(doc_id), escape(str(scan.get("started", ""))), escape(device),
                      escape(_scan_settings(scan)), escape(str(scan.get("operator", ""))))
    out_console.print(table)


def _render_details(details: DossierDetails) -> None:
    out_console.print(f"[bold]Dossier {details.dossier}[/] — bag {details.bag.name}, version {details.version}",
                      highlight=False)
    _render_status(details)
    if details.documents or not details.disposal:  # a tombstone's empty table would say nothing
        docs = Table(title="Documents")
        for col in ("id", "type", "pages", "scanned", "document date", "batch", "rule", "file", "sha256"):
            docs.add_column(col, overflow="fold")
        for d in details.documents:
            docs.add_row(d["id"], d["doc_type"], str(d.get("pages", "")), str(d.get("scan_date", ""))[:10],
                         str(d.get("document_date", "")), str(d.get("batch", "")),
                         f"{d.get('retention_rule', '')} {d.get('disposition', '')}".strip(), d["path"],
                         d["sha256"][:16] + "…")
        out_console.print(docs)
        _render_scans(details)
    versions = Table(title="Versions")
    for col in ("version", "date", "by", "added", "duplicates of", "change"):
        versions.add_column(col, overflow="fold")
    for v in details.versions:
        versions.add_row(str(v["version"]), str(v.get("date", "")), str(v.get("agent", "")),
                         ", ".join(v.get("added", [])), ", ".join(v.get("duplicates", [])), _version_change(v))
    out_console.print(versions)
    out_console.print(_facts_table("Retention", list(details.retention.items())))


def _render_list(archive: Path, summaries: list[DossierSummary]) -> None:
    table = Table(title=f"Dossiers in {archive}")
    for col in ("dossier", "version", "documents", "pages", "types", "disposition", "due", "hold", "disposed"):
        table.add_column(col, overflow="fold")
    for s in summaries:
        table.add_row(s.dossier, str(s.version), str(s.documents), str(s.pages), " ".join(s.doc_types),
                      s.disposition, s.due_date or "—", "yes" if s.legal_hold else "", s.disposal_date)
    out_console.print(table)


def register(app: typer.Typer) -> None:
    @app.command("show", help=SHOW_HELP)
    def show_command(
        dossier: Annotated[str | None, typer.Argument(help="Dossier number (omit to list all dossiers).")] = None,
        archive: Annotated[Path, typer.Option("--archive", "-a", help="Archive folder.")] = ...,
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.archive.dossiers import dossier_details, list_dossiers

        if dossier is None:
            summaries = list_dossiers(archive)
            if json_output:
                print_json({"dossiers": [{**dataclasses.asdict(s), "bag": str(s.bag)} for s in summaries]})
            else:
                _render_list(archive, summaries)
            return
        details = dossier_details(archive, dossier)
        if json_output:
            print_json({**dataclasses.asdict(details), "bag": str(details.bag)})
            return
        _render_details(details)
