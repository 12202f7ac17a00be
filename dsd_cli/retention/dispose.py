"""Approved disposal: remove the documents of dossiers on an approved destruction list, and prove it.

The list is the CSV of `dsd retention due --csv` (columns dossier, ..., selected), as approved. Every listed
dossier is checked again when the list is carried out: it must still be in the archive, due on the day, not under
legal hold, not disposed of already, and its disposition V (destroy) — or S (sample) when the list marks it not
selected (`selected` = no). One dossier failing refuses the whole list, and nothing is removed.

Each disposed dossier keeps its bag as a tombstone: a new bag version with an empty payload, bag-info
Disposal-Date and Disposal-Approval, the documents moved to `disposed` in metadata/documents.json and a PREMIS
`deletion` event in METS. A disposal certificate (ARCHIVE/audit/disposals/<date>-<approval>.json) lists what was
destroyed (dossier, documents, checksums, sizes), when, under which rule and approval, and by whom; the audit log
gets an entry with the certificate's SHA-256.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsd_cli import __version__
from dsd_cli.archive.layout import AUDIT_DIR
from dsd_cli.archive.record import Event
from dsd_cli.archive.session import ArchiveSession
from dsd_cli.archive.versions import BagState, VersionChange, bag_profile, set_field
from dsd_cli.audit import current_user
from dsd_cli.errors import ArchiveError, InputError, UsageError
from dsd_cli.fsutil import atomic_write_text, sha256_file
from dsd_cli.profiles import Profile
from dsd_cli.retention.due import csv_column_key
from dsd_cli.safepaths import safe_file_stem, validate_dossier

DISPOSALS_DIR = "disposals"
NOT_SELECTED = {"no", "nee", "non", "n", "false", "0", "not selected"}


@dataclass(frozen=True)
class ListedDossier:
    dossier: str
    selected: str
    """As written in the list's `selected` column ('' when absent)."""


@dataclass
class DisposalPlan:
    approval: str
    on: dt.date
    dossiers: list[dict[str, Any]] = field(default_factory=list)
    """Per dossier: dossier, bag, rule, disposition, competence, due_date, documents (id, path, sha256, ...)."""
    refused: list[str] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return sum(len(d["documents"]) for d in self.dossiers)

    @property
    def bytes(self) -> int:
        return sum(doc["size"] for d in self.dossiers for doc in d["documents"])


@dataclass(frozen=True)
class DisposalResult:
    plan: DisposalPlan
    certificate: Path
    versions: dict[str, int]


def read_list(path: Path) -> list[ListedDossier]:
    """The dossiers of an approved list (CSV with a `dossier` column; `selected` optional)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the list ({exc})", reason="unreadable") from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames:  # the headers of a Dutch or French due list name the same columns
        reader.fieldnames = [csv_column_key(name) for name in reader.fieldnames]
    if not reader.fieldnames or "dossier" not in reader.fieldnames:
        raise InputError(f"{path}: not a disposal list (a CSV with a 'dossier' column, as `dsd retention due "
                         "--csv` writes)", reason="not-a-list")
    listed: list[ListedDossier] = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        dossier = (row.get("dossier") or "").strip()
        if not dossier:
            continue
        try:
            dossier = validate_dossier(dossier)
        except ArchiveError as exc:
            raise InputError(f"{path}, line {number}: {exc.message}", reason="bad-dossier") from None
        if dossier in seen:
            raise InputError(f"{path}, line {number}: dossier {dossier} is listed twice", reason="duplicate")
        seen.add(dossier)
        listed.append(ListedDossier(dossier, (row.get("selected") or "").strip().lower()))
    if not listed:
        raise InputError(f"{path}: the list names no dossier", reason="empty")
    return listed


def _refusal(state: BagState, item: ListedDossier, on: dt.date) -> str:
    first = state.first
    if first("Disposal-Date"):
        return f"{item.dossier}: already disposed of on {first('Disposal-Date')}"
    if first("Legal-Hold") == "yes":
        return f"{item.dossier}: under legal hold"
    due = first("Disposition-Due-Date")
    if not due:
        return f"{item.dossier}: has no due date"
    try:
        due_day = dt.date.fromisoformat(due)
    except ValueError:
        return f"{item.dossier}: Disposition-Due-Date {due!r} is not a date"
    if due_day > on:
        return f"{item.dossier}: not due until {due}"
    disposition = first("Disposition")
    if disposition == "B":
        return f"{item.dossier}: disposition B (keep) is never destroyed"
    if disposition == "S" and item.selected not in NOT_SELECTED:
        return f"{item.dossier}: disposition S (sample) and the list does not mark it as not selected " \
               "(selected = no)"
    if disposition not in ("V", "S"):
        return f"{item.dossier}: unknown disposition {disposition!r}"
    return ""


def _dossier_entry(state: BagState) -> dict[str, Any]:
    docs = []
    for d in state.record.documents:
        digests = (state.payload or {}).get(d.path, {})
        docs.append({"id": d.id, "path": d.path, "doc_type": d.doc_type, "pages": d.pages, "size": d.size,
                     "sha256": d.sha256, "sha512": digests.get("sha512", ""), "retention_rule": d.retention_rule})
    return {"dossier": state.dossier, "bag": state.bag.name, "rule": state.first("Retention-Rule-Id"),
            "selection_list_version": state.first("Selection-List-Version"),
            "disposition": state.first("Disposition"), "competence": state.first("Competence"),
            "due_date": state.first("Disposition-Due-Date"), "bag_version": state.record.version,
            "documents": docs}


def _plan(session: ArchiveSession, listed: list[ListedDossier], approval: str, on: dt.date
          ) -> tuple[DisposalPlan, dict[str, BagState]]:
    plan = DisposalPlan(approval=approval, on=on)
    states: dict[str, BagState] = {}
    for item in listed:
        try:
            state = session.require_bag(item.dossier)
        except ArchiveError as exc:
            plan.refused.append(f"{item.dossier}: {exc.message}")
            continue
        reason = _refusal(state, item, on)
        if reason:
            plan.refused.append(reason)
            continue
        states[state.dossier] = state
        plan.dossiers.append(_dossier_entry(state))
    return plan, states


def _check_approval(approval: str) -> str:
    approval = " ".join(approval.split())
    if not approval:
        raise UsageError("an approval reference is needed (--approval)")
    return approval


def plan_disposal(archive: Path, list_file: Path, approval: str, *, on: dt.date | None = None) -> DisposalPlan:
    """What `dispose_listed` would remove (a dry run): reads and checks, changes nothing."""
    approval = _check_approval(approval)
    listed = read_list(list_file)
    with ArchiveSession.open(archive) as session:
        plan, _ = _plan(session, listed, approval, on or dt.date.today())
    return plan


def _certificate_path(archive: Path, day: dt.date, approval: str) -> Path:
    folder = archive / AUDIT_DIR / DISPOSALS_DIR
    stem = f"{day.isoformat()}-{safe_file_stem(approval)}"
    candidate, n = folder / f"{stem}.json", 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem}-{n}.json"
    return candidate


def _tombstone(state: BagState, approval: str, on: dt.date, stamp: str, agent: str, detail: str) -> VersionChange:
    """The version that destroys a dossier's documents: an empty payload, the documents moved to `disposed`."""
    documents = state.record.documents
    record = state.record.next_version(stamp, agent, Event.dsd("deletion", stamp, agent, detail), change="disposal",
                                       removed=tuple(d.id for d in documents), disposal_approval=approval)
    record = dataclasses.replace(record, documents=(), disposed=(
        *record.disposed, *(dataclasses.replace(d, events=(), disposed=stamp) for d in documents)))
    fields = set_field(state.fields, "Disposal-Date", on.isoformat(), after="Legal-Hold")
    fields = set_field(fields, "Disposal-Approval", approval, after="Disposal-Date")
    fields = set_field(fields, "External-Description", f"Dossier {state.dossier}: documents destroyed on "
                                                       f"{on.isoformat()} (approval {approval})")
    return VersionChange(kind="disposal", record=record, fields=fields, remove=tuple(d.path for d in documents))


