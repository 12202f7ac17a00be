"""Inspect the signatures of a PDF: integrity, what they cover, trust, level, signer and time.

"Intact" (the signed bytes hash right) is not "unaltered": a signature can be intact while bytes were appended
after it. dsd therefore also reports the coverage and pyHanko's difference analysis. A signature covers the current
file when it covers the entire file, or when every later revision only adds validation data and document
timestamps (modification level LTA_UPDATES) and nothing follows the last %%EOF. A signature that was present in an
earlier revision and is gone (field emptied or removed) is reported too. A file that makes the parser fail gives
an invalid entry, not a crash.

Trust is decided offline by default, on a basis each entry states with its validation time (dsd_cli.signing.basis):
signatures with embedded validation data (a DSS: B-LT, B-LTA) must prove with that data that no certificate was
revoked, at the time of the document timestamp that covers the data (B-LTA) or of their own timestamp (B-LT); others
are checked against the trust roots at the validation time, without revocation data unless `online=True` lets
pyHanko fetch it. Where that verdict differs from strict AdES validation, the entry says why (`ades_difference`).
"""

from __future__ import annotations

import dataclasses
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

from dsd_cli.errors import ConfigError, InputError, parser_message
from dsd_cli.signing import basis as bases
from dsd_cli.signing.keys import DEMO_CA_NAME, DEMO_MARK

log = logging.getLogger(__name__)
TAIL = 64 * 1024
FRESHNESS_WITHOUT_NEXT_UPDATE = dt.timedelta(minutes=30)
"""How long pyHanko takes revocation data without a nextUpdate to be fresh."""


