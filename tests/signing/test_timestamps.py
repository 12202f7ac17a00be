"""Timestamp renewal (PAdES B-LTA): a fresh document timestamp that keeps every earlier signature intact."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from dsd_cli.errors import InputError, SigningError
from dsd_cli.profiles import load_profile
from dsd_cli.signing.config import SignerConfig
from dsd_cli.signing.inspect import inspect_signatures
from dsd_cli.signing.sign import sign_pdf
from dsd_cli.signing.timestamps import last_timestamp, renew_document_timestamp, renewal_due
from tests.signing.conftest import plain_pdf
from tests.signing.pki import PASSPHRASE, free_port


def _sign(pki, tmp_path: Path, level: str) -> Path:
    settings = dataclasses.replace(load_profile().signing, tsa_url=pki.tsa_url, trust_roots=(str(pki.root_pem),))
    return sign_pdf(plain_pdf(tmp_path / "in.pdf"), tmp_path / f"{level}.pdf", SignerConfig(pkcs12=pki.p12["signer"]),
                    settings, level=level, passphrase=PASSPHRASE).output


def test_renewing_a_b_lta_file_adds_a_timestamp_and_keeps_the_signature(pki, tmp_path: Path):
    signed = _sign(pki, tmp_path, "B-LTA")
    first = last_timestamp(signed)
    assert first is not None and renewal_due(signed, first + dt.timedelta(seconds=1))
    assert not renewal_due(signed, first - dt.timedelta(days=1))
    renewed = renew_document_timestamp(signed, tmp_path / "renewed.pdf", pki.tsa_url, trust_roots=[pki.root_pem])
    assert renewed.previous_timestamp == first.isoformat()
    assert dt.datetime.fromisoformat(renewed.new_timestamp) > first
    assert last_timestamp(renewed.output) > first
    assert renewed.output.read_bytes().startswith(signed.read_bytes())  # an incremental update only
    with pki.offline():
        entries = inspect_signatures(renewed.output, [pki.root_pem])
    assert [e.docts for e in entries] == [False, True, True]
    for entry in entries:
        assert entry.intact and entry.valid and entry.trusted and entry.covers_current_file, entry.problems
    assert entries[0].level == "B-LTA" and entries[0].modification_level == "LTA_UPDATES"


def test_renewing_a_b_t_file_embeds_its_validation_data(pki, tmp_path: Path):
    signed = _sign(pki, tmp_path, "B-T")
    renewed = renew_document_timestamp(signed, tmp_path / "renewed.pdf", pki.tsa_url, trust_roots=[pki.root_pem])
    with pki.offline():
        sig, docts = inspect_signatures(renewed.output, [pki.root_pem])
    assert sig.level == "B-LTA" and sig.trusted and sig.covers_current_file
    assert docts.docts and docts.trusted and docts.covers_current_file


def test_renewal_with_the_tsa_down_leaves_nothing(pki, tmp_path: Path):
    signed = _sign(pki, tmp_path, "B-LT")
    before = signed.read_bytes()
    out = tmp_path / "out" / "renewed.pdf"
    out.parent.mkdir()
    with pytest.raises(SigningError, match="timestamp authority"):
        renew_document_timestamp(signed, out, f"http://127.0.0.1:{free_port()}/tsa", trust_roots=[pki.root_pem])
    assert not out.exists() and list(out.parent.iterdir()) == []
    assert signed.read_bytes() == before


def test_renewal_refuses_a_tampered_or_unsigned_file(pki, tmp_path: Path):
    signed = _sign(pki, tmp_path, "B-LT")
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(signed.read_bytes() + b"appended\n")
    with pytest.raises(InputError) as info:
        renew_document_timestamp(tampered, tmp_path / "t.pdf", pki.tsa_url, trust_roots=[pki.root_pem])
    assert info.value.reason == "unsigned"
    with pytest.raises(InputError):
        renew_document_timestamp(plain_pdf(tmp_path / "plain.pdf"), tmp_path / "p.pdf", pki.tsa_url)
    with pytest.raises(SigningError, match="timestamp authority"):
        renew_document_timestamp(signed, tmp_path / "x.pdf", "")
    assert not any(p.name.endswith((".renew",)) for p in tmp_path.iterdir())


def test_demo_signed_file_can_be_renewed_only_with_allow_demo(pki, tmp_path: Path, demo_key):
    from tests.signing.conftest import DEMO_PASSPHRASE

    settings = dataclasses.replace(load_profile().signing, tsa_url=pki.tsa_url, trust_roots=(str(pki.root_pem),))
    signed = sign_pdf(plain_pdf(tmp_path / "in.pdf"), tmp_path / "demo.pdf",
                      SignerConfig(pkcs12=demo_key.pkcs12, demo=True), settings, level="B-T",
                      passphrase=DEMO_PASSPHRASE).output
    with pytest.raises(SigningError):  # the demo CA is no trust root unless asked for
        renew_document_timestamp(signed, tmp_path / "r0.pdf", pki.tsa_url, trust_roots=[pki.root_pem])
    assert not (tmp_path / "r0.pdf").exists()
    renewed = renew_document_timestamp(signed, tmp_path / "r.pdf", pki.tsa_url, trust_roots=[pki.root_pem],
                                       allow_demo=True)
    sig, docts = inspect_signatures(renewed.output, [pki.root_pem], allow_demo=True)
    assert sig.demo and sig.trusted and sig.covers_current_file and docts.docts and docts.trusted


def test_documents_due_lists_untimestamped_and_damaged_files(tmp_path: Path, demo_key):
    from dsd_cli.archive.package import package_dossier
    from dsd_cli.models import ArchivedDocument, PageRef
    from dsd_cli.signing.timestamps import documents_due
    from tests.signing.conftest import DEMO_PASSPHRASE

    docs = []
    for i in range(2):
        signed = sign_pdf(plain_pdf(tmp_path / f"in{i}.pdf", f"brief {i}"), tmp_path / f"s{i}.pdf",
                          SignerConfig(pkcs12=demo_key.pkcs12, demo=True), load_profile().signing,
                          passphrase=DEMO_PASSPHRASE).output
        docs.append(ArchivedDocument(dossier="SD/2023/0100", doc_type="aanvraag", pdf=signed, page_count=1,
                                     sources=(PageRef(Path("/scans/b.tif"), i),), batch="b"))
    archive = tmp_path / "archive"
    result = package_dossier(archive, "SD/2023/0100", docs, load_profile())
    damaged = result.bag / result.stored[1]
    damaged.write_bytes(b"%PDF-1.7\nnot really\n")
    due = documents_due(archive, dt.datetime.now(dt.UTC))
    assert [(d.path, d.last_timestamp, bool(d.problem)) for d in due] == [
        (result.stored[0], "", False), (result.stored[1], "", True)]
