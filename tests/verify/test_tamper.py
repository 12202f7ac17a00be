"""Every kind of tampering is detected and named (check + path); files that break parsers never crash the run."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import pikepdf
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from dsd_cli.errors import ExitCode
from dsd_cli.verify import VerifyOptions, verify_paths

BAG = "SD~2F2026~2F0100"
DOC = f"{BAG}/data/documents/0001-aanvraag.pdf"


def problems(archive: Path) -> set[tuple[str, str]]:
    report = verify_paths([archive], VerifyOptions())
    return {(p.check, p.path) for p in report.problems if p.severity == "error"}


def rehash(bag: Path) -> None:
    """What a careful attacker does after changing payload: recompute every manifest and tag manifest."""
    for manifest in sorted(bag.glob("manifest-*.txt")) + sorted(bag.glob("tagmanifest-*.txt")):
        alg = manifest.stem.split("-", 1)[1]
        lines = []
        for line in manifest.read_text().splitlines():
            _, rel = line.split(None, 1)
            lines.append(f"{hashlib.new(alg, (bag / rel).read_bytes()).hexdigest()}  {rel}\n")
        manifest.write_text("".join(lines))
    payload = [p for p in (bag / "data").rglob("*") if p.is_file()]
    info = (bag / "bag-info.txt").read_text()
    info = re.sub(r"Payload-Oxum: .*", f"Payload-Oxum: {sum(p.stat().st_size for p in payload)}.{len(payload)}",
                  info)
    (bag / "bag-info.txt").write_text(info)
    for manifest in sorted(bag.glob("tagmanifest-*.txt")):
        alg = manifest.stem.split("-", 1)[1]
        lines = [f"{hashlib.new(alg, (bag / rel).read_bytes()).hexdigest()}  {rel}\n"
                 for _, rel in (line.split(None, 1) for line in manifest.read_text().splitlines())]
        manifest.write_text("".join(lines))


def test_the_untouched_archive_verifies_with_demo_warnings_only(signed_archive: Path, dsd):
    report = verify_paths([signed_archive], VerifyOptions())
    assert report.ok and report.checked["bags"] == 2 and report.checked["signatures"] == 3
    # Warnings only, for the demo signatures (Info and XMP agree on the producer after signing).
    assert {p.check for p in report.problems} == {"signature.demo-trust"}
    assert all(p.severity == "warning" for p in report.problems)
    result = dsd("verify", signed_archive, "--json")
    assert result.code == ExitCode.OK and json.loads(result.stdout)["ok"] is True


def flip_byte(path: Path, offset: int = 2000) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("tamper", "expected"), [
    (lambda a: flip_byte(a / DOC), {("bagit.checksum", DOC)}),
    (lambda a: (a / DOC).write_bytes((a / DOC).read_bytes()[:-100]), {("bagit.checksum", DOC)}),
    (lambda a: (a / DOC).unlink(), {("bagit.missing-file", DOC)}),
    (lambda a: (a / BAG / "data" / "extra.txt").write_text("stray"), {("bagit.unexpected-file",
                                                                       f"{BAG}/data/extra.txt")}),
    (lambda a: (a / DOC).rename(a / BAG / "data" / "documents" / "renamed.pdf"),
     {("bagit.missing-file", DOC), ("bagit.unexpected-file", f"{BAG}/data/documents/renamed.pdf")}),
    (lambda a: (a / BAG / "bag-info.txt").write_text((a / BAG / "bag-info.txt").read_text()
                                                     .replace("Disposition: ", "Disposition: X")),
     {("bagit.tag-checksum", f"{BAG}/bag-info.txt")}),
    (lambda a: (a / BAG / "metadata" / "mets.xml").write_text((a / BAG / "metadata" / "mets.xml").read_text()
                                                               .replace("aanvraag", "beslissing")),
     {("bagit.tag-checksum", f"{BAG}/metadata/mets.xml")}),
    (lambda a: (a / BAG / "manifest-sha256.txt").write_text(
        (a / BAG / "manifest-sha256.txt").read_text().replace("0001-aanvraag", "0001-Aanvraag")),
     {("bagit.tag-checksum", f"{BAG}/manifest-sha256.txt")}),
])
def test_tampering_is_named(archive_copy: Path, tamper, expected):
    tamper(archive_copy)
    found = problems(archive_copy)
    assert expected <= found, found


def test_payload_oxum_and_disagreeing_manifests(archive_copy: Path):
    bag = archive_copy / BAG
    info = bag / "bag-info.txt"
    info.write_text(re.sub(r"Payload-Oxum: (\d+)\.(\d+)", r"Payload-Oxum: \1.9", info.read_text()))
    assert ("bagit.payload-oxum", f"{BAG}/bag-info.txt") in problems(archive_copy)
    # sha256 and sha512 manifests that disagree about one file: the sha512 one was left stale
    flip_byte(archive_copy / DOC)
    sha256 = bag / "manifest-sha256.txt"
    lines = [f"{hashlib.sha256((bag / rel).read_bytes()).hexdigest()}  {rel}\n"
             for _, rel in (line.split(None, 1) for line in sha256.read_text().splitlines())]
    sha256.write_text("".join(lines))
    found = {p for p in verify_paths([archive_copy], VerifyOptions()).problems if p.path == DOC}
    # the stale sha512 manifest and METS both still hold the original digest
    assert {p.check for p in found} == {"bagit.checksum", "mets.checksum"}
    assert any("sha512" in p.message for p in found if p.check == "bagit.checksum")


@pytest.mark.parametrize("entry", ["../../etc/passwd", f"../{BAG}2/data/x.pdf", "/etc/passwd", "~root/.ssh/id_rsa",
                                   "data/../../outside.pdf", "C:/Windows/win.ini", "\\\\server\\share\\x"])
def test_path_escaping_manifest_entries_are_reported_and_never_opened(archive_copy: Path, entry: str):
    bag = archive_copy / BAG
    sibling = archive_copy / f"{BAG}2" / "data"
    sibling.mkdir(parents=True)
    (sibling / "x.pdf").write_bytes(b"outside the bag")
    manifest = bag / "manifest-sha256.txt"
    manifest.write_text(manifest.read_text() + f"{'0' * 64}  {entry}\n")
    report = verify_paths([bag], VerifyOptions())
    escapes = [p for p in report.problems if p.check == "bagit.path-escape"]
    assert escapes and repr(entry) in escapes[0].message and not report.ok


def test_incremental_update_after_signing_is_caught_even_with_rehashed_manifests(archive_copy: Path):
    target = archive_copy / DOC
    # A visible change appended as a new revision, as an editor would save it.
    writer = IncrementalPdfFileWriter(io.BytesIO(target.read_bytes()))
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    page["/Rotate"] = generic.NumberObject(90)
    writer.mark_update(page_ref)
    out = io.BytesIO()
    writer.write(out)
    target.write_bytes(out.getvalue())
    rehash(archive_copy / BAG)
    found = problems(archive_copy)
    assert ("signature.modified", DOC) in found or ("signature.invalid", DOC) in found, found
    assert not any(check.startswith("bagit.") for check, _ in found), "the attacker re-hashed every manifest"


def test_bytes_after_eof_and_removed_signature(archive_copy: Path):
    target = archive_copy / DOC
    target.write_bytes(target.read_bytes() + b"\n%% appended after signing\n")
    other = archive_copy / f"{BAG}/data/documents/0002-inkomen.pdf"
    with pikepdf.open(other, allow_overwriting_input=True) as pdf:
        pdf.Root.AcroForm.Fields = pikepdf.Array()
        for page in pdf.pages:
            if "/Annots" in page.obj:
                del page.obj["/Annots"]
        pdf.save(other)
    rehash(archive_copy / BAG)
    found = problems(archive_copy)
    assert ("signature.modified", DOC) in found, found
    assert ("signature.missing", f"{BAG}/data/documents/0002-inkomen.pdf") in found, found


def test_pdfa_claim_with_embedded_file_and_corrupt_pdf(archive_copy: Path):
    target = archive_copy / "BB-2026-7/data/documents/0001-energie.pdf"
    with pikepdf.open(target, allow_overwriting_input=True) as pdf:
        pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 not really")
        pdf.save(target)
    other = archive_copy / "SD~2F2026~2F0100/data/documents/0002-inkomen.pdf"
    other.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    rehash(archive_copy / "BB-2026-7")
    rehash(archive_copy / BAG)
    report = verify_paths([archive_copy], VerifyOptions())
    found = {(p.check, p.path) for p in report.problems}
    assert ("pdfa.embedded-file", "BB-2026-7/data/documents/0001-energie.pdf") in found
    assert ("pdf.unreadable", f"{BAG}/data/documents/0002-inkomen.pdf") in found


def test_audit_log_edit_is_reported(archive_copy: Path):
    log = archive_copy / "audit" / "audit-log.jsonl"
    lines = log.read_text().splitlines()
    lines[1] = lines[1].replace('"run-started"', '"run-forged"').replace('"batch-split"', '"batch-forged"')
    log.write_text("\n".join(lines) + "\n")
    assert ("audit.edited-entry", "audit/audit-log.jsonl") in problems(archive_copy)


def test_cli_exit_codes_json_and_html_report(archive_copy: Path, dsd, tmp_path: Path):
    flip_byte(archive_copy / DOC)
    report_file = tmp_path / "report.html"
    result = dsd("verify", archive_copy, "--json", "--report", report_file)
    assert result.code == ExitCode.PROBLEMS_FOUND
    data = json.loads(result.stdout)
    assert data["ok"] is False and {"path", "check", "message", "severity", "bag"} <= set(data["problems"][0])
    html = report_file.read_text()
    assert "NIET GESLAAGD" in html and "bagit.checksum" in html and DOC in html and "<script" not in html
    assert "Wat niet werd gecontroleerd" in html
    missing = dsd("verify", tmp_path / "nope")
    assert missing.code == ExitCode.BAD_INPUT
