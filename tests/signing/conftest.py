"""Shared inputs for the signing tests: small PDFs and a demo key made once per session."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from reportlab.pdfgen import canvas

from dsd_cli.signing.keys import DemoKey, create_demo_pki

DEMO_PASSPHRASE = b"demo-pass-for-tests"


def plain_pdf(path: Path, text: str = "Aanvraag leefloon") -> Path:
    """A one-page PDF with a line of text (reportlab), re-saved by pikepdf as a plain (non-incremental) file."""
    tmp = path.with_suffix(".raw.pdf")
    c = canvas.Canvas(str(tmp), pagesize=(595, 842))
    c.drawString(72, 770, text)
    c.showPage()
    c.save()
    with pikepdf.open(tmp) as pdf:
        pdf.save(path)
    tmp.unlink()
    return path


@pytest.fixture(scope="session")
def demo_key(tmp_path_factory) -> DemoKey:
    return create_demo_pki(tmp_path_factory.mktemp("demo-key"), passphrase=DEMO_PASSPHRASE)


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    """One real PKI per test session (per xdist worker), served on a free loopback port."""
    from tests.signing.pki import build_pki

    running = build_pki(tmp_path_factory.mktemp("pki"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def hsm(pki, tmp_path_factory):
    """SoftHSM2 tokens for the session: 'dsd-test' (self-signed ECDSA key) and 'archief' (the test PKI's signer).

    SOFTHSM2_CONF is set for the whole session: the PKCS#11 module reads it once per process.
    """
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from tests.signing.softhsm import init_token

    folder = tmp_path_factory.mktemp("hsm")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Sociaal Huis Voorbeeldstad (token)")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), True)
            .sign(key, hashes.SHA256()))
    key_pem = folder / "key.pem"
    key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    (folder / "cert.der").write_bytes(cert.public_bytes(serialization.Encoding.DER))
    cert_pem = folder / "cert.pem"
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    init_token(folder, label="dsd-test", pin="123456", key_pem=key_pem, certs=[("signer", "01", folder / "cert.der")])
    key_pem.unlink()
    conf = init_token(folder, label="archief", pin="24681357", key_pem=pki.folder / "signer.key.pem",
                      certs=[("signer", "01", pki.folder / "signer.cert.der"),
                             ("interm", "02", pki.folder / "interm.cert.der")])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(conf))
        yield {"self-signed": ("dsd-test", "123456", cert_pem), "pki": ("archief", "24681357")}