def dispose_listed(archive: Path, list_file: Path, approval: str, *, on: dt.date | None = None,
                   profile: Profile | None = None, agent: str = "dsd retention dispose",
                   now: dt.datetime | None = None) -> DisposalResult:
    """Carry out an approved list (see the module docstring). ArchiveError, and nothing removed, when any listed
    dossier may not be disposed of."""
    approval = _check_approval(approval)
    now = now or dt.datetime.now(dt.UTC)
    on = on or now.date()
    stamp = now.isoformat(timespec="seconds")
    listed = read_list(list_file)
    with ArchiveSession.open(archive) as session:
        plan, states = _plan(session, listed, approval, on)
        if plan.refused:
            raise ArchiveError("the list cannot be carried out; nothing was removed:\n  " + "\n  ".join(plan.refused),
                               hint="take the refused dossiers off the list (or lift their hold) and run it again")
        who = current_user()
        versions: dict[str, int] = {}
        path = _certificate_path(archive, on, approval)
        certificate: dict[str, Any] = {
            "certificate": "disposal", "complete": False, "approval": approval, "date": on.isoformat(),
            "time": stamp, "by": {"user": who, "host": socket.gethostname(), "software": f"dsd {__version__}"},
            "archive": str(archive.resolve()), "dossiers": [],
            "totals": {"dossiers": len(plan.dossiers), "documents": plan.documents, "bytes": plan.bytes},
        }
        for entry in plan.dossiers:
            state = states[entry["dossier"]]
            detail = (f"{len(entry['documents'])} document(s) destroyed under rule {entry['rule']} "
                      f"(disposition {entry['disposition']}, due {entry['due_date']}), approval {approval}, by {who}: "
                      + ", ".join(f"{d['id']} sha256 {d['sha256']}" for d in entry["documents"]))

            versions[state.dossier] = session.write_version(state, _tombstone(state, approval, on, stamp, agent,
                                                                              detail),
                                                            bag_profile(state, profile), now=now).version
            # Written after every dossier: an interruption leaves a certificate of what was destroyed so far.
            certificate["dossiers"].append({**entry, "tombstone_version": versions[state.dossier]})
            certificate["complete"] = len(versions) == len(plan.dossiers)
            atomic_write_text(path, json.dumps(certificate, ensure_ascii=False, indent=2) + "\n")
        digest = sha256_file(path)
        session.audit("disposal", detail={
            "approval": approval, "dossiers": [e["dossier"] for e in plan.dossiers],
            "documents": plan.documents, "bytes": plan.bytes,
            "certificate": path.relative_to(archive).as_posix(), "certificate_sha256": digest})
        session.record_disposal_certificate([e["dossier"] for e in plan.dossiers], path, digest)
    return DisposalResult(plan=plan, certificate=path, versions=versions)
