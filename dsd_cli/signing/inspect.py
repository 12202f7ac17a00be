"""Inspect the signatures of a PDF: integrity, what they cover, trust, level, signer and time.

"Intact" (the signed bytes hash right) is not "unaltered": a signature can be intact while bytes were appended
after it. dsd therefore also reports the coverage and pyHanko's difference analysis: a signature covers the current
file when it covers the entire file, or when every later revision only adds validation data and document
timestamps (modification level LTA_UPDATES). A file that makes the parser fail gives an invalid entry, not a crash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext

from dsd_cli.errors import InputError
from dsd_cli.signing.keys import DEMO_CA_NAME, DEMO_MARK


@dataclass(frozen=True)
class SignatureInfo:
    field_name: str
    signer: str = ""
    signing_time: str = ""
    level: str = ""
    intact: bool = False
    valid: bool = False
    coverage: str = ""
    modification_level: str = ""
    trusted: bool = False
    demo: bool = False
    docts: bool = False
    covers_current_file: bool = False
    problems: list[str] = field(default_factory=list)


def _load_certs(paths: Sequence[Path]) -> list[asn1_x509.Certificate]:
    from pyhanko.keys import load_certs_from_pemder

    return list(load_certs_from_pemder([str(p) for p in paths]))


def _demo_root(embedded_certs: list[asn1_x509.Certificate]) -> asn1_x509.Certificate | None:
    for cert in embedded_certs:
        if cert.subject.native.get("common_name") == DEMO_CA_NAME and cert.self_signed:
            return cert
    return None


def _has_dss(reader: PdfFileReader) -> bool:
    return "/DSS" in reader.root


def inspect_signatures(path: Path, trust_roots: Sequence[Path] = (), *, allow_demo: bool = False
                       ) -> list[SignatureInfo]:
    with open(path, "rb") as handle:
        head = handle.read(1024)
        if b"%PDF-" not in head:
            raise InputError(f"{path.name}: not a PDF", reason="unsupported")
        try:
            reader = PdfFileReader(handle, strict=False)
            sigs = list(reader.embedded_signatures)
        except Exception as exc:  # any parser failure means: cannot be trusted
            return [SignatureInfo(field_name="", problems=[f"the PDF cannot be parsed: {type(exc).__name__}"])]
        roots = _load_certs(trust_roots)
        results = []
        for i, sig in enumerate(sigs):
            later_docts = any(s.sig_object_type == "/DocTimeStamp" for s in sigs[i + 1:])
            results.append(_inspect_one(reader, sig, roots, allow_demo, later_docts))
        return results


def _inspect_one(reader: PdfFileReader, sig, roots: list, allow_demo: bool, later_docts: bool) -> SignatureInfo:
    name = str(sig.field_name or "")
    problems: list[str] = []
    docts = sig.sig_object_type == "/DocTimeStamp"
    try:
        embedded = list(sig.other_embedded_certs) + ([sig.signer_cert] if sig.signer_cert else [])
        signer_name = str(sig.signer_cert.subject.native.get("common_name", "")) if sig.signer_cert else ""
        demo = DEMO_MARK in signer_name or any(DEMO_CA_NAME == c.subject.native.get("common_name") for c in embedded)
        trust = list(roots)
        demo_root = _demo_root(embedded) if allow_demo and demo else None
        if demo_root is not None:
            trust.append(demo_root)
        context = ValidationContext(trust_roots=trust, allow_fetching=False, revocation_mode="soft-fail")
        if docts:
            status = validate_pdf_timestamp(sig, validation_context=context)
        else:
            status = validate_pdf_signature(sig, signer_validation_context=context,
                                            ts_validation_context=context)
    except Exception as exc:  # malformed signature dictionaries, broken CMS, shortened ByteRange, ...
        return SignatureInfo(field_name=name, docts=docts, problems=[f"cannot be validated: {type(exc).__name__}"])
    coverage = status.coverage.name if status.coverage is not None else ""
    modification = getattr(status, "modification_level", None)
    modification_name = modification.name if modification is not None else ""
    covers = coverage == "ENTIRE_FILE" or (coverage == "ENTIRE_REVISION" and modification_name == "LTA_UPDATES"
                                           and _ends_cleanly(reader))
    if not status.intact:
        problems.append("the signed bytes were changed")
    if not status.valid:
        problems.append("the signature value is not valid")
    if not covers:
        problems.append(f"the document was changed after signing (coverage {coverage}, modifications "
                        f"{modification_name or 'unknown'})")
    if not status.trusted:
        problems.append("the signer's certificate does not chain to a trusted root")
    signing_time = ""
    reported = getattr(status, "signer_reported_dt", None)
    if getattr(status, "timestamp_validity", None) is not None:
        signing_time = status.timestamp_validity.timestamp.isoformat()
    elif reported is not None:
        signing_time = reported.isoformat()
    elif docts:
        signing_time = status.timestamp.isoformat() if getattr(status, "timestamp", None) else ""
    level = _level(reader, status, docts, later_docts)
    return SignatureInfo(field_name=name, signer=signer_name if not docts else "document timestamp",
                         signing_time=signing_time, level=level, intact=bool(status.intact),
                         valid=bool(status.valid), coverage=coverage, modification_level=modification_name,
                         trusted=bool(status.trusted), demo=demo and not docts, docts=docts,
                         covers_current_file=covers, problems=problems)


def _ends_cleanly(reader: PdfFileReader) -> bool:
    """True when nothing follows the last revision's %%EOF but line ends."""
    stream = reader.stream
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(max(0, size - 64))
    tail = stream.read()
    return tail.rstrip(b"\r\n\x00 ").endswith(b"%%EOF")


def _level(reader: PdfFileReader, status, docts: bool, later_docts: bool) -> str:
    if docts:
        return "DocTimeStamp"
    level = "B-B"
    if getattr(status, "timestamp_validity", None) is not None:
        level = "B-T"
        if _has_dss(reader):
            level = "B-LT"
            if later_docts:
                level = "B-LTA"
    return level
