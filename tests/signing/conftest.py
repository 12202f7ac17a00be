"""Shared inputs for the signing tests: small PDFs and a demo key made once per session."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from reportlab.pdfgen import canvas

from dsd_cli.signing.keys import DemoKey, create_demo_pki

DEMO_PASSPHRASE = b"demo-pass-for-tests"


def plain_pdf(path: Path, text: str = "Aanvraag leefloon") -> Path:
    """A one-page PDF with a line of text (reportlab), re-saved by pikepdf as a plain (non-incremental) file."""
    tmp = path.with_suffix(".raw.pdf")
    c = canvas.Canvas(str(tmp), pagesize=(595, 842))
    c.drawString(72, 770, text)
    c.showPage()
    c.save()
    with pikepdf.open(tmp) as pdf:
        pdf.save(path)
    tmp.unlink()
    return path


@pytest.fixture(scope="session")
def demo_key(tmp_path_factory) -> DemoKey:
    return create_demo_pki(tmp_path_factory.mktemp("demo-key"), passphrase=DEMO_PASSPHRASE)


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    """One real PKI per test session (per xdist worker), served on a free loopback port."""
    from tests.signing.pki import build_pki

    running = build_pki(tmp_path_factory.mktemp("pki"))
    yield running
    running.stop()
