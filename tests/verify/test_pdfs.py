"""PDF checks on single PDFs and PDFs in bags: each PDF/A rule named, hostile files reported (never a crash), and
signatures mapped to invalid / modified / untrusted / missing, with a positive control for each."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from dsd_cli.errors import ExitCode
from dsd_cli.verify import VerifyOptions, verify_paths
from dsd_cli.verify.pdfverify import PdfJob, check_pdfs
from tests.verify import pdfs
from tests.verify.bags import make_bag


def found(path: Path, **options) -> set[tuple[str, str]]:
    report = verify_paths([path], VerifyOptions(workers=1, **options))
    return {(p.check, p.severity) for p in report.problems}


def test_a_pdf_that_keeps_the_rules_passes(tmp_path: Path):
    assert found(pdfs.pdfa_like(tmp_path / "clean.pdf")) == set()


@pytest.mark.parametrize(("change", "check"), [
    (pdfs.add_attachment, "pdfa.embedded-file"),
    (pdfs.add_javascript, "pdfa.javascript"),
    (pdfs.add_launch, "pdfa.action"),
    (pdfs.add_named_print, "pdfa.action"),
    (pdfs.add_external_stream, "pdfa.external-content"),
    (pdfs.add_unembedded_font, "pdfa.fonts"),
])
def test_a_pdfa_claim_that_breaks_a_rule_is_named(tmp_path: Path, change, check: str):
    pdf = pdfs.modify(pdfs.pdfa_like(tmp_path / "doc.pdf"), change)
    assert found(pdf) == {(check, "error")}


def test_info_and_xmp_may_differ_in_pdfa_2(tmp_path: Path):
    pdf = pdfs.modify(pdfs.pdfa_like(tmp_path / "doc.pdf"), pdfs.change_info_title)
    assert found(pdf) == {("pdfa.metadata-mismatch", "warning")}


def test_only_a_pdfa_claim_makes_the_pdfa_rules_errors(tmp_path: Path):
    """A PDF that does not claim PDF/A (and is not in a bag whose profile requires it) is not held to PDF/A: no
    identification, no output intent, device colour (the DeviceRGB rectangle) are all fine."""
    plain = pdfs.pdfa_like(tmp_path / "plain.pdf", claim=False, intent=False)
    assert found(plain) == set()
    claimed = pdfs.pdfa_like(tmp_path / "claimed.pdf", claim=True, intent=False)
    assert found(claimed) == {("pdfa.output-intent", "error")}
    owner_only = pdfs.encrypt(pdfs.pdfa_like(tmp_path / "owner.pdf"))
    assert ("pdfa.encrypted", "error") in found(owner_only)
    user = pdfs.encrypt(pdfs.pdfa_like(tmp_path / "user.pdf"), user="secret")
    assert found(user) == {("pdf.encrypted", "error")}  # its claim cannot even be read


@pytest.mark.parametrize("damage", ["zero", "garbage", "half", "no-header"])
def test_corrupt_pdfs_are_reported_not_crashing(tmp_path: Path, damage: str):
    clean = pdfs.pdfa_like(tmp_path / "clean.pdf").read_bytes()
    data = {"zero": b"", "garbage": b"%PDF-1.7\n" + bytes(range(256)) * 40, "half": clean[: len(clean) // 2],
            "no-header": b"GIF89a" + clean}[damage]
    target = tmp_path / "broken.pdf"
    target.write_bytes(data)
    report = verify_paths([target], VerifyOptions(workers=1))
    expected = "pdfa.file-structure" if damage == "no-header" else "pdf.unreadable"  # qpdf finds a late header
    assert not report.ok and (expected, "broken.pdf") in {(p.check, p.path) for p in report.problems}


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> pdfs.TestPki:
    return pdfs.TestPki(tmp_path_factory.mktemp("pki"))


def test_signature_trust_needs_the_root(tmp_path: Path, pki: pdfs.TestPki):
    signed = pki.sign(pdfs.pdfa_like(tmp_path / "signed.pdf"))
    assert ("signature.untrusted", "error") in found(signed)
    report = verify_paths([signed], VerifyOptions(workers=1, trust_roots=(pki.ca_pem,)))
    # Trusted, and the report says on what basis: a B-B signature, checked offline, has no revocation check.
    assert report.ok and [(p.check, p.severity) for p in report.problems] == [("signature.basis", "warning")]
    assert "revocation was not checked" in report.problems[0].message
    (detail,) = report.details["signatures"]
    assert detail["signer"] == "Verify Test Signer" and detail["level"] == "B-B" and detail["trusted"]
    assert detail["covers_current_file"] and detail["signing_time"]
    assert detail["validation_basis"] == "current-time" and detail["revocation"] == "not-checked"
    assert detail["validation_time"] == report.details["validation_time"]
    fast = verify_paths([signed], VerifyOptions(workers=1, fast=True, trust_roots=(pki.ca_pem,)))
    assert fast.ok and fast.details["signatures"][0]["trusted"], "--fast checks a single PDF with the same roots"


def test_signature_tampering(tmp_path: Path, pki: pdfs.TestPki):
    roots = {"trust_roots": (pki.ca_pem,)}
    signed = pki.sign(pdfs.pdfa_like(tmp_path / "signed.pdf"))
    appended = tmp_path / "appended.pdf"
    appended.write_bytes(signed.read_bytes() + b"\n1 0 obj (injected) endobj\n")
    assert ("signature.modified", "error") in found(appended, **roots)

    updated = tmp_path / "updated.pdf"
    writer = IncrementalPdfFileWriter(io.BytesIO(signed.read_bytes()))
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page_ref.get_object()["/Rotate"] = generic.NumberObject(90)
    writer.mark_update(page_ref)
    out = io.BytesIO()
    writer.write(out)
    updated.write_bytes(out.getvalue())
    assert ("signature.modified", "error") in found(updated, **roots)

    data = bytearray(signed.read_bytes())
    data[data.index(b"\n%") + 2] ^= 0x01  # the binary comment after the header: signed, parsed by nobody
    flipped = tmp_path / "flipped.pdf"
    flipped.write_bytes(bytes(data))
    assert ("signature.invalid", "error") in found(flipped, **roots)


def test_signatures_required_in_a_bag(tmp_path: Path, pki: pdfs.TestPki):
    payload = {"data/signed.pdf": pki.sign(pdfs.pdfa_like(tmp_path / "s.pdf")).read_bytes(),
               "data/unsigned.pdf": pdfs.pdfa_like(tmp_path / "u.pdf").read_bytes()}
    bag = make_bag(tmp_path / "bag", payload)
    options = {"trust_roots": (pki.ca_pem,), "require_signatures": True}
    report = verify_paths([bag], VerifyOptions(workers=1, **options))
    # require_signatures applies to dsd bags only; a foreign bag is not held to dsd's profile.
    assert report.ok, report.problems
    info = bag / "bag-info.txt"
    info.write_text(info.read_text() + "DSD-Profile: vlaanderen-ocmw\n")
    report = verify_paths([bag], VerifyOptions(workers=1, **options))
    assert ("signature.missing", "bag/data/unsigned.pdf") in {(p.check, p.path) for p in report.problems}
    assert not any(p.check == "signature.missing" and p.path == "bag/data/signed.pdf" for p in report.problems)


def test_parallel_pdf_checks_give_the_serial_result(tmp_path: Path, pki: pdfs.TestPki):
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    sources = [pdfs.pdfa_like(tmp_path / "a.pdf"), pki.sign(pdfs.pdfa_like(tmp_path / "b.pdf")),
               pdfs.modify(pdfs.pdfa_like(tmp_path / "c.pdf"), pdfs.add_javascript)]
    (tmp_path / "d.pdf").write_bytes(b"%PDF-1.7 broken")
    sources.append(tmp_path / "d.pdf")
    jobs = []
    for i in range(24):
        copy = tmp_path / f"copy-{i:02d}.pdf"
        shutil.copy(sources[i % 4], copy)
        jobs.append(PdfJob(str(copy), copy.name, "", (str(pki.ca_pem),), False, i % 2 == 0, validation_time=now))
    done = []
    parallel = check_pdfs(jobs, workers=2, on_done=lambda: done.append(1), parallel_from=1)
    serial = check_pdfs(jobs, workers=1)
    assert parallel == serial and len(done) == 24
    assert {p.check for problems, _ in serial for p in problems} == {"pdfa.javascript", "pdf.unreadable",
                                                                   "signature.missing", "signature.basis"}


def test_cli_on_single_pdfs(tmp_path: Path, pki: pdfs.TestPki, dsd):
    signed = pki.sign(pdfs.pdfa_like(tmp_path / "signed.pdf"))
    ok = dsd("verify", signed, "--trust", pki.ca_pem, "--json")
    assert ok.code == ExitCode.OK, ok.stdout + ok.stderr
    data = json.loads(ok.stdout)
    assert data["ok"] is True and data["checked"]["pdfs"] == 1
    signature = data["details"]["signatures"][0]
    assert {"signer", "signing_time", "level", "trusted", "covers_current_file"} <= set(signature)
    bad = dsd("verify", signed, "--json")
    assert bad.code == ExitCode.PROBLEMS_FOUND
    assert {"path": "signed.pdf", "check": "signature.untrusted", "severity": "error", "bag": ""}.items() <= \
        json.loads(bad.stdout)["problems"][0].items()
    (tmp_path / "notes.txt").write_text("x")
    assert dsd("verify", tmp_path / "notes.txt").code == ExitCode.BAD_INPUT
    assert dsd("verify", signed, "--trust", tmp_path / "no-such-root.pem").code == ExitCode.BAD_INPUT


def test_a_crashing_parser_costs_only_its_own_file(tmp_path: Path):
    from tests.verify.crashing import crash_on_marker

    clean = pdfs.pdfa_like(tmp_path / "clean.pdf")
    jobs = []
    for i in range(6):
        copy = tmp_path / (f"crash-{i}.pdf" if i == 2 else f"ok-{i}.pdf")
        shutil.copy(clean, copy)
        jobs.append(PdfJob(str(copy), copy.name, "", (), False, False))
    done = []
    results = check_pdfs(jobs, workers=2, on_done=lambda: done.append(1), parallel_from=1, check=crash_on_marker)
    assert len(results) == 6 and len(done) == 6
    for job, (problems, _) in zip(jobs, results, strict=True):
        expected = [("pdf.unreadable", job.display)] if "crash" in job.display else []
        assert [(p.check, p.path) for p in problems] == expected


def test_workers_that_cannot_start_fall_back_to_checking_in_process(tmp_path: Path):
    """A __main__ that worker processes cannot import again (a script read from stdin) must not turn every PDF
    into a crash report."""
    import subprocess
    import sys

    clean = pdfs.pdfa_like(tmp_path / "clean.pdf")
    script = (f"from dsd_cli.verify.pdfverify import PdfJob, check_pdfs\n"
              f"jobs = [PdfJob({str(clean)!r}, 'c.pdf', '', (), False, False)] * 3\n"
              f"print(sum(len(p) for p, _ in check_pdfs(jobs, 2, parallel_from=1)))\n")
    proc = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == "0", proc.stdout + proc.stderr[-2000:]


def test_zeroed_contents_and_shortened_byte_range(tmp_path: Path, pki: pdfs.TestPki):
    roots = {"trust_roots": (pki.ca_pem,)}
    data = pki.sign(pdfs.pdfa_like(tmp_path / "signed.pdf")).read_bytes()
    contents = re.search(rb"/Contents <([0-9a-fA-F]+)>", data)
    zeroed = tmp_path / "zeroed.pdf"
    zeroed.write_bytes(data[:contents.start(1)] + b"0" * len(contents[1]) + data[contents.end(1):])
    assert ("signature.invalid", "error") in found(zeroed, **roots)

    byte_range = re.search(rb"/ByteRange \[(\d+) (\d+) (\d+) (\d+)\s*\]", data)
    shorter = f"/ByteRange [{byte_range[1].decode()} {byte_range[2].decode()} {byte_range[3].decode()} " \
              f"{int(byte_range[4]) - 10}".encode()
    shorter = shorter.ljust(len(byte_range[0]) - 1) + b"]"
    short = tmp_path / "short.pdf"
    short.write_bytes(data[:byte_range.start()] + shorter + data[byte_range.end():])
    assert len(short.read_bytes()) == len(data)
    assert found(short, **roots) & {("signature.invalid", "error"), ("signature.modified", "error")}


def test_a_dsd_bag_is_held_to_its_profile_pdfa_part_and_signature_level(tmp_path: Path, pki: pdfs.TestPki):
    import dataclasses

    from dsd_cli.profiles import load_profile

    profile = load_profile()
    stricter = dataclasses.replace(profile, signing=dataclasses.replace(profile.signing, level="B-T"))
    payload = {"data/signed.pdf": pki.sign(pdfs.pdfa_like(tmp_path / "s.pdf")).read_bytes(),
               "data/plain.pdf": pki.sign(pdfs.pdfa_like(tmp_path / "p.pdf", claim=False)).read_bytes()}
    info = {"DSD-Profile": profile.name, "DSD-Profile-Version": profile.profile.version}
    bag = make_bag(tmp_path / "bag", payload, info=info)

    def checks(options: VerifyOptions) -> set[tuple[str, str]]:
        problems = verify_paths([bag], options).problems
        return {(p.check, p.path) for p in problems if p.check in ("pdfa.profile-part", "signature.level")}

    base = {"workers": 1, "trust_roots": (pki.ca_pem,)}
    found = checks(VerifyOptions(**base, profile=stricter))
    assert ("pdfa.profile-part", "bag/data/plain.pdf") in found
    assert ("pdfa.profile-part", "bag/data/signed.pdf") not in found
    assert {("signature.level", "bag/data/signed.pdf"), ("signature.level", "bag/data/plain.pdf")} \
        <= found
    assert not any(c == "signature.level" for c, _ in checks(VerifyOptions(**base, profile=profile)))


def test_absurdly_nested_objects_are_reported_not_recursed_into(tmp_path: Path):
    def nest(pdf):
        deep = pikepdf.Array([1])
        for _ in range(150):
            deep = pikepdf.Array([deep])
        pdf.Root.Deep = deep

    pdf = pdfs.modify(pdfs.pdfa_like(tmp_path / "deep.pdf"), nest)
    report = verify_paths([pdf], VerifyOptions(workers=1))
    assert ("pdf.unreadable", "deep.pdf") in {(p.check, p.path) for p in report.problems}
    shallow = pdfs.modify(pdfs.pdfa_like(tmp_path / "shallow.pdf"),
                          lambda pdf: setattr(pdf.Root, "Deep", pikepdf.Array([pikepdf.Array([1])] * 3)))
    assert found(shallow) == set()
