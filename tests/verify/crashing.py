"""A PDF check that dies like a parser crash on files named *crash*: used to test that one hostile file cannot take
the other files' results down with it (imported by worker processes, so it lives in its own module)."""

from __future__ import annotations

import os

from dsd_cli.verify.pdfverify import PdfJob, PdfResult, check_pdf


def crash_on_marker(job: PdfJob) -> PdfResult:
    if "crash" in os.path.basename(job.path):
        os._exit(70)
    return check_pdf(job)
