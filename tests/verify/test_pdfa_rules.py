"""Each PDF/A rule dsd checks, on small files made in the test (tests/verify/pdfa_cases.py): the pass variant gets
no error (no false alarm), each fail variant exactly the check that names its rule (no miss) — when the file claims
PDF/A-2b or its bag's profile requires PDF/A-2. Without a claim or requirement, none of them is an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsd_cli.verify.pdfcheck import check_pdfa
from tests.verify.pdfa_cases import CASES, Case


def errors(path: Path, required_part: str = "2") -> tuple[set[str], list]:
    problems, _claim = check_pdfa(path, path.name, required_part=required_part)
    return {p.check for p in problems if p.severity == "error"}, problems


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_pass_and_fail_variant_of_each_rule(tmp_path: Path, case: Case):
    found, problems = errors(case.build(tmp_path))
    assert found == ({case.expected} if case.expected else set()), problems


def test_every_pdfa_check_has_a_failing_case():
    from dsd_cli.verify.pdfcheck import MESSAGES

    checks = {c for c in MESSAGES if c.startswith("pdfa.")} | {
        "pdfa.encrypted", "pdfa.metadata-mismatch", "pdfa.output-intent", "pdfa.colour", "pdfa.fonts",
        "pdfa.identification"}
    assert checks <= {c.expected for c in CASES}
    assert {c.expected for c in CASES if c.expected} <= checks


UNCLAIMED = [c for c in CASES if c.expected and not c.encrypt and c.clause not in ("6.6.2.1", "6.6.4")]


@pytest.mark.parametrize("case", UNCLAIMED, ids=lambda c: c.id)
def test_a_pdf_that_claims_nothing_is_not_held_to_pdfa(tmp_path: Path, case: Case):
    import pikepdf

    path = case.build(tmp_path)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        del pdf.Root["/Metadata"]
        pdf.save(path)
    if case.after:
        path.write_bytes(case.after(path.read_bytes()))
    found, problems = errors(path, required_part="")
    assert found == set(), problems
    if case.expected in ("pdfa.javascript", "pdfa.action", "pdfa.embedded-file", "pdfa.external-content"):
        assert any(p.check == case.expected and p.severity == "warning" for p in problems), problems
