"""`dsd show`: a dossier's documents, versions and retention (or, without a dossier, the archive's dossiers)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dsd_cli.cli.options import ArchiveOption
from dsd_cli.cli.output import JsonOption, print_json, result_line, styled

if TYPE_CHECKING:
    from dsd_cli.archive.dossiers import DossierDetails, DossierSummary
    from dsd_cli.archive.record import VersionEntry

SHOW_HELP = """Show a dossier, or list the archive's dossiers.

A dossier: its documents, bag versions and retention, a legal hold, and for a disposed-of dossier the disposal
date, approval reference and destroyed documents. Without a dossier number, list the archive's dossiers with their
due and disposal dates.

Times are local (Europe/Brussels); --json gives them as recorded (ISO 8601).

Exit codes: 0 shown, 9 no such archive or dossier, 2 wrong command line (full table: dsd --help).

Examples:

  dsd show SD/2024/0001 --archive demo-archive

  dsd show SD/2024/0001 --archive /srv/archive --json

  dsd show --archive /srv/archive
"""


def _local(value: object) -> str:
    """An ISO time as people read it here; anything else (a date, '') as it is."""
    from dsd_cli.i18n import local_time

    text = str(value or "")
    if "T" not in text:
        return text
    try:
        return local_time(dt.datetime.fromisoformat(text))
    except ValueError:
        return text


def _render_status(details: DossierDetails) -> None:
    """What a reader must not miss: destroyed documents, and a hold that stops disposal."""
    from dsd_cli.cli.output import human_size
    from dsd_cli.cli.tables import Column, print_facts, print_table

    disposal, hold = details.disposal, details.legal_hold
    if disposal:
        result_line(styled(("Disposed of", "bold red"), f" on {disposal['date']} — approval {disposal['approval']}; "
                           f"{len(disposal['documents'])} document(s) destroyed, the bag is a tombstone"))
        print_table("Destroyed documents",
                    (Column("id", keep=True), Column("type", keep=True), Column("file", breakable=True),
                     Column("size", keep=True, justify="right"), Column("sha256", keep=True)),
                    [(d["id"], d["doc_type"], d["path"], human_size(int(d["size"])), str(d["sha256"])[:16] + "…")
                     for d in disposal["documents"]])
    if hold.get("held"):
        result_line(styled(("Under legal hold", "bold yellow"), ": disposal is suspended"))
        print_facts("Legal hold", [
            ("since", _local(hold.get("since", ""))), ("by", hold.get("by", "")),
            ("reason", hold.get("reason", "") or ("set in the register" if "since" not in hold else "")),
            ("suspended due date", hold.get("suspended_due_date", ""))])


def _version_change(version: VersionEntry) -> str:
    """What a version did, from the facts it records: documents added, renewals, holds, disposal."""
    parts = []
    if version.added:
        parts.append("added " + ", ".join(version.added))
    if version.duplicates:
        parts.append("duplicates of " + ", ".join(version.duplicates))
    if version.renewed:
        parts.append("timestamps renewed: " + ", ".join(version.renewed))
    if version.removed:
        parts.append(f"disposed of (approval {version.disposal_approval})")
    elif version.retention_change or version.change:
        parts.append(version.retention_change or version.change)
    return "; ".join(parts)


def _quality_cell(quality: tuple[Mapping[str, Any], ...] | None) -> str:
    """Words, mean word confidence and flagged pages of a document's OCR ('—' when not measured)."""
    if not quality:
        return "—"
    words = sum(int(r.get("words", 0)) for r in quality)
    confidence = sum(float(r.get("confidence_mean", 0)) * int(r.get("words", 0)) for r in quality) / max(1, words)
    flagged = [f"p{r.get('page')}: {', '.join(r.get('flags', []))}" for r in quality if r.get("flags")]
    return f"{words} words, {confidence:.0f}%" + (f"; {'; '.join(flagged)}" if flagged else "")


