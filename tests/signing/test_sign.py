"""PAdES signing with a PKCS#12 file and a real PKCS#11 token (SoftHSM2), and what goes wrong."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pikepdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from dsd_cli.errors import ExitCode, SigningError
from dsd_cli.profiles import load_profile
from dsd_cli.signing.config import SignerConfig
from dsd_cli.signing.inspect import inspect_signatures
from dsd_cli.signing.keys import create_demo_pki
from dsd_cli.signing.sign import sign_pdf

SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")
SETTINGS = load_profile().signing


def plain_pdf(path: Path) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(path)
    return path


def test_pkcs12_signature_is_intact_covers_the_file_and_is_demo(tmp_path: Path):
    key = create_demo_pki(tmp_path / "keys", passphrase=b"correct horse")
    out = tmp_path / "signed.pdf"
    result = sign_pdf(plain_pdf(tmp_path / "in.pdf"), out, SignerConfig(pkcs12=key.pkcs12, demo=True), SETTINGS,
                      passphrase=b"correct horse")
    assert result.level == "B-B" and "DEMO" in result.signer
    (info,) = inspect_signatures(out, allow_demo=True)
    assert info.intact and info.valid and info.covers_current_file and info.coverage == "ENTIRE_FILE"
    assert info.demo and info.trusted and info.level == "B-B" and info.signing_time
    (strict,) = inspect_signatures(out)  # demo trust not allowed: untrusted
    assert not strict.trusted
    (trusted,) = inspect_signatures(out, [key.ca_certificate])
    assert trusted.trusted


def test_wrong_passphrase_is_a_signing_error_and_leaves_nothing(tmp_path: Path):
    key = create_demo_pki(tmp_path / "keys", passphrase=b"Tr0ub4dor-good")
    out = tmp_path / "out" / "signed.pdf"
    with pytest.raises(SigningError) as info:
        sign_pdf(plain_pdf(tmp_path / "in.pdf"), out, SignerConfig(pkcs12=key.pkcs12), SETTINGS,
                 passphrase=b"Tr0ub4dor-bad")
    assert "Tr0ub4dor" not in str(info.value)
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_timestamp_level_without_tsa_is_refused(tmp_path: Path):
    key = create_demo_pki(tmp_path / "keys", passphrase=b"x")
    with pytest.raises(SigningError, match="timestamp authority"):
        sign_pdf(plain_pdf(tmp_path / "in.pdf"), tmp_path / "o.pdf", SignerConfig(pkcs12=key.pkcs12), SETTINGS,
                 passphrase=b"x", level="B-T")
    assert not (tmp_path / "o.pdf").exists()


def test_cli_sign_takes_the_passphrase_from_env_or_file_never_argv(tmp_path: Path, dsd):
    key = create_demo_pki(tmp_path / "keys", passphrase=b"s3cret-pass")
    src = plain_pdf(tmp_path / "in.pdf")
    ok = dsd("sign", src, "-o", tmp_path / "a.pdf", "--key", key.pkcs12, "--json",
             env={"DSD_KEY_PASSPHRASE": "s3cret-pass"})
    assert ok.code == ExitCode.OK, ok.stderr
    secret_file = tmp_path / "pass.txt"
    secret_file.write_text("s3cret-pass\n")
    from_file = dsd("sign", src, "-o", tmp_path / "b.pdf", "--key", key.pkcs12, "--passphrase-file", secret_file)
    assert from_file.code == ExitCode.OK, from_file.stderr
    wrong = dsd("sign", src, "-o", tmp_path / "c.pdf", "--key", key.pkcs12, env={"DSD_KEY_PASSPHRASE": "nope"})
    assert wrong.code == ExitCode.SIGNING and "s3cret" not in wrong.stderr and "nope" not in wrong.stderr
    assert not (tmp_path / "c.pdf").exists()
    assert dsd("sign", src, "-o", tmp_path / "d.pdf", "--passphrase", "x").code == ExitCode.USAGE


@pytest.fixture
def softhsm_token(tmp_path: Path, monkeypatch) -> tuple[str, str, Path]:
    """A fresh SoftHSM2 token with an ECDSA key and its certificate, labelled 'signer'."""
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    pin = "123456"
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "dsd-test", "--pin", pin, "--so-pin",
                    "654321"], check=True, env=env, capture_output=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Sociaal Huis Voorbeeldstad (token)")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), True)
            .sign(key, hashes.SHA256()))
    key_pem = tmp_path / "key.pem"
    key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    cert_der = tmp_path / "cert.der"
    cert_der.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    cert_pem = tmp_path / "cert.pem"
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    subprocess.run(["softhsm2-util", "--import", str(key_pem), "--token", "dsd-test", "--label", "signer", "--id",
                    "01", "--pin", pin], check=True, env=env, capture_output=True)
    subprocess.run(["pkcs11-tool", "--module", str(SOFTHSM), "--token-label", "dsd-test", "--login", "--pin", pin,
                    "--write-object", str(cert_der), "--type", "cert", "--label", "signer", "--id", "01"],
                   check=True, env=env, capture_output=True)
    key_pem.unlink()
    return "dsd-test", pin, cert_pem


def test_pkcs11_token_signature(tmp_path: Path, softhsm_token):
    token, pin, cert = softhsm_token
    config = SignerConfig(pkcs11_module=SOFTHSM, pkcs11_token=token, pkcs11_key="signer")
    out = tmp_path / "signed.pdf"
    result = sign_pdf(plain_pdf(tmp_path / "in.pdf"), out, config, SETTINGS, passphrase=pin.encode())
    assert "token" in result.signer
    (info,) = inspect_signatures(out, [cert])
    assert info.intact and info.valid and info.trusted and info.covers_current_file and not info.demo
    with pytest.raises(SigningError):
        sign_pdf(plain_pdf(tmp_path / "in2.pdf"), tmp_path / "bad.pdf", config, SETTINGS, passphrase=b"000000")
    assert not (tmp_path / "bad.pdf").exists()
