"""Renew the document timestamps of an archive: every signed PDF whose newest timestamp is older than a date.

Each dossier with due documents gets one new bag version in which those documents are replaced by their renewed
files. A renewal is an incremental update: the earlier file is the renewed file's first bytes, so nothing of the
earlier version is lost, and the record keeps the earlier SHA-256 and size of each document ("revisions") for an
auditor to check against versions/vNNNN/. Each renewal is a PREMIS event of its document and an audit-log entry.

A document that cannot be renewed (TSA down, revoked certificate, damaged file) leaves its whole dossier as it was
and is reported; the other dossiers go on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dsd_cli.archive.record import BagRecord, Event, Revision
from dsd_cli.archive.session import ArchiveSession
from dsd_cli.archive.versions import VersionChange, bag_profile
from dsd_cli.errors import DsdError, InputError, SigningError
from dsd_cli.fsutil import sha256_file
from dsd_cli.profiles import Profile
from dsd_cli.signing.timestamps import DueDocument, RenewResult, documents_due, renew_document_timestamp


@dataclass(frozen=True)
class RenewedDocument:
    dossier: str
    path: str
    previous_timestamp: str
    new_timestamp: str
    previous_sha256: str
    sha256: str


@dataclass(frozen=True)
class RenewalFailure:
    dossier: str
    path: str
    reason: str


@dataclass
class ArchiveRenewal:
    """What `renew_archive_timestamps` did: renewed documents (by dossier), bag versions written, failures."""

    renewed: list[RenewedDocument] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)
    """Dossier -> the bag version that holds its renewed documents."""
    failures: list[RenewalFailure] = field(default_factory=list)
    unsigned: list[tuple[str, str]] = field(default_factory=list)
    """(dossier, payload path) of PDFs with no signature or timestamp: nothing to renew, left as they are."""

    @property
    def complete(self) -> bool:
        return not self.failures


def _group(due: Sequence[DueDocument]) -> dict[str, list[DueDocument]]:
    grouped: dict[str, list[DueDocument]] = {}
    for doc in due:
        grouped.setdefault(doc.dossier, []).append(doc)
    return grouped


def _renewal_event(stamp: str, agent: str, renewed: RenewResult, previous_sha: str, previous_size: int,
                   version: int) -> Event:
    return Event.dsd("timestamp-renewal", stamp, agent, f"new document timestamp {renewed.new_timestamp} (previous: "
                                                        f"{renewed.previous_timestamp or 'none'}) with validation "
                                                        f"data, as an incremental update in bag version {version}; "
                                                        f"the earlier file is the first {previous_size} bytes "
                                                        f"(SHA-256 {previous_sha})")


def _renewed_record(record: BagRecord, outcomes: dict[str, tuple[RenewResult, str, int, str]], stamp: str,
                    agent: str) -> BagRecord:
    version = record.version + 1
    documents = []
    for doc in record.documents:
        if doc.path not in outcomes:
            documents.append(doc)
            continue
        renewed, previous_sha, previous_size, new_sha = outcomes[doc.path]
        revision = Revision(sha256=previous_sha, size=previous_size, until_version=version - 1,
                            replaced_by="timestamp-renewal")
        documents.append(dataclasses.replace(
            doc, sha256=new_sha, size=renewed.output.stat().st_size, revisions=(*doc.revisions, revision),
            events=(*doc.events, _renewal_event(stamp, agent, renewed, previous_sha, previous_size, version))))
    detail = f"bag version {version}: document timestamps renewed for {len(outcomes)} document(s)"
    renewed_ids = tuple(d.id for d in record.documents if d.path in outcomes)
    record = record.next_version(stamp, agent, Event.dsd("timestamp-renewal", stamp, agent, detail),
                                 change="timestamp-renewal", renewed=renewed_ids)
    return dataclasses.replace(record, documents=tuple(documents))


def _renew_dossier(session: ArchiveSession, dossier: str, due: list[DueDocument], tsa_url: str,
                   trust_roots: Sequence[Path], allow_demo: bool, profile: Profile | None, agent: str,
                   now: dt.datetime, report: ArchiveRenewal) -> None:
    """Renew `due` documents of one dossier into a new bag version, recorded in `report`. Raises DsdError and
    publishes nothing on a failure of any of them (a dossier's documents are renewed together, or not at all)."""
    state = session.require_bag(dossier)  # checks every manifest: a damaged bag is never renewed
    work = session.layout.staging / f"{state.bag.name}.{secrets.token_hex(4)}.renewal.new"
    work.mkdir(parents=True)
    try:
        stamp = now.isoformat(timespec="seconds")
        by_path = {d.path: d for d in state.record.documents}
        payload = state.payload or {}
        # payload path -> (renewal, earlier SHA-256, earlier size, new SHA-256)
        outcomes: dict[str, tuple[RenewResult, str, int, str]] = {}
        for item in due:
            entry = by_path[item.path]
            live = state.bag / item.path
            try:
                renewed = renew_document_timestamp(live, work / f"{entry.id}.pdf", tsa_url,
                                                   trust_roots=trust_roots, allow_demo=allow_demo)
            except InputError as exc:
                if exc.reason != "unsigned":
                    raise
                report.unsigned.append((dossier, item.path))
                continue
            previous = live.read_bytes()
            with open(renewed.output, "rb") as handle:
                if handle.read(len(previous)) != previous:
                    raise SigningError(f"{dossier} {item.path}: the renewed file does not keep the earlier file "
                                       "as its first bytes; dsd does not replace it")
            outcomes[item.path] = (renewed, payload[item.path]["sha256"], len(previous),
                                   sha256_file(renewed.output))
        if not outcomes:
            return
        change = VersionChange(kind="timestamp-renewal", record=_renewed_record(state.record, outcomes, stamp, agent),
                               fields=state.fields, replace={p: outcome[0].output for p, outcome in outcomes.items()})
        report.versions[dossier] = session.write_version(state, change, bag_profile(state, profile),
                                                         now=now).version
        report.renewed += [RenewedDocument(dossier=state.dossier, path=p, previous_timestamp=r.previous_timestamp,
                                           new_timestamp=r.new_timestamp, previous_sha256=old_sha, sha256=new_sha)
                           for p, (r, old_sha, _, new_sha) in outcomes.items()]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def renew_archive_timestamps(archive: Path, before: dt.datetime, tsa_url: str, *,
                             trust_roots: Sequence[Path] = (), allow_demo: bool = False,
                             dossiers: Sequence[str] = (), profile: Profile | None = None,
                             agent: str = "dsd timestamp renew", now: dt.datetime | None = None) -> ArchiveRenewal:
    """Renew every archived PDF whose newest timestamp is older than `before` (only in `dossiers`, when given).

    Holds the archive lock. Needs the TSA and the OCSP/CRL services of the certificates involved. A failure is
    recorded per dossier (its bag stays as it was) and the others go on; SigningError when no TSA is configured.
    """
    if not tsa_url:
        raise SigningError("renewing timestamps needs a timestamp authority (signing.tsa_url or --tsa)")
    report = ArchiveRenewal()
    wanted = set(dossiers)
    with ArchiveSession.open(archive) as session:
        due = [d for d in documents_due(archive, before) if not wanted or d.dossier in wanted]
        for item in (d for d in due if d.problem):
            report.failures.append(RenewalFailure(item.dossier, item.path, item.problem))
        for dossier, items in _group([d for d in due if not d.problem]).items():
            try:
                _renew_dossier(session, dossier, items, tsa_url, trust_roots, allow_demo, profile, agent,
                               now or dt.datetime.now(dt.UTC), report)
            except DsdError as exc:
                report.failures += [RenewalFailure(dossier, item.path, exc.message) for item in items
                                    if (dossier, item.path) not in report.unsigned]
                continue
            if dossier in report.versions:
                renewed = [r for r in report.renewed if r.dossier == dossier]
                session.audit("timestamp-renewal", dossier=dossier,
                              detail={"bag_version": report.versions[dossier],
                                      "documents": [r.path for r in renewed], "sha256": [r.sha256 for r in renewed]})
    return report
