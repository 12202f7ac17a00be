"""Inspect the signatures of a PDF: integrity, what they cover, trust, level, signer and time.

"Intact" (the signed bytes hash right) is not "unaltered": a signature can be intact while bytes were appended
after it. dsd therefore also reports the coverage and pyHanko's difference analysis. A signature covers the current
file when it covers the entire file, or when every later revision only adds validation data and document
timestamps (modification level LTA_UPDATES) and nothing follows the last %%EOF. A signature that was present in an
earlier revision and is gone (field emptied or removed) is reported too. A file that makes the parser fail gives
an invalid entry, not a crash.

Trust is decided offline by default: signatures with embedded validation data (a DSS: B-LT, B-LTA) must prove
with that data that no certificate was revoked; others are checked against the trust roots only, unless
`online=True` lets pyHanko fetch revocation data.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator import ValidationContext

from dsd_cli.errors import ConfigError, InputError
from dsd_cli.signing.keys import DEMO_CA_NAME, DEMO_MARK

log = logging.getLogger(__name__)
TAIL = 64 * 1024


@dataclass(frozen=True)
class SignatureInfo:
    """What dsd found out about one signature or document timestamp of a PDF."""

    field_name: str
    signer: str = ""
    """Common name of the signer's certificate ('document timestamp' for a document timestamp)."""
    signing_time: str = ""
    """ISO time from the signature timestamp when there is one, else the signer's own claim; '' if unknown."""
    level: str = ""
    """'B-B', 'B-T', 'B-LT', 'B-LTA' for signatures, 'DocTimeStamp' for document timestamps."""
    intact: bool = False
    valid: bool = False
    coverage: str = ""
    modification_level: str = ""
    trusted: bool = False
    demo: bool = False
    """Made with a dsd DEMO key: never real trust, reported as a warning."""
    docts: bool = False
    covers_current_file: bool = False
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def inspect_signatures(path: Path, trust_roots: Sequence[Path] = (), *, allow_demo: bool = False,
                       online: bool = False) -> list[SignatureInfo]:
    """Inspect every signature and document timestamp of `path`, oldest first.

    Raises InputError only for a file that is not a PDF at all (ConfigError for an unreadable trust root);
    everything else about the file becomes an entry.
    """
    roots = _load_certs(trust_roots)
    try:
        handle = open(path, "rb")  # held open while pyHanko reads lazily; closed by the with below
    except OSError as exc:
        raise InputError(f"{path.name}: cannot be read ({exc.strerror})", reason="unreadable") from None
    with handle:
        head = handle.read(1024)
        if not head:
            raise InputError(f"{path.name}: empty file", reason="zero-byte")
        if b"%PDF-" not in head:
            raise InputError(f"{path.name}: not a PDF", reason="unsupported")
        trailing = _bytes_after_eof(handle)
        handle.seek(0)
        return _inspect_file(handle, roots, allow_demo, online, trailing)


def _inspect_file(handle: BinaryIO, roots: list, allow_demo: bool, online: bool, trailing: int
                  ) -> list[SignatureInfo]:
    try:
        reader = PdfFileReader(handle, strict=False)
        filled = [(name, value, ref) for name, value, ref in enumerate_sig_fields(reader, filled_status=True)]
    except Exception as exc:  # any parser failure means: nothing here can be trusted
        return [SignatureInfo(field_name="", problems=[f"the PDF cannot be parsed: {type(exc).__name__}"])]
    dss_context = _dss_kwargs(reader)
    results: list[SignatureInfo] = []
    kinds = [_sig_type(value) for _, value, _ in filled]
    for i, (name, _value, ref) in enumerate(filled):
        later_docts = any(k == "/DocTimeStamp" for k in kinds[i + 1:])
        try:
            sig = EmbeddedPdfSignature(reader, ref, name)
        except Exception as exc:  # no /ByteRange, broken CMS, ...
            results.append(SignatureInfo(field_name=str(name), problems=[
                f"the signature cannot be read: {type(exc).__name__}"]))
            continue
        results.append(_inspect_one(sig, roots, allow_demo, online, later_docts, dss_context, trailing))
    results += _removed_signatures(reader, {str(n) for n, _, _ in filled})
    return results


