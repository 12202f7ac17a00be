"""pyproject.toml tells the truth: every runtime dependency is imported by dsd, and everything dsd imports from
outside the standard library is a declared runtime dependency (test-only tools stay in the `test` extra)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.conftest import REPO


def _declared(names: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~ ;]", name, maxsplit=1)[0].lower().replace("_", "-") for name in names}


def _imported_top_level() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "dsd_cli").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - {"dsd_cli"} - set(sys.stdlib_module_names)


def test_runtime_dependencies_are_what_the_code_imports():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = _declared(project["dependencies"])
    distributions = packages_distributions()
    used = {dist.lower().replace("_", "-") for module in _imported_top_level()
            for dist in distributions.get(module, [module])}
    assert used - runtime == set(), "imported but not declared as a runtime dependency"
    assert runtime - used == set(), "declared but never imported by dsd_cli"
    test_only = _declared(project["optional-dependencies"]["test"])
    assert {"bagit", "bagit-profile"} <= test_only and "tqdm" not in runtime | test_only
