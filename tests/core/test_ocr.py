"""The OCR stage on real OCRmyPDF + Tesseract."""

import json
from pathlib import Path

import img2pdf
import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from dsd_cli.errors import InputError
from dsd_cli.ocr import extract_text, ocr_document, pdfa_identification
from dsd_cli.tools.ocrmypdf_runner import OcrOptions

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def letter_pdf(path: Path, lines: list[str]) -> Path:
    image = Image.new("L", (1654, 1169), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    for i, line in enumerate(lines):
        draw.text((120, 150 + i * 70), line, font=font, fill=0)
    png = path.with_suffix(".png")
    image.save(png, dpi=(200, 200))
    path.write_bytes(img2pdf.convert(str(png)))
    return path


def test_dutch_and_french_text_becomes_searchable_pdfa(tmp_path: Path):
    src = letter_pdf(tmp_path / "in.pdf", ["Geachte mevrouw, uw aanvraag voor een leefloon",
                                           "werd goedgekeurd door het bijzonder comité.",
                                           "Madame, votre demande a été approuvée."])
    out = tmp_path / "out" / "doc.pdf"
    result = ocr_document(src, out, OcrOptions(deskew=False))
    assert result.pages == 1 and (result.pdfa_part, result.pdfa_conformance) == ("2", "B")
    assert pdfa_identification(out) == ("2", "B")
    text = extract_text(out).lower()
    for word in ("leefloon", "goedgekeurd", "comité", "approuvée"):
        assert word in text
    assert "tesseract 5" in result.tool
    assert [p.name for p in out.parent.iterdir()] == ["doc.pdf"], "no temp files left behind"


@pytest.mark.parametrize(("content", "reason"), [(b"", "corrupt"), (b"%PDF-1.7\n1 0 obj <<", "corrupt"),
                                                 (b"GIF89a not a pdf", "corrupt")])
def test_bad_input_is_an_input_error_and_leaves_nothing(tmp_path: Path, content: bytes, reason: str):
    src = tmp_path / "bad.pdf"
    src.write_bytes(content)
    out = tmp_path / "out.pdf"
    with pytest.raises(InputError) as info:
        ocr_document(src, out, OcrOptions())
    assert info.value.reason == reason
    assert not out.exists()


def test_encrypted_pdf_is_refused(tmp_path: Path):
    src = letter_pdf(tmp_path / "plain.pdf", ["Vertrouwelijk"])
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(src) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    with pytest.raises(InputError) as info:
        ocr_document(locked, tmp_path / "out.pdf", OcrOptions())
    assert info.value.reason == "encrypted"
    assert not (tmp_path / "out.pdf").exists()


def test_cli_ocr_exit_codes(tmp_path: Path, dsd):
    src = letter_pdf(tmp_path / "in.pdf", ["Beslissing van het comité"])
    ok = dsd("ocr", src, "-o", tmp_path / "o.pdf", "--json")
    assert ok.code == 0, ok.stderr
    assert '"pages": 1' in ok.stdout
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    failed = dsd("ocr", bad, "-o", tmp_path / "o2.pdf")
    assert failed.code == 4 and "bad.pdf: not a PDF, TIFF, JPEG or PNG scan" in failed.stderr
    # The reasons of the batch's intake (docs/exit-codes.md: the error's reason is the one quarantine would give).
    bad.write_bytes(b"")
    empty = json.loads(dsd("ocr", bad, "-o", tmp_path / "o2.pdf", "--json").stdout)
    assert empty["error"]["reason"] == "zero-byte" and "bad.pdf: the file is empty" in empty["error"]["message"]
    bad.write_bytes(src.read_bytes()[:400])
    cut = json.loads(dsd("ocr", bad, "-o", tmp_path / "o2.pdf", "--json").stdout)
    assert cut["error"]["reason"] == "corrupt" and cut["error"]["message"].startswith("bad.pdf: not a readable PDF")
    bomb = tmp_path / "bomb.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.pages[0].mediabox = pikepdf.Array([0, 0, 20000, 20000])  # 7 m a side: no scanner's page
        pdf.save(bomb)
    huge = json.loads(dsd("ocr", bomb, "-o", tmp_path / "o3.pdf", "--json").stdout)
    assert huge["error"]["reason"] == "too-large", huge
    assert not (tmp_path / "o2.pdf").exists() and not (tmp_path / "o3.pdf").exists()
    assert dsd("ocr", src).code == 2  # -o is required
