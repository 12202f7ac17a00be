"""`dsd package` checks what it is given: a separator sheet, an image-only PDF and (under a profile that requires
signatures) an unsigned PDF are refused with what to run instead, before anything is written; a proper document is
packaged with an audit entry; and the command's own --help example builds an archive that verifies."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from dsd_cli.cli.cmd_package import PACKAGE_HELP
from dsd_cli.errors import ExitCode
from dsd_cli.sheets.render import SheetSpec, write_sheets
from tests.archive.conftest import BAG_NAME, DOSSIER, PROFILE, make_pdfa
from tests.conftest import REPO
from tests.core.test_ocr import letter_pdf
from tests.pipeline.synthetic import scanner_pdf


def test_what_is_not_a_finished_document_is_refused(dsd, tmp_path: Path):
    sheets = tmp_path / "sheets.pdf"
    write_sheets([SheetSpec(DOSSIER, "aanvraag")], sheets, PROFILE)
    scanned = tmp_path / "scanned-batch.pdf"
    scanner_pdf(scanned, [(DOSSIER, "aanvraag", ["Aanvraag leefloon"])])
    raw = letter_pdf(tmp_path / "raw-split-output.pdf", ["Geachte mevrouw"])
    unsigned = make_pdfa(tmp_path / "unsigned.pdf", "brief")
    archive = tmp_path / "archive"
    for pdf, finding, hint in [(sheets, "page 1 is a dsd separator sheet", "dsd run"),
                               (scanned, "page 1 is a dsd separator sheet", "dsd run"),
                               (raw, "an image-only PDF", "dsd ocr"),
                               (unsigned, "not signed, and profile 'vlaanderen-ocmw' requires signatures", "dsd sign")]:
        result = dsd("package", pdf, "--archive", archive, "--dossier", DOSSIER, "--type", "aanvraag")
        assert result.code == ExitCode.BAD_INPUT, (pdf.name, result.stderr)
        assert finding in result.stderr and hint in result.stderr, result.stderr
    assert not archive.exists(), "nothing is written for a refused document"


def test_a_signed_pdfa_is_packaged_with_an_audit_entry(dsd, tmp_path: Path):
    from dsd_cli.signing.config import SignerConfig
    from dsd_cli.signing.keys import create_demo_pki
    from dsd_cli.signing.sign import sign_pdf

    key = create_demo_pki(tmp_path / "key", passphrase=b"package-test")
    signed = tmp_path / "brief.signed.pdf"
    sign_pdf(make_pdfa(tmp_path / "brief.pdf", "brief"), signed, SignerConfig(pkcs12=key.pkcs12, demo=True),
             PROFILE.signing, passphrase=b"package-test", prompter=None)
    archive = tmp_path / "archive"
    result = dsd("package", signed, "--archive", archive, "--dossier", DOSSIER, "--type", "briefwisseling", "--json")
    assert result.code == ExitCode.OK, result.stderr
    log = [json.loads(line) for line in (archive / "audit" / "audit-log.jsonl").read_text().splitlines()]
    (packaged,) = [e for e in log if e["action"] == "dossier-packaged"]
    assert packaged["dossier"] == DOSSIER and packaged["detail"] == {"version": 1, "documents": 1}
    inventory = json.loads((archive / "audit" / "inventory.json").read_text())
    assert inventory["dossiers"][DOSSIER]["bag"] == BAG_NAME and inventory["dossiers"][DOSSIER]["version"] == 1
    again = dsd("package", signed, "--archive", archive, "--dossier", DOSSIER, "--type", "briefwisseling", "--json")
    assert again.code == ExitCode.OK and json.loads(again.stdout)["dossiers"][0]["unchanged"] is True


def _help_examples() -> list[str]:
    """The example commands of `dsd package --help` that work on files (the --from one needs a split folder)."""
    lines = [line.strip() for line in PACKAGE_HELP.splitlines() if line.startswith("  dsd ")]
    return [line for line in lines if "--from" not in line]


def test_the_help_example_builds_an_archive_that_verifies(tmp_path: Path):
    help_text = subprocess.run([sys.executable, "-m", "dsd_cli", "package", "--help"], capture_output=True,
                               text=True, env={**os.environ, "COLUMNS": "200"}, check=True).stdout
    assert "dsd ocr brief-scan.pdf" in help_text and "dsd verify ./archive" in help_text
    letter_pdf(tmp_path / "brief-scan.pdf", ["Geachte mevrouw, uw aanvraag is goedgekeurd.",
                                             "Met vriendelijke groeten"])
    (tmp_path / "pass.txt").write_text("help-example-passphrase\n")
    # The examples use relative paths: run them in their own folder, with this checkout's dsd.
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "COLUMNS": "200"}
    examples = _help_examples()
    assert [shlex.split(e)[1] for e in examples] == ["keys", "ocr", "sign", "package", "verify"]
    for example in examples:
        done = subprocess.run([sys.executable, "-m", "dsd_cli", *shlex.split(example)[1:]], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == ExitCode.OK, (example, done.stdout, done.stderr)
