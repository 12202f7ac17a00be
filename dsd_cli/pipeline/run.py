"""`dsd run`: ingest -> split -> OCR/PDF/A -> sign -> package -> verify, resumable, parallel and streaming.

This process (the coordinator) splits batches, writes the journal, signs, packages bags and verifies; the OCR runs
on the executor it is given (executors.py: this machine's worker processes, or a Dask cluster). Documents stream:
each is checked, signed and journaled as soon as its OCR is back, and a dossier's documents of a batch go into its
bag as soon as the last of them is ready, so pages are archived while OCR goes on and a crash late in a big batch
leaves the finished dossiers archived. Every state is committed only after its file is durable, so a run killed at
any moment resumes where it stopped: a second `dsd run` (with or without the same inputs) finishes what the journal
says is unfinished and skips batches whose files it has already archived.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
import shutil
import socket
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsd_cli import __version__
from dsd_cli.archive.layout import ArchiveLayout
from dsd_cli.archive.session import ArchiveSession
from dsd_cli.audit import current_user
from dsd_cli.errors import DsdError, InputError, MissingToolError, ToolFailedError
from dsd_cli.fsutil import sha256_file
from dsd_cli.models import ArchivedDocument, PageRef, SourceFile
from dsd_cli.pipeline import journal as J
from dsd_cli.pipeline.executors import Completed, Executor, LocalExecutor
from dsd_cli.pipeline.journal import Journal
from dsd_cli.pipeline.localdisk import require_local_journal
from dsd_cli.pipeline.plans import batch_key, capture_events, now_iso, page_from_dict, page_roles, plan_from_dict
from dsd_cli.pipeline.quarantine import page_facts, quarantine_file
from dsd_cli.pipeline.results import accept_ocr_result
from dsd_cli.pipeline.throughput import Heartbeat, WorkerTally
from dsd_cli.pipeline.workers import OcrOutcome, flagged_pages, held_for_review, ocr_task
from dsd_cli.profiles import Profile
from dsd_cli.progress import NullProgress, ProgressReporter
from dsd_cli.register import Register
from dsd_cli.search.follow import IndexFollower, following_index
from dsd_cli.signing.sign import SigningSession
from dsd_cli.tools.versions import require_ocr_engine, require_tools, tool_version


@dataclass(frozen=True)
class RunOptions:
    inputs: tuple[Path, ...]
    archive: Path
    profile: Profile
    register: Register | None = None
    workers: int = 0
    """0: one per core."""
    sign: bool = True
    key: Path | None = None
    passphrase_file: Path | None = None
    drop_blank: bool | None = None
    verify: bool = True


@dataclass
class RunReport:
    archive: Path
    batches_new: int = 0
    batches_skipped: int = 0
    pages_in: int = 0
    separators: int = 0
    dropped: int = 0
    unassigned: int = 0
    quarantined_files: int = 0
    quarantined_pages: int = 0
    documents_archived: int = 0
    pages_archived: int = 0
    duplicates: int = 0
    near_duplicates: list[dict[str, Any]] = field(default_factory=list)
    """New documents that repeat one already in their dossier (dsd_cli.search.duplicates.IntakeDuplicate)."""
    documents_restored: int = 0
    """Documents recorded as archived whose bag was missing or older: made again from the scans given."""
    retention_updated: list[str] = field(default_factory=list)
    """Dossiers whose retention changed with the register (--register) without new documents."""
    dossiers: dict[str, dict[str, Any]] = field(default_factory=dict)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    dropped_pages: list[dict[str, Any]] = field(default_factory=list)
    """Each dropped page: source, page, reason, where it is kept and its sha256."""
    demo_signing: bool = False
    signed: bool = False
    verify_ok: bool | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    elapsed_seconds: float = 0.0
    """Wall-clock time of the run, from taking the archive's lock to the end of verification."""
    executor: str = ""
    """What did the OCR: 'local, 4 worker processes' or 'dask tls://host:8786'."""
    pages_by_worker: dict[str, int] = field(default_factory=dict)

    @property
    def pages_per_second(self) -> float:
        """Pages archived by this run per second of it (0 when it archived nothing)."""
        return self.pages_archived / self.elapsed_seconds if self.elapsed_seconds > 0 else 0.0

    @property
    def partial(self) -> bool:
        return bool(self.unassigned or self.quarantined_files or self.quarantined_pages)

    def to_dict(self) -> dict[str, Any]:
        return {
            "archive": str(self.archive), "ok": self.verify_ok is not False and not self.partial,
            "partial": self.partial, "batches": {"new": self.batches_new, "skipped": self.batches_skipped},
            "pages": {"in": self.pages_in, "archived": self.pages_archived, "separators": self.separators,
                      "dropped": self.dropped, "unassigned": self.unassigned, "quarantined": self.quarantined_pages},
            "documents_archived": self.documents_archived, "duplicates": self.duplicates,
            "near_duplicates": self.near_duplicates,
            "documents_restored": self.documents_restored, "retention_updated": self.retention_updated,
            "quarantined_files": self.quarantined_files, "quarantine": self.quarantine,
            "dropped": self.dropped_pages,
            "dossiers": self.dossiers, "signed": self.signed, "demo_signing": self.demo_signing,
            "verify": {"ok": self.verify_ok, "problems": self.problems}, "warnings": self.warnings,
            "elapsed_seconds": round(self.elapsed_seconds, 3), "pages_per_second": round(self.pages_per_second, 3),
            "executor": self.executor, "pages_by_worker": self.pages_by_worker,
        }


