"""PAdES signing with a PKCS#12 file and a real PKCS#11 token (SoftHSM2), and what goes wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf
import pytest

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


def test_pkcs11_token_signature(tmp_path: Path, hsm):
    token, pin, cert = hsm["self-signed"]
    config = SignerConfig(pkcs11_module=SOFTHSM, pkcs11_token=token, pkcs11_key="signer")
    out = tmp_path / "signed.pdf"
    result = sign_pdf(plain_pdf(tmp_path / "in.pdf"), out, config, SETTINGS, passphrase=pin.encode())
    assert "token" in result.signer
    (info,) = inspect_signatures(out, [cert])
    assert info.intact and info.valid and info.trusted and info.covers_current_file and not info.demo
    with pytest.raises(SigningError):
        sign_pdf(plain_pdf(tmp_path / "in2.pdf"), tmp_path / "bad.pdf", config, SETTINGS, passphrase=b"000000")
    assert not (tmp_path / "bad.pdf").exists()


def test_pkcs11_token_signs_b_lta_that_validates_offline(pki, hsm, tmp_path: Path):
    import dataclasses

    token, pin = hsm["pki"]
    settings = dataclasses.replace(SETTINGS, tsa_url=pki.tsa_url, trust_roots=(str(pki.root_pem),))
    config = SignerConfig(pkcs11_module=SOFTHSM, pkcs11_token=token, pkcs11_key="signer")
    out = tmp_path / "token-lta.pdf"
    result = sign_pdf(plain_pdf(tmp_path / "in.pdf"), out, config, settings, level="B-LTA", passphrase=pin.encode())
    assert result.signer == "Sociaal Huis Testdorp archief"
    with pki.offline():
        sig, docts = inspect_signatures(out, [pki.root_pem])
    assert sig.level == "B-LTA" and sig.trusted and sig.covers_current_file and docts.docts and docts.trusted


def test_cli_pkcs11_pin_from_env_never_argv(hsm, tmp_path: Path, dsd):
    token, pin = hsm["pki"]
    src = plain_pdf(tmp_path / "in.pdf")
    args = ("sign", src, "-o", tmp_path / "t.pdf", "--pkcs11-module", SOFTHSM, "--token", token, "--key-label",
            "signer", "--json")
    ok = dsd(*args, env={"DSD_PKCS11_PIN": pin})
    assert ok.code == ExitCode.OK, ok.stderr
    assert json.loads(ok.stdout)["signer"] == "Sociaal Huis Testdorp archief"
    wrong = dsd(*args[:3], tmp_path / "w.pdf", *args[4:], env={"DSD_PKCS11_PIN": "11112222"})
    assert wrong.code == ExitCode.SIGNING and "11112222" not in wrong.stderr + wrong.stdout
    assert pin not in wrong.stderr and not (tmp_path / "w.pdf").exists()
    assert dsd(*args, "--pin", pin).code == ExitCode.USAGE
