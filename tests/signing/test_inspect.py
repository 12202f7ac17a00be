"""inspect_signatures on honest and tampered files: "intact" is not "unaltered"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from dsd_cli.errors import InputError
from dsd_cli.profiles import load_profile
from dsd_cli.signing.config import SignerConfig
from dsd_cli.signing.inspect import DamagedPdf, inspect_signatures
from dsd_cli.signing.sign import sign_pdf
from tests.signing.conftest import DEMO_PASSPHRASE, plain_pdf

SETTINGS = load_profile().signing


@pytest.fixture
def signed(tmp_path: Path, demo_key) -> Path:
    out = tmp_path / "signed.pdf"
    sign_pdf(plain_pdf(tmp_path / "in.pdf"), out, SignerConfig(pkcs12=demo_key.pkcs12, demo=True), SETTINGS,
             passphrase=DEMO_PASSPHRASE)
    return out


def _incremental(src: Path, dst: Path, change) -> Path:
    with open(src, "rb") as handle:
        writer = IncrementalPdfFileWriter(handle)
        change(writer)
        with open(dst, "wb") as out:
            writer.write(out)
    return dst


def test_honest_signature(signed: Path):
    (sig,) = inspect_signatures(signed, allow_demo=True)
    assert (sig.intact, sig.valid, sig.coverage, sig.covers_current_file) == (True, True, "ENTIRE_FILE", True)
    assert sig.level == "B-B" and sig.modification_level == "NONE" and not sig.docts and sig.problems == []
    assert sig.demo and sig.trusted and "DEMO" in sig.signer and sig.signing_time.startswith("20")


def test_unsigned_pdf_has_no_signatures(tmp_path: Path):
    assert inspect_signatures(plain_pdf(tmp_path / "plain.pdf")) == []


def test_bytes_after_eof_break_coverage(signed: Path, tmp_path: Path):
    tampered = tmp_path / "eof.pdf"
    tampered.write_bytes(signed.read_bytes() + b"<script>payload</script>\n")
    (sig,) = inspect_signatures(tampered, allow_demo=True)
    assert sig.intact and sig.valid  # the signed bytes are untouched ...
    assert not sig.covers_current_file and sig.coverage != "ENTIRE_FILE"  # ... but the file is not what was signed
    assert any("%%EOF" in p for p in sig.problems)


def test_trailing_nul_bytes_count_too(signed: Path, tmp_path: Path):
    tampered = tmp_path / "nul.pdf"
    tampered.write_bytes(signed.read_bytes() + b"\x00" * 16)
    (sig,) = inspect_signatures(tampered, allow_demo=True)
    assert not sig.covers_current_file


def test_appended_incremental_update_is_detected(signed: Path, tmp_path: Path):
    def change(writer: IncrementalPdfFileWriter) -> None:
        writer.root["/Lang"] = generic.TextStringObject("fr-BE")
        writer.update_root()

    tampered = _incremental(signed, tmp_path / "inc.pdf", change)
    (sig,) = inspect_signatures(tampered, allow_demo=True)
    assert sig.intact and sig.valid
    assert sig.coverage == "ENTIRE_REVISION" and sig.modification_level not in ("NONE", "LTA_UPDATES")
    assert not sig.covers_current_file and any("changed after signing" in p for p in sig.problems)


def test_emptied_signature_field_is_reported(signed: Path, tmp_path: Path):
    def empty(writer: IncrementalPdfFileWriter) -> None:
        ref = writer.root["/AcroForm"]["/Fields"].raw_get(0)
        del ref.get_object()["/V"]
        writer.mark_update(ref)

    tampered = _incremental(signed, tmp_path / "emptied.pdf", empty)
    (entry,) = inspect_signatures(tampered, allow_demo=True)
    assert entry.field_name == "dsd-signature-1" and not entry.valid and not entry.covers_current_file
    assert "removed or emptied" in entry.problems[0]


def test_rewritten_file_is_not_intact(signed: Path, tmp_path: Path):
    import pikepdf

    rewritten = tmp_path / "rewritten.pdf"
    with pikepdf.open(signed) as pdf:
        pdf.Root.Lang = pikepdf.String("nl-BE")
        pdf.save(rewritten)
    (sig,) = inspect_signatures(rewritten, allow_demo=True)
    assert not sig.intact and not sig.covers_current_file and not sig.trusted


def test_shortened_byte_range_is_detected(signed: Path, tmp_path: Path):
    data = signed.read_bytes()
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    assert match
    start, length = match.start(4), len(match.group(4))
    shorter = str(int(match.group(4)) - 40).encode().ljust(length)
    tampered = tmp_path / "short.pdf"
    tampered.write_bytes(data[:start] + shorter + data[start + length:])
    (sig,) = inspect_signatures(tampered, allow_demo=True)
    assert not (sig.intact and sig.valid and sig.covers_current_file)


def test_zeroed_contents_is_invalid_not_a_crash(signed: Path, tmp_path: Path):
    data = bytearray(signed.read_bytes())
    match = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", bytes(data))
    assert match
    data[match.start(1):match.end(1)] = b"0" * (match.end(1) - match.start(1))
    tampered = tmp_path / "zeroed.pdf"
    tampered.write_bytes(bytes(data))
    (sig,) = inspect_signatures(tampered, allow_demo=True)
    assert not sig.valid and not sig.trusted and sig.problems


def test_truncated_signed_pdf_is_damaged_in_the_parsers_words(signed: Path, tmp_path: Path):
    """Nothing can be said about the signatures of a file pyHanko cannot parse; it says why, in its own words."""
    cut = tmp_path / "cut.pdf"
    data = signed.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(DamagedPdf) as info:
        inspect_signatures(cut, allow_demo=True)
    assert info.value.reason == "damaged" and info.value.detail == "EOF marker not found"


def test_garbage_after_pdf_header_is_damaged_not_a_crash(tmp_path: Path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    with pytest.raises(DamagedPdf) as info:
        inspect_signatures(junk)
    assert info.value.detail and info.value.detail not in ("PdfReadError", "PdfError")


@pytest.mark.parametrize(("content", "reason"), [(b"", "zero-byte"), (b"PK\x03\x04zip", "unsupported")])
def test_not_a_pdf_is_an_input_error(tmp_path: Path, content: bytes, reason: str):
    path = tmp_path / "x.pdf"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        inspect_signatures(path)
    assert info.value.reason == reason


def test_demo_trust_needs_allow_demo_and_is_flagged(signed: Path, demo_key):
    (strict,) = inspect_signatures(signed)
    assert strict.demo and not strict.trusted
    (allowed,) = inspect_signatures(signed, allow_demo=True)
    assert allowed.demo and allowed.trusted
    (anchored,) = inspect_signatures(signed, [demo_key.ca_certificate])
    assert anchored.trusted and anchored.demo  # trusted via an explicit root, still labelled demo


def test_unreadable_trust_root_is_a_config_error(signed: Path, tmp_path: Path):
    from dsd_cli.errors import ConfigError

    bogus = tmp_path / "root.pem"
    bogus.write_text("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n")
    with pytest.raises(ConfigError):
        inspect_signatures(signed, [bogus])
    with pytest.raises(ConfigError):
        inspect_signatures(signed, [tmp_path / "missing.pem"])


@pytest.mark.parametrize("tail", [b"A" * 100_000, b"A" * 100_000 + b"\n%%EOF\n", b"\nstartxref\n0\n%%EOF\n"])
def test_large_or_disguised_trailing_data_is_caught(signed: Path, tmp_path: Path, tail: bytes):
    tampered = tmp_path / "tail.pdf"
    tampered.write_bytes(signed.read_bytes() + tail)
    try:
        result = inspect_signatures(tampered, allow_demo=True)
    except DamagedPdf as exc:  # the tail hides the file's end from pyHanko: no signature can be vouched for
        assert exc.detail
    else:
        assert result and not any(s.covers_current_file for s in result)