class DamagedPdf(InputError):
    """pyHanko cannot parse the file (qpdf may still repair it): nothing about its signatures can be said."""

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(f"{name}: pyHanko cannot parse the PDF: {detail}", reason="damaged")
        self.detail = detail


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
    validation_time: str = ""
    """ISO time at which the chain was validated."""
    validation_basis: str = ""
    """current-time, timestamp, document-timestamp or demo-trust (dsd_cli.signing.basis)."""
    revocation: str = ""
    """Where the revocation status came from: embedded (the DSS), fetched (online), not-checked."""
    ades_difference: str = ""
    """Why strict AdES validation (ETSI EN 319 102-1) would not pass a signature dsd trusts; '' when it would."""
    ades_reason: dict[str, str] = field(default_factory=dict)
    """The same as facts (reason, at, detail, since: dsd_cli.signing.basis.AdesDifference); {} when it would."""

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def inspect_signatures(path: Path, trust_roots: Sequence[Path] = (), *, allow_demo: bool = False,
                       online: bool = False, at: dt.datetime | None = None) -> list[SignatureInfo]:
    """Inspect every signature and document timestamp of `path`, oldest first, validated as of `at` (default: now;
    with `online`, always now).

    Raises InputError for a file that is not a PDF at all, DamagedPdf (an InputError) for one whose structure
    pyHanko cannot parse, ConfigError for an unreadable trust root; everything else about the file becomes an entry.
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
        now = dt.datetime.now(dt.UTC) if online or at is None else at
        return _inspect_file(handle, path.name, roots, allow_demo, online, trailing, now)


@dataclass
class _File:
    """What every signature of one file is validated against."""

    roots: list
    allow_demo: bool
    online: bool
    trailing: int
    now: dt.datetime
    dss: dict[str, Any] | None
    dss_revision: int | None
    """The first revision whose catalog has a DSS."""
    doc_timestamps: list[tuple[int, dt.datetime]] = field(default_factory=list)
    """(signed revision, time) of every readable document timestamp, oldest first."""


def _inspect_file(handle: BinaryIO, name: str, roots: list, allow_demo: bool, online: bool, trailing: int,
                  now: dt.datetime) -> list[SignatureInfo]:
    try:
        reader = PdfFileReader(handle, strict=False)
        filled = [(name, value, ref) for name, value, ref in enumerate_sig_fields(reader, filled_status=True)]
    except Exception as exc:  # any parser failure means: nothing here can be said about signatures
        raise DamagedPdf(name, parser_message(exc)) from None
    dss_context = _dss_kwargs(reader)
    found = _File(roots, allow_demo, online, trailing, now, dss_context,
                  _first_dss_revision(reader) if dss_context else None)
    results: list[SignatureInfo] = []
    signatures: list[tuple[str, EmbeddedPdfSignature | None, str]] = []
    for field_name, _value, ref in filled:
        try:
            signatures.append((str(field_name), EmbeddedPdfSignature(reader, ref, field_name), ""))
        except Exception as exc:  # no /ByteRange, broken CMS, ...
            signatures.append((str(field_name), None, parser_message(exc)))
    for _name, sig, _why in signatures:
        moment = _timestamp_time(sig.signed_data) if sig is not None and sig.sig_object_type == "/DocTimeStamp" \
            else None
        if moment is not None:
            found.doc_timestamps.append((sig.signed_revision, moment))
    for field_name, sig, why in signatures:
        if sig is None:
            results.append(SignatureInfo(field_name=field_name, problems=[f"the signature cannot be read: {why}"]))
        else:
            results.append(_inspect_one(sig, found))
    _compare_with_ades(results, found, [sig for _, sig, _ in signatures
                                        if sig is not None and sig.sig_object_type == "/DocTimeStamp"])
    results += _removed_signatures(reader, {str(n) for n, _, _ in filled})
    return results


def _first_dss_revision(reader: PdfFileReader) -> int | None:
    try:
        for revision in range(reader.xrefs.total_revisions):
            if "/DSS" in reader.get_historical_root(revision):
                return revision
    except Exception:  # an unreadable history: the DSS is taken as added last
        log.debug("revision history unreadable while looking for the DSS")
    return None


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
    """The document security store as {"_dss": store}, {"broken": why} if unreadable, or None without one."""
    if "/DSS" not in reader.root:
        return None
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        dss.as_validation_context({"trust_roots": []})  # parses every certificate, OCSP response and CRL
    except Exception as exc:  # a broken DSS proves nothing
        return {"broken": parser_message(exc)}
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


def _embedded_context(dss: dict[str, Any], roots: list, moment: dt.datetime, *, retroactive: bool
                      ) -> ValidationContext:
    """The DSS's certificates and revocation data, which must prove (hard-fail) that no certificate was revoked."""
    store: DocumentSecurityStore = dss["_dss"]
    return store.as_validation_context({"trust_roots": roots, "moment": moment, "allow_fetching": False,
                                        "revocation_mode": "hard-fail", "retroactive_revinfo": retroactive})


def _context(found: _File, roots: list, chosen: bases.Basis) -> ValidationContext:
    if chosen.embedded_revocation and found.dss is not None and "_dss" in found.dss:
        return _embedded_context(found.dss, roots, chosen.moment, retroactive=chosen.basis != bases.CURRENT)
    if found.online:  # pyHanko fetches OCSP responses and CRLs, and validates now
        return ValidationContext(trust_roots=roots, allow_fetching=True, revocation_mode="hard-fail")
    return ValidationContext(trust_roots=roots, moment=chosen.moment, revocation_mode="soft-fail")


def _has_revocation_data(dss: dict[str, Any] | None) -> bool:
    return dss is not None and "_dss" in dss and bool(dss["_dss"].ocsps or dss["_dss"].crls)


def _covering_docts(found: _File, signed_revision: int) -> dt.datetime | None:
    """The first document timestamp after `signed_revision` that covers the DSS (the data existed by then)."""
    if found.dss_revision is None:
        return None
    return next((moment for revision, moment in found.doc_timestamps
                 if revision > signed_revision and revision >= found.dss_revision), None)


