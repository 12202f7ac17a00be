"""`dsd ocr`: one PDF of page images in, a searchable PDF/A out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dsd_cli.cli.output import JsonOption, ProfileOption, out_console, print_json
from dsd_cli.profiles import load_profile
from dsd_cli.tools.versions import require_tools

OCR_HELP = """OCR a scanned PDF into a searchable PDF/A-2b (OCRmyPDF + Tesseract, languages from the profile).

The output is written only when OCR succeeded and the result has the same pages and claims PDF/A.

Examples:

  dsd ocr scan.pdf -o scan.pdfa.pdf

  dsd ocr brief.pdf -o brief.pdfa.pdf --language fra
"""


def register(app: typer.Typer) -> None:
    @app.command("ocr", help=OCR_HELP)
    def ocr_command(
        source: Annotated[Path, typer.Argument(help="PDF to OCR.", exists=True, dir_okay=False)],
        output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the PDF/A.")],
        language: Annotated[list[str] | None, typer.Option("--language", "-l",
                                                           help="Tesseract language (repeat).")] = None,
        jobs: Annotated[int, typer.Option("--jobs", "-j", help="Pages in parallel.")] = 1,
        profile: ProfileOption = None,
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.ocr import ocr_document, options_from_profile

        prof = load_profile(profile)
        options = options_from_profile(prof, jobs=jobs)
        if language:
            from dataclasses import replace

            options = replace(options, languages=tuple(language))
        require_tools(("tesseract", "ocrmypdf"), options.languages)
        result = ocr_document(source, output, options)
        if json_output:
            print_json({"output": str(result.output), "pages": result.pages,
                        "pdfa": f"{result.pdfa_part}{result.pdfa_conformance}", "tool": result.tool})
        else:
            out_console.print(f"wrote {result.output} — {result.pages} page(s), "
                              f"PDF/A-{result.pdfa_part}{result.pdfa_conformance.lower()} ({result.tool})")