def _sig_type(value: Any) -> str:
    try:
        return str(value.get_object().get("/Type", "/Sig"))
    except Exception:  # a broken value is inspected (and reported) later
        return "/Sig"


def _load_certs(paths: Sequence[Path]) -> list[asn1_x509.Certificate]:
    from pyhanko.keys import load_certs_from_pemder

    try:
        return list(load_certs_from_pemder([str(p) for p in paths]))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read a trust root certificate ({type(exc).__name__}: {exc})",
                          hint="check signing.trust_roots / --trust: PEM or DER certificate files") from None


def _bytes_after_eof(handle: BinaryIO) -> int:
    """How many bytes other than line ends follow the last %%EOF marker (looked for in the file's last 64 KiB)."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(max(0, size - TAIL))
    tail = handle.read()
    end = tail.rfind(b"%%EOF")
    if end < 0:
        return len(tail)
    return len(tail[end + 5:].lstrip(b"\r\n"))


def _dss_kwargs(reader: PdfFileReader) -> dict[str, Any] | None:
    """The document security store as {"_dss": store}, {"broken": True} if unreadable, or None without one."""
    if "/DSS" not in reader.root:
        return None
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        dss.as_validation_context({"trust_roots": []})  # parses every certificate, OCSP response and CRL
    except Exception as exc:  # a broken DSS proves nothing
        log.debug("unreadable DSS: %s", type(exc).__name__)
        return {"broken": True}
    return {"_dss": dss}


def _demo_root(embedded_certs: list[asn1_x509.Certificate]) -> asn1_x509.Certificate | None:
    for cert in embedded_certs:
        if cert.subject.native.get("common_name") == DEMO_CA_NAME and cert.self_signed:
            return cert
    return None


def _timestamp_time(signed_data: Any) -> dt.datetime | None:
    try:
        return signed_data["encap_content_info"]["content"].parsed["gen_time"].native
    except Exception:  # not a timestamp token: no proven time
        return None


def _context(roots: list, online: bool, dss: dict[str, Any] | None, moment: dt.datetime | None
             ) -> ValidationContext:
    if dss is not None and "_dss" in dss:
        # Validation data embedded at signing time must prove the chain was not revoked at the proven time.
        store: DocumentSecurityStore = dss["_dss"]
        return store.as_validation_context({"trust_roots": roots, "moment": moment, "allow_fetching": online,
                                            "revocation_mode": "hard-fail", "retroactive_revinfo": True})
    return ValidationContext(trust_roots=roots, allow_fetching=online,
                             revocation_mode="hard-fail" if online else "soft-fail")


def _inspect_one(sig: EmbeddedPdfSignature, roots: list, allow_demo: bool, online: bool, later_docts: bool,
                 dss: dict[str, Any] | None, trailing: int) -> SignatureInfo:
    name = str(sig.field_name or "")
    problems: list[str] = []
    docts = sig.sig_object_type == "/DocTimeStamp"
    try:
        embedded = [*sig.other_embedded_certs, sig.signer_cert]
        signer_name = str(sig.signer_cert.subject.native.get("common_name", ""))
        demo = DEMO_MARK in signer_name or any(DEMO_CA_NAME == c.subject.native.get("common_name") for c in embedded)
        trust = list(roots)
        demo_root = _demo_root(embedded) if allow_demo and demo else None
        if demo_root is not None:
            trust.append(demo_root)
        tst = sig.signed_data if docts else next(extract_tst_data_iter(sig.signer_info, signed=False), None)
        moment = _timestamp_time(tst) if (tst is not None and dss is not None and "_dss" in dss) else None
        context = _context(trust, online, dss, moment)
        if docts:
            status: Any = validate_pdf_timestamp(sig, validation_context=context)
        else:
            status = validate_pdf_signature(sig, signer_validation_context=context,
                                            ts_validation_context=_context(trust, online, dss, None))
    except Exception as exc:  # malformed signature dictionaries, broken CMS, shortened ByteRange, ...
        return SignatureInfo(field_name=name, docts=docts, problems=[f"cannot be validated: {type(exc).__name__}"])
    coverage = status.coverage.name if status.coverage is not None else ""
    modification = getattr(status, "modification_level", None)
    modification_name = modification.name if modification is not None else ""
    covers = trailing == 0 and (coverage == "ENTIRE_FILE" or (
        coverage == "ENTIRE_REVISION" and modification_name == "LTA_UPDATES"))
    if not status.intact:
        problems.append("the signed bytes were changed")
    if not status.valid:
        problems.append("the signature value is not valid")
    if trailing:
        problems.append(f"{trailing} bytes follow the last %%EOF marker")
    if not covers:
        problems.append(f"the document was changed after signing (coverage {coverage}, modifications "
                        f"{modification_name or 'unknown'})")
    if dss is not None and "broken" in dss:
        problems.append("the embedded validation data (DSS) cannot be read")
    revoked = bool(getattr(status, "revoked", False))
    if revoked:
        problems.append("a certificate in the signer's chain is revoked")
    elif not status.trusted:
        indic = getattr(status, "trust_problem_indic", None)
        if indic is None or indic.name == "NO_CERTIFICATE_CHAIN_FOUND":
            problems.append("the signer's certificate does not chain to a trusted root")
        else:  # e.g. missing revocation data, expired at the validation time
            problems.append(f"the signer's certificate could not be validated ({indic.name})")
    ts_status = getattr(status, "timestamp_validity", None)
    if ts_status is not None and not (ts_status.intact and ts_status.valid):
        problems.append("the signature timestamp is not valid")
    signing_time = ""
    if docts and getattr(status, "timestamp", None) is not None:
        signing_time = status.timestamp.isoformat()
    elif ts_status is not None:
        signing_time = ts_status.timestamp.isoformat()
    elif getattr(status, "signer_reported_dt", None) is not None:
        signing_time = status.signer_reported_dt.isoformat()
    return SignatureInfo(field_name=name, signer="document timestamp" if docts else signer_name,
                         signing_time=signing_time, level=_level(dss, ts_status, docts, later_docts),
                         intact=bool(status.intact), valid=bool(status.valid), coverage=coverage,
                         modification_level=modification_name, trusted=bool(status.trusted) and not revoked,
                         demo=demo and not docts, docts=docts, covers_current_file=covers, problems=problems)


def _level(dss: dict[str, Any] | None, ts_status: Any, docts: bool, later_docts: bool) -> str:
    if docts:
        return "DocTimeStamp"
    if ts_status is None:
        return "B-B"
    if dss is None or "_dss" not in dss or not (dss["_dss"].ocsps or dss["_dss"].crls):
        return "B-T"
    return "B-LTA" if later_docts else "B-LT"


def _removed_signatures(reader: PdfFileReader, current: set[str]) -> list[SignatureInfo]:
    """Signature fields that held a signature in an earlier revision but no longer do."""
    gone: dict[str, int] = {}
    try:
        for rev in range(reader.xrefs.total_revisions - 1):
            resolver = reader.get_historical_resolver(rev)
            for name, _value, _ref in enumerate_sig_fields(resolver, filled_status=True):
                if str(name) not in current:
                    gone.setdefault(str(name), rev)
    except Exception as exc:  # a broken history is itself suspicious
        return [SignatureInfo(field_name="", problems=[f"the revision history cannot be read: {type(exc).__name__}"])]
    return [SignatureInfo(field_name=name, problems=[f"the signature in revision {rev + 1} was removed or emptied "
                                                     "by a later revision"]) for name, rev in gone.items()]
