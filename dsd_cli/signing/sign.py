"""Sign a PDF with a PAdES signature (pyHanko): an incremental update, so the PDF/A it signs stays intact.

Levels: B-B (signature), B-T (+ RFC 3161 timestamp from the profile's TSA), B-LT (+ revocation data embedded),
B-LTA (+ document timestamp). The result is written to a temp file and renamed into place only after pyHanko
succeeded: nothing half-signed is ever left at the destination.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from pyhanko_certvalidator import ValidationContext

from dsd_cli.errors import InputError, SigningError
from dsd_cli.fsutil import fsync_dir
from dsd_cli.profiles import SIGNING_LEVELS, SigningSettings
from dsd_cli.signing.config import SignerConfig, load_signer_config, resolve_passphrase
from dsd_cli.signing.keys import DEMO_MARK

#: Room for the CMS signature (with chain, timestamp token and some revocation data), so pyHanko signs once.
BYTES_RESERVED = 24 * 1024


@dataclass(frozen=True)
class SignResult:
    output: Path
    level: str
    signer: str
    field_name: str


@contextlib.contextmanager
def _open_signer(config: SignerConfig, secret: bytes | None) -> Iterator[signers.Signer]:
    if config.pkcs12 is not None:
        try:
            signer = signers.SimpleSigner.load_pkcs12(str(config.pkcs12), passphrase=secret)
        except (ValueError, OSError) as exc:
            raise SigningError(f"cannot open the signing key {config.pkcs12.name}: wrong passphrase or not a "
                               "PKCS#12 file") from exc
        if signer is None:
            raise SigningError(f"cannot open the signing key {config.pkcs12.name}: wrong passphrase?")
        yield signer
        return
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11

    try:
        session = pkcs11.open_pkcs11_session(str(config.pkcs11_module),
                                             token_criteria=TokenCriteria(label=config.pkcs11_token),
                                             user_pin=secret.decode() if secret else None)
    except Exception as exc:  # python-pkcs11 raises many unrelated types; the message says which
        raise SigningError(f"cannot open PKCS#11 token {config.pkcs11_token!r}: {type(exc).__name__}") from None
    try:
        signer = pkcs11.PKCS11Signer(session, key_label=config.pkcs11_key, cert_label=config.pkcs11_key)
        if signer.signing_cert is not None and signer.signing_cert.public_key.algorithm == "ec":
            # Many tokens (SoftHSM2, several HSMs) only offer raw ECDSA: hash here, sign the digest there.
            signer = pkcs11.PKCS11Signer(session, key_label=config.pkcs11_key, cert_label=config.pkcs11_key,
                                         use_raw_mechanism=True)
        yield signer
    finally:
        session.close()


def _subject(signer: signers.Signer) -> str:
    cert = signer.signing_cert
    return cert.subject.native.get("common_name", "") if cert is not None else ""


def sign_pdf(src: Path, dst: Path, config: SignerConfig, settings: SigningSettings, *, level: str | None = None,
             passphrase: bytes | None = None, field_name: str | None = None) -> SignResult:
    level = level or settings.level
    if level not in SIGNING_LEVELS:
        raise SigningError(f"unknown signature level {level!r}")
    if level != "B-B" and not settings.tsa_url:
        raise SigningError(f"level {level} needs a timestamp authority (signing.tsa_url in the profile, or --tsa)")
    secret = passphrase if passphrase is not None else resolve_passphrase(config)
    reason = settings.reason + (f" — {DEMO_MARK}" if config.demo else "")
    timestamper = None
    if settings.tsa_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(settings.tsa_url, timeout=30)
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".signing", dir=dst.parent)
    tmp = Path(tmp_name)
    try:
        with _open_signer(config, secret) as signer, open(src, "rb") as source, os.fdopen(fd, "wb") as out:
            try:
                writer = IncrementalPdfFileWriter(source, strict=False)
            except (PdfReadError, ValueError) as exc:
                raise InputError(f"{src.name}: not a PDF that can be signed ({exc})", reason="corrupt") from None
            existing = {name for name, _, _ in fields.enumerate_sig_fields(writer)}
            name = field_name or next(f"dsd-signature-{n}" for n in range(1, 1000)
                                      if f"dsd-signature-{n}" not in existing)
            meta = PdfSignatureMetadata(
                field_name=name, reason=reason, location=settings.location or None, md_algorithm="sha256",
                subfilter=fields.SigSeedSubFilter.PADES,
                embed_validation_info=level in ("B-LT", "B-LTA"), use_pades_lta=level == "B-LTA",
                validation_context=ValidationContext(allow_fetching=True) if level in ("B-LT", "B-LTA") else None,
            )
            try:
                PdfSigner(meta, signer=signer, timestamper=timestamper).sign_pdf(
                    writer, output=out, bytes_reserved=BYTES_RESERVED)
            except SigningError:
                raise
            except Exception as exc:  # pyHanko wraps network, certificate and key errors in many types
                raise SigningError(f"signing {src.name} failed: {type(exc).__name__}: {exc}") from None
            out.flush()
            os.fsync(out.fileno())
            subject = _subject(signer)
        tmp.replace(dst)
        fsync_dir(dst.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return SignResult(output=dst, level=level, signer=subject, field_name=name)


__all__ = ["SignResult", "SignerConfig", "load_signer_config", "resolve_passphrase", "sign_pdf"]