def _inspect_one(sig: EmbeddedPdfSignature, found: _File) -> SignatureInfo:
    name = str(sig.field_name or "")
    problems: list[str] = []
    docts = sig.sig_object_type == "/DocTimeStamp"
    dss = found.dss
    try:
        embedded = [*sig.other_embedded_certs, sig.signer_cert]
        signer_name = str(sig.signer_cert.subject.native.get("common_name", ""))
        demo = DEMO_MARK in signer_name or any(DEMO_CA_NAME == c.subject.native.get("common_name") for c in embedded)
        trust = list(found.roots)
        demo_root = _demo_root(embedded) if found.allow_demo and demo else None
        if demo_root is not None:
            trust.append(demo_root)
        tst = sig.signed_data if docts else next(extract_tst_data_iter(sig.signer_info, signed=False), None)
        # A DSS must prove the chain unrevoked, also when it holds no revocation data (then it proves nothing).
        revocation_data = dss is not None and "_dss" in dss and not found.online
        chosen = bases.choose(demo=demo_root is not None, revocation_data=revocation_data,
                              signature_time=_timestamp_time(tst) if tst is not None else None,
                              covering_docts=_covering_docts(found, sig.signed_revision), now=found.now)
        if docts and chosen.basis == bases.DOCUMENT_TIMESTAMP:
            # A document timestamp is validated at its own time, with the data the next one covers.
            chosen = bases.Basis(bases.DOCUMENT_TIMESTAMP, _timestamp_time(tst) or found.now, True)
        context = _context(found, trust, chosen)
        if docts:
            status: Any = validate_pdf_timestamp(sig, validation_context=context)
        else:
            ts_basis = bases.Basis(bases.TIMESTAMP if revocation_data else bases.CURRENT, found.now, revocation_data)
            status = validate_pdf_signature(sig, signer_validation_context=context,
                                            ts_validation_context=_context(found, trust, ts_basis))
    except Exception as exc:  # malformed signature dictionaries, broken CMS, shortened ByteRange, ...
        return SignatureInfo(field_name=name, docts=docts, problems=[f"cannot be validated: {parser_message(exc)}"])
    coverage = status.coverage.name if status.coverage is not None else ""
    modification = getattr(status, "modification_level", None)
    modification_name = modification.name if modification is not None else ""
    covers = found.trailing == 0 and (coverage == "ENTIRE_FILE" or (
        coverage == "ENTIRE_REVISION" and modification_name == "LTA_UPDATES"))
    if not status.intact:
        problems.append("the signed bytes were changed")
    if not status.valid:
        problems.append("the signature value is not valid")
    if found.trailing:
        problems.append(f"{found.trailing} bytes follow the last %%EOF marker")
    if not covers:
        problems.append(f"the document was changed after signing (coverage {coverage}, modifications "
                        f"{modification_name or 'unknown'})")
    if dss is not None and "broken" in dss:
        problems.append(f"the embedded validation data (DSS) cannot be read: {dss['broken']}")
    revoked = bool(getattr(status, "revoked", False))
    if revoked:
        problems.append("a certificate in the signer's chain is revoked")
    elif not status.trusted:
        indic = getattr(status, "trust_problem_indic", None)
        if indic is None or indic.name == "NO_CERTIFICATE_CHAIN_FOUND":
            problems.append("the signer's certificate does not chain to a trusted root")
        else:  # e.g. missing revocation data, expired at the validation time
            problems.append(f"the signer's certificate could not be validated at "
                            f"{chosen.moment.isoformat(timespec='seconds')} ({indic.name})")
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
    later_docts = any(revision > sig.signed_revision for revision, _ in found.doc_timestamps)
    revocation = "embedded" if chosen.embedded_revocation else "fetched" if found.online else "not-checked"
    return SignatureInfo(field_name=name, signer="document timestamp" if docts else signer_name,
                         signing_time=signing_time, level=_level(dss, ts_status, docts, later_docts),
                         intact=bool(status.intact), valid=bool(status.valid), coverage=coverage,
                         modification_level=modification_name, trusted=bool(status.trusted) and not revoked,
                         demo=demo and not docts, docts=docts, covers_current_file=covers, problems=problems,
                         validation_time=chosen.moment.isoformat(), validation_basis=chosen.basis,
                         revocation=revocation)


