"""Sign a PDF with a PAdES signature (pyHanko): an incremental update, so the PDF/A it signs stays intact.

Levels: B-B (signature), B-T (+ RFC 3161 timestamp from the profile's TSA), B-LT (+ revocation data embedded),
B-LTA (+ document timestamp). The result is written to a temp file and renamed into place only after pyHanko
succeeded: nothing half-signed is ever left at the destination. There is no module state: `sign_pdf` opens the key
(PKCS#12 file or token session) for one file; a `SigningSession` opens it once for a whole batch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from pyhanko_certvalidator import ValidationContext

from dsd_cli.errors import ConfigError, InputError, SigningError
from dsd_cli.fsutil import fsync_dir
from dsd_cli.profiles import SIGNING_LEVELS, SigningSettings
from dsd_cli.secrets import Prompter, terminal_prompt
from dsd_cli.signing.config import SignerConfig, load_signer_config, resolve_passphrase
from dsd_cli.signing.errors import explain_signing_failure
from dsd_cli.signing.keys import DEMO_CA_NAME, DEMO_MARK

#: Signature room beyond the certificates it embeds: the CMS structure, attributes and ECDSA/RSA signature value.
BASE_RESERVE = 4096
#: Room for an RFC 3161 timestamp token (its own certificate chain included).
TIMESTAMP_RESERVE = 12 * 1024
TSA_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SignResult:
    output: Path
    level: str
    signer: str
    field_name: str
    demo: bool = False
    """Signed with a dsd DEMO key (not for production)."""


@contextlib.contextmanager
def open_signer(config: SignerConfig, secret: bytes | None) -> Iterator[signers.Signer]:
    """Open the configured key: a PKCS#12 file or a PKCS#11 token session (closed on exit)."""
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
    except Exception as exc:  # python-pkcs11 raises many unrelated types; the type name says which
        raise SigningError(f"cannot open PKCS#11 token {config.pkcs11_token!r}: {type(exc).__name__}",
                           hint="check the module path, the token label and the PIN") from None
    try:
        try:
            # other_certs_to_pull=None: embed every certificate on the token (the CA chain, as on eID cards).
            signer = pkcs11.PKCS11Signer(session, key_label=config.pkcs11_key, cert_label=config.pkcs11_key,
                                         other_certs_to_pull=None)
            cert = signer.signing_cert
        except Exception as exc:  # no such key or certificate on the token
            raise SigningError(f"no usable key/certificate {config.pkcs11_key!r} on token "
                               f"{config.pkcs11_token!r}: {type(exc).__name__}") from None
        if cert is not None and cert.public_key.algorithm == "ec":
            # Many tokens (SoftHSM2, several HSMs) only offer raw ECDSA: hash here, sign the digest there.
            signer = pkcs11.PKCS11Signer(session, key_label=config.pkcs11_key, cert_label=config.pkcs11_key,
                                         other_certs_to_pull=None, use_raw_mechanism=True)
        yield signer
    finally:
        session.close()


def _subject(signer: signers.Signer) -> str:
    cert = signer.signing_cert
    return str(cert.subject.native.get("common_name", "")) if cert is not None else ""


def _check_validity(signer: signers.Signer) -> None:
    cert = signer.signing_cert
    if cert is None:
        raise SigningError("the signing key has no certificate")
    now = dt.datetime.now(dt.UTC)
    validity = cert["tbs_certificate"]["validity"]
    if validity["not_after"].native < now:
        raise SigningError(f"the signer's certificate expired on {validity['not_after'].native:%Y-%m-%d}",
                           hint="renew the certificate; dsd does not sign with an expired one")
    if validity["not_before"].native > now:
        raise SigningError("the signer's certificate is not valid yet")


def _reserve(signer: signers.Signer, timestamped: bool) -> int:
    """Bytes to reserve for /Contents, so pyHanko signs once instead of signing twice to measure."""
    certs = [signer.signing_cert, *(signer.cert_registry or ())]
    size = BASE_RESERVE + sum(len(c.dump()) for c in certs if c is not None)
    if timestamped:
        size += TIMESTAMP_RESERVE
    return (size + 1023) // 1024 * 1024