def _attempt_path(work: Path, sequence: int, step: str) -> Path:
    """A fresh output name per attempt: a result that arrives late can never overwrite a newer one."""
    return work / f"{sequence:04d}.{step}.{secrets.token_hex(4)}.pdf"


class Pipeline:
    def __init__(self, options: RunOptions, executor: Executor, progress: ProgressReporter | None = None,
                 warn: Callable[[str], None] | None = None) -> None:
        self.o = options
        self.executor = executor
        self.progress = progress or NullProgress()
        self.warn = warn or (lambda message: None)
        self.layout = ArchiveLayout(options.archive)
        self.session: ArchiveSession
        self.index: IndexFollower
        self.report = RunReport(archive=options.archive, executor=executor.description)
        self.workers = options.workers or os.cpu_count() or 1
        self.tally = WorkerTally(self.progress)
        # Batches this run split or worked on: the report (and the exit code) speaks of these only.
        self.touched: set[str] = set()
        # Batches given to this run (new or known): `--register` updates the retention of their dossiers.
        self.given: set[str] = set()
        self.packaged: set[str] = set()
        """Bag folders packaged in this run (their retention was computed with the register then)."""
        self.bags: list[Path] = []
        """Bags this run changed, for the final verification."""
        self._archived_sha256: dict[str, set[str]] = {}

    # ----------------------------------------------------------------------------------------------------------
    def run(self) -> RunReport:
        profile = self.o.profile
        # The coordinator splits, signs, packages and verifies; the OCR programs are needed where the OCR runs
        # (a cluster's workers are checked when the executor connects).
        if self.executor.runs_here:
            require_tools(("tesseract", "gs", "qpdf", "ocrmypdf", "pikepdf", "zxing-cpp", "libzbar"),
                          profile.ocr.languages)
            require_ocr_engine(profile.ocr)
        else:
            require_tools(("qpdf", "pikepdf", "zxing-cpp", "libzbar"), ())
        if not (self.o.sign and profile.signing.enabled) and profile.signing.required:
            self.warn(f"signing is off, but profile {profile.name!r} requires signatures: the archive will not "
                      "pass `dsd verify` (signature.missing) until its documents are signed")
        require_local_journal(self.layout.state)
        with ArchiveSession.open(self.o.archive, create=True) as session, \
                following_index(session, create=True) as index:
            self.session = session
            self.index = index
            started = time.monotonic()
            journal = Journal(self.layout.journal)
            try:
                run_id = journal.start_run(f"dsd run {' '.join(str(p) for p in self.o.inputs)}",
                                           socket.gethostname(), current_user(), pid=os.getpid())
                self.session.audit("run-started",
                                   detail={"run": run_id, "dsd": __version__, "inputs": len(self.o.inputs),
                                           "executor": self.executor.description})
                quarantine_mark = journal.last_quarantine_id()
                try:
                    with Heartbeat(self.layout.journal, run_id, self.executor, self.tally):
                        if self.o.inputs or journal.documents(states=(J.PLANNED,)):
                            self.executor.warm_up()
                        self._ingest_and_split(journal, run_id)
                        self._process_documents(journal)
                        self._index()
                        self._close_finished_batches(journal)
                        touched = self.bags + self._update_retention(journal)
                        self._fill_counts(journal, quarantine_mark)
                        if self.o.verify and touched:
                            self._verify(touched)
                except BaseException:
                    self.report.elapsed_seconds = time.monotonic() - started
                    journal.finish_run(run_id, "interrupted", self.report.to_dict())
                    raise
                self.report.elapsed_seconds = time.monotonic() - started
                journal.finish_run(run_id, "partial" if self.report.partial else "done", self.report.to_dict())
                self.session.audit("run-finished",
                                   detail={"run": run_id, "documents": self.report.documents_archived,
                                           "quarantined_files": self.report.quarantined_files,
                                           "unassigned_pages": self.report.unassigned})
            finally:
                journal.close()
        return self.report

    # ingest + split ---------------------------------------------------------------------------------------------
    def _ingest_and_split(self, journal: Journal, run_id: int) -> None:
        from dsd_cli.scan.assemble import write_document_pdf
        from dsd_cli.scan.ingest import discover_batches
        from dsd_cli.scan.split import split_batch

        self._prune_dropped_pages()
        if not self.o.inputs:
            return
        batches, bad_inputs = discover_batches(list(self.o.inputs))
        already = journal.quarantined_sources()
        for bad in bad_inputs:
            if (bad.sha256, str(bad.source)) in already:
                continue
            # Refused before batching: the file is the whole of what it would have been.
            target = quarantine_file(self.layout.quarantine, "inputs", bad.source, reason=bad.reason,
                                     message=bad.message,
                                     extra={"batch": None, "sources": [{"file": bad.source.name,
                                                                        "sha256": bad.sha256, "pages": "all"}],
                                            "pages": "all"})
            journal.record_quarantine(batch_id=None, source=str(bad.source), reason=bad.reason, message=bad.message,
                                      path=target, sha256=bad.sha256 or "-", kind="input")
            self.session.audit("input-quarantined", detail={"reason": bad.reason})
        split_tool = f"dsd {__version__} (zxing-cpp, pyzbar)"
        total_pages = sum(s.page_count for b in batches for s in b.sources)
        self.progress.start("split", total_pages, "pages")
        for batch in batches:
            key = batch_key(batch.sources)
            self.given.add(key)
            if journal.batch_state(key) is not None:
                if not self._restore_lost_documents(journal, key, batch.id, batch.sources):
                    self.report.batches_skipped += 1
                self.progress.skip("split", sum(s.page_count for s in batch.sources))
                continue
            result = split_batch(batch, self.o.profile, self.o.register, self.o.drop_blank)
            self.progress.advance("split", sum(s.page_count for s in batch.sources))
            work = self.layout.work / key
            work.mkdir(parents=True, exist_ok=True)
            sources = {s.path: s for s in result.sources}
            kept, drop_events = self._keep_dropped_pages(key, result.dropped, split_tool)
            documents, doc_ids = [], {}
            for plan in result.documents:
                doc_id = f"{key}-{plan.sequence:04d}"
                doc_ids[plan.sequence] = doc_id
                # The image PDF is made before the journal learns of the document: planned => its file exists.
                write_document_pdf(plan, work / f"{plan.sequence:04d}.image.pdf")
                documents.append({"id": doc_id, "sequence": plan.sequence, "dossier": plan.dossier,
                                  "doc_type": plan.doc_type, "pages": len(plan.pages), "plan": plan.to_dict(),
                                  "events": capture_events(plan, sources, batch.id, split_tool, batch.scan_record)
                                  + drop_events.get(plan.sequence, [])})
            for n, run in enumerate(result.unassigned, start=1):
                self._quarantine_pages(journal, key, batch.id, run.pages, f"unassigned-{n:03d}", run.reason,
                                       run.detail or f"{len(run.pages)} page(s) belong to no document",
                                       {p: s.sha256 for p, s in sources.items()})
            if batch.scan_record is not None:
                self._note_unrecorded(batch)
            report = {"label": batch.id, "dropped": [k.to_dict() for k in kept],
                      "unassigned": [u.to_dict() for u in result.unassigned],
                      "separators": [s.to_dict() for s in result.separators]}
            journal.record_split(key, batch.id, run_id, [s.to_dict() for s in result.sources],
                                 page_roles(result, doc_ids), documents, report)
            self.session.audit("batch-split",
                               detail={"batch": key, "documents": len(documents),
                                       "unassigned": len(result.unassigned), "dropped": len(result.dropped)})
            self.report.batches_new += 1
            self.touched.add(key)
        self.progress.finish("split")

    def _note_unrecorded(self, batch: Any) -> None:
        """Files of a batch that its folder's scan record does not list: archived, but without a scan record."""
        record = batch.scan_record
        for source in batch.sources:
            if not record.covers(source.path.name):
                self.report.warnings.append(f"batch {batch.id}: {source.path.name} is not listed in "
                                            f"{record.path.name if record.path else 'the scan record'}; its "
                                            "provenance has no scan settings")

    def _keep_dropped_pages(self, key: str, dropped: Sequence[Any], tool: str
                            ) -> tuple[list[Any], dict[int, list[dict[str, Any]]]]:
        """Keep a batch's dropped pages in the state folder; with their provenance events by recording document."""
        from dsd_cli.scan.dropped import DROPPED_DIR, dropped_event, keep_dropped_pages

        kept = keep_dropped_pages(dropped, self.layout.state / DROPPED_DIR / key)
        events: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for page in kept:
            shown = page.path.relative_to(self.layout.root).as_posix()
            events[page.dropped.document].append(dropped_event(page, shown, now_iso(), tool))
        return kept, events

    def _prune_dropped_pages(self) -> None:
        from dsd_cli.scan.dropped import DROPPED_DIR, prune_kept_pages

        removed = prune_kept_pages(self.layout.state / DROPPED_DIR,
                                   self.o.profile.separators.dropped_pages_retention_days)
        if removed:
            self.session.audit("dropped-pages-removed",
                               detail={"batches": [p.name for p in removed],
                                       "retention_days": self.o.profile.separators.dropped_pages_retention_days})

    def _in_archive(self, doc: J.DocumentRow) -> bool:
        """Whether a document recorded as packaged is in its dossier's bag (or was lawfully destroyed)."""
        from dsd_cli.archive.record import load_record
        from dsd_cli.safepaths import dossier_path

        if doc.dossier not in self._archived_sha256:
            try:
                record = load_record(dossier_path(self.o.archive, doc.dossier))
            except DsdError:
                return True  # a damaged bag is not taken for a missing one: `dsd verify` reports it
            self._archived_sha256[doc.dossier] = record.known_sha256 if record else set()
        return bool(doc.file_sha256) and doc.file_sha256 in self._archived_sha256[doc.dossier]

    def _restore_lost_documents(self, journal: Journal, key: str, label: str,
                                sources: Sequence[SourceFile]) -> bool:
        """A known batch whose packaged documents are not in the archive any more (a bag deleted, or replaced by an
        older copy): say so, and make those documents again from the scans given now. False when nothing is lost."""
        from dsd_cli.scan.assemble import write_document_pdf

        lost = [d for d in journal.documents(batch_id=key, states=(J.PACKAGED,)) if not self._in_archive(d)]
        if not lost:
            return False
        dossiers = sorted({d.dossier for d in lost})
        self.report.warnings.append(f"batch {label}: {len(lost)} document(s) of dossier(s) {', '.join(dossiers)} "
                                    "were archived before but are not in the archive (bag missing or older than "
                                    "recorded); archiving them again")
        self.session.audit("documents-missing", detail={"batch": key, "dossiers": dossiers,
                                                        "documents": [d.id for d in lost]})
        now_at = {s.sha256: s.path for s in sources}
        recorded = journal.batch_sources(key)
        work = self.layout.work / key
        work.mkdir(parents=True, exist_ok=True)
        for doc in lost:
            plan = plan_from_dict(doc.plan)
            here = tuple(PageRef(now_at[recorded[str(p.source)]], p.index) for p in plan.pages)
            write_document_pdf(dataclasses.replace(plan, pages=here), work / f"{doc.sequence:04d}.image.pdf")
            journal.restart_document(doc.id)
        self.report.documents_restored += len(lost)
        self.touched.add(key)
        return True

    def _quarantine_pages(self, journal: Journal, key: str, label: str, pages: Sequence[PageRef], name: str,
                          reason: str, message: str, sha256: dict[Path, str]) -> None:
        """Keep pages that belong to no document as a PDF in quarantine for a person to resolve."""
        from dsd_cli.scan.assemble import write_pages_pdf

        made = self.layout.work / key / f"{name}.pdf"
        write_pages_pdf(tuple(pages), made)
        target = quarantine_file(self.layout.quarantine, key, made, reason=reason, message=message,
                                 extra={"batch": label, "batch_id": key, **page_facts(pages, sha256)})
        made.unlink()
        journal.record_quarantine(batch_id=key, source=label, reason=reason, message=message, path=target,
                                  pages=len(pages))


    # OCR -> sign -> package, streaming ------------------------------------------------------------------------
    def _signing_session(self) -> SigningSession:
        from dsd_cli.signing.keys import ensure_archive_demo_key
        from dsd_cli.signing.sign import load_signer_config, resolve_passphrase

        profile = self.o.profile
        signer = load_signer_config(profile, key=self.o.key, passphrase_file=self.o.passphrase_file)
        if signer is None:
            signer = ensure_archive_demo_key(self.o.archive)
            self.report.demo_signing = True
            self.warn("no signing key configured: signing with the archive's DEMO key — not for production. "
                      "Configure a key (--key, DSD_KEY or the profile's [signing]) or use --no-sign.")
        return SigningSession(signer, profile.signing, passphrase=resolve_passphrase(signer))

    def _process_documents(self, journal: Journal) -> None:
        """Each document is OCR'd by the executor, then checked, signed and journaled here as soon as it is back;
        the documents of one dossier in one batch go into its bag as soon as the last of them is ready."""
        pending = journal.documents(states=(J.PLANNED, J.OCRED, J.READY))
        self.touched.update(d.batch_id for d in pending)
        if not pending:
            return
        sign = self.o.sign and self.o.profile.signing.enabled
        with contextlib.ExitStack() as stack:
            stream = _Stream(self, journal, sign, stack)
            if sign and any(d.state != J.READY for d in pending):
                stream.signer()  # now, not after the OCR: a wrong passphrase or a missing token stops the run early
            try:
                stream.run(pending)
            except BaseException:
                self.executor.abort()  # Ctrl-C, a stop, a lost cluster: queued work is dropped, none of it trusted
                raise

    @staticmethod
    def _file_ok(doc: J.DocumentRow) -> bool:
        path = Path(doc.file or "")
        return bool(doc.file) and path.is_file() and sha256_file(path) == doc.file_sha256

    def _quarantine_document(self, journal: Journal, doc: J.DocumentRow, reason: str, message: str,
                             quality: tuple[dict[str, Any], ...] = ()) -> None:
        image_pdf = self.layout.work / doc.batch_id / f"{doc.sequence:04d}.image.pdf"
        plan = plan_from_dict(doc.plan)
        sha256 = {Path(path): sha for path, sha in journal.batch_sources(doc.batch_id).items()}
        target = quarantine_file(self.layout.quarantine, doc.batch_id, image_pdf, reason=reason, message=message,
                                 extra={"batch": plan.batch, "batch_id": doc.batch_id, "dossier": doc.dossier,
                                        "document": doc.id, "doc_type": doc.doc_type,
                                        **page_facts(plan.pages, sha256)})
        journal.record_quarantine(batch_id=doc.batch_id, source=doc.id, reason=reason, message=message,
                                  path=target, pages=doc.pages)
        journal.advance_document(doc.id, J.QUARANTINED, file=target, file_sha256=None, error=reason,
                                 quality=list(quality) if quality else None)
        self.session.audit("document-quarantined", dossier=doc.dossier, detail={"document": doc.id, "reason": reason})

    def _package_documents(self, journal: Journal, dossier: str, docs: list[J.DocumentRow]) -> None:
        from dsd_cli.archive.package import package_dossier

        entry = self.o.register.lookup(dossier) if self.o.register else None
        archived = [self._archived_document(d, journal) for d in docs]
        result = package_dossier(self.session, dossier, archived, self.o.profile, entry, agent="dsd run")
        for doc in docs:
            journal.advance_document(doc.id, J.PACKAGED, file=None, file_sha256=doc.file_sha256)
        if result.bag not in self.bags:
            self.bags.append(result.bag)
        self.packaged.add(result.bag.name)
        self.report.duplicates += len(result.duplicates)
        self.session.audit("dossier-packaged", dossier=dossier,
                           detail={"version": result.version, "documents": len(docs)})

    def _index(self) -> None:
        """Bring the search index up to date with what was packaged, and report new documents that repeat one of
        their dossier."""
        from dsd_cli.search.duplicates import intake_duplicates

        stored, self.index.stored = self.index.stored, {}
        update = self.index.flush()
        self.report.warnings += update.warnings if update else []
        if update is not None and update.added:
            found = intake_duplicates(self.o.archive, stored)
            self.report.near_duplicates = [dup.to_dict() for dup in found]

    def _update_retention(self, journal: Journal) -> list[Path]:
        """With --register, the retention of every dossier of the batches given to this run follows the register,
        also where nothing new was packaged (a dossier closed since it was archived): a new bag version when the
        register changes it. Returns the bags that changed."""
        from dsd_cli.retention.update import update_dossier_retention

        if self.o.register is None:
            return []
        dossiers = sorted({d.dossier for key in self.given for d in journal.documents(batch_id=key, states=(
            J.PACKAGED,))})
        changed: list[Path] = []
        for dossier in dossiers:
            update = update_dossier_retention(self.session, dossier, self.o.register.lookup(dossier),
                                              self.o.profile, agent="dsd run", skip=self.packaged)
            if update is not None and update.changed:
                changed.append(update.bag)
                self.report.retention_updated.append(dossier)
        return changed


    def _close_finished_batches(self, journal: Journal, only: str | None = None) -> None:
        """A batch whose documents are all packaged or quarantined is done: its work files can go."""
        for batch_id in sorted(self.touched) if only is None else [only]:
            if journal.documents(batch_id=batch_id, states=(J.PLANNED, J.OCRED, J.READY)):
                continue
            if journal.batch_state(batch_id) != "done":
                journal.set_batch_state(batch_id, "done")
            shutil.rmtree(self.layout.work / batch_id, ignore_errors=True)

    def _archived_document(self, doc: J.DocumentRow, journal: Journal) -> ArchivedDocument:
        plan = plan_from_dict(doc.plan)
        capture = next((e for e in doc.events if e["type"] == "capture"), {})
        return ArchivedDocument(
            dossier=doc.dossier, doc_type=doc.doc_type, pdf=Path(doc.file or ""), page_count=doc.pages,
            sources=plan.pages, batch=plan.batch, languages=self.o.profile.ocr.languages,
            scan_date=capture.get("datetime", ""), events=tuple(doc.events), quality=tuple(journal.quality(doc.id)))

    # verify + report ------------------------------------------------------------------------------------------
    def _verify(self, bags: list[Path]) -> None:
        """The bags this run changed, checked as `dsd verify` checks them (the profile's signature rule included:
        an unsigned archive under a profile that requires signatures fails here too), and the archive inventory."""
        from dsd_cli.verify import VerifyOptions, verify_paths
        from dsd_cli.verify.archivecheck import check_archive

        trust = tuple(Path(p) for p in self.o.profile.signing.trust_roots)
        options = VerifyOptions(workers=self.workers, profile=self.o.profile, trust_roots=trust)
        report = verify_paths(sorted(set(bags)), options, self.progress)
        problems = [*report.problems, *check_archive(self.o.archive).problems]
        self.report.verify_ok = not any(p.severity == "error" for p in problems)
        self.report.problems = [p.to_dict() for p in problems]

    def _fill_counts(self, journal: Journal, quarantine_mark: int) -> None:
        roles = journal.page_roles_in(self.touched)
        r = self.report
        r.pages_in = sum(roles.values())
        r.separators = roles.get("separator", 0)
        r.dropped = roles.get("dropped", 0)
        r.unassigned = roles.get("unassigned", 0)
        r.quarantined_pages = roles.get("quarantined", 0)
        r.quarantine = journal.quarantine_since(quarantine_mark)
        r.dropped_pages = journal.dropped_pages(self.touched)
        r.quarantined_files = sum(1 for q in r.quarantine if q["batch_id"] is None)
        packaged = [d for d in journal.documents(states=(J.PACKAGED,)) if d.batch_id in self.touched]
        r.documents_archived = len(packaged)
        r.pages_archived = sum(d.pages for d in packaged)
        dossiers: dict[str, dict[str, Any]] = {}
        for d in packaged:
            entry = dossiers.setdefault(d.dossier, {"documents": 0, "pages": 0, "types": []})
            entry["documents"] += 1
            entry["pages"] += d.pages
            if d.doc_type not in entry["types"]:
                entry["types"].append(d.doc_type)
        r.dossiers = dossiers
        r.pages_by_worker = {w: int(f["pages"]) for w, f in self.tally.snapshot().items()}


