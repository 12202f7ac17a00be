from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import run_dsd
from tests.pipeline.synthetic import scanner_pdf


@pytest.fixture(scope="session")
def signed_archive(tmp_path_factory) -> Path:
    """A real archive made by `dsd run` (OCR, demo signatures): two dossiers, three documents."""
    root = tmp_path_factory.mktemp("verify-base")
    scans = root / "scans"
    scans.mkdir()
    scanner_pdf(scans / "batch.pdf", [("SD/2026/0100", "aanvraag", ["Aanvraag huurwaarborg"]),
                                      ("SD/2026/0100", "inkomen", ["Loonbrief december"]),
                                      ("BB-2026-7", "energie", ["Energiefactuur"])])
    archive = root / "archive"
    result = run_dsd("run", scans, "--archive", archive, "--quiet")
    assert result.code == 0, result.stderr
    return archive


@pytest.fixture
def archive_copy(signed_archive: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "archive"
    shutil.copytree(signed_archive, copy, symlinks=True)
    return copy
