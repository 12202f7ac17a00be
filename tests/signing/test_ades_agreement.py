"""dsd's signature verdict against pyHanko's strict AdES validation (ETSI EN 319 102-1,
pyhanko.sign.validation.ades.ades_lta_validation) on the same files, offline, at validation times later than the
embedded OCSP responses' freshness (certomancer's: 10 minutes) and later than the CRLs' (the root's: 90 days).

Every entry states its validation time and basis; where dsd trusts a signature that strict AdES does not pass, the
entry says precisely why (`ades_difference`); where both agree it says nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from pathlib import Path

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.validation import ades
from pyhanko.sign.validation.policy_decl import PdfSignatureValidationSpec, SignatureValidationSpec
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager

from dsd_cli.profiles import load_profile
from dsd_cli.signing.config import SignerConfig
from dsd_cli.signing.inspect import inspect_signatures
from dsd_cli.signing.sign import sign_pdf
from tests.signing.conftest import DEMO_PASSPHRASE, plain_pdf
from tests.signing.pki import PASSPHRASE

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
DAY, HALF_YEAR = dt.timedelta(days=1), dt.timedelta(days=200)


@pytest.fixture(scope="module")
def signed(pki, demo_key, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ades")
    src = plain_pdf(folder / "in.pdf")
    settings = dataclasses.replace(load_profile().signing, tsa_url=pki.tsa_url, trust_roots=(str(pki.root_pem),))
    out = {level: sign_pdf(src, folder / f"{level}.pdf", SignerConfig(pkcs12=pki.p12["signer"]), settings,
                           level=level, passphrase=PASSPHRASE).output for level in LEVELS}
    out["demo"] = sign_pdf(src, folder / "demo.pdf", SignerConfig(pkcs12=demo_key.pkcs12, demo=True),
                           load_profile().signing, passphrase=DEMO_PASSPHRASE).output
    return out


def strict_ades(path: Path, root: Path, when: dt.datetime) -> bool:
    """pyHanko's AdES LTA validation of the first signature, trusting `root`, revocation data required."""
    spec = PdfSignatureValidationSpec(SignatureValidationSpec(CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build([load_cert_from_pemder(str(root))]),
        revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO))))
    timing = ValidationTimingInfo(validation_time=when, best_signature_time=when, point_in_time_validation=True)
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)  # it logs every failed path at WARNING
    with open(path, "rb") as handle:
        sig = PdfFileReader(handle).embedded_regular_signatures[0]
        result = asyncio.run(ades.ades_lta_validation(sig, spec, timing_info=timing))
    return result.ades_subindic == AdESPassed.OK


EXPECTED = {  # level -> (dsd basis, words the difference must hold at +1 day ('' = dsd and AdES agree), its reason)
    "B-B": ("current-time", "revocation was not checked", "revocation-not-checked"),
    "B-T": ("current-time", "revocation was not checked", "revocation-not-checked"),
    "B-LT": ("timestamp", "no document timestamp proves", "no-proof-of-existence"),
    "B-LTA": ("document-timestamp", "", ""),
}


@pytest.mark.parametrize("level", LEVELS)
def test_dsd_agrees_with_strict_ades_or_says_why(signed, pki, level: str):
    when = dt.datetime.now(dt.UTC) + DAY  # every embedded OCSP response is stale by then
    with pki.offline():
        (sig, *docts) = inspect_signatures(signed[level], [pki.root_pem], at=when)
        passed = strict_ades(signed[level], pki.root_pem, when)
    basis, words, reason = EXPECTED[level]
    assert sig.trusted and sig.validation_basis == basis and sig.validation_time, sig
    assert passed == (words == ""), (level, passed)
    if words:
        assert words in sig.ades_difference, sig.ades_difference
        assert sig.ades_reason["reason"] == reason and sig.ades_reason["at"] == when.isoformat(timespec="seconds")
    else:
        assert sig.ades_difference == "" and sig.ades_reason == {}
    if level == "B-LT":
        assert "not fresh" in sig.ades_difference and "OCSP" in sig.ades_difference
        assert "OCSP" in sig.ades_reason["detail"] and sig.ades_reason["since"]  # the facts the report words
        assert sig.validation_time == sig.signing_time  # at the signature timestamp
    if level == "B-LTA":
        (stamp,) = docts
        assert stamp.trusted and stamp.ades_difference == ""
        assert dt.datetime.fromisoformat(sig.validation_time) > dt.datetime.fromisoformat(sig.signing_time)
    if level in ("B-B", "B-T"):
        assert sig.revocation == "not-checked" and dt.datetime.fromisoformat(sig.validation_time) == when
    else:
        assert sig.revocation == "embedded"


def test_a_long_term_signature_whose_newest_timestamp_went_stale(signed, pki):
    """Half a year on, the CRLs embedded for the TSA are stale: strict AdES cannot use the document timestamp as
    proof of existence any more. dsd still trusts the chain on its document timestamp, and says why AdES differs
    (the renewal that `dsd timestamp due` schedules)."""
    when = dt.datetime.now(dt.UTC) + HALF_YEAR
    with pki.offline():
        sig, stamp = inspect_signatures(signed["B-LTA"], [pki.root_pem], at=when)
        passed = strict_ades(signed["B-LTA"], pki.root_pem, when)
    assert not passed
    assert sig.trusted and sig.validation_basis == "document-timestamp"
    for entry in (sig, stamp):
        assert "newest document timestamp cannot be validated" in entry.ades_difference
        assert "dsd timestamp renew" in entry.ades_difference
        assert entry.ades_reason["reason"] == "newest-document-timestamp" and entry.ades_reason["detail"]


def test_demo_trust_is_stated_and_never_agrees_with_ades(signed, pki):
    (sig,) = inspect_signatures(signed["demo"], allow_demo=True)
    assert sig.trusted and sig.demo and sig.validation_basis == "demo-trust"
    assert not strict_ades(signed["demo"], pki.root_pem, dt.datetime.now(dt.UTC))
    assert "demo trust" in sig.ades_difference and sig.ades_reason["reason"] == "demo-trust"
    (strict,) = inspect_signatures(signed["demo"], allow_demo=False)
    assert not strict.trusted and strict.ades_difference == ""  # untrusted by both

