"""`dsd ocr`: one scanned PDF or image file in, a searchable PDF/A out, with the profile's OCR engine."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from dsd_cli.cli.output import JsonOption, ProfileOption, out_console, print_json
from dsd_cli.profiles import OCR_ENGINES, load_profile

OCR_HELP = """OCR a scanned PDF, or a JPEG/PNG/TIFF image, into a searchable PDF/A-2b (languages and engine from the
profile: `tesseract` keeps the scanned images as they are and reports each page's quality; `ocrmypdf` runs
OCRmyPDF's pipeline).

The output is written only when OCR succeeded and the result has the same pages and claims PDF/A.

Examples:

  dsd ocr scan.pdf -o scan.pdfa.pdf

  dsd ocr page.jpg -o page.pdf --json

  dsd ocr brief.pdf -o brief.pdfa.pdf --language fra --engine ocrmypdf
"""

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff"}


def register(app: typer.Typer) -> None:
    @app.command("ocr", help=OCR_HELP)
    def ocr_command(
        source: Annotated[Path, typer.Argument(help="PDF or image (JPEG, PNG, TIFF) to OCR.", exists=True,
                                               dir_okay=False)],
        output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the PDF/A.")],
        language: Annotated[list[str] | None, typer.Option("--language", "-l",
                                                           help="Tesseract language (repeat).")] = None,
        engine: Annotated[str | None, typer.Option("--engine", help=f"OCR engine: {' or '.join(OCR_ENGINES)} "
                                                                    "(default: the profile's).")] = None,
        jobs: Annotated[int, typer.Option("--jobs", "-j", help="Pages in parallel (ocrmypdf engine).")] = 1,
        profile: ProfileOption = None,
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.errors import UsageError
        from dsd_cli.ocr import image_to_pdf, ocr_document
        from dsd_cli.scan.ingest import sniff
        from dsd_cli.tools.versions import require_ocr_engine, require_tools

        prof = load_profile(profile)
        settings = prof.ocr
        if engine:
            if engine not in OCR_ENGINES:
                raise UsageError(f"--engine: {engine!r} is not one of {', '.join(OCR_ENGINES)}")
            settings = replace(settings, engine=engine)
        if language:
            settings = replace(settings, languages=tuple(language))
        require_tools(("tesseract", "ocrmypdf"), settings.languages)
        require_ocr_engine(settings)
        with tempfile.TemporaryDirectory(prefix="dsd-ocr-") as work:
            pdf = source
            if sniff(source) in ("jpeg", "png", "tiff") or source.suffix.lower() in IMAGE_SUFFIXES:
                pdf = image_to_pdf(source, Path(work) / "image.pdf")
            result = ocr_document(pdf, output, settings, prof.qa, jobs=jobs)
        flagged = [r for r in result.quality if r["flags"]]
        if json_output:
            print_json({"output": str(result.output), "pages": result.pages, "engine": result.engine,
                        "pdfa": f"{result.pdfa_part}{result.pdfa_conformance}", "tool": result.tool,
                        "quality": list(result.quality)})
            return
        out_console.print(Text(f"wrote {result.output} — {result.pages} page(s), PDF/A-{result.pdfa_part}"
                               f"{result.pdfa_conformance.lower()} ({result.tool})"))
        for record in flagged:
            out_console.print(Text(f"page {record['page']}: {', '.join(record['flags'])} "
                                   f"({record['words']} words, confidence {record['confidence_mean']})"))
