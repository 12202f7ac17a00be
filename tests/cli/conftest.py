"""Fixtures for the command-line conventions: an archive of seven dossiers, and running `dsd` at a terminal width."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import CliResult, run_dsd
from tests.export.conftest import build_archive


@pytest.fixture(scope="session")
def cli_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("cli-template"))


@pytest.fixture
def archive(cli_template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "archive"
    shutil.copytree(cli_template, copy, symlinks=True)
    return copy


def dsd_at(columns: int, *args: str | Path, env: dict[str, str] | None = None) -> CliResult:
    """`dsd ARGS` in a terminal `columns` wide."""
    return run_dsd(*args, env={"COLUMNS": str(columns), **(env or {})})