def _level(dss: dict[str, Any] | None, ts_status: Any, docts: bool, later_docts: bool) -> str:
    if docts:
        return "DocTimeStamp"
    if ts_status is None:
        return "B-B"
    if not _has_revocation_data(dss):
        return "B-T"
    return "B-LTA" if later_docts else "B-LT"


def _stale_revocation_data(dss: dict[str, Any] | None, now: dt.datetime) -> str:
    """The embedded OCSP responses and CRLs that are no longer fresh at `now` (pyHanko's default freshness)."""
    if dss is None or "_dss" not in dss:
        return ""
    from asn1crypto import crl as asn1_crl
    from asn1crypto import ocsp as asn1_ocsp

    store: DocumentSecurityStore = dss["_dss"]
    stale = []
    try:
        for ref in store.ocsps:
            response = asn1_ocsp.OCSPResponse.load(ref.get_object().data)
            for single in response["response_bytes"]["response"].parsed["tbs_response_data"]["responses"]:
                this, after = single["this_update"].native, single["next_update"].native
                if now > (after or this + FRESHNESS_WITHOUT_NEXT_UPDATE):
                    stale.append(f"an OCSP response of {this.isoformat(timespec='seconds')}, fresh until "
                                 f"{(after or this + FRESHNESS_WITHOUT_NEXT_UPDATE).isoformat(timespec='seconds')}")
        for ref in store.crls:
            tbs = asn1_crl.CertificateList.load(ref.get_object().data)["tbs_cert_list"]
            this, after = tbs["this_update"].native, tbs["next_update"].native
            if now > (after or this + FRESHNESS_WITHOUT_NEXT_UPDATE):
                stale.append(f"a CRL of {tbs['issuer'].native.get('common_name', '?')} fresh until "
                             f"{(after or this + FRESHNESS_WITHOUT_NEXT_UPDATE).isoformat(timespec='seconds')}")
    except Exception as exc:  # the DSS was read before; data that does not parse now is simply not described
        log.debug("revocation data not described: %s", parser_message(exc))
    return "; ".join(stale)


def _newest_docts_problem(sigs: list[EmbeddedPdfSignature], found: _File) -> str:
    """'' when the newest document timestamp validates at the validation time with fresh embedded data (what strict
    AdES needs to use the timestamp chain as proof of existence), else why not."""
    if found.dss is None or "_dss" not in found.dss:
        return "the file embeds no revocation data for it"
    try:
        status = validate_pdf_timestamp(sigs[-1], validation_context=_embedded_context(
            found.dss, found.roots, found.now, retroactive=False))
    except Exception as exc:  # unreadable: no proof either
        return parser_message(exc)
    if status.trusted:
        return ""
    indic = getattr(status, "trust_problem_indic", None)
    return f"its chain does not validate with fresh revocation data ({indic.name if indic else 'untrusted'})"


def _compare_with_ades(results: list[SignatureInfo], found: _File, doc_timestamps: list[EmbeddedPdfSignature]
                       ) -> None:
    """Fill in `ades_difference` for every entry, now that the whole file is known."""
    if not results:
        return
    stale = _stale_revocation_data(found.dss, found.now)
    newest = _newest_docts_problem(doc_timestamps, found) if doc_timestamps and not found.online else ""
    for i, entry in enumerate(results):
        chosen = bases.Basis(entry.validation_basis, dt.datetime.fromisoformat(entry.validation_time),
                             entry.revocation == "embedded") if entry.validation_time else None
        if chosen is None:
            continue
        difference = bases.ades_difference(chosen, trusted=entry.trusted, online=found.online, now=found.now,
                                           docts=entry.docts, newest_docts_problem=newest, stale=stale)
        if difference is not None:
            results[i] = dataclasses.replace(entry, ades_difference=difference.text(),
                                             ades_reason=difference.facts())


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
        if not current:
            return []  # no signature now, and none that can be shown to have been removed
        return [SignatureInfo(field_name="", problems=[f"the revision history cannot be read: {parser_message(exc)}"])]
    return [SignatureInfo(field_name=name, problems=[f"the signature in revision {rev + 1} was removed or emptied "
                                                     "by a later revision"]) for name, rev in gone.items()]
