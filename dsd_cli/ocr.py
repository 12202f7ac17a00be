"""The OCR stage: a document PDF (page images) in, a searchable PDF/A out.

OCRmyPDF runs in a child process writing to a temp file; dsd then checks what OCRmyPDF does not (the page count is
unchanged and the PDF/A identification is present) and only then publishes the file atomically. A failed run never
leaves a file at the destination, even though OCRmyPDF itself may leave a partial output behind.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdfium2

from dsd_cli.errors import InputError, ToolFailedError
from dsd_cli.fsutil import fsync_dir
from dsd_cli.profiles import Profile
from dsd_cli.tools.ocrmypdf_runner import OcrOptions, run_ocrmypdf
from dsd_cli.tools.versions import tool_version


@dataclass(frozen=True)
class OcrResult:
    output: Path
    pages: int
    pdfa_part: str
    pdfa_conformance: str
    tool: str
    """e.g. 'ocrmypdf 17.13.0 / tesseract 5.3.0', for the PREMIS event."""
    warnings: str = ""


def options_from_profile(profile: Profile, *, jobs: int = 1) -> OcrOptions:
    s = profile.ocr
    return OcrOptions(languages=s.languages, output_type=s.output_type, rotate_pages=s.rotate_pages,
                      deskew=s.deskew, clean=s.clean, optimize=s.optimize, jobs=jobs,
                      timeout_seconds=s.timeout_seconds)


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


def ocr_document(src: Path, dst: Path, options: OcrOptions) -> OcrResult:
    """OCR `src` into a PDF/A at `dst`, atomically. Raises InputError / ToolFailedError on failure."""
    pages_in = count_pages(src)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".ocr-", dir=dst.parent) as work:
        tmp_out = Path(work) / "out.pdf"
        warnings = run_ocrmypdf(src, tmp_out, options)
        if not tmp_out.is_file():
            raise ToolFailedError("OCRmyPDF reported success but wrote no file", tool="ocrmypdf")
        pages_out = count_pages(tmp_out)
        if pages_out != pages_in:
            raise ToolFailedError(f"OCR output has {pages_out} pages, input had {pages_in}", tool="ocrmypdf",
                                  reason="page-count-changed")
        part, conformance = pdfa_identification(tmp_out)
        expected_part = options.output_type.removeprefix("pdfa-") if options.output_type != "pdfa" else "2"
        if part != expected_part:
            raise ToolFailedError(f"OCR output does not claim PDF/A-{expected_part} (claims {part or 'nothing'})",
                                  tool="ocrmypdf", reason="pdfa-failed")
        with open(tmp_out, "rb") as handle:
            import os

            os.fsync(handle.fileno())
        tmp_out.replace(dst)
        with contextlib.suppress(OSError):
            fsync_dir(dst.parent)
    tool = f"ocrmypdf {tool_version('ocrmypdf')} / tesseract {tool_version('tesseract')}"
    return OcrResult(output=dst, pages=pages_in, pdfa_part=part, pdfa_conformance=conformance, tool=tool,
                     warnings=warnings)
