"""Signing keeps the signed bytes, runs in parallel worker processes, and never leaks the secret."""

from __future__ import annotations

import logging
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pikepdf
import pytest

from dsd_cli.errors import InputError, SigningError
from dsd_cli.profiles import load_profile
from dsd_cli.signing.config import SignerConfig
from dsd_cli.signing.inspect import inspect_signatures
from dsd_cli.signing.sign import sign_pdf
from tests.signing.conftest import DEMO_PASSPHRASE, plain_pdf

SETTINGS = load_profile().signing


def test_signing_is_an_incremental_update_that_keeps_pdfa_metadata(tmp_path: Path, demo_key):
    src = plain_pdf(tmp_path / "in.pdf")
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        with pdf.open_metadata() as meta:  # pikepdf stamps Info /Producer and XMP pdf:Producer alike
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
        pdf.save(src)
    with pikepdf.open(src) as pdf:
        assert str(pdf.docinfo["/Producer"]).startswith("pikepdf")
    out = tmp_path / "signed.pdf"
    sign_pdf(src, out, SignerConfig(pkcs12=demo_key.pkcs12, demo=True), SETTINGS, passphrase=DEMO_PASSPHRASE)
    original = src.read_bytes()
    assert out.read_bytes()[: len(original)] == original  # every byte of the PDF/A is kept, the signature appended
    with pikepdf.open(out) as signed:
        assert signed.open_metadata().pdfa_status == "2B"
        assert "DEMO" in str(signed.Root.AcroForm.Fields[0].V.Reason)
        # PDF/A: Info and XMP agree on the producer after signing (pyHanko alone would append to Info's only).
        assert str(signed.docinfo["/Producer"]) == str(signed.open_metadata()["pdf:Producer"])
        assert str(signed.docinfo["/Producer"]).startswith("pyHanko")


def _sign_one(args: tuple[str, str, str]) -> str:
    src, dst, p12 = args
    result = sign_pdf(Path(src), Path(dst), SignerConfig(pkcs12=Path(p12), demo=True), load_profile().signing,
                      passphrase=DEMO_PASSPHRASE)
    return result.field_name


def test_parallel_worker_processes_sign_independently(tmp_path: Path, demo_key):
    jobs = [(str(plain_pdf(tmp_path / f"in{i}.pdf", f"document {i}")), str(tmp_path / f"out{i}.pdf"),
             str(demo_key.pkcs12)) for i in range(6)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        names = list(pool.map(_sign_one, jobs))
    assert names == ["dsd-signature-1"] * 6
    for _, dst, _ in jobs:
        (sig,) = inspect_signatures(Path(dst), allow_demo=True)
        assert sig.intact and sig.valid and sig.covers_current_file


def test_wrong_secret_never_reaches_logs_or_errors(tmp_path: Path, demo_key, caplog):
    secret = b"Leaky-Passphrase-123"
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SigningError) as info:
        sign_pdf(plain_pdf(tmp_path / "in.pdf"), tmp_path / "o.pdf", SignerConfig(pkcs12=demo_key.pkcs12), SETTINGS,
                 passphrase=secret)
    text = caplog.text + str(info.value) + str(info.value.hint or "")
    assert secret.decode() not in text
    assert secret.decode() not in repr(info.value.__cause__) + repr(info.value.__context__)
    assert not (tmp_path / "o.pdf").exists()


def test_second_signature_gets_a_new_field(tmp_path: Path, demo_key):
    config = SignerConfig(pkcs12=demo_key.pkcs12, demo=True)
    once = sign_pdf(plain_pdf(tmp_path / "in.pdf"), tmp_path / "1.pdf", config, SETTINGS, passphrase=DEMO_PASSPHRASE)
    twice = sign_pdf(once.output, tmp_path / "2.pdf", config, SETTINGS, passphrase=DEMO_PASSPHRASE)
    assert twice.field_name == "dsd-signature-2"
    first, second = inspect_signatures(twice.output, allow_demo=True)
    assert second.covers_current_file and not first.covers_current_file  # the earlier one is honestly reported


@pytest.mark.parametrize(("content", "reason"), [(b"", "unsupported"), (b"not a pdf at all", "unsupported"),
                                                 (b"%PDF-1.7\n\x00\x01garbage", "corrupt")])
def test_bad_input_is_an_input_error_and_leaves_nothing(tmp_path: Path, demo_key, content: bytes, reason: str):
    src = tmp_path / "bad.pdf"
    src.write_bytes(content)
    out = tmp_path / "out" / "signed.pdf"
    with pytest.raises(InputError) as info:
        sign_pdf(src, out, SignerConfig(pkcs12=demo_key.pkcs12), SETTINGS, passphrase=DEMO_PASSPHRASE)
    assert info.value.reason == reason
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_encrypted_pdf_is_refused(tmp_path: Path, demo_key):
    src = plain_pdf(tmp_path / "in.pdf")
    enc = tmp_path / "enc.pdf"
    with pikepdf.open(src) as pdf:
        pdf.save(enc, encryption=pikepdf.Encryption(owner="owner-pw", user="", R=6))
    with pytest.raises(InputError) as info:
        sign_pdf(enc, tmp_path / "o.pdf", SignerConfig(pkcs12=demo_key.pkcs12), SETTINGS, passphrase=DEMO_PASSPHRASE)
    assert info.value.reason == "encrypted" and not (tmp_path / "o.pdf").exists()


def test_too_little_reserved_room_falls_back_to_measuring(tmp_path: Path, demo_key, monkeypatch):
    import dsd_cli.signing.sign as sign_module

    calls: list[int] = []

    def tiny(signer, timestamped: bool) -> int:
        calls.append(1)
        return 256  # far too small for an ECDSA signature with two certificates

    monkeypatch.setattr(sign_module, "_reserve", tiny)
    out = tmp_path / "signed.pdf"
    result = sign_pdf(plain_pdf(tmp_path / "in.pdf"), out, SignerConfig(pkcs12=demo_key.pkcs12, demo=True), SETTINGS,
                      passphrase=DEMO_PASSPHRASE)
    assert calls == [1] and result.demo
    (sig,) = inspect_signatures(out, allow_demo=True)
    assert sig.intact and sig.valid and sig.covers_current_file
