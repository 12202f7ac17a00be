"""Long-term signatures: find PDFs whose newest timestamp is getting old, and renew it (PAdES B-LTA).

A timestamp proves that the document and its validation data existed at that time, but only as long as the TSA's
certificate and algorithms are trusted. Renewal adds, as incremental updates, the validation data of the newest
timestamp (and of the signatures, when the file has none yet) and then a fresh document timestamp over everything.
Existing signatures stay intact: the result is inspected before it replaces anything.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.validation import add_validation_info
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator import ValidationContext

from dsd_cli.errors import InputError, SigningError, parser_message
from dsd_cli.fsutil import fsync_dir
from dsd_cli.signing.errors import explain_signing_failure
from dsd_cli.signing.inspect import inspect_signatures

TSA_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class RenewResult:
    output: Path
    previous_timestamp: str
    """ISO time of the newest timestamp before renewal ('' when the file had none)."""
    new_timestamp: str
    """ISO time of the document timestamp just added."""


def _read(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path.name}: cannot be read ({exc.strerror})", reason="unreadable") from None
    if b"%PDF-" not in data[:1024]:
        raise InputError(f"{path.name}: not a PDF", reason="unsupported")
    return data


def _gen_time(signed_data) -> dt.datetime | None:
    try:
        return signed_data["encap_content_info"]["content"].parsed["gen_time"].native
    except Exception:  # not a timestamp token
        return None


def _signatures(reader: PdfFileReader) -> list[EmbeddedPdfSignature]:
    return [EmbeddedPdfSignature(reader, ref, name)
            for name, _value, ref in enumerate_sig_fields(reader, filled_status=True)]


def last_timestamp(path: Path) -> dt.datetime | None:
    """The newest proven time in the file: a document timestamp or a signature timestamp. None if there is none."""
    data = _read(path)
    try:
        sigs = _signatures(PdfFileReader(io.BytesIO(data), strict=False))
    except Exception as exc:  # pyHanko's parser raises many types
        raise InputError(f"{path.name}: the signatures cannot be read ({parser_message(exc)})", reason="corrupt") \
            from None
    times: list[dt.datetime] = []
    for sig in sigs:
        if sig.sig_object_type == "/DocTimeStamp":
            found = _gen_time(sig.signed_data)
        else:
            found = next((t for t in map(_gen_time, extract_tst_data_iter(sig.signer_info, signed=False)) if t),
                         None)
        if found is not None:
            times.append(found)
    return max(times) if times else None


def renewal_due(path: Path, before: dt.datetime) -> bool:
    """True for a signed PDF whose newest timestamp is older than `before` (or that has no timestamp at all)."""
    newest = last_timestamp(path)
    return newest is None or newest < before


def renew_document_timestamp(pdf_in: Path, pdf_out: Path, tsa_url: str, *,
                             trust_roots: Sequence[Path | str] = (), allow_demo: bool = False) -> RenewResult:
    """Write `pdf_in` plus fresh validation data and a new document timestamp to `pdf_out` (atomically).

    Needs the network: the TSA at `tsa_url`, and the OCSP responders / CRLs of the certificates involved.
    Raises SigningError when the TSA or revocation data cannot be had, or when the renewed file would not keep
    every existing signature intact and covering; InputError for a file that is not a signed PDF.
    `allow_demo` accepts the dsd demo CA embedded in demo signatures as a root (demo archives).
    """
    if not tsa_url:
        raise SigningError("renewing a timestamp needs a timestamp authority (signing.tsa_url or --tsa)")
    data = _read(pdf_in)
    before = [s for s in inspect_signatures(pdf_in, [Path(p) for p in trust_roots], allow_demo=allow_demo)
              if s.covers_current_file]
    if not before:
        raise InputError(f"{pdf_in.name}: no intact signature or timestamp to renew", reason="unsigned")
    previous = last_timestamp(pdf_in)
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko.sign.timestamps import HTTPTimeStamper

    roots = list(load_certs_from_pemder([str(p) for p in trust_roots]))
    if allow_demo:
        roots += _embedded_demo_roots(data)

    def context() -> ValidationContext:
        return ValidationContext(trust_roots=roots, allow_fetching=True, revocation_mode="hard-fail")

    try:
        buffer = io.BytesIO(data)
        reader = PdfFileReader(buffer, strict=False)
        if "/DSS" not in reader.root:
            # B-B / B-T: embed the signatures' validation data first, so the new timestamp protects it.
            for sig in _signatures(reader):
                if sig.sig_object_type != "/DocTimeStamp":
                    buffer = add_validation_info(sig, context(), output=io.BytesIO())
                    reader = PdfFileReader(buffer, strict=False)
        stamper = PdfTimeStamper(HTTPTimeStamper(tsa_url, timeout=TSA_TIMEOUT_SECONDS))
        result = stamper.update_archival_timestamp_chain(reader, context(), in_place=False, output=io.BytesIO())
        renewed = result.getvalue()
    except (SigningError, InputError):
        raise
    except Exception as exc:  # network, certificate and PDF errors come in many types
        raise explain_signing_failure(exc, pdf_in.name, tsa_url) from None
    return _publish_checked(renewed, pdf_in, pdf_out, trust_roots, {s.field_name for s in before}, previous,
                            allow_demo)


def _embedded_demo_roots(data: bytes) -> list:
    from dsd_cli.signing.keys import DEMO_CA_NAME

    found = []
    for sig in _signatures(PdfFileReader(io.BytesIO(data), strict=False)):
        found += [c for c in sig.other_embedded_certs
                  if c.self_signed and c.subject.native.get("common_name") == DEMO_CA_NAME]
    return found


def _publish_checked(renewed: bytes, pdf_in: Path, pdf_out: Path, trust_roots: Sequence[Path | str],
                     must_cover: set[str], previous: dt.datetime | None, allow_demo: bool) -> RenewResult:
    pdf_out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{pdf_out.name}.", suffix=".renew", dir=pdf_out.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(renewed)
            out.flush()
            os.fsync(out.fileno())
        after = inspect_signatures(tmp, [Path(p) for p in trust_roots], allow_demo=allow_demo)
        broken = sorted(must_cover - {s.field_name for s in after if s.covers_current_file and s.intact})
        if broken:
            raise SigningError(f"renewing {pdf_in.name} would leave signatures not covering the file: "
                               f"{', '.join(broken)}")
        newest = [s for s in after if s.docts]
        if not newest or newest[-1].field_name in must_cover:
            raise SigningError(f"renewing {pdf_in.name} added no document timestamp")
        tmp.replace(pdf_out)
        fsync_dir(pdf_out.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return RenewResult(output=pdf_out, previous_timestamp=previous.isoformat() if previous else "",
                       new_timestamp=newest[-1].signing_time)



@dataclass(frozen=True)
class DueDocument:
    """An archived PDF whose newest timestamp is older than the renewal date."""

    dossier: str
    bag: Path
    path: str
    """Payload path inside the bag (data/documents/...)."""
    last_timestamp: str
    """ISO time, or '' when the file has no timestamp at all."""
    problem: str = ""
    """Why the file's timestamps could not be read (then it is listed as due: a person must look at it)."""


def documents_due(archive: Path, before: dt.datetime) -> list[DueDocument]:
    """Archived PDFs (current bag versions) whose newest timestamp is older than `before`. Read-only."""
    from dsd_cli.archive.dossiers import list_dossiers
    from dsd_cli.archive.record import load_record
    from dsd_cli.archive.session import require_archive

    require_archive(archive)

    due: list[DueDocument] = []
    for summary in list_dossiers(archive):
        record = load_record(summary.bag)
        for doc in record.documents if record else ():
            pdf = summary.bag / doc.path
            if not pdf.is_file() or pdf.is_symlink():
                continue
            try:
                newest = last_timestamp(pdf)
            except InputError as exc:  # one damaged file must not hide the others
                due.append(DueDocument(dossier=summary.dossier, bag=summary.bag, path=doc.path,
                                       last_timestamp="", problem=exc.message))
                continue
            if newest is None or newest < before:
                due.append(DueDocument(dossier=summary.dossier, bag=summary.bag, path=doc.path,
                                       last_timestamp=newest.isoformat() if newest else ""))
    return due