def _trust_roots(paths: Sequence[str | Path], signer: signers.Signer, demo: bool) -> list:
    from pyhanko.keys import load_certs_from_pemder

    try:
        roots = list(load_certs_from_pemder([str(p) for p in paths]))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the trust roots (signing.trust_roots): {exc}") from None
    if demo:
        roots += [c for c in (signer.cert_registry or ()) if c.subject.native.get("common_name") == DEMO_CA_NAME]
    return roots


def _pdf_writer(src: Path, handle) -> IncrementalPdfFileWriter:
    head = handle.read(1024)
    if b"%PDF-" not in head:
        raise InputError(f"{src.name}: not a PDF", reason="unsupported")
    handle.seek(0)
    try:
        writer = IncrementalPdfFileWriter(handle, strict=False)
    except Exception as exc:  # pyHanko's parser raises PdfReadError, ValueError, KeyError, ...
        raise InputError(f"{src.name}: not a PDF that can be signed ({type(exc).__name__})", reason="corrupt") \
            from None
    if writer.prev.encrypted:
        raise InputError(f"{src.name}: encrypted PDFs are not signed", reason="encrypted")
    _producer_as_in_xmp(writer)
    return writer


def _producer_as_in_xmp(writer: IncrementalPdfFileWriter) -> None:
    """Keep Info and XMP in agreement, as PDF/A requires: pyHanko writes its own name as XMP pdf:Producer but
    appends it to an existing Info /Producer ("pikepdf …; pyHanko …"). An Info dictionary whose /Producer is
    already pyHanko's name is left so by pyHanko, so the new revision gets one."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.metadata.model import VENDOR

    try:
        old = writer.prev.trailer_view["/Info"]
    except KeyError:
        return  # no Info dictionary: pyHanko writes XMP only
    if not isinstance(old, generic.DictionaryObject) or str(old.get("/Producer", "")) == VENDOR:
        return
    info = generic.DictionaryObject({key: old.raw_get(key) for key in old})
    info[generic.NameObject("/Producer")] = generic.TextStringObject(VENDOR)
    writer.set_info(info)


def sign_pdf(src: Path, dst: Path, config: SignerConfig, settings: SigningSettings, *, level: str | None = None,
             passphrase: bytes | None = None, prompter: Prompter | None = terminal_prompt,
             field_name: str | None = None, trust_roots: Sequence[str | Path] | None = None) -> SignResult:
    """Sign `src` into `dst` at `level` (default: the profile's). Raises SigningError, InputError, ConfigError.

    `passphrase` is the key's passphrase or the token's PIN; without it, it is read as the config says (file,
    environment, then `prompter`). `trust_roots` (default: the profile's) anchor the chains whose revocation data
    B-LT and B-LTA embed. Opens the key for this one file; `SigningSession` keeps it open for many.
    """
    level = _check_level(level or settings.level, settings)
    if not src.is_file():
        raise InputError(f"{src.name}: no such file", reason="missing")
    dst.parent.mkdir(parents=True, exist_ok=True)
    with SigningSession(config, settings, level=level, passphrase=passphrase, prompter=prompter,
                        trust_roots=trust_roots) as session:
        return session.sign(src, dst, field_name=field_name)


def _check_level(level: str, settings: SigningSettings) -> str:
    if level not in SIGNING_LEVELS:
        raise SigningError(f"unknown signature level {level!r}", hint=f"use one of {', '.join(SIGNING_LEVELS)}")
    if level != "B-B" and not settings.tsa_url:
        raise SigningError(f"level {level} needs a timestamp authority (signing.tsa_url in the profile, or --tsa)")
    return level


class SigningSession:
    """One open key for many documents: a PKCS#12 file loaded once, or one PKCS#11 token session (one PIN
    login) for a whole batch. The key stays in this process; `dsd run` signs on the coordinator only."""

    def __init__(self, config: SignerConfig, settings: SigningSettings, *, level: str | None = None,
                 passphrase: bytes | None = None, prompter: Prompter | None = terminal_prompt,
                 trust_roots: Sequence[str | Path] | None = None) -> None:
        self.config, self.settings = config, settings
        self.level = _check_level(level or settings.level, settings)
        self._passphrase, self._prompter = passphrase, prompter
        self._trust_roots = settings.trust_roots if trust_roots is None else trust_roots
        self._stack = contextlib.ExitStack()
        self._signer: signers.Signer | None = None

    def __enter__(self) -> SigningSession:
        secret = self._passphrase if self._passphrase is not None else resolve_passphrase(self.config, self._prompter)
        try:
            signer = self._stack.enter_context(open_signer(self.config, secret))
            _check_validity(signer)
        except BaseException:
            self._stack.close()
            raise
        self._signer = signer
        self.subject = _subject(signer)
        self.demo = self.config.demo or DEMO_MARK in self.subject  # a `dsd keys demo` key given with --key
        self._timestamper = None
        if self.level != "B-B":
            from pyhanko.sign.timestamps import HTTPTimeStamper

            self._timestamper = HTTPTimeStamper(self.settings.tsa_url, timeout=TSA_TIMEOUT_SECONDS)
        self._context = None
        if self.level in ("B-LT", "B-LTA"):
            roots = _trust_roots(self._trust_roots, signer, self.demo)
            self._context = ValidationContext(trust_roots=roots, allow_fetching=True, revocation_mode="hard-fail")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._signer = None
        self._stack.close()

    def sign(self, src: Path, dst: Path, *, field_name: str | None = None) -> SignResult:
        """Sign `src` into `dst` (atomically: nothing half-signed is ever left at `dst`)."""
        signer = self._signer
        if signer is None:
            raise SigningError("the signing session is not open")
        if not src.is_file():
            raise InputError(f"{src.name}: no such file", reason="missing")
        settings, level = self.settings, self.level
        reason = settings.reason + (f" — {DEMO_MARK}" if self.demo else "")
        dst.parent.mkdir(parents=True, exist_ok=True)
        with open(src, "rb") as source, _open_temp(dst) as (tmp, out):
            writer = _pdf_writer(src, source)
            existing = {name for name, _, _ in fields.enumerate_sig_fields(writer)}
            name = field_name or next(f"dsd-signature-{n}" for n in range(1, 10_000)
                                      if f"dsd-signature-{n}" not in existing)
            meta = PdfSignatureMetadata(
                field_name=name, reason=reason, location=settings.location or None, md_algorithm="sha256",
                subfilter=fields.SigSeedSubFilter.PADES, embed_validation_info=self._context is not None,
                use_pades_lta=level == "B-LTA", validation_context=self._context,
            )

            def attempt(reserve: int | None) -> None:
                source.seek(0)
                out.seek(0)
                out.truncate()
                PdfSigner(meta, signer=signer, timestamper=self._timestamper).sign_pdf(
                    _pdf_writer(src, source), output=out, bytes_reserved=reserve)

            try:
                try:
                    attempt(_reserve(signer, self._timestamper is not None))
                except Exception as exc:
                    if "larger than expected" not in str(exc):
                        raise
                    attempt(None)  # an unusually large chain or timestamp token: let pyHanko measure (signs twice)
            except Exception as exc:  # pyHanko wraps network, certificate and key errors in many types
                raise explain_signing_failure(exc, src.name, settings.tsa_url) from None
            out.flush()
            os.fsync(out.fileno())
            tmp.replace(dst)
        fsync_dir(dst.parent)
        return SignResult(output=dst, level=level, signer=self.subject, field_name=name, demo=self.demo)


@contextlib.contextmanager
def _open_temp(dst: Path) -> Iterator[tuple[Path, BinaryIO]]:
    """A temp file beside `dst`, removed unless the caller renamed it into place."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".signing", dir=dst.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            yield tmp, out
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


__all__ = ["SignResult", "SignerConfig", "SigningSession", "load_signer_config", "open_signer", "resolve_passphrase",
           "sign_pdf"]
