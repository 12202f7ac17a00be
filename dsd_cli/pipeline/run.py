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
import os
import secrets
import shutil
import socket
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsd_cli import __version__
from dsd_cli.audit import append_audit, current_user
from dsd_cli.errors import InputError, MissingToolError, ToolFailedError
from dsd_cli.fsutil import sha256_file
from dsd_cli.models import ArchivedDocument, PageRef
from dsd_cli.ocr import options_from_profile
from dsd_cli.pipeline import journal as J
from dsd_cli.pipeline.executors import Completed, Executor, LocalExecutor
from dsd_cli.pipeline.journal import Journal
from dsd_cli.pipeline.layout import ArchiveLayout
from dsd_cli.pipeline.localdisk import require_local_journal
from dsd_cli.pipeline.lock import archive_lock
from dsd_cli.pipeline.plans import batch_key, capture_events, now_iso, page_from_dict, page_roles, plan_from_dict
from dsd_cli.pipeline.quarantine import quarantine_file
from dsd_cli.pipeline.results import accept_ocr_result
from dsd_cli.pipeline.throughput import Heartbeat, WorkerTally
from dsd_cli.pipeline.workers import OcrOutcome, ocr_step
from dsd_cli.profiles import Profile
from dsd_cli.progress import NullProgress, ProgressReporter
from dsd_cli.register import Register
from dsd_cli.signing.sign import SigningSession
from dsd_cli.tools.versions import require_tools, tool_version


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
    dossiers: dict[str, dict[str, Any]] = field(default_factory=dict)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    demo_signing: bool = False
    signed: bool = False
    verify_ok: bool | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    executor: str = ""
    pages_by_worker: dict[str, int] = field(default_factory=dict)

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
            "quarantined_files": self.quarantined_files, "quarantine": self.quarantine,
            "dossiers": self.dossiers, "signed": self.signed, "demo_signing": self.demo_signing,
            "verify": {"ok": self.verify_ok, "problems": self.problems}, "warnings": self.warnings,
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
        self.report = RunReport(archive=options.archive, executor=executor.description)
        self.workers = options.workers or os.cpu_count() or 1
        self.tally = WorkerTally(self.progress)
        # Batches this run split or worked on: the report (and the exit code) speaks of these only.
        self.touched: set[str] = set()
        self.bags: list[Path] = []

    # ----------------------------------------------------------------------------------------------------------
    def run(self) -> RunReport:
        profile = self.o.profile
        # The coordinator splits, signs, packages and verifies; the OCR programs are needed where the OCR runs.
        tools = ("qpdf", "pikepdf", "zxing-cpp", "libzbar")
        if self.executor.runs_here:
            tools = ("tesseract", "gs", "ocrmypdf", *tools)
        require_tools(tools, profile.ocr.languages if self.executor.runs_here else ())
        self.layout.ensure()
        require_local_journal(self.layout.state)
        with archive_lock(self.layout.lock):
            journal = Journal(self.layout.journal)
            try:
                run_id = journal.start_run(f"dsd run {' '.join(str(p) for p in self.o.inputs)}",
                                           socket.gethostname(), current_user())
                append_audit(self.layout.audit_log, "run-started",
                             detail={"run": run_id, "dsd": __version__, "inputs": len(self.o.inputs),
                                     "executor": self.executor.description})
                quarantine_mark = journal.last_quarantine_id()
                try:
                    with Heartbeat(self.layout.journal, run_id, self.executor, self.tally):
                        if self.o.inputs or journal.documents(states=(J.PLANNED,)):
                            self.executor.warm_up()
                        self._ingest_and_split(journal, run_id)
                        self._process_documents(journal)
                        self._close_finished_batches(journal)
                        self._fill_counts(journal, quarantine_mark)
                        if self.o.verify and self.bags:
                            self._verify(self.bags)
                except BaseException:
                    journal.finish_run(run_id, "interrupted", self.report.to_dict())
                    raise
                journal.finish_run(run_id, "partial" if self.report.partial else "done", self.report.to_dict())
                append_audit(self.layout.audit_log, "run-finished",
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

        if not self.o.inputs:
            return
        batches, bad_inputs = discover_batches(list(self.o.inputs))
        already = journal.quarantined_sources()
        for bad in bad_inputs:
            if (bad.sha256, str(bad.source)) in already:
                continue
            target = quarantine_file(self.layout.quarantine, "inputs", bad.source, reason=bad.reason,
                                     message=bad.message)
            journal.record_quarantine(batch_id=None, source=str(bad.source), reason=bad.reason, message=bad.message,
                                      path=target, sha256=bad.sha256 or "-", kind="input")
            append_audit(self.layout.audit_log, "input-quarantined", detail={"reason": bad.reason})
        split_tool = f"dsd {__version__} (zxing-cpp, pyzbar)"
        total_pages = sum(s.page_count for b in batches for s in b.sources)
        self.progress.start("split", total_pages, "pages")
        for batch in batches:
            key = batch_key(batch.sources)
            if journal.batch_state(key) is not None:
                self.report.batches_skipped += 1
                self.progress.advance("split", sum(s.page_count for s in batch.sources))
                continue
            result = split_batch(batch, self.o.profile, self.o.register, self.o.drop_blank)
            self.progress.advance("split", sum(s.page_count for s in batch.sources))
            work = self.layout.work / key
            work.mkdir(parents=True, exist_ok=True)
            sources = {s.path: s for s in result.sources}
            documents, doc_ids = [], {}
            for plan in result.documents:
                doc_id = f"{key}-{plan.sequence:04d}"
                doc_ids[plan.sequence] = doc_id
                # The image PDF is made before the journal learns of the document: planned => its file exists.
                write_document_pdf(plan, work / f"{plan.sequence:04d}.image.pdf")
                documents.append({"id": doc_id, "sequence": plan.sequence, "dossier": plan.dossier,
                                  "doc_type": plan.doc_type, "pages": len(plan.pages), "plan": plan.to_dict(),
                                  "events": capture_events(plan, sources, batch.id, split_tool)})
            for n, run in enumerate(result.unassigned, start=1):
                self._quarantine_pages(journal, key, batch.id, run.pages, f"unassigned-{n:03d}", run.reason,
                                       run.detail or f"{len(run.pages)} page(s) belong to no document")
            report = {"label": batch.id, "dropped": [d.to_dict() for d in result.dropped],
                      "unassigned": [u.to_dict() for u in result.unassigned],
                      "separators": [s.to_dict() for s in result.separators]}
            journal.record_split(key, batch.id, run_id, [s.to_dict() for s in result.sources],
                                 page_roles(result, doc_ids), documents, report)
            append_audit(self.layout.audit_log, "batch-split",
                         detail={"batch": key, "documents": len(documents), "unassigned": len(result.unassigned),
                                 "dropped": len(result.dropped)})
            self.report.batches_new += 1
            self.touched.add(key)
        self.progress.finish("split")

    def _quarantine_pages(self, journal: Journal, key: str, label: str, pages: Sequence[PageRef], name: str,
                          reason: str, message: str) -> None:
        """Keep pages that belong to no document as a PDF in quarantine for a person to resolve."""
        from dsd_cli.scan.assemble import write_pages_pdf

        folder = self.layout.quarantine / key
        target = folder / f"{name}.pdf"
        write_pages_pdf(tuple(pages), target)
        listing = [{"source": p.source.name, "page": p.index + 1} for p in pages]
        quarantine_file(self.layout.quarantine, key, target, reason=reason, message=message,
                        extra={"batch": label, "pages": listing})
        target.unlink()
        journal.record_quarantine(batch_id=key, source=label, reason=reason, message=message,
                                  path=folder / f"{name}.pdf", pages=len(pages))

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

    def _quarantine_document(self, journal: Journal, doc: J.DocumentRow, reason: str, message: str) -> None:
        image_pdf = self.layout.work / doc.batch_id / f"{doc.sequence:04d}.image.pdf"
        target = quarantine_file(self.layout.quarantine, doc.batch_id, image_pdf, reason=reason, message=message,
                                 extra={"dossier_folder_hint": "see journal", "document": doc.id,
                                        "doc_type": doc.doc_type, "pages": doc.pages})
        journal.record_quarantine(batch_id=doc.batch_id, source=doc.id, reason=reason, message=message,
                                  path=target, pages=doc.pages)
        journal.advance_document(doc.id, J.QUARANTINED, file=target, file_sha256=None, error=reason)
        append_audit(self.layout.audit_log, "document-quarantined", dossier=doc.dossier,
                     detail={"document": doc.id, "reason": reason})

    def _package_documents(self, journal: Journal, dossier: str, docs: list[J.DocumentRow]) -> None:
        from dsd_cli.archive.package import package_dossier

        entry = self.o.register.lookup(dossier) if self.o.register else None
        archived = [self._archived_document(d) for d in docs]
        result = package_dossier(self.o.archive, dossier, archived, self.o.profile, entry, agent="dsd run")
        for doc in docs:
            journal.advance_document(doc.id, J.PACKAGED, file=None, file_sha256=doc.file_sha256)
        if result.bag not in self.bags:
            self.bags.append(result.bag)
        self.report.duplicates += len(getattr(result, "duplicates", ()) or ())
        append_audit(self.layout.audit_log, "dossier-packaged", dossier=dossier,
                     detail={"version": getattr(result, "version", None), "documents": len(docs)})

    def _close_finished_batches(self, journal: Journal, only: str | None = None) -> None:
        """A batch whose documents are all packaged or quarantined is done: its work files can go."""
        for batch_id in sorted(self.touched) if only is None else [only]:
            if journal.documents(batch_id=batch_id, states=(J.PLANNED, J.OCRED, J.READY)):
                continue
            if journal.batch_state(batch_id) != "done":
                journal.set_batch_state(batch_id, "done")
            shutil.rmtree(self.layout.work / batch_id, ignore_errors=True)

    def _archived_document(self, doc: J.DocumentRow) -> ArchivedDocument:
        plan = plan_from_dict(doc.plan)
        capture = next((e for e in doc.events if e["type"] == "capture"), {})
        return ArchivedDocument(
            dossier=doc.dossier, doc_type=doc.doc_type, pdf=Path(doc.file or ""), page_count=doc.pages,
            sources=plan.pages, batch=plan.batch, languages=self.o.profile.ocr.languages,
            scan_date=capture.get("datetime", ""), events=tuple(doc.events))

    # verify + report ------------------------------------------------------------------------------------------
    def _verify(self, bags: list[Path]) -> None:
        from dsd_cli.verify import VerifyOptions, verify_paths

        trust = tuple(Path(p) for p in self.o.profile.signing.trust_roots)
        signing = self.o.sign and self.o.profile.signing.enabled
        options = VerifyOptions(workers=self.workers, profile=self.o.profile, trust_roots=trust,
                                require_signatures=None if signing else False)
        report = verify_paths(bags, options, self.progress)
        self.report.verify_ok = report.ok
        self.report.problems = [p.to_dict() for p in report.problems]

    def _fill_counts(self, journal: Journal, quarantine_mark: int) -> None:
        roles = journal.page_roles_in(self.touched)
        r = self.report
        r.pages_in = sum(roles.values())
        r.separators = roles.get("separator", 0)
        r.dropped = roles.get("dropped", 0)
        r.unassigned = roles.get("unassigned", 0)
        r.quarantined_pages = roles.get("quarantined", 0)
        r.quarantine = journal.quarantine_since(quarantine_mark)
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
            executor.submit(key, ocr_step, data, options_from_profile(self.profile, jobs=jobs))
            self.in_flight[key] = doc

    def _receive(self, doc: J.DocumentRow, done: Completed) -> None:
        if done.crashed:
            self._quarantine(doc, "worker-crashed", f"given up: {done.crashed}")
            return
        outcome: OcrOutcome = done.value
        if not outcome.ok:
            if outcome.reason == "missing-tool":  # the worker's installation, not the document: stop, resume later
                raise MissingToolError(f"worker {outcome.worker}: {outcome.message}")
            self._quarantine(doc, outcome.reason, outcome.message)
            return
        target = _attempt_path(self.p.layout.work / doc.batch_id, doc.sequence, "ocr")
        try:
            digest = accept_ocr_result(outcome, pages=doc.pages, output_type=self.profile.ocr.output_type,
                                       target=target)
        except ToolFailedError as exc:
            self._quarantine(doc, exc.reason, exc.message)
            return
        if outcome.quality:
            self.journal.record_quality(doc.id, list(outcome.quality))
        self.journal.advance_document(doc.id, J.OCRED, file=target, file_sha256=digest,
                                      new_events=list(outcome.events))
        self.p.progress.advance("ocr", doc.pages)
        self.p.tally.add(outcome.worker, doc.pages)
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

    def _quarantine(self, doc: J.DocumentRow, reason: str, message: str) -> None:
        self.p._quarantine_document(self.journal, doc, reason, message)
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
    """Run the pipeline with `executor` (entered by the caller), or with a local pool of `options.workers`."""
    if not options.inputs and not options.archive.exists():
        raise InputError("nothing to do: no inputs and no archive to resume")
    if executor is not None:
        return Pipeline(options, executor, progress, warn).run()
    with LocalExecutor(options.workers or os.cpu_count() or 1,
                       crash_retries=options.profile.cluster.crash_retries) as local:
        return Pipeline(options, local, progress, warn).run()


__all__ = ["RunOptions", "RunReport", "page_from_dict", "run_pipeline"]
