"""Demo signing keys: a clearly labelled demo CA and signer, for trying dsd out without a real certificate.

Every certificate says "DEMO — not for production" in its name; `dsd verify` reports demo signatures as a warning,
never as trust. `dsd run` without a configured key uses the archive's own demo key in ARCHIVE/.dsd/demo-key/, whose
random passphrase is stored beside it (mode 0600): it protects nothing and says so.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from dsd_cli.errors import ConfigError, SigningError
from dsd_cli.fsutil import atomic_write_bytes, atomic_writer, fsync_dir
from dsd_cli.signing.config import SignerConfig

DEMO_MARK = "DEMO — not for production"
DEMO_CA_NAME = f"dsd DEMO CA — {DEMO_MARK}"
DEMO_SIGNER_NAME = f"dsd demo signer — {DEMO_MARK}"


@dataclass(frozen=True)
class DemoKey:
    pkcs12: Path
    ca_certificate: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "dsd demo"),
                      x509.NameAttribute(NameOID.COUNTRY_NAME, "BE")])


def create_demo_pki(folder: Path, *, passphrase: bytes, years: int = 10) -> DemoKey:
    """Write folder/demo-signer.p12 (encrypted with `passphrase`) and folder/demo-ca.pem."""
    if not passphrase:
        raise ConfigError("the demo key needs a non-empty passphrase")
    p12_path, ca_path = folder / "demo-signer.p12", folder / "demo-ca.pem"
    if p12_path.exists() or ca_path.exists():  # never replace a key that may already sign documents
        raise ConfigError(f"{folder} already holds a demo key", hint="choose an empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    until = now + dt.timedelta(days=365 * years)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder().subject_name(_name(DEMO_CA_NAME)).issuer_name(_name(DEMO_CA_NAME))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(_name(DEMO_SIGNER_NAME)).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(b"dsd demo signer", key, cert, [ca_cert],
                                                serialization.BestAvailableEncryption(passphrase))
    with atomic_writer(p12_path, mode=0o600) as handle:  # private from the moment it has its name
        handle.write(p12)
    atomic_write_bytes(ca_path, ca_cert.public_bytes(serialization.Encoding.PEM))
    return DemoKey(pkcs12=p12_path, ca_certificate=ca_path)


def ensure_archive_demo_key(archive: Path) -> SignerConfig:
    """The archive's demo key (created on first use) as a signer configuration.

    The key is built complete in a private temp folder and renamed into place: when two processes race, one rename
    wins, the other finds the folder taken and uses the winner's key. A half-made key folder is never visible.
    """
    state = archive / ".dsd"
    folder = state / "demo-key"
    p12, secret_file = folder / "demo-signer.p12", folder / "passphrase"
    if not folder.exists():
        state.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".demo-key.", dir=state))  # mode 0700
        try:
            passphrase = secrets.token_urlsafe(24).encode()
            with atomic_writer(staging / "passphrase", mode=0o600) as handle:
                handle.write(passphrase)
            create_demo_pki(staging, passphrase=passphrase)
            try:
                os.rename(staging, folder)
                fsync_dir(state)
            except OSError as exc:
                if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    if not (p12.is_file() and secret_file.is_file()):
        raise SigningError(f"the archive's demo key folder {folder} is incomplete",
                           hint="remove it; dsd makes a new demo key on the next run")
    return SignerConfig(pkcs12=p12, passphrase_file=secret_file, demo=True)
