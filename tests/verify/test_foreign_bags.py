"""Bags made by other tools: bagit-python's `make_bag` over ordinary (non-PDF/A) PDFs verifies OK, because the PDF/A
rules apply only to files that claim PDF/A or to bags whose profile requires it; `--fixity-only` checks exactly
what `bagit.py --validate` checks, and agrees with it."""

from __future__ import annotations

import json
from pathlib import Path

import bagit
from reportlab.pdfgen import canvas

from dsd_cli.errors import ExitCode
from dsd_cli.verify import VerifyOptions, verify_paths
from tests.verify import pdfs


def ordinary_pdf(path: Path, text: str) -> Path:
    """What an office program writes: no XMP, no output intent, device colour, a standard font not embedded."""
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFillColorRGB(0.1, 0.3, 0.6)
    c.drawString(72, 770, text)
    c.rect(72, 600, 200, 100, fill=1)
    c.showPage()
    c.save()
    return path


def plain_bag(folder: Path) -> Path:
    folder.mkdir()
    ordinary_pdf(folder / "brief.pdf", "Brief aan de cliënt")
    ordinary_pdf(folder / "verslag.pdf", "Sociaal verslag")
    (folder / "notities.txt").write_text("geen PDF\n", encoding="utf-8")
    bagit.make_bag(str(folder), {"Source-Organization": "Elders"}, checksums=["sha256", "sha512"])
    return folder


def test_a_bagit_python_bag_of_ordinary_pdfs_verifies(tmp_path: Path, dsd):
    bag = plain_bag(tmp_path / "bag")
    result = dsd("verify", bag, "--json")
    assert result.code == ExitCode.OK, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["checked"]["pdfs"] == 2 and data["checked"]["files"] == 3
    assert not [p for p in data["problems"] if p["severity"] == "error"]


def test_a_pdfa_claim_inside_a_foreign_bag_is_still_held_to_pdfa(tmp_path: Path):
    folder = tmp_path / "bag"
    folder.mkdir()
    pdfs.pdfa_like(folder / "claims.pdf", intent=False)  # claims PDF/A-2b, paints DeviceRGB, no output intent
    ordinary_pdf(folder / "plain.pdf", "gewoon")
    bagit.make_bag(str(folder), checksums=["sha256"])
    report = verify_paths([folder], VerifyOptions(workers=1))
    assert {(p.check, p.path) for p in report.problems if p.severity == "error"} == {
        ("pdfa.output-intent", "bag/data/claims.pdf")}


def test_fixity_only_checks_what_bagit_python_checks(tmp_path: Path, dsd):
    bag = plain_bag(tmp_path / "bag")
    broken = bag / "data" / "kapot.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot really a PDF")  # fixity is about bytes, not about what they are
    rebagged = bagit.Bag(str(bag))
    rebagged.save(manifests=True)
    assert rebagged.is_valid()
    full = dsd("verify", bag, "--json")
    assert full.code == ExitCode.PROBLEMS_FOUND  # the full check parses the PDF
    fixity = dsd("verify", bag, "--fixity-only", "--json")
    assert fixity.code == ExitCode.OK, fixity.stdout + fixity.stderr
    result = json.loads(fixity.stdout)
    assert result["details"]["mode"] == "fixity-only" and "pdfs" not in result["checked"]
    assert result["checked"]["files"] == 4 and result["problems"] == []

    data_file = bag / "data" / "brief.pdf"
    flipped = bytearray(data_file.read_bytes())
    flipped[len(flipped) // 2] ^= 0x01
    data_file.write_bytes(bytes(flipped))
    assert not bagit.Bag(str(bag)).is_valid()
    changed = dsd("verify", bag, "--fixity-only", "--json")
    assert changed.code == ExitCode.PROBLEMS_FOUND
    assert {p["check"] for p in json.loads(changed.stdout)["problems"]} == {"bagit.checksum"}
    assert dsd("verify", bag, "--fixity-only", "--fast").code == ExitCode.USAGE
