"""The work a worker process does: OCR of one document, from bytes to bytes.

`ocr_step` is a plain function of (image PDF bytes, OCR settings) returning an `OcrOutcome` with the PDF/A bytes,
the per-page quality records and the provenance events. It needs dsd installed, nothing else: no archive, no
journal, no shared folder, no key. The same function runs in the local pool and on Dask workers; the coordinator
checks what comes back (cluster.py, results.py) before it trusts it. Failures the engine reports come back as an
outcome with a reason (quarantined by the coordinator); a crash of the process is the pool's to handle.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from dsd_cli.errors import DsdError, MissingToolError
from dsd_cli.fsutil import sha256_bytes
from dsd_cli.ocr import ocr_document
from dsd_cli.pipeline.plans import now_iso
from dsd_cli.pipeline.procpool import worker_label
from dsd_cli.pipeline.scratch import task_scratch
from dsd_cli.tools.ocrmypdf_runner import OcrOptions
from dsd_cli.tools.warm_fork import warm_up


def init_worker() -> None:
    """Worker start: import the OCR engine once (OCRmyPDF is then forked per document, see warm_fork.py)."""
    warm_up()


@dataclass(frozen=True)
class OcrOutcome:
    ok: bool
    pdf: bytes = b""
    """The PDF/A, when ok."""
    sha256: str = ""
    """SHA-256 of `pdf` as the worker made it: the coordinator compares it with what it received."""
    pages: int = 0
    quality: tuple[dict[str, Any], ...] = ()
    """One quality record per page, when the engine makes them."""
    events: tuple[dict[str, Any], ...] = ()
    reason: str = ""
    message: str = ""
    worker: str = ""
    """host:pid of the process that did it (for progress and the run's record, never for the archive)."""
    seconds: float = 0.0

    def __repr__(self) -> str:  # never the document itself in a log or a traceback
        return (f"OcrOutcome(ok={self.ok}, pages={self.pages}, bytes={len(self.pdf)}, reason={self.reason!r}, "
                f"worker={self.worker!r})")


def ocr_step(image_pdf: bytes, options: OcrOptions) -> OcrOutcome:
    started = time.monotonic()
    try:
        with task_scratch() as folder:
            src, out = folder / "image.pdf", folder / "ocr.pdf"
            src.write_bytes(image_pdf)
            result = ocr_document(src, out, options)
            pdf = out.read_bytes()
    except MissingToolError as exc:
        return OcrOutcome(ok=False, reason="missing-tool", message=exc.message, worker=worker_label())
    except DsdError as exc:
        reason = getattr(exc, "reason", "") or "tool-failed"
        return OcrOutcome(ok=False, reason=reason, message=exc.message, worker=worker_label())
    when = now_iso()
    events = (
        {"type": "ocr", "datetime": when, "agent": "dsd", "tool": result.tool, "outcome": "success",
         "detail": f"text recognised in {'+'.join(options.languages)} on {result.pages} pages"},
        {"type": "format-conversion", "datetime": when, "agent": "dsd", "tool": result.tool, "outcome": "success",
         "detail": f"converted to PDF/A-{result.pdfa_part}{result.pdfa_conformance.lower()}"},
    )
    return OcrOutcome(ok=True, pdf=pdf, sha256=sha256_bytes(pdf), pages=result.pages, events=events,
                      worker=worker_label(), seconds=round(time.monotonic() - started, 3))
