"""The OCR stage: a document PDF (page images) in, a searchable PDF/A out, through an OCR engine.

Engines sit behind one seam (`OcrEngine`): the profile's `[ocr] engine` picks `tesseract` (Tesseract's API,
models loaded once per process, one recognition pass per page, the scanned image kept byte for byte, a per-page
quality record) or `ocrmypdf` (OCRmyPDF's pipeline in a child process). A PDF that is not only scanned images
(text or vector content) goes to OCRmyPDF whatever the profile says. Either way dsd then checks what the engines
do not (the page count is unchanged, the PDF/A identification is present) and only then publishes the file
atomically: a failed run never leaves a file at the destination.

The tesseract engine runs in a forked child of the process that holds the loaded models, when the process is
single-threaded (dsd's OCR workers, `dsd ocr`): a crash in native code ends only the child, and the profile's
timeout kills it. Elsewhere it runs in the process, with Tesseract's own deadline.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pikepdf
import pypdfium2

from dsd_cli.errors import InputError, ToolFailedError
from dsd_cli.fsutil import fsync_dir
from dsd_cli.ocr.ocrmypdf_engine import OcrmypdfEngine, options_for
from dsd_cli.profiles import OcrSettings, Profile, QaSettings
from dsd_cli.tools.ocrmypdf_runner import OcrOptions


class OcrEngine(Protocol):
    """An OCR engine: OCR an image PDF into a PDF/A at a temporary path."""

    name: str

    @property
    def tool(self) -> str:
        """Program names and versions, for PREMIS agents ('tesseract 5.5.4 (tesserocr 2.13.0)')."""
        ...

    def ocr(self, src: Path, tmp_out: Path, settings: OcrSettings, qa: QaSettings, jobs: int = 1
            ) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
        """(per-page quality records, facts for the PREMIS events, warnings)."""
        ...


@dataclass(frozen=True)
class OcrResult:
    output: Path
    pages: int
    pdfa_part: str
    pdfa_conformance: str
    tool: str
    """e.g. 'tesseract 5.5.4 (tesserocr 2.13.0)', for the PREMIS event."""
    warnings: str = ""
    engine: str = "ocrmypdf"
    quality: tuple[dict[str, Any], ...] = ()
    """One record per page (see dsd_cli/ocr/quality.py); empty for the ocrmypdf engine."""
    facts: dict[str, Any] = field(default_factory=dict)
    """What the engine did (smoothed or straightened pages, image encodings, routing), for PREMIS."""


def options_from_profile(profile: Profile, *, jobs: int = 1) -> OcrOptions:
    return options_for(profile.ocr, jobs)


def count_pages(pdf: Path) -> int:
    try:
        with pikepdf.open(pdf) as doc:
            return len(doc.pages)
    except pikepdf.PasswordError:
        raise InputError(f"{pdf.name}: the PDF is encrypted", reason="encrypted") from None
    except (pikepdf.PdfError, OSError) as exc:
        raise InputError(f"{pdf.name}: not a readable PDF ({exc})", reason="corrupt") from None


def pdfa_identification(pdf: Path) -> tuple[str, str]:
    """The (part, conformance) the PDF's XMP metadata claims, e.g. ('2', 'B'); ('', '') when none."""
    with pikepdf.open(pdf) as doc:
        meta = doc.open_metadata()
        return (str(meta.get("pdfaid:part", "")), str(meta.get("pdfaid:conformance", "")))


def extract_text(pdf: Path) -> str:
    """The text layer of every page, for checks and previews."""
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        parts = []
        for page in doc:
            textpage = page.get_textpage()
            parts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(parts)
    finally:
        doc.close()


