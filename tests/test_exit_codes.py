"""Every exit code is documented, and produced by at least one test that asserts it."""

from __future__ import annotations

import re

from dsd_cli.errors import ExitCode
from tests.conftest import REPO


def test_every_exit_code_is_documented():
    doc = (REPO / "docs" / "exit-codes.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert re.search(rf"\|\s*{code.value}\s*\|\s*{code.name}\s*\|", doc), f"{code.name} is not documented"


def test_every_exit_code_is_asserted_by_a_test():
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "tests").rglob("test_*.py")
                        if p.name != "test_exit_codes.py")
    for code in ExitCode:
        assert f"ExitCode.{code.name}" in sources, f"no test asserts ExitCode.{code.name}"
