"""The demo PKI and the archive's own demo key: labelled, private, made once even when processes race."""

from __future__ import annotations

import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from dsd_cli.errors import SigningError
from dsd_cli.profiles import load_profile
from dsd_cli.signing.inspect import inspect_signatures
from dsd_cli.signing.keys import DEMO_MARK, create_demo_pki, ensure_archive_demo_key
from dsd_cli.signing.sign import sign_pdf
from tests.signing.conftest import plain_pdf


def test_demo_pki_is_labelled_ecdsa_and_private(tmp_path: Path):
    key = create_demo_pki(tmp_path / "k", passphrase=b"pw")
    assert stat.S_IMODE(key.pkcs12.stat().st_mode) == 0o600
    private, cert, chain = pkcs12.load_key_and_certificates(key.pkcs12.read_bytes(), b"pw")
    assert private.curve.name == "secp256r1"
    assert DEMO_MARK in cert.subject.rfc4514_string()
    ca = x509.load_pem_x509_certificate(key.ca_certificate.read_bytes())
    assert "dsd DEMO CA" in ca.subject.rfc4514_string() and DEMO_MARK in ca.subject.rfc4514_string()
    assert [c.subject for c in chain] == [ca.subject]
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(key.pkcs12.read_bytes(), b"wrong")


RACER = """
import sys, time
from pathlib import Path
from dsd_cli.signing.keys import ensure_archive_demo_key
start = Path(sys.argv[2])
Path(sys.argv[3]).touch()
while not start.exists():
    time.sleep(0.005)
print(ensure_archive_demo_key(Path(sys.argv[1])).pkcs12)
"""


def test_racing_processes_share_one_archive_demo_key(tmp_path: Path):
    # Separate interpreters, not forks of this (threaded) test process: a fork can inherit a held lock.
    archive, start = tmp_path / "archive", tmp_path / "start"
    ready = [tmp_path / f"ready-{n}" for n in range(6)]
    racers = [subprocess.Popen([sys.executable, "-c", RACER, str(archive), str(start), str(flag)],
                               stdout=subprocess.PIPE, text=True) for flag in ready]
    deadline = time.monotonic() + 120
    while not all(flag.exists() for flag in ready) and time.monotonic() < deadline:
        time.sleep(0.01)  # all imported, so that they reach the key at once
    start.touch()
    paths = [racer.communicate(timeout=120)[0].strip() for racer in racers]
    assert [racer.returncode for racer in racers] == [0] * 6
    assert len(set(paths)) == 1
    state = archive / ".dsd"
    assert sorted(p.name for p in state.iterdir()) == ["demo-key"]  # no staging folder left behind
    folder = state / "demo-key"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "passphrase").stat().st_mode) == 0o600
    config = ensure_archive_demo_key(archive)
    assert config.demo and config.passphrase_file == folder / "passphrase"
    pkcs12.load_key_and_certificates(config.pkcs12.read_bytes(), (folder / "passphrase").read_bytes())
    out = tmp_path / "signed.pdf"
    result = sign_pdf(plain_pdf(tmp_path / "in.pdf"), out, config, load_profile().signing)
    assert "DEMO" in result.signer
    (sig,) = inspect_signatures(out, allow_demo=True)
    assert sig.demo and sig.trusted and sig.covers_current_file


def test_incomplete_demo_key_folder_is_a_clear_error(tmp_path: Path):
    folder = tmp_path / "archive" / ".dsd" / "demo-key"
    folder.mkdir(parents=True)
    (folder / "passphrase").write_text("x")
    with pytest.raises(SigningError, match="incomplete"):
        ensure_archive_demo_key(tmp_path / "archive")


def test_an_existing_demo_key_is_never_replaced(tmp_path: Path):
    from dsd_cli.errors import ConfigError

    key = create_demo_pki(tmp_path / "k", passphrase=b"pw")
    before = key.pkcs12.read_bytes()
    with pytest.raises(ConfigError, match="already holds"):
        create_demo_pki(tmp_path / "k", passphrase=b"other")
    assert key.pkcs12.read_bytes() == before
