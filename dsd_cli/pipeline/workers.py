"""The work a worker process does: OCR of one document.

Plain functions of plain, picklable values; they never touch the journal (the coordinator is its only writer).
`ocr_step` OCRs a file into a file; `ocr_bytes_step` does it from bytes to bytes for shared-nothing workers, and
`ocr_task` is what an executor runs (pipeline/executors.py: this machine's worker processes or a Dask cluster's):
image PDF bytes and the `[ocr]` and `[qa]` settings in, an `OcrOutcome` with the PDF/A bytes, the per-page quality
records and the provenance events out. A worker needs dsd installed, nothing else: no archive, no journal, no
shared folder, no key. The coordinator checks what comes back (results.py) before it trusts it. Failures the engine
reports come back as an outcome with a reason (quarantined by the coordinator); a crash of the process is the
pool's to handle.
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dsd_cli.errors import DsdError, MissingToolError
from dsd_cli.fsutil import sha256_file
from dsd_cli.ocr import OcrResult, ocr_document
from dsd_cli.profiles import OcrSettings, QaSettings
from dsd_cli.tools.warm_fork import warm_up


def init_worker() -> None:
    """Worker start: Ctrl-C is the parent's to handle (it stops the workers itself, so they print nothing), and
    OCRmyPDF is imported once. The parent starts workers with SIGINT and SIGTERM blocked (none arrives before
    this); SIGTERM keeps its default, ending the worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    warm_up()


@dataclass(frozen=True)
class StepOutcome:
    doc_id: str
    ok: bool
    file: Path | None = None
    sha256: str = ""
    events: tuple[dict[str, Any], ...] = ()
    reason: str = ""
    message: str = ""
    quality: tuple[dict[str, Any], ...] = ()
    """OCR only: the per-page quality records (dsd_cli/ocr/quality.py). The OCR event carries the document's
    substitution record (engine, versions, settings) under "substitution"."""


@dataclass(frozen=True)
class OcrOutcome:
    """What an executor's OCR task sends back to the coordinator."""

    ok: bool
    pdf: bytes = b""
    """The PDF/A, when ok."""
    sha256: str = ""
    """SHA-256 of `pdf` as the worker made it: the coordinator compares it with what it received."""
    quality: tuple[dict[str, Any], ...] = ()
    """One quality record per page, when the engine makes them."""
    events: tuple[dict[str, Any], ...] = ()
    reason: str = ""
    message: str = ""
    worker: str = ""
    """host:pid of the process that did it (for progress and the run's record, never for the archive)."""
    seconds: float = 0.0

    def __repr__(self) -> str:  # never the document itself in a log or a traceback
        return (f"OcrOutcome(ok={self.ok}, bytes={len(self.pdf)}, quality_records={len(self.quality)}, "
                f"reason={self.reason!r}, worker={self.worker!r})")


def _failure(doc_id: str, exc: Exception) -> StepOutcome:
    reason = ("missing-tool" if isinstance(exc, MissingToolError) else getattr(exc, "reason", "")
              or ("tool-failed" if isinstance(exc, DsdError) else "internal-error"))
    return StepOutcome(doc_id=doc_id, ok=False, reason=reason, message=str(exc))


def ocr_step(doc_id: str, image_pdf: Path, out: Path, settings: OcrSettings, qa: QaSettings, when: str,
             jobs: int = 1) -> StepOutcome:
    """OCR one document's image PDF into `out`. A plain function of its arguments: a worker process (local pool or
    another machine) keeps the engine's models loaded between calls."""
    try:
        result = ocr_document(image_pdf, out, settings, qa, jobs=jobs)
    except DsdError as exc:
        return _failure(doc_id, exc)
    ocr, conversion = ocr_events(result, settings.languages, when)
    ocr = {**ocr, "substitution": substitution_record(result, settings)}
    return StepOutcome(doc_id=doc_id, ok=True, file=out, sha256=sha256_file(out), events=(ocr, conversion),
                       quality=result.quality)


