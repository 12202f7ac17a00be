"""Work done in worker processes: OCR and signing of one document each.

These functions take and return plain, picklable values; they never touch the journal (the parent is its only
writer). Each writes its output atomically, so a worker killed half-way leaves nothing the parent would trust.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dsd_cli.errors import DsdError
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


def _failure(doc_id: str, exc: Exception) -> StepOutcome:
    reason = getattr(exc, "reason", "") or ("tool-failed" if isinstance(exc, DsdError) else "internal-error")
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
    (empty on failure) with the same outcome (its `file` is None: the caller writes the bytes durably)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dsd-ocr-") as work:
        src, out = Path(work) / "image.pdf", Path(work) / "ocr.pdf"
        src.write_bytes(image_pdf)
        outcome = ocr_step(doc_id, src, out, settings, qa, when, jobs)
        data = out.read_bytes() if outcome.ok else b""
    return replace(outcome, file=None), data


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


def held_for_review(outcome: StepOutcome) -> StepOutcome:
    """An OCRed document kept from the archive because the profile holds flagged documents for review."""
    pages = "; ".join(f"page {r['page']}: {', '.join(r['flags'])}" for r in outcome.quality if r.get("flags"))
    return StepOutcome(doc_id=outcome.doc_id, ok=False, reason="quality-flagged", quality=outcome.quality,
                       message=f"held for review ([qa] flagged = \"quarantine\"): {pages}")


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
