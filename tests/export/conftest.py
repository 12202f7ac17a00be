"""A small archive of dossiers with different retention rules, dates and holds, built once and copied per test."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from dsd_cli.archive.package import package_dossier
from dsd_cli.models import Problem
from dsd_cli.register import RegisterEntry
from dsd_cli.verify import VerifyOptions, verify_paths
from tests.archive.conftest import NOW, PROFILE, make_document

# dossier -> (document types, closing date, legal hold from the register)
DOSSIERS: dict[str, tuple[tuple[str, ...], dt.date, bool]] = {
    "SD/2015/0001": (("identiteit", "briefwisseling"), dt.date(2016, 1, 31), False),  # V flemish, due 2026-01-31
    "SD/2015/0002": (("schuldbemiddeling",), dt.date(2018, 6, 30), False),  # V flemish, due 2023-06-30
    "SD/2015/0003": (("aanvraag", "inkomen"), dt.date(2015, 12, 31), False),  # S federal, due 2025-12-31
    "SD/2015/0004": (("medisch",), dt.date(2016, 3, 31), False),  # V federal, due 2026-03-31
    "SD/2020/0005": (("identiteit",), dt.date(2022, 5, 1), False),  # V flemish, due 2032-05-01
    "SD/2015/0006": (("beslissing", "identiteit"), dt.date(2015, 6, 30), False),  # B, permanent: never due
    "SD/2015/0007": (("energie",), dt.date(2015, 1, 1), True),  # V flemish, held in the register
}


def build_archive(root: Path) -> Path:
    archive = root / "archive"
    inputs = root / "inputs"
    archive.mkdir(parents=True)
    inputs.mkdir()
    for n, (dossier, (types, closed, hold)) in enumerate(DOSSIERS.items()):
        docs = [make_document(inputs, f"d{n}-{i}-{t}", t, dossier=dossier, pages=i + 1)
                for i, t in enumerate(types)]
        package_dossier(archive, dossier, docs, PROFILE, RegisterEntry(dossier, closed=closed, legal_hold=hold),
                        now=NOW)
    return archive


@pytest.fixture(scope="session")
def template_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("template"))


@pytest.fixture
def archive(template_archive: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "archive"
    shutil.copytree(template_archive, copy, symlinks=True)
    return copy


def bag_errors(path: Path) -> list[Problem]:
    """`dsd verify`'s errors for an archive or bag, except the PDF/A and signature checks of the documents
    themselves: the small test PDFs are neither PDF/A nor signed. Fixity, completeness, bag-info, METS and the
    audit log are all checked."""
    report = verify_paths([path], VerifyOptions(require_signatures=False))
    return [p for p in report.problems if p.severity == "error" and not p.check.startswith(("pdfa.", "signature."))]


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative path -> content)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass(frozen=True)
class SignedArchive:
    archive: Path
    dossier: str
    ca_certificate: Path


@pytest.fixture(scope="session")
def signed_template(tmp_path_factory: pytest.TempPathFactory) -> SignedArchive:
    """An archive with one real document: a one-page scan OCRed to PDF/A-2b by OCRmyPDF, then PAdES-signed with a
    demo key — what `dsd run` archives."""
    from dsd_cli.ocr import ocr_document
    from dsd_cli.signing.config import SignerConfig
    from dsd_cli.signing.keys import create_demo_pki
    from dsd_cli.signing.sign import sign_pdf
    from dsd_cli.tools.ocrmypdf_runner import OcrOptions
    from tests.core.test_ocr import letter_pdf

    root = tmp_path_factory.mktemp("signed")
    scan = letter_pdf(root / "scan.pdf", ["Aanvraag leefloon", "Demande de revenu d'intégration"])
    ocr_document(scan, root / "pdfa.pdf", OcrOptions(deskew=False))
    key = create_demo_pki(root / "key", passphrase=b"export-test")
    inputs = root / "inputs"
    inputs.mkdir()
    sign_pdf(root / "pdfa.pdf", inputs / "aanvraag.pdf", SignerConfig(pkcs12=key.pkcs12, demo=True), PROFILE.signing,
             passphrase=b"export-test", prompter=None)
    dossier = "SD/2024/0100"
    archive = root / "archive"
    archive.mkdir()
    package_dossier(archive, dossier, [make_document(inputs, "aanvraag", "aanvraag", dossier=dossier)], PROFILE,
                    RegisterEntry(dossier, closed=dt.date(2024, 6, 30)), now=NOW)
    return SignedArchive(archive, dossier, key.ca_certificate)


@pytest.fixture
def signed_archive(signed_template: SignedArchive, tmp_path: Path) -> SignedArchive:
    copy = tmp_path / "signed-archive"
    shutil.copytree(signed_template.archive, copy, symlinks=True)
    return SignedArchive(copy, signed_template.dossier, signed_template.ca_certificate)
