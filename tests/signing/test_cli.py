"""`dsd keys demo`, `dsd sign` at long-term levels and `dsd timestamp` as a user runs them (child processes)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from dsd_cli.archive.package import package_dossier
from dsd_cli.errors import ExitCode
from dsd_cli.models import ArchivedDocument, PageRef
from dsd_cli.profiles import load_profile
from dsd_cli.signing.inspect import inspect_signatures
from tests.signing.conftest import plain_pdf
from tests.signing.pki import PASSPHRASE

SECRET = "Demo-Secret-4711"


def test_keys_demo_takes_the_passphrase_from_env_and_warns(tmp_path: Path, dsd):
    result = dsd("keys", "demo", "-o", tmp_path / "keys", env={"DSD_KEY_PASSPHRASE": SECRET})
    assert result.code == ExitCode.OK, result.stderr
    assert (tmp_path / "keys" / "demo-signer.p12").is_file() and (tmp_path / "keys" / "demo-ca.pem").is_file()
    assert "DEMO" in result.stderr and SECRET not in result.stderr + result.stdout
    refused = dsd("keys", "demo", "-o", tmp_path / "k2", "--passphrase", SECRET)
    assert refused.code == ExitCode.USAGE and not (tmp_path / "k2").exists()
    signed = dsd("sign", plain_pdf(tmp_path / "in.pdf"), "-o", tmp_path / "out.pdf", "--key",
                 tmp_path / "keys" / "demo-signer.p12", "--json", env={"DSD_KEY_PASSPHRASE": SECRET})
    assert signed.code == ExitCode.OK, signed.stderr
    assert "DEMO" in json.loads(signed.stdout)["signer"]
    assert b"DEMO" in (tmp_path / "out.pdf").read_bytes()  # the reason says so (PDF text string)


def test_keys_demo_refuses_an_empty_or_missing_passphrase(tmp_path: Path, dsd):
    empty = dsd("keys", "demo", "-o", tmp_path / "keys", env={"DSD_KEY_PASSPHRASE": ""})
    assert empty.code == ExitCode.CONFIG and "passphrase" in empty.stderr and "Traceback" not in empty.stderr
    assert not (tmp_path / "keys" / "demo-signer.p12").exists()
    env = {k: v for k, v in os.environ.items() if k != "DSD_KEY_PASSPHRASE"}
    proc = subprocess.run([sys.executable, "-m", "dsd_cli", "keys", "demo", "-o", str(tmp_path / "k2")],
                          capture_output=True, text=True, env={**env, "NO_COLOR": "1"}, stdin=subprocess.DEVNULL,
                          check=False)
    assert proc.returncode == ExitCode.CONFIG and "no terminal" in proc.stderr


def test_sign_b_lta_then_renew_and_list_due(pki, tmp_path: Path, dsd):
    src = plain_pdf(tmp_path / "in.pdf")
    env = {"DSD_KEY_PASSPHRASE": PASSPHRASE.decode()}
    signed = dsd("sign", src, "-o", tmp_path / "lta.pdf", "--key", pki.p12["signer"], "--level", "B-LTA",
                 "--tsa", pki.tsa_url, "--trust", pki.root_pem, "--json", env=env)
    assert signed.code == ExitCode.OK, signed.stderr
    assert json.loads(signed.stdout)["level"] == "B-LTA"
    assert PASSPHRASE.decode() not in signed.stderr + signed.stdout

    renewed = dsd("timestamp", "renew", tmp_path / "lta.pdf", "-o", tmp_path / "renewed.pdf", "--tsa", pki.tsa_url,
                  "--trust", pki.root_pem, "--json")
    assert renewed.code == ExitCode.OK, renewed.stderr
    assert json.loads(renewed.stdout)["previous_timestamp"]
    entries = inspect_signatures(tmp_path / "renewed.pdf", [pki.root_pem])
    assert sum(e.docts for e in entries) == 2 and all(e.covers_current_file and e.trusted for e in entries)

    archive = tmp_path / "archive"
    doc = ArchivedDocument(dossier="SD/2024/0007", doc_type="aanvraag", pdf=tmp_path / "renewed.pdf", page_count=1,
                           sources=(PageRef(Path("/scans/b1.tif"), 0),), batch="b1")
    package_dossier(archive, "SD/2024/0007", [doc], load_profile())
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    due = dsd("timestamp", "due", "--archive", archive, "--before", tomorrow, "--json")
    assert due.code == ExitCode.OK, due.stderr
    (item,) = json.loads(due.stdout)["documents"]
    assert item["dossier"] == "SD/2024/0007" and item["path"].startswith("data/") and item["last_timestamp"]
    not_yet = dsd("timestamp", "due", "--archive", archive, "--before", "2000-01-01", "--json")
    assert not_yet.code == ExitCode.OK and json.loads(not_yet.stdout)["documents"] == []
    bad = dsd("timestamp", "due", "--archive", archive, "--before", "soon")
    assert bad.code == ExitCode.USAGE


def test_sign_with_a_dead_tsa_exits_with_the_signing_code(pki, tmp_path: Path, dsd):
    from tests.signing.pki import free_port

    out = tmp_path / "o.pdf"
    result = dsd("sign", plain_pdf(tmp_path / "in.pdf"), "-o", out, "--key", pki.p12["signer"], "--level", "B-T",
                 "--tsa", f"http://127.0.0.1:{free_port()}/tsr", env={"DSD_KEY_PASSPHRASE": PASSPHRASE.decode()})
    assert result.code == ExitCode.SIGNING and "timestamp authority" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
