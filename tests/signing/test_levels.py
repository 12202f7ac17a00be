"""PAdES B-B … B-LTA against a real PKI on 127.0.0.1 (certomancer), validated offline afterwards."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pikepdf
import pytest

from dsd_cli.errors import SigningError
from dsd_cli.profiles import load_profile
from dsd_cli.signing.config import SignerConfig
from dsd_cli.signing.inspect import inspect_signatures
from dsd_cli.signing.sign import sign_pdf
from tests.signing.conftest import plain_pdf
from tests.signing.pki import PASSPHRASE, free_port

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")


def settings_for(pki, **changes):
    base = dataclasses.replace(load_profile().signing, tsa_url=pki.tsa_url, trust_roots=(str(pki.root_pem),))
    return dataclasses.replace(base, **changes)


@pytest.fixture(scope="module")
def signed_levels(pki, tmp_path_factory) -> dict[str, Path]:
    """One document signed at each level while the PKI is online."""
    folder = tmp_path_factory.mktemp("levels")
    src = plain_pdf(folder / "in.pdf")
    out = {}
    for level in LEVELS:
        result = sign_pdf(src, folder / f"{level}.pdf", SignerConfig(pkcs12=pki.p12["signer"]), settings_for(pki),
                          level=level, passphrase=PASSPHRASE)
        assert result.level == level and result.signer == "Sociaal Huis Testdorp archief"
        out[level] = result.output
    return out


def _dss(path: Path) -> dict[str, int]:
    with pikepdf.open(path) as pdf:
        dss = pdf.Root.get("/DSS")
        if dss is None:
            return {}
        return {k: len(dss.get(k, [])) for k in ("/Certs", "/OCSPs", "/CRLs")}


@pytest.mark.parametrize("level", LEVELS)
def test_each_level_validates_offline(signed_levels, pki, level: str):
    with pki.offline():
        entries = inspect_signatures(signed_levels[level], [pki.root_pem])
    sig = entries[0]
    assert sig.level == level and not sig.docts and not sig.demo
    assert sig.intact and sig.valid and sig.trusted and sig.covers_current_file, sig.problems
    assert sig.problems == []
    if level in ("B-B", "B-T"):
        assert sig.coverage == "ENTIRE_FILE" and len(entries) == 1
    else:  # validation data (and for B-LTA a document timestamp) were appended as permitted updates
        assert sig.coverage == "ENTIRE_REVISION" and sig.modification_level == "LTA_UPDATES"
    if level == "B-LTA":
        (docts,) = entries[1:]
        assert docts.docts and docts.trusted and docts.covers_current_file and docts.problems == []
    else:
        assert not any(e.docts for e in entries)


def test_long_term_levels_embed_revocation_data(signed_levels):
    assert _dss(signed_levels["B-B"]) == {} and _dss(signed_levels["B-T"]) == {}
    for level in ("B-LT", "B-LTA"):
        counts = _dss(signed_levels[level])
        assert counts["/Certs"] >= 3 and counts["/OCSPs"] + counts["/CRLs"] >= 2, counts


def test_timestamped_levels_carry_the_tsa_time(signed_levels, pki):
    with pki.offline():
        b = inspect_signatures(signed_levels["B-B"], [pki.root_pem])[0]
        t = inspect_signatures(signed_levels["B-T"], [pki.root_pem])[0]
    assert b.signing_time and t.signing_time and "." in t.signing_time  # the TSA gives sub-second precision


def test_unknown_root_is_untrusted_offline(signed_levels, pki, demo_key):
    with pki.offline():
        (sig, _docts) = inspect_signatures(signed_levels["B-LTA"], [demo_key.ca_certificate], allow_demo=True)
    assert sig.intact and sig.valid and sig.covers_current_file
    assert not sig.trusted and any("trusted root" in p for p in sig.problems)


def test_validation_data_without_revocation_info_proves_nothing_offline(signed_levels, pki, tmp_path: Path):
    """A DSS with certificates but no OCSP/CRL: offline, nothing shows the signer was not revoked."""
    import shutil

    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    bare = tmp_path / "bare-dss.pdf"
    shutil.copyfile(signed_levels["B-T"], bare)
    with open(bare, "rb") as handle:
        sig = PdfFileReader(handle).embedded_signatures[0]
        certs = [sig.signer_cert, *sig.other_embedded_certs]
        contents = sig.pkcs7_content
    assert all(isinstance(c, asn1_x509.Certificate) for c in certs)
    with open(bare, "r+b") as handle:
        DocumentSecurityStore.add_dss(handle, contents, certs=certs)
    with pki.offline():
        (entry,) = inspect_signatures(bare, [pki.root_pem])
    assert entry.intact and entry.covers_current_file  # adding a DSS is a permitted update ...
    assert not entry.trusted and entry.problems, entry  # ... but it cannot vouch for the chain


def _nothing_at(out: Path) -> None:
    assert not out.exists()
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")] == []


def test_revoked_signer_cannot_sign_long_term(pki, tmp_path: Path):
    out = tmp_path / "out" / "revoked.pdf"
    out.parent.mkdir()
    with pytest.raises(SigningError, match="revoked"):
        sign_pdf(plain_pdf(tmp_path / "in.pdf"), out, SignerConfig(pkcs12=pki.p12["signer-revoked"]),
                 settings_for(pki), level="B-LT", passphrase=PASSPHRASE)
    _nothing_at(out)


def test_revoked_signer_b_b_signature_is_reported_revoked(pki, tmp_path: Path):
    out = tmp_path / "revoked-bb.pdf"
    sign_pdf(plain_pdf(tmp_path / "in.pdf"), out, SignerConfig(pkcs12=pki.p12["signer-revoked"]), settings_for(pki),
             level="B-B", passphrase=PASSPHRASE)
    (sig,) = inspect_signatures(out, [pki.root_pem], online=True)
    assert sig.intact and sig.valid and not sig.trusted
    assert any("revoked" in p for p in sig.problems)


@pytest.mark.parametrize("level", ["B-B", "B-LT"])
def test_expired_signer_is_refused(pki, tmp_path: Path, level: str):
    out = tmp_path / "expired.pdf"
    with pytest.raises(SigningError, match="expired"):
        sign_pdf(plain_pdf(tmp_path / "in.pdf"), out, SignerConfig(pkcs12=pki.p12["signer-expired"]),
                 settings_for(pki), level=level, passphrase=PASSPHRASE)
    _nothing_at(out)


def test_untrusted_root_is_refused_for_long_term_levels(pki, tmp_path: Path, demo_key):
    out = tmp_path / "untrusted.pdf"
    with pytest.raises(SigningError, match="trusted root"):
        sign_pdf(plain_pdf(tmp_path / "in.pdf"), out, SignerConfig(pkcs12=pki.p12["signer"]),
                 settings_for(pki, trust_roots=(str(demo_key.ca_certificate),)), level="B-LT",
                 passphrase=PASSPHRASE)
    _nothing_at(out)


@pytest.mark.parametrize("level", ["B-T", "B-LTA"])
def test_tsa_down_is_a_signing_error_and_leaves_nothing(pki, tmp_path: Path, level: str):
    out = tmp_path / "no-tsa.pdf"
    dead = f"http://127.0.0.1:{free_port()}/tsa"
    with pytest.raises(SigningError, match="timestamp authority") as info:
        sign_pdf(plain_pdf(tmp_path / "in.pdf"), out, SignerConfig(pkcs12=pki.p12["signer"]),
                 settings_for(pki, tsa_url=dead), level=level, passphrase=PASSPHRASE)
    assert dead in info.value.message and PASSPHRASE.decode() not in info.value.message
    _nothing_at(out)


def test_long_term_signing_with_the_pki_offline_fails_cleanly(pki, tmp_path: Path):
    out = tmp_path / "offline.pdf"
    src = plain_pdf(tmp_path / "in.pdf")
    with pki.offline(), pytest.raises(SigningError):
        sign_pdf(src, out, SignerConfig(pkcs12=pki.p12["signer"]), settings_for(pki), level="B-LT",
                 passphrase=PASSPHRASE)
    _nothing_at(out)
