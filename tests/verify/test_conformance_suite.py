"""The Library of Congress BagIt conformance suite (../shared/bagit-conformance-suite), classified 100 % right."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsd_cli.verify.bagcheck import check_bag
from tests.conftest import SHARED

SUITE = SHARED / "bagit-conformance-suite"
CASES = sorted((group.name, bag) for group in SUITE.glob("v*/*") if group.is_dir()
               for bag in group.iterdir() if bag.is_dir())


def test_the_suite_is_there():
    assert len([c for c in CASES if c[0] != "windows-only"]) == 54


@pytest.mark.parametrize(("group", "bag"), CASES, ids=[str(b.relative_to(SUITE)) for _, b in CASES])
def test_conformance_case(group: str, bag: Path):
    result = check_bag(bag, bag.name)
    errors = [p for p in result.problems if p.severity == "error"]
    warnings = [p for p in result.problems if p.severity == "warning"]
    if group == "valid":
        assert not errors, errors
    elif group == "warning":
        assert not errors and warnings, result.problems
    elif group in ("invalid", "linux-only"):
        assert errors, f"{bag.name} must be rejected"
    else:  # windows-only: path rules of another OS; handled without a crash, never followed
        assert isinstance(result.problems, list)
