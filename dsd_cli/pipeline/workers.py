"""Work done in worker processes: OCR and signing of one document each.

These functions take and return plain, picklable values; they never touch the journal (the parent is its only
writer). Each writes its output atomically, so a worker killed half-way leaves nothing the parent would trust.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsd_cli.errors import DsdError
from dsd_cli.fsutil import sha256_file
from dsd_cli.ocr import ocr_document
from dsd_cli.tools.ocrmypdf_runner import OcrOptions
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


def _failure(doc_id: str, exc: Exception) -> StepOutcome:
    reason = getattr(exc, "reason", "") or ("tool-failed" if isinstance(exc, DsdError) else "internal-error")
    return StepOutcome(doc_id=doc_id, ok=False, reason=reason, message=str(exc))


def ocr_step(doc_id: str, image_pdf: Path, out: Path, options: OcrOptions, when: str) -> StepOutcome:
    try:
        result = ocr_document(image_pdf, out, options)
    except DsdError as exc:
        return _failure(doc_id, exc)
    events = (
        {"type": "ocr", "datetime": when, "agent": "dsd", "tool": result.tool, "outcome": "success",
         "detail": f"text recognised in {'+'.join(options.languages)} on {result.pages} pages"},
        {"type": "format-conversion", "datetime": when, "agent": "dsd", "tool": result.tool, "outcome": "success",
         "detail": f"converted to PDF/A-{result.pdfa_part}{result.pdfa_conformance.lower()}"},
    )
    return StepOutcome(doc_id=doc_id, ok=True, file=out, sha256=sha256_file(out), events=events)


def sign_step(doc_id: str, src: Path, out: Path, signer: Any, settings: Any, level: str, when: str,
              passphrase: bytes | None) -> StepOutcome:
    from dsd_cli.signing.sign import sign_pdf

    try:
        result = sign_pdf(src, out, signer, settings, level=level, passphrase=passphrase)
    except DsdError as exc:
        return _failure(doc_id, exc)
    detail = f"PAdES {level} signature by {getattr(result, 'signer', '') or 'configured key'}"
    if getattr(signer, "demo", False):
        detail += " (DEMO key — not for production)"
    events = ({"type": "signing", "datetime": when, "agent": "dsd", "tool": f"pyhanko {_pyhanko_version()}",
               "outcome": "success", "detail": detail},)
    return StepOutcome(doc_id=doc_id, ok=True, file=out, sha256=sha256_file(out), events=events)


def _pyhanko_version() -> str:
    from dsd_cli.tools.versions import tool_version

    return tool_version("pyhanko")
