"""The `ocrmypdf` engine: OCRmyPDF's own pipeline in a child process, as dsd ran it before the engine seam.

It also takes the documents the `tesseract` engine does not: PDFs with text or vector content (born-digital or
mixed), which OCRmyPDF renders page by page and leaves their text as it is (--mode skip).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dsd_cli.profiles import OcrSettings, QaSettings
from dsd_cli.tools.ocrmypdf_runner import OcrOptions, run_ocrmypdf
from dsd_cli.tools.versions import tool_version


def options_for(settings: OcrSettings, jobs: int = 1) -> OcrOptions:
    return OcrOptions(languages=settings.languages, output_type=settings.output_type,
                      rotate_pages=settings.rotate_pages, deskew=settings.deskew, clean=settings.clean,
                      optimize=settings.optimize, jobs=jobs, timeout_seconds=settings.timeout_seconds)


class OcrmypdfEngine:
    name = "ocrmypdf"

    def __init__(self, options: OcrOptions | None = None) -> None:
        self.options = options

    @property
    def tool(self) -> str:
        return f"ocrmypdf {tool_version('ocrmypdf')} / tesseract {tool_version('tesseract')}"

    def ocr(self, src: Path, tmp_out: Path, settings: OcrSettings, qa: QaSettings, jobs: int = 1
            ) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
        """OCR into `tmp_out`: (quality records, facts, warnings). OCRmyPDF reports no per-page quality."""
        options = self.options or options_for(settings, jobs)
        warnings = run_ocrmypdf(src, tmp_out, options)
        return [], {"options": {"rotate_pages": options.rotate_pages, "deskew": options.deskew,
                                "clean": options.clean, "optimize": options.optimize}}, warnings
