"""dsd's PDF/A checks against the veraPDF consortium's PDF/A-2b test corpus (../shared/verapdf-corpus/PDF_A-2b):
no "pass" file gets any error, and every "fail" file of a rule dsd covers (COVERED, listed in docs/verification.md)
gets an error from the check that covers it. Files are named `<clause>-tNN-pass|fail-x.pdf`; tNN is veraPDF's
rule number within the clause.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dsd_cli.verify.pdfcheck import check_pdfa
from tests.conftest import SHARED

CORPUS = SHARED / "verapdf-corpus" / "PDF_A-2b"
STRUCTURE, INTENT, COLOUR = "pdfa.file-structure", "pdfa.output-intent", "pdfa.colour"
COVERED: dict[str, set[str]] = {
    "6-1-2-t01": {STRUCTURE}, "6-1-2-t02": {STRUCTURE},  # header, binary comment
    "6-1-3-t01": {STRUCTURE}, "6-1-3-t02": {"pdfa.encrypted"},  # file identifier, no encryption
    "6-1-7-1-t04": {"pdfa.external-content"},  # no F, FFilter, FDecodeParms in stream dictionaries
    "6-1-8-t01": {STRUCTURE},  # names are UTF-8
    "6-1-12-t01": {"pdfa.permissions"}, "6-1-12-t02": {"pdfa.permissions"},
    "6-2-3-t01": {INTENT}, "6-2-3-t02": {INTENT}, "6-2-3-t03": {INTENT},
    "6-2-4-3-t01": {INTENT, COLOUR}, "6-2-4-3-t02": {INTENT, COLOUR}, "6-2-4-3-t03": {INTENT, COLOUR},
    "6-2-4-4-t01": {INTENT, COLOUR}, "6-2-4-5-t01": {INTENT, COLOUR},
    **{f"6-2-5-t0{n}": {"pdfa.graphics-state"} for n in range(1, 6)},
    "6-2-6-t01": {"pdfa.graphics-state"},
    "6-2-8-1-t01": {"pdfa.xobject"}, "6-2-8-1-t02": {"pdfa.xobject"}, "6-2-8-1-t03": {"pdfa.xobject"},
    "6-2-9-1-t01": {"pdfa.xobject"}, "6-2-9-2-t01": {"pdfa.external-content"}, "6-2-9-3-t01": {"pdfa.xobject"},
    "6-2-11-4-1-t01": {"pdfa.fonts"},
    "6-3-1-t01": {"pdfa.annotation"}, "6-3-2-t01": {"pdfa.annotation"},
    "6-4-1-t01": {"pdfa.form", "pdfa.action"}, "6-4-1-t02": {"pdfa.form"}, "6-4-2-t01": {"pdfa.form"},
    "6-5-1-t01": {"pdfa.action", "pdfa.javascript"}, "6-5-1-t02": {"pdfa.action"},
    "6-5-2-t01": {"pdfa.action"},
    "6-6-2-1-t01": {"pdfa.identification"}, "6-6-4-t01": {"pdfa.identification"},
}
"""veraPDF rule (clause-tNN) -> the dsd checks that flag its fail files."""
_NAME = re.compile(r"suite (?P<rule>[\d-]+-t\d\d)-(?P<verdict>pass|fail)-\w+\.pdf$")


def _files() -> list[Path]:
    assert CORPUS.is_dir(), f"{CORPUS} is missing: the tests need ../shared beside the repository"
    return sorted(CORPUS.rglob("*.pdf"))


@pytest.fixture(scope="module")
def verdicts() -> dict[str, tuple[str, str, dict[str, set[str]]]]:
    """file name -> (rule, expected verdict, {mode: error checks}) for a bag requiring PDF/A-2 and a plain claim."""
    found = {}
    for path in _files():
        match = _NAME.search(path.name)
        assert match, path.name
        modes = {}
        for mode, required in (("required", "2"), ("claimed", "")):
            problems, _claim = check_pdfa(path, path.name, required_part=required)
            modes[mode] = {p.check for p in problems if p.severity == "error"}
        found[path.name] = (match["rule"], match["verdict"], modes)
    return found


def test_no_pass_file_is_flagged(verdicts):
    passes = {name: modes for name, (_rule, verdict, modes) in verdicts.items() if verdict == "pass"}
    assert len(passes) > 300
    flagged = {name: modes for name, modes in passes.items() if modes["required"] or modes["claimed"]}
    assert flagged == {}


def test_every_fail_file_of_a_covered_rule_is_flagged_by_its_check(verdicts):
    covered = {name: (rule, modes) for name, (rule, verdict, modes) in verdicts.items()
               if verdict == "fail" and rule in COVERED}
    assert {rule for rule, _ in covered.values()} == set(COVERED) - {"6-5-1-t02"}  # t02 has only a pass file
    missed = {name: modes["required"] for name, (rule, modes) in covered.items()
              if not modes["required"] & COVERED[rule]}
    assert missed == {}
    # A file that claims PDF/A is held to the same rules; only a missing XMP packet is no claim at all.
    unclaimed = {name for name, (rule, modes) in covered.items() if not modes["claimed"] & COVERED[rule]}
    assert unclaimed == {"veraPDF test suite 6-6-2-1-t01-fail-a.pdf"}
