"""The Library of Congress BagIt conformance suite (../shared/bagit-conformance-suite), classified 100 % right,
each rejection and warning for the reason the suite's bag was made for."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsd_cli.verify import VerifyOptions, verify_paths
from dsd_cli.verify.bagcheck import check_bag

SUITE = Path(__file__).resolve().parents[2].parent / "shared" / "bagit-conformance-suite"
CASES = sorted((group.name, bag) for group in SUITE.glob("v*/*") if group.is_dir()
               for bag in group.iterdir() if bag.is_dir())

# The check each invalid, linux-only and warning bag must be named for (the suite's folder says why it is there).
EXPECTED = {
    "baginfo-missing-encoding": "bagit.declaration",
    "bom-in-bagit.txt": "bagit.declaration",
    "corrupt-data-file": "bagit.checksum",
    "corrupt-tag-file": "bagit.tag-checksum",
    "extra-file-in-bag": "bagit.unexpected-file",
    "invalid-version-number": "bagit.declaration",
    "missing-baginfo": "bagit.missing-tag-file",
    "missing-bagit.txt": "bagit.declaration",
    "out-of-scope-file-paths-using-dot-notation": "bagit.path-escape",
    "out-of-scope-file-paths-using-dot-notation-for-fetch": "bagit.path-escape",
    "same-filename-listed-twice-with-different-hashes": "bagit.duplicate-entry",
    "out-of-scope-file-paths-using-absolute-path": "bagit.path-escape",
    "out-of-scope-file-paths-using-absolute-path-for-fetch": "bagit.path-escape",
    "out-of-scope-file-paths-using-shortcut": "bagit.path-escape",
    "out-of-scope-file-paths-using-shortcut-for-fetch": "bagit.path-escape",
    "out-of-scope-file-paths-using-shortcut-username": "bagit.path-escape",
    "out-of-scope-file-paths-using-shortcut-username-for-fetch": "bagit.path-escape",
    "bagit-with-invalid-whitespace": "bagit.declaration",
    "notAllManifestsListAllFiles": "bagit.unexpected-file",
    "same-filename-listed-twice-with-the-same-hash": "bagit.duplicate-entry",
    "duplicate-file-with-different-case": "bagit.case-collision",
    "made-with-md5sum-tools": "bagit.md5sum-format",
    "relative-path": "bagit.relative-path",
    "same-filename-listed-twice-with-different-normalization": "bagit.normalization-twin",
    "special-system-files": "bagit.system-file-missing",
}


def test_the_suite_is_there():
    assert SUITE.is_dir(), f"{SUITE} is missing: tests need ../shared beside the repository"
    groups = {g for g, _ in CASES}
    assert {"valid", "invalid", "warning", "linux-only", "windows-only"} <= groups
    assert len([c for c in CASES if c[0] != "windows-only"]) == 54


@pytest.mark.parametrize(("group", "bag"), CASES, ids=[str(b.relative_to(SUITE)) for _, b in CASES])
def test_conformance_case(group: str, bag: Path):
    result = check_bag(bag, bag.name)
    errors = {p.check for p in result.problems if p.severity == "error"}
    warnings = {p.check for p in result.problems if p.severity == "warning"}
    if group == "valid":
        assert not errors, result.problems
    elif group == "warning":
        assert not errors and EXPECTED[bag.name] in warnings, result.problems
    elif group in ("invalid", "linux-only"):
        assert EXPECTED[bag.name] in errors, f"{bag.name} must be rejected for {EXPECTED[bag.name]}: {errors}"
    else:  # windows-only: path rules of another OS; handled without a crash, never followed
        assert isinstance(result.problems, list)


def test_the_whole_suite_through_the_public_api():
    """verify_paths classifies each suite bag as the suite says (warnings do not fail a bag)."""
    for group, bag in CASES:
        if group == "windows-only":
            continue
        report = verify_paths([bag], VerifyOptions(workers=2))
        assert report.ok is (group in ("valid", "warning")), (bag, report.problems)