class _Stream:
    """One pass of the documents through OCR (executor) -> check -> sign -> package (here), in journal order.

    The executor always holds `capacity()` tasks, so no worker waits while this process signs or packages. A
    document's group is the documents of its dossier in its batch: packaged together, as one bag version, the
    moment the last of them is ready or quarantined; a batch whose documents are all settled is closed at once."""

    def __init__(self, pipeline: Pipeline, journal: Journal, sign: bool, stack: contextlib.ExitStack) -> None:
        self.p, self.journal, self.sign, self.stack = pipeline, journal, sign, stack
        self.session: SigningSession | None = None
        self.queue: deque[J.DocumentRow] = deque()
        self.in_flight: dict[str, J.DocumentRow] = {}
        self.open: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.profile = pipeline.o.profile

    def signer(self) -> SigningSession:
        """The batch's one signing session (one key load or token login), opened on first use."""
        if self.session is None:
            self.session = self.stack.enter_context(self.p._signing_session())
            self.p.report.signed = True
        return self.session

    def run(self, pending: list[J.DocumentRow]) -> None:
        progress = self.p.progress
        for doc in pending:
            self.open[(doc.batch_id, doc.dossier)].add(doc.id)
        resumed: list[J.DocumentRow] = []
        for doc in pending:
            if doc.state != J.PLANNED and not self.p._file_ok(doc):
                doc = self._redo(doc)
            (self.queue if doc.state == J.PLANNED else resumed).append(doc)
        progress.start("ocr", sum(d.pages for d in self.queue), "pages")
        if self.sign:
            progress.start("sign", sum(1 for d in pending if d.state != J.READY), "documents")
        progress.start("package", sum(d.pages for d in pending), "pages")
        for doc in resumed:
            self._ocr_done(doc)
        while self.queue or self.in_flight:
            self._fill()
            for done in self.p.executor.wait(timeout=1.0):
                doc = self.in_flight.pop(done.key)
                self._fill()  # first keep the workers busy, then check, sign and package
                self._receive(doc, done)
        self.p.tally.finish()
        for stage in ("ocr", "sign", "package") if self.sign else ("ocr", "package"):
            progress.finish(stage)

    def _fill(self) -> None:
        executor = self.p.executor
        while self.queue and len(self.in_flight) < executor.capacity():
            doc = self.queue.popleft()
            image = self.p.layout.work / doc.batch_id / f"{doc.sequence:04d}.image.pdf"
            try:
                data = image.read_bytes()
            except OSError as exc:
                self._quarantine(doc, "missing", f"the document's image PDF is gone: {exc.strerror or exc}")
                continue
            jobs = executor.jobs_per_task(len(self.queue) + len(self.in_flight) + 1)
            key = f"ocr-{doc.id}-{secrets.token_hex(4)}"
            executor.submit(key, ocr_task, doc.id, data, self.profile.ocr, self.profile.qa, now_iso(), jobs)
            self.in_flight[key] = doc

    def _receive(self, doc: J.DocumentRow, done: Completed) -> None:
        if done.crashed:
            self._quarantine(doc, "worker-crashed", f"given up: {done.crashed}")
            return
        outcome: OcrOutcome = done.value
        if not outcome.ok:
            if outcome.reason == "missing-tool":  # the worker's installation, not the document: stop, resume later
                raise MissingToolError(f"worker {outcome.worker}: {outcome.message}")
            self._quarantine(doc, outcome.reason, outcome.message, outcome.quality)
            return
        self.p.progress.advance("ocr", doc.pages)
        self.p.tally.add(outcome.worker, doc.pages)
        if self.profile.qa.flagged == "quarantine" and flagged_pages(outcome.quality):
            self._quarantine(doc, "quality-flagged", held_for_review(outcome.quality), outcome.quality)
            return
        target = _attempt_path(self.p.layout.work / doc.batch_id, doc.sequence, "ocr")
        try:
            digest = accept_ocr_result(outcome, pages=doc.pages, output_type=self.profile.ocr.output_type,
                                       target=target)
        except ToolFailedError as exc:
            self._quarantine(doc, exc.reason, exc.message)
            return
        # The OCR result and its pages' quality records are committed together or not at all.
        self.journal.advance_document(doc.id, J.OCRED, file=target, file_sha256=digest,
                                      new_events=list(outcome.events), quality=list(outcome.quality))
        self._ocr_done(self.journal.document(doc.id))

    def _ocr_done(self, doc: J.DocumentRow) -> None:
        """Sign an OCR'd document (or take it as it is without signing), then see whether its group is complete."""
        if doc.state == J.OCRED:
            if self.sign:
                out = _attempt_path(self.p.layout.work / doc.batch_id, doc.sequence, "signed")
                try:
                    result = self.signer().sign(Path(doc.file or ""), out)
                except InputError as exc:  # this PDF cannot be signed; a key or TSA problem stops the run instead
                    self._quarantine(doc, exc.reason, exc.message)
                    return
                detail = f"PAdES {result.level} signature by {result.signer or 'configured key'}"
                if result.demo:
                    detail += " (DEMO key — not for production)"
                event = {"type": "signing", "datetime": now_iso(), "agent": "dsd",
                         "tool": f"pyhanko {tool_version('pyhanko')}", "outcome": "success", "detail": detail}
                self.journal.advance_document(doc.id, J.READY, file=out, file_sha256=sha256_file(out),
                                              new_events=[event])
                self.p.progress.advance("sign")
            else:
                self.journal.advance_document(doc.id, J.READY, file=Path(doc.file or ""),
                                              file_sha256=doc.file_sha256)
        self._settled(doc)

    def _quarantine(self, doc: J.DocumentRow, reason: str, message: str,
                    quality: tuple[dict[str, Any], ...] = ()) -> None:
        self.p._quarantine_document(self.journal, doc, reason, message, quality)
        self.p.progress.advance("package", doc.pages)  # settled, though not archived: the bar counts it
        self._settled(doc)

    def _redo(self, doc: J.DocumentRow) -> J.DocumentRow:
        """A recorded file that is missing or changed is made again from the document's image PDF."""
        self.journal.advance_document(doc.id, J.PLANNED, file=None, file_sha256=None)
        return self.journal.document(doc.id)

    def _settled(self, doc: J.DocumentRow) -> None:
        group = self.open[(doc.batch_id, doc.dossier)]
        group.discard(doc.id)
        if group:
            return
        ready = [d for d in self.journal.documents(batch_id=doc.batch_id, states=(J.READY,))
                 if d.dossier == doc.dossier]
        changed = [d for d in ready if not self.p._file_ok(d)]
        if changed:  # a finished file went missing or changed on disk: make it again before the group goes in
            for d in changed:
                self.p.report.warnings.append(f"document {d.id}: output changed on disk; it is redone")
                group.add(d.id)
                self.queue.append(self._redo(d))
            return
        if ready:
            self.p._package_documents(self.journal, doc.dossier, ready)
            self.p.progress.advance("package", sum(d.pages for d in ready))
        if not any(ids for (batch, _), ids in self.open.items() if batch == doc.batch_id):
            self.p._close_finished_batches(self.journal, only=doc.batch_id)


def run_pipeline(options: RunOptions, progress: ProgressReporter | None = None,
                 warn: Callable[[str], None] | None = None, executor: Executor | None = None) -> RunReport:
    """Run the pipeline over `options.inputs` and finish what the archive's journal says is unfinished, with
    `executor` (entered by the caller) or a local pool of `options.workers`. Without inputs, in a new or empty
    folder, it makes an empty archive (for `dsd watch` to fill)."""
    if executor is not None:
        return Pipeline(options, executor, progress, warn).run()
    with LocalExecutor(options.workers or os.cpu_count() or 1,
                       crash_retries=options.profile.cluster.crash_retries) as local:
        return Pipeline(options, local, progress, warn).run()


__all__ = ["RunOptions", "RunReport", "page_from_dict", "run_pipeline"]
