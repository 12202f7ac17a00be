"""Malformed PDFs built here (truncated, broken or missing cross-reference tables, garbage in objects, a wrong
startxref, missing endobj, wrong stream lengths, no catalog, random bytes), unsigned and signed: each is reported in
the parser's own words (qpdf's or pyHanko's, never a bare exception name), and a signature is mentioned only when
the file has one."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest

from dsd_cli.verify import VerifyOptions, verify_paths
from tests.verify import pdfs

BARE_NAMES = re.compile(r"(?:^|[:(] ?)(PdfError|PdfReadError|PdfStreamError|AssertionError|ValueError|KeyError|"
                        r"IndexError|TypeError|ObjectHeaderReadError)\)?$")


def variants(src: bytes) -> dict[str, bytes]:
    xref = src.rindex(b"xref")
    return {
        "truncated-half": src[: len(src) // 2],
        "truncated-tail": src[:-30],
        "no-xref": src[:xref],
        "xref-garbage": src[:xref] + b"xref\ngarbage garbage\ntrailer\n<< /Size 1 >>\nstartxref\n"
                        + str(xref).encode() + b"\n%%EOF\n",
        "startxref-wrong": re.sub(rb"startxref\s+\d+", b"startxref\n999999", src),
        "garbage-objects": src[:200] + bytes(range(256)) * 4 + src[200 + 1024:],
        "no-root": src.replace(b"/Root", b"/Rxxx"),
        "header-only": b"%PDF-1.7\n",
        "random": b"%PDF-1.7\n" + bytes((i * 7919) % 256 for i in range(3000)),
        "endobj-missing": src.replace(b"endobj", b"", 3),
        "stream-length-wrong": re.sub(rb"/Length \d+", b"/Length 99999", src, count=1),
        "nul-tail": src + b"\0" * 64,
        "zeroed-middle": src[:len(src) // 3] + b"\0" * 512 + src[len(src) // 3 + 512:],
    }


@pytest.fixture(scope="module")
def malformed(tmp_path_factory) -> dict[str, tuple[Path, bool]]:
    """name -> (file, whether qpdf still sees a signature dictionary in it)."""
    folder = tmp_path_factory.mktemp("malformed")
    pki = pdfs.TestPki(folder / "pki")
    sources = {"plain": pdfs.pdfa_like(folder / "plain.pdf").read_bytes(),
               "signed": pki.sign(pdfs.pdfa_like(folder / "signed.pdf")).read_bytes()}
    out = {}
    for kind, src in sources.items():
        for name, data in variants(src).items():
            path = folder / f"{kind}-{name}.pdf"
            path.write_bytes(data)
            try:
                with pikepdf.open(path) as pdf:
                    signed = any(isinstance(o, pikepdf.Dictionary) and "/ByteRange" in o for o in pdf.objects)
            except pikepdf.PdfError:
                signed = False
            out[path.name] = (path, signed)
    return out


def test_every_malformed_file_is_reported_in_the_parsers_words(malformed):
    assert len(malformed) == 26
    for name, (path, _signed) in malformed.items():
        report = verify_paths([path], VerifyOptions(workers=1))
        errors = [p for p in report.problems if p.severity == "error"]
        assert errors, name
        for problem in report.problems:
            assert not BARE_NAMES.search(problem.message), (name, problem)
            assert "the file (" not in problem.message and str(path) not in problem.message, (name, problem)


def test_a_signature_is_mentioned_only_when_the_file_has_one(malformed):
    unsigned = [n for n, (_p, signed) in malformed.items() if not signed]
    assert len(unsigned) > 13  # every plain file, and the signed ones that lost their signature
    for name, (path, signed) in malformed.items():
        report = verify_paths([path], VerifyOptions(workers=1))
        mentions = [p for p in report.problems if "signature" in p.message or p.check.startswith("signature.")]
        if not signed:
            assert mentions == [], (name, mentions)
        else:
            assert mentions and all("(unnamed)" not in p.message for p in mentions), (name, report.problems)


@pytest.mark.parametrize(("name", "words"), [
    ("plain-no-xref.pdf", "can't find startxref"),
    ("plain-no-root.pdf", "unable to find /Root dictionary"),
    ("plain-header-only.pdf", "unable to find trailer dictionary"),
    ("signed-no-xref.pdf", "EOF marker not found"),
    ("signed-stream-length-wrong.pdf", "Failed to read object header"),
])
def test_the_message_quotes_the_parser(malformed, name: str, words: str):
    report = verify_paths([malformed[name][0]], VerifyOptions(workers=1))
    assert any(words in p.message for p in report.problems), report.problems