class _TesseractInChild:
    """The tesseract engine, run in a forked child of the process that holds its models."""

    name = "tesseract"

    def __init__(self, settings: OcrSettings) -> None:
        from dsd_cli.ocr.tesseract_engine import engine_for

        self.engine = engine_for(settings)  # loaded here, in the long-lived process, before any fork

    @property
    def tool(self) -> str:
        return self.engine.tool

    def ocr(self, src: Path, tmp_out: Path, settings: OcrSettings, qa: QaSettings, jobs: int = 1
            ) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
        from dsd_cli.tools.warm_fork import call_forked, can_fork

        def work() -> tuple[list[dict[str, Any]], dict[str, Any]]:
            return self.engine.ocr_pdf(src, tmp_out, settings, qa)

        if not can_fork():
            records, facts = work()
            return records, facts, ""
        outcome = call_forked(work, settings.timeout_seconds)
        if outcome is None:
            raise ToolFailedError(f"OCR took longer than {settings.timeout_seconds} s", tool="tesseract",
                                  reason="ocr-timeout")
        kind, value = outcome
        if kind == "error":
            raise value
        if kind == "crashed":
            raise ToolFailedError(f"Tesseract ended abnormally (code {value})", tool="tesseract",
                                  reason="ocr-crashed")
        records, facts = value
        return records, facts, ""


def engine_for(settings: OcrSettings) -> OcrEngine:
    """The profile's engine; the tesseract engine is created once per process (its models stay loaded)."""
    if settings.engine == "ocrmypdf":
        return OcrmypdfEngine()
    return _TesseractInChild(settings)


def ocr_document(src: Path, dst: Path, settings: OcrSettings | OcrOptions, qa: QaSettings | None = None, *,
                 jobs: int = 1) -> OcrResult:
    """OCR `src` into a PDF/A at `dst`, atomically. Raises InputError / ToolFailedError on failure.

    `settings` is the profile's [ocr] (its engine decides), or OcrOptions to run OCRmyPDF with exactly those."""
    from dsd_cli.ocr.tesseract_engine import NotAScan

    qa = qa or QaSettings()
    if isinstance(settings, OcrOptions):
        engine: OcrEngine = OcrmypdfEngine(settings)
        settings = OcrSettings(engine="ocrmypdf", languages=settings.languages, output_type=settings.output_type,
                               timeout_seconds=settings.timeout_seconds)
    else:
        engine = engine_for(settings)
    pages_in = count_pages(src)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".ocr-", dir=dst.parent) as work:
        tmp_out = Path(work) / "out.pdf"
        try:
            records, facts, warnings = engine.ocr(src, tmp_out, settings, qa, jobs)
        except NotAScan:
            engine = OcrmypdfEngine()
            records, facts, warnings = engine.ocr(src, tmp_out, settings, qa, jobs)
            facts["routed"] = "the PDF carries text or vector content, not only scanned images"
        if not tmp_out.is_file():
            raise ToolFailedError(f"{engine.name} reported success but wrote no file", tool=engine.name)
        pages_out = count_pages(tmp_out)
        if pages_out != pages_in:
            raise ToolFailedError(f"OCR output has {pages_out} pages, input had {pages_in}", tool=engine.name,
                                  reason="page-count-changed")
        part, conformance = pdfa_identification(tmp_out)
        expected_part = settings.output_type.removeprefix("pdfa-") if settings.output_type != "pdfa" else "2"
        if part != expected_part:
            raise ToolFailedError(f"OCR output does not claim PDF/A-{expected_part} (claims {part or 'nothing'})",
                                  tool=engine.name, reason="pdfa-failed")
        with open(tmp_out, "rb") as handle:
            os.fsync(handle.fileno())
        tmp_out.replace(dst)
        with contextlib.suppress(OSError):
            fsync_dir(dst.parent)
    return OcrResult(output=dst, pages=pages_in, pdfa_part=part, pdfa_conformance=conformance, tool=engine.tool,
                     warnings=warnings, engine=engine.name, quality=tuple(records), facts=facts)


def image_to_pdf(src: Path, out: Path) -> Path:
    """An image file (JPEG, PNG, TIFF) as an image PDF, its bytes kept as they are (dsd ocr's image input)."""
    from PIL import Image

    from dsd_cli.models import PageRef
    from dsd_cli.scan.assemble import write_pages_pdf

    try:
        with Image.open(src) as probe:
            frames = getattr(probe, "n_frames", 1)
    except (OSError, ValueError) as exc:
        raise InputError(f"{src.name}: not a readable image ({exc})", reason="corrupt") from None
    return write_pages_pdf([PageRef(source=src, index=i) for i in range(frames)], out)


__all__ = ["OcrEngine", "OcrResult", "count_pages", "engine_for", "extract_text", "image_to_pdf", "ocr_document",
           "options_from_profile", "pdfa_identification"]