def _scan_settings(scan: Mapping[str, Any]) -> str:
    source = {"adf": "feeder", "flatbed": "flatbed"}.get(str(scan.get("source", "")), "")
    duplex = scan.get("duplex")
    sides = "duplex" if duplex is True else "simplex" if duplex is False else ""
    dpi = f"{scan['dpi']} dpi" if scan.get("dpi") else ""
    return ", ".join(str(x) for x in (source, sides, scan.get("mode", ""), dpi) if x)


def _render_scans(details: DossierDetails) -> None:
    """How each document was scanned, for documents whose batch had a scan record."""
    from dsd_cli.archive.dossiers import document_scans
    from dsd_cli.cli.tables import Column, print_table

    rows = [(d.id, scan) for d in details.documents for scan in document_scans(d)]
    if not rows:
        return
    table = []
    for doc_id, scan in rows:
        device = " ".join(str(scan[k]) for k in ("device_vendor", "device_model") if scan.get(k))
        device = f"{device} ({scan.get('device', '')})" if device else str(scan.get("device", ""))
        table.append((doc_id, _local(scan.get("started", "")), device, _scan_settings(scan), scan.get("operator", "")))
    print_table("Scans", (Column("document", keep=True), Column("scanned", keep=True), Column("device", breakable=True),
                          Column("settings"), Column("operator")), table)


def _render_details(details: DossierDetails) -> None:
    from dsd_cli.cli.tables import Column, print_facts, print_table

    result_line(styled((f"Dossier {details.dossier}", "bold"), f" — bag {details.bag.name}, version {details.version}"))
    _render_status(details)
    if details.documents or not details.disposal:  # a tombstone's empty table would say nothing
        print_table("Documents",
                    (Column("id", keep=True), Column("type", keep=True), Column("pages", keep=True, justify="right"),
                     Column("scanned", keep=True), Column("dated", keep=True), Column("rule", keep=True),
                     Column("OCR"), Column("file", breakable=True), Column("sha256", keep=True, detail=True)),
                    [(d.id, d.doc_type, d.pages, d.scan_date[:10], d.document_date,
                      f"{d.retention_rule} {d.disposition}".strip(), _quality_cell(d.quality), d.path,
                      d.sha256[:16] + "…") for d in details.documents])
        _render_scans(details)
    print_table("Versions", (Column("version", keep=True, justify="right"), Column("date", keep=True), Column("by"),
                             Column("change")),
                [(v.version, _local(v.date), v.agent, _version_change(v)) for v in details.versions])
    print_facts("Retention", list(details.retention.items()))


def _render_list(archive: Path, summaries: list[DossierSummary]) -> None:
    from dsd_cli.cli.tables import Column, print_table

    def state(s: DossierSummary) -> str:
        if s.disposal_date:
            return f"disposed {s.disposal_date}"
        return "legal hold" if s.legal_hold else ""

    print_table(f"Dossiers in {archive}",
                (Column("dossier", keep=True), Column("docs", keep=True, justify="right"),
                 Column("pages", keep=True, justify="right"), Column("types"), Column("disposition", keep=True),
                 Column("due", keep=True), Column("state")),
                [(s.dossier, s.documents, s.pages, " ".join(s.doc_types), s.disposition, s.due_date or "—", state(s))
                 for s in summaries])


def register(app: typer.Typer) -> None:
    @app.command("show", help=SHOW_HELP)
    def show_command(
        dossier: Annotated[str | None, typer.Argument(help="Dossier number (omit to list all dossiers).",
                                                      metavar="DOSSIER")] = None,
        archive: ArchiveOption = ...,  # type: ignore[assignment]
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.archive.dossiers import dossier_details, list_dossiers
        from dsd_cli.cli.inputs import existing_archive
        from dsd_cli.search.access import record_access

        existing_archive(archive)
        if dossier is None:
            summaries = list_dossiers(archive)
            record_access(archive, "show", [], detail={"listed": len(summaries)})
            if json_output:
                print_json({"dossiers": [{**dataclasses.asdict(s), "bag": str(s.bag)} for s in summaries]})
            else:
                _render_list(archive, summaries)
            return
        details = dossier_details(archive, dossier)
        record_access(archive, "show", [details.dossier], detail={"documents": len(details.documents)})
        if json_output:
            print_json(details.to_dict())
            return
        _render_details(details)