def ocr_bytes_step(doc_id: str, image_pdf: bytes, settings: OcrSettings, qa: QaSettings, when: str,
                   jobs: int = 1) -> tuple[StepOutcome, bytes]:
    """`ocr_step` for shared-nothing workers (another machine): the image PDF's bytes in, the PDF/A's bytes out
    (empty on failure) with the same outcome (its `file` is None: the caller writes the bytes durably). The work is
    done in a private temp folder that a killed worker cannot leave behind for long (scratch.py)."""
    from dsd_cli.pipeline.scratch import task_scratch

    with task_scratch() as work:
        src, out = work / "image.pdf", work / "ocr.pdf"
        src.write_bytes(image_pdf)
        outcome = ocr_step(doc_id, src, out, settings, qa, when, jobs)
        data = out.read_bytes() if outcome.ok else b""
    return replace(outcome, file=None), data


def ocr_task(doc_id: str, image_pdf: bytes, settings: OcrSettings, qa: QaSettings, when: str,
             jobs: int = 1) -> OcrOutcome:
    """The executor's task: `ocr_bytes_step`, with the worker that did it and how long it took."""
    from dsd_cli.pipeline.procpool import worker_label

    started = time.monotonic()
    outcome, pdf = ocr_bytes_step(doc_id, image_pdf, settings, qa, when, jobs)
    return OcrOutcome(ok=outcome.ok, pdf=pdf, sha256=outcome.sha256, quality=outcome.quality,
                      events=outcome.events, reason=outcome.reason, message=outcome.message, worker=worker_label(),
                      seconds=round(time.monotonic() - started, 3))


def substitution_record(result: OcrResult, settings: OcrSettings) -> dict[str, Any]:
    """How the text layer and the PDF/A were made: engine, versions and the settings that mattered."""
    return {"engine": result.engine, "tool": result.tool, "languages": list(settings.languages),
            "settings": {"rotate_pages": settings.rotate_pages, "deskew": settings.deskew,
                         "straighten_image": settings.straighten_image, "output_type": settings.output_type,
                         **({"rotate_threshold": settings.rotate_threshold} if result.engine == "tesseract"
                            else {"clean": settings.clean, "optimize": settings.optimize})},
            **{k: v for k, v in result.facts.items() if k in ("routed", "smoothed", "straightened", "encodings")}}


def ocr_events(result: OcrResult, languages: tuple[str, ...], when: str) -> tuple[dict[str, Any], ...]:
    """The PREMIS events of OCR: recognition (with the quality summary) and the conversion to PDF/A."""
    from dsd_cli.ocr.quality import summary

    detail = f"text recognised in {'+'.join(languages)} on {result.pages} pages ({result.engine} engine)"
    if result.quality:
        detail += f": {summary(result.quality)}"
    if result.facts.get("routed"):
        detail += f"; OCRmyPDF used: {result.facts['routed']}"
    conversion = f"converted to PDF/A-{result.pdfa_part}{result.pdfa_conformance.lower()}"
    if result.engine == "tesseract":
        turned = [r["page"] for r in result.quality if r["orientation"]]
        straightened = result.facts.get("straightened", 0)
        conversion += ("; page images kept as scanned" if not straightened else
                       f"; page images of {straightened} page(s) straightened and re-encoded losslessly (Flate), "
                       "the others kept as scanned")
        conversion += f" ({', '.join(result.facts.get('encodings', []))})"
        if turned:
            conversion += f"; pages {turned} turned upright by /Rotate"
        if not straightened:
            conversion += "; skew absorbed in the text layer's coordinates"
    return (
        {"type": "ocr", "datetime": when, "agent": "dsd", "tool": result.tool, "outcome": "success",
         "detail": detail},
        {"type": "format-conversion", "datetime": when, "agent": "dsd", "tool": result.tool, "outcome": "success",
         "detail": conversion},
    )


def flagged_pages(quality: tuple[dict[str, Any], ...]) -> list[int]:
    return [r["page"] for r in quality if r.get("flags")]


def held_for_review(quality: tuple[dict[str, Any], ...]) -> str:
    """Why an OCRed document is kept from the archive when the profile holds flagged documents for review (the
    quarantine reason is `quality-flagged`)."""
    pages = "; ".join(f"page {r['page']}: {', '.join(r['flags'])}" for r in quality if r.get("flags"))
    return f"held for review ([qa] flagged = \"quarantine\"): {pages}"

