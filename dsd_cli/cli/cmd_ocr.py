"""`dsd ocr`: one scanned PDF or image file in, a searchable PDF/A out, with the profile's OCR engine."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from dsd_cli.cli.output import JsonOption, ProfileOption, print_json, result_line

OCR_HELP = """OCR a scanned PDF or image into a searchable PDF/A-2b.

Takes a PDF, or a JPEG/PNG/TIFF image; languages and engine come from the profile: `tesseract` keeps the scanned
images as they are and reports each page's quality; `ocrmypdf` runs OCRmyPDF's pipeline. The output is written only
when OCR succeeded and the result has the same pages and claims PDF/A. Pages whose quality is flagged are listed.

Exit codes: 0 written, 4 the file cannot be used (missing, encrypted, corrupt) or OCR failed on it, 5 a bad
profile, 6 Tesseract or a language pack is missing, 2 wrong command line (full table: dsd --help).

Examples:

  dsd ocr scan.pdf -o scan.pdfa.pdf

  dsd ocr page.jpg -o page.pdf --json

  dsd ocr brief.pdf -o brief.pdfa.pdf --language fra --engine ocrmypdf --workers 4
"""

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff"}


def register(app: typer.Typer) -> None:
    @app.command("ocr", help=OCR_HELP)
    def ocr_command(
        source: Annotated[Path, typer.Argument(help="PDF or image (JPEG, PNG, TIFF) to OCR.", metavar="SCAN")],
        output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", help="Where to write the PDF/A.")],
        language: Annotated[list[str] | None, typer.Option("--language", "-l", metavar="LANG",
                                                           help="Tesseract language, e.g. nld (repeat).")] = None,
        engine: Annotated[str | None, typer.Option("--engine", metavar="tesseract|ocrmypdf",
                                                   help="OCR engine (default: the profile's).")] = None,
        workers: Annotated[int, typer.Option("--workers", "-w", "--jobs", "-j", metavar="N", min=1,
                                             help="Pages in parallel, ocrmypdf engine (--jobs: the same).")] = 1,
        profile: ProfileOption = None,
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.cli.inputs import input_file
        from dsd_cli.errors import InputError, UsageError
        from dsd_cli.ocr import image_to_pdf, ocr_document
        from dsd_cli.profiles import OCR_ENGINES, load_profile
        from dsd_cli.scan.ingest import inspect_source, sniff
        from dsd_cli.tools.versions import require_ocr_engine, require_tools

        input_file(source, "file to OCR")
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
        try:  # the checks and reasons of `dsd run`'s intake: empty, not a scan, too large, still being written
            inspect_source(source)
        except InputError as exc:
            raise InputError(f"{source.name}: {exc}", reason=exc.reason, hint=exc.hint) from None
        with tempfile.TemporaryDirectory(prefix="dsd-ocr-") as work:
            pdf = source
            if sniff(source) in ("jpeg", "png", "tiff") or source.suffix.lower() in IMAGE_SUFFIXES:
                pdf = image_to_pdf(source, Path(work) / "image.pdf")
            result = ocr_document(pdf, output, settings, prof.qa, jobs=workers)
        flagged = [r for r in result.quality if r["flags"]]
        if json_output:
            print_json({"output": str(result.output), "pages": result.pages, "engine": result.engine,
                        "pdfa": f"{result.pdfa_part}{result.pdfa_conformance}", "tool": result.tool,
                        "quality": list(result.quality)})
            return
        result_line(f"wrote {result.output} — {result.pages} page(s), PDF/A-{result.pdfa_part}"
                    f"{result.pdfa_conformance.lower()} ({result.tool})")
        for record in flagged:
            result_line(f"page {record['page']}: {', '.join(record['flags'])} "
                        f"({record['words']} words, confidence {record['confidence_mean']})")
