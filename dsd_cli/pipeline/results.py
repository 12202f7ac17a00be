"""The coordinator's checks of an OCR result, wherever it was made, before the journal hears of it.

A worker's word is not enough: the bytes must be those it hashed (nothing damaged on the way), the PDF must have
the document's page count (from the coordinator's own plan, not the worker's count) and claim the PDF/A part the
profile asks for. Only then is the file published in the work folder (temp file, fsync, rename).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from dsd_cli.errors import DsdError, ToolFailedError
from dsd_cli.fsutil import atomic_write_bytes, sha256_bytes, sha256_file
from dsd_cli.ocr import count_pages, pdfa_identification
from dsd_cli.pipeline.workers import OcrOutcome


def expected_pdfa_part(output_type: str) -> str:
    return output_type.removeprefix("pdfa-") if output_type != "pdfa" else "2"


def accept_ocr_result(outcome: OcrOutcome, *, pages: int, output_type: str, target: Path) -> str:
    """Check `outcome` and publish its PDF at `target`; returns the file's SHA-256. Raises ToolFailedError with a
    quarantine reason (nothing is left at `target` then)."""
    if sha256_bytes(outcome.pdf) != outcome.sha256:
        raise ToolFailedError("the OCR result was damaged on its way from the worker (checksum differs)",
                              tool="dsd", reason="result-damaged")
    atomic_write_bytes(target, outcome.pdf)
    try:
        try:
            got = count_pages(target)
        except DsdError:
            raise ToolFailedError("the OCR result is not a readable PDF", tool="dsd", reason="pdfa-failed") from None
        if got != pages:
            raise ToolFailedError(f"OCR output has {got} pages, the document has {pages}", tool="dsd",
                                  reason="page-count-changed")
        part, _ = pdfa_identification(target)
        want = expected_pdfa_part(output_type)
        if part != want:
            raise ToolFailedError(f"OCR output does not claim PDF/A-{want} (claims {part or 'nothing'})", tool="dsd",
                                  reason="pdfa-failed")
        digest = sha256_file(target)
        if digest != outcome.sha256:
            raise ToolFailedError("the OCR result changed while it was being written", tool="dsd",
                                  reason="result-damaged")
        return digest
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        raise
