"""`dsd run`: ingest -> split -> OCR/PDF/A -> sign -> package -> verify, resumable and parallel.

The parent process splits batches, writes the journal and packages bags; OCR and signing run in a process pool.
Every state is committed only after its file is durable, so a run killed at any moment resumes where it stopped:
a second `dsd run` (with or without the same inputs) finishes what the journal says is unfinished and skips
batches whose files it has already archived.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import secrets
import shutil
import signal
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsd_cli import __version__
from dsd_cli.archive.layout import ArchiveLayout
from dsd_cli.archive.session import ArchiveSession
from dsd_cli.audit import current_user
from dsd_cli.errors import DsdError
from dsd_cli.fsutil import sha256_file
from dsd_cli.models import ArchivedDocument, PageRef, SourceFile
from dsd_cli.pipeline import journal as J
from dsd_cli.pipeline.journal import Journal
from dsd_cli.pipeline.plans import batch_key, capture_events, now_iso, page_from_dict, page_roles, plan_from_dict
from dsd_cli.pipeline.quarantine import page_facts, quarantine_file
from dsd_cli.pipeline.workers import StepOutcome, flagged_pages, held_for_review, init_worker, ocr_step, sign_step
from dsd_cli.profiles import Profile
from dsd_cli.progress import NullProgress, ProgressReporter
from dsd_cli.register import Register
from dsd_cli.tools.versions import require_ocr_engine, require_tools
from dsd_cli.tools.warm_fork import kill_tree


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
            "documents_restored": self.documents_restored, "retention_updated": self.retention_updated,
            "quarantined_files": self.quarantined_files, "quarantine": self.quarantine,
            "dropped": self.dropped_pages,
            "dossiers": self.dossiers, "signed": self.signed, "demo_signing": self.demo_signing,
            "verify": {"ok": self.verify_ok, "problems": self.problems}, "warnings": self.warnings,
            "elapsed_seconds": round(self.elapsed_seconds, 3), "pages_per_second": round(self.pages_per_second, 3),
        }


def _attempt_path(work: Path, sequence: int, step: str) -> Path:
    """A fresh output name per attempt: a worker orphaned by a killed run can never overwrite a newer result."""
    return work / f"{sequence:04d}.{step}.{secrets.token_hex(4)}.pdf"


@contextlib.contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    # spawn, not fork: the parent holds an SQLite connection and maybe a progress thread. Each worker imports
    # OCRmyPDF once and forks a child per document from there (dsd_cli/tools/warm_fork.py).
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=init_worker)
    try:
        yield pool
    except BaseException:
        # Ctrl-C, SIGTERM or a failure: stop now rather than after the queue. Queued documents are cancelled and
        # running ones killed with all they started; their half-written files are never trusted, and the next
        # run redoes those documents.
        running = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in running:
            kill_tree(process.pid)
        raise
    pool.shutdown(wait=True)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def _stop_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while the pool may be starting a worker, then stop with KeyboardInterrupt.

    A stop in the middle of starting a worker would leave it half-started (it prints a traceback). The signals are
    also blocked, so a worker started now begins with them blocked (see init_worker). Python runs signal handlers
    in the main thread whichever thread the kernel chose, hence the handlers and not only the mask."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {s: signal.signal(s, lambda signum, frame: caught.append(signum)) for s in STOP_SIGNALS}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, set(STOP_SIGNALS))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if caught:
        raise KeyboardInterrupt


def _submit(pool: ProcessPoolExecutor, fn: Callable[..., StepOutcome], *args: Any) -> Future[StepOutcome]:
    with _stop_held():  # the pool starts its workers inside submit()
        return pool.submit(fn, *args)


class Pipeline:
    def __init__(self, options: RunOptions, progress: ProgressReporter | None = None,
                 warn: Callable[[str], None] | None = None) -> None:
        self.o = options
        self.progress = progress or NullProgress()
        self.warn = warn or (lambda message: None)
        self.layout = ArchiveLayout(options.archive)
        self.session: ArchiveSession
        self.report = RunReport(archive=options.archive)
        self.workers = options.workers or os.cpu_count() or 1
        # Batches this run split or worked on: the report (and the exit code) speaks of these only.
        self.touched: set[str] = set()
        # Batches given to this run (new or known): `--register` updates the retention of their dossiers.
        self.given: set[str] = set()
        self.packaged: set[str] = set()
        """Bag folders packaged in this run (their retention was computed with the register then)."""
        self._archived_sha256: dict[str, set[str]] = {}

    # ----------------------------------------------------------------------------------------------------------
    def run(self) -> RunReport:
        profile = self.o.profile
        require_tools(("tesseract", "gs", "qpdf", "ocrmypdf", "pikepdf", "zxing-cpp", "libzbar"),
                      profile.ocr.languages)
        require_ocr_engine(profile.ocr)
        if not (self.o.sign and profile.signing.enabled) and profile.signing.required:
            self.warn(f"signing is off, but profile {profile.name!r} requires signatures: the archive will not "
                      "pass `dsd verify` (signature.missing) until its documents are signed")
        with ArchiveSession.open(self.o.archive, create=True) as session:
            self.session = session
            started = time.monotonic()
            journal = Journal(self.layout.journal)
            try:
                run_id = journal.start_run(f"dsd run {' '.join(str(p) for p in self.o.inputs)}",
                                           socket.gethostname(), current_user(), pid=os.getpid())
                self.session.audit("run-started",
                                   detail={"run": run_id, "dsd": __version__, "inputs": len(self.o.inputs)})
                quarantine_mark = journal.last_quarantine_id()
                try:
                    self._ingest_and_split(journal, run_id)
                    self._process_documents(journal)
                    touched = self._package(journal)
                    touched += self._update_retention(journal)
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

    # OCR + sign ----------------------------------------------------------------------------------------------
    def _signing_setup(self) -> tuple[Any, bytes | None, str]:
        from dsd_cli.signing.keys import ensure_archive_demo_key
        from dsd_cli.signing.sign import load_signer_config, resolve_passphrase

        profile = self.o.profile
        signer = load_signer_config(profile, key=self.o.key, passphrase_file=self.o.passphrase_file)
        if signer is None:
            signer = ensure_archive_demo_key(self.o.archive)
            self.report.demo_signing = True
            self.warn("no signing key configured: signing with the archive's DEMO key — not for production. "
                      "Configure a key (--key, DSD_KEY or the profile's [signing]) or use --no-sign.")
        return signer, resolve_passphrase(signer), profile.signing.level

    def _process_documents(self, journal: Journal) -> None:
        profile = self.o.profile
        sign = self.o.sign and profile.signing.enabled
        pending = journal.documents(states=(J.PLANNED, J.OCRED))
        self.touched.update(d.batch_id for d in pending)
        if not pending:
            return
        signer = passphrase = level = None
        if sign:
            signer, passphrase, level = self._signing_setup()
            self.report.signed = True
        ocr_pages = sum(d.pages for d in pending if d.state == J.PLANNED)
        self.progress.start("ocr", ocr_pages, "pages")
        if sign:
            self.progress.start("sign", len(pending), "documents")
        futures: dict[Future[StepOutcome], tuple[str, J.DocumentRow]] = {}
        with _pool(self.workers) as pool:

            def submit(doc: J.DocumentRow) -> None:
                work = self.layout.work / doc.batch_id
                if doc.state == J.PLANNED:
                    in_flight = max(1, min(self.workers, len(pending)))
                    fut = _submit(pool, ocr_step, doc.id, work / f"{doc.sequence:04d}.image.pdf",
                                  _attempt_path(work, doc.sequence, "ocr"), profile.ocr, profile.qa, now_iso(),
                                  max(1, self.workers // in_flight))
                    futures[fut] = ("ocr", doc)
                elif sign:
                    fut = _submit(pool, sign_step, doc.id, Path(doc.file or ""),
                                      _attempt_path(work, doc.sequence, "signed"), signer, profile.signing, level,
                                      now_iso(), passphrase)
                    futures[fut] = ("sign", doc)
                else:
                    journal.advance_document(doc.id, J.READY, file=Path(doc.file or ""), file_sha256=doc.file_sha256)

            for doc in pending:
                if doc.state == J.OCRED and not self._file_ok(doc):
                    doc = self._redo_from_planned(journal, doc)
                submit(doc)
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for fut in done:
                    step, doc = futures.pop(fut)
                    outcome = fut.result()
                    if not outcome.ok:
                        self._quarantine_document(journal, doc, outcome)
                    elif step == "ocr" and profile.qa.flagged == "quarantine" and flagged_pages(outcome.quality):
                        self.progress.advance("ocr", doc.pages)
                        self._quarantine_document(journal, doc, held_for_review(outcome))
                    elif step == "ocr":
                        self.progress.advance("ocr", doc.pages)
                        journal.advance_document(doc.id, J.OCRED, file=outcome.file, file_sha256=outcome.sha256,
                                                 new_events=list(outcome.events), quality=list(outcome.quality))
                        submit(journal.document(doc.id))
                    else:
                        self.progress.advance("sign")
                        journal.advance_document(doc.id, J.READY, file=outcome.file, file_sha256=outcome.sha256,
                                                 new_events=list(outcome.events))
        self.progress.finish("ocr")
        if sign:
            self.progress.finish("sign")

    @staticmethod
    def _file_ok(doc: J.DocumentRow) -> bool:
        path = Path(doc.file or "")
        return bool(doc.file) and path.is_file() and sha256_file(path) == doc.file_sha256

    def _redo_from_planned(self, journal: Journal, doc: J.DocumentRow) -> J.DocumentRow:
        journal.advance_document(doc.id, J.PLANNED, file=None, file_sha256=None)
        return journal.document(doc.id)

    def _quarantine_document(self, journal: Journal, doc: J.DocumentRow, outcome: StepOutcome) -> None:
        image_pdf = self.layout.work / doc.batch_id / f"{doc.sequence:04d}.image.pdf"
        plan = plan_from_dict(doc.plan)
        sha256 = {Path(path): sha for path, sha in journal.batch_sources(doc.batch_id).items()}
        target = quarantine_file(self.layout.quarantine, doc.batch_id, image_pdf, reason=outcome.reason,
                                 message=outcome.message,
                                 extra={"batch": plan.batch, "batch_id": doc.batch_id, "dossier": doc.dossier,
                                        "document": doc.id, "doc_type": doc.doc_type,
                                        **page_facts(plan.pages, sha256)})
        journal.record_quarantine(batch_id=doc.batch_id, source=doc.id, reason=outcome.reason,
                                  message=outcome.message, path=target, pages=doc.pages)
        journal.advance_document(doc.id, J.QUARANTINED, file=target, file_sha256=None, error=outcome.reason,
                                 quality=list(outcome.quality) if outcome.quality else None)
        self.session.audit("document-quarantined", dossier=doc.dossier,
                           detail={"document": doc.id, "reason": outcome.reason})

    # package --------------------------------------------------------------------------------------------------
    def _package(self, journal: Journal) -> list[Path]:
        from dsd_cli.archive.package import package_dossier

        ready = journal.documents(states=(J.READY,))
        self.touched.update(d.batch_id for d in ready)
        by_dossier: dict[str, list[J.DocumentRow]] = defaultdict(list)
        for doc in ready:
            if not self._file_ok(doc):
                # The finished file went missing or changed after it was recorded: redo it on the next run.
                journal.advance_document(doc.id, J.PLANNED, file=None, file_sha256=None)
                self.report.warnings.append(f"document {doc.id}: output changed on disk; it will be redone")
                continue
            by_dossier[doc.dossier].append(doc)
        touched: list[Path] = []
        self.progress.start("package", len(by_dossier), "dossiers")
        for dossier, docs in by_dossier.items():
            entry = self.o.register.lookup(dossier) if self.o.register else None
            archived = [self._archived_document(d, journal) for d in docs]
            result = package_dossier(self.session, dossier, archived, self.o.profile, entry, agent="dsd run")
            for doc in docs:
                journal.advance_document(doc.id, J.PACKAGED, file=None, file_sha256=doc.file_sha256)
            touched.append(result.bag)
            self.packaged.add(result.bag.name)
            self.report.duplicates += len(result.duplicates)
            self.session.audit("dossier-packaged", dossier=dossier,
                               detail={"version": result.version, "documents": len(docs)})
            self.progress.advance("package")
        self.progress.finish("package")
        self._close_finished_batches(journal)
        return touched

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

    def _close_finished_batches(self, journal: Journal) -> None:
        """A batch whose documents are all packaged or quarantined is done: its work files can go."""
        for batch_id in sorted(self.touched):
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


def run_pipeline(options: RunOptions, progress: ProgressReporter | None = None,
                 warn: Callable[[str], None] | None = None) -> RunReport:
    """Run the pipeline over `options.inputs` and finish what the archive's journal says is unfinished. Without
    inputs, in a new or empty folder, it makes an empty archive (for `dsd watch` to fill)."""
    return Pipeline(options, progress, warn).run()


__all__ = ["RunOptions", "RunReport", "page_from_dict", "run_pipeline"]
