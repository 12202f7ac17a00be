"""Write an open PDF as PDF/A with pikepdf's PDF/A module: output intent, XMP and Info in agreement, validated.

`pikepdf.pdfa.save` prepares the document (sRGB output intent, XMP rewritten with the PDF/A identification, Info
set to agree with it), writes it and validates the bytes it wrote; a file that does not pass is never written.
When it fails, the message names the rules that failed, from pikepdf's report.
"""

from __future__ import annotations

import os
from pathlib import Path

import pikepdf

from dsd_cli import __version__
from dsd_cli.errors import ToolFailedError
from dsd_cli.profiles import OcrSettings

FLAVOURS = {"pdfa": "2b", "pdfa-1": "1b", "pdfa-2": "2b", "pdfa-3": "3b"}
ISO639_1 = {"nld": "nl", "fra": "fr", "eng": "en", "deu": "de"}


def write_pdfa(pdf: pikepdf.Pdf, dst: Path, settings: OcrSettings, producer: str) -> None:
    """Save `pdf` as PDF/A at `dst` (fsynced). Raises ToolFailedError naming the failed rules."""
    from pikepdf.pdfa import PdfaError, save

    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["xmp:CreatorTool"] = f"dsd {__version__}"
        meta["pdf:Producer"] = producer
    language = ISO639_1.get(settings.languages[0], "") if settings.languages else ""
    if language:
        pdf.Root.Lang = pikepdf.String(language)
    try:
        report = save(pdf, dst, FLAVOURS[settings.output_type], output_intent="sRGB")
    except PdfaError as exc:
        report = exc.report
        findings = [*getattr(report, "violations", ()), *getattr(report, "unsupported", ())][:3]
        causes = "; ".join(f"{f.message} ({f.rule}, {f.where})" for f in findings) or str(exc)
        raise ToolFailedError(f"the PDF cannot be made PDF/A-{FLAVOURS[settings.output_type]}: {causes}",
                              tool="pikepdf", reason="pdfa-failed") from None
    except (pikepdf.PdfError, OSError) as exc:
        raise ToolFailedError(f"the PDF/A could not be written: {exc}", tool="pikepdf", reason="pdfa-failed") \
            from None
    if not report.passed:  # save() raises on failure; a report that did not pass is never trusted either
        raise ToolFailedError("pikepdf did not approve the PDF/A it wrote", tool="pikepdf", reason="pdfa-failed")
    with open(dst, "rb") as handle:
        os.fsync(handle.fileno())
