"""The tesseract engine on real Tesseract (tesserocr) and real files: the scanned image kept byte for byte, the text
layer on the words, orientation, PDF/A, routing of PDFs that are not scans, and the quality flags."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFilter

from benchmarks.ocrpages import Page, letter, rotated, word_box_on_scan, word_recall
from dsd_cli.errors import ToolFailedError
from dsd_cli.ocr import extract_text, ocr_document
from dsd_cli.profiles import OcrSettings, QaSettings
from dsd_cli.verify.pdfcheck import check_pdfa
from tests.conftest import run_dsd
from tests.ocr.conftest import image_pdf

SMALL = {"width_in": 5.8, "height_in": 4.2, "paragraphs": 1}  # a short note: quick to recognise


def small_letter(dpi: int = 200, seed: int = 1) -> Page:
    return letter(dpi, seed, **SMALL)


def images(pdf: Path) -> list[pikepdf.Stream]:
    with pikepdf.open(pdf) as doc:
        found = []
        for page in doc.pages:
            (xobject,) = [x for x in page.obj.Resources.XObject.values() if x.Subtype == "/Image"]
            filters = xobject.get("/Filter")
            found.append((xobject.read_raw_bytes(), str(filters[0] if isinstance(filters, pikepdf.Array)
                                                        else filters)))
        return found


def _pdfa_verdict(pdf: Path) -> tuple[list, tuple[str, str]]:
    """dsd's own PDF/A problems for `pdf` and the part and conformance it claims."""
    problems, facts = check_pdfa(pdf, pdf.name)
    return problems, (facts.part, facts.conformance)


def pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_scanned_images_are_archived_byte_for_byte_and_the_pdfa_checks_pass(tmp_path: Path):
    """G4 stays G4, JPEG stays JPEG, PNG stays losslessly wrapped: the archived image streams are the input's."""
    pages = [(small_letter(200, 1), "g4"), (small_letter(200, 2), "jpeg"), (small_letter(200, 3), "png")]
    src, _files = image_pdf(tmp_path, "mixed", pages)
    out = tmp_path / "out" / "mixed.pdf"
    result = ocr_document(src, out, OcrSettings())
    assert result.engine == "tesseract" and result.pages == 3 and "tesseract 5." in result.tool
    before, after = images(src), images(out)
    assert [f for _, f in after] == ["/CCITTFaxDecode", "/DCTDecode", "/FlateDecode"]
    assert before == after, "the page image streams are the scanner's own bytes"
    problems, facts = check_pdfa(out, out.name)
    assert (facts.part, facts.conformance) == ("2", "B") and problems == [], problems
    with pikepdf.open(out) as pdf:
        assert pikepdf.pdfa.check(pdf, "2b").passed
        meta = pdf.open_metadata()
        assert str(pdf.docinfo["/Producer"]) == str(meta["pdf:Producer"]), "Info and XMP agree"
        assert str(meta["xmp:CreatorTool"]).startswith("dsd ")
    text = pdftotext(out)
    for (page, _), chunk in zip(pages, text.split("\f"), strict=False):
        assert word_recall(page.words, chunk) >= 0.95, chunk
    assert [r["page"] for r in result.quality] == [1, 2, 3]
    assert all(r["words"] >= 20 and r["confidence_mean"] > 80 and not r["flags"] for r in result.quality)
    assert sorted(p.name for p in out.parent.iterdir()) == ["mixed.pdf"], "no temp files left behind"


def _pdf_word_boxes(pdf: Path) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Words of the first page's text layer with their boxes (points, top-left origin), as a viewer selects them."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        page = doc[0]
        height = page.get_height()
        text = page.get_textpage()
        words, current, box = [], "", None
        for i in range(text.count_chars()):
            char = text.get_text_range(i, 1)
            if char.isspace() or not char:
                if current:
                    words.append((current, box))
                current, box = "", None
                continue
            left, bottom, right, top = text.get_charbox(i)
            edges = (left, height - top, right, height - bottom)
            box = edges if box is None else (min(box[0], edges[0]), min(box[1], edges[1]),
                                             max(box[2], edges[2]), max(box[3], edges[3]))
            current += char
        if current:
            words.append((current, box))
        return words
    finally:
        doc.close()


@pytest.mark.parametrize("skew", [0.0, 3.0])
def test_text_selection_lands_on_the_words(tmp_path: Path, skew: float):
    page = small_letter(200, 4)
    if skew:
        page = rotated(page, skew)
    src, _ = image_pdf(tmp_path, "note", [(page, "jpeg")])
    out = tmp_path / "note.pdf"
    result = ocr_document(src, out, OcrSettings())
    (record,) = result.quality
    assert abs(record["skew_residual"]) < 0.5, record
    with pikepdf.open(out) as pdf, pikepdf.open(src) as original:
        assert pdf.pages[0].mediabox == original.pages[0].mediabox
    scale = 72 / page.dpi
    found = _pdf_word_boxes(out)
    matched = 0
    for word, box in zip(page.words, page.boxes, strict=True):
        expected = [v * scale for v in word_box_on_scan(page, box)]
        near = [b for w, b in found if w == word and abs((b[0] + b[2]) / 2 - (expected[0] + expected[2]) / 2) < 4
                and abs((b[1] + b[3]) / 2 - (expected[1] + expected[3]) / 2) < 4]
        matched += bool(near)
    assert matched >= 0.95 * len(page.words), (matched, len(page.words))
    # Reading order, also on the skewed page: as a viewer (pdfium) extracts it, and pdftotext in content order.
    # (pdftotext's default layout mode breaks up text that is not at a multiple of 90°: so it does on OCRmyPDF's
    # output of an unstraightened page too.)
    opening = " ".join(page.words[:10])
    assert opening in " ".join(extract_text(out).split())
    assert opening in " ".join(pdftotext(out, "-raw").split())
    if not skew:
        assert opening in " ".join(pdftotext(out).split())


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_turned_pages_come_out_upright_with_their_text(tmp_path: Path, turn: int):
    page = rotated(small_letter(200, 5), turn)
    src, _ = image_pdf(tmp_path, "turned", [(page, "jpeg")])
    out = tmp_path / "turned.pdf"
    result = ocr_document(src, out, OcrSettings())
    assert result.quality[0]["orientation"] == turn
    with pikepdf.open(out) as pdf:
        assert int(pdf.pages[0].obj.Rotate) == turn, "turned by /Rotate, the image left as scanned"
    assert images(src) == images(out)
    assert word_recall(page.words, pdftotext(out)) >= 0.95
    assert " ".join(page.words[:6]) in " ".join(pdftotext(out).split()), "words in reading order"


def test_a_pdf_with_text_is_routed_to_ocrmypdf(tmp_path: Path):
    from fpdf import FPDF

    born_digital = tmp_path / "letter.pdf"
    doc = FPDF()
    doc.add_page()
    doc.add_font("DejaVu", fname="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    doc.set_font("DejaVu", size=14)
    doc.text(20, 30, "Beslissing van het bijzonder comité")
    doc.output(str(born_digital))
    with pikepdf.open(born_digital, allow_overwriting_input=True) as pdf:
        del pdf.Root.OpenAction  # what a document made by dsd's split never has (its catalogue is new)
        pdf.save(born_digital)
    result = ocr_document(born_digital, tmp_path / "out.pdf", OcrSettings())
    assert result.engine == "ocrmypdf" and "text or vector content" in result.facts["routed"]
    assert "comité" in extract_text(tmp_path / "out.pdf")
    assert _pdfa_verdict(tmp_path / "out.pdf") == ([], ("2", "B"))


def _reportlab_pdf(path: Path) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.drawString(72, 720, "Helvetica is not embedded")
    c.save()
    return path


def test_a_pdf_that_cannot_be_pdfa_names_the_cause(tmp_path: Path):
    """Both ways (pikepdf's writer, OCRmyPDF's run) the message names the construct, not an option to try."""
    from dsd_cli.ocr.pdfa import write_pdfa

    plain = _reportlab_pdf(tmp_path / "reportlab.pdf")
    with pikepdf.open(plain) as pdf, pytest.raises(ToolFailedError) as info:
        write_pdfa(pdf, tmp_path / "out.pdf", OcrSettings(), producer="test")
    assert info.value.reason == "pdfa-failed"
    assert "/Trans" in info.value.message and "obj 4 0" in info.value.message, info.value.message
    routed = run_dsd("ocr", plain, "-o", tmp_path / "out.pdf")  # routed to OCRmyPDF (the page has text)
    assert routed.code == 4, routed.stderr
    assert "construct" in routed.stderr and "/Trans" in routed.stderr, routed.stderr
    assert "--pdfa-backend" not in routed.stderr and "--output-type" not in routed.stderr
    assert not (tmp_path / "out.pdf").exists()


def _blurred(page: Page) -> Page:
    page.image = page.image.filter(ImageFilter.GaussianBlur(4.5))
    return page


def _marks_without_text(dpi: int = 200) -> Page:
    """A mostly empty sheet with a few heavy scribbles (a stamp, crossings-out): ink, but no words."""
    image = Image.new("L", (round(5.8 * dpi), round(4.2 * dpi)), 248)
    draw = ImageDraw.Draw(image)
    for n in range(6):
        draw.line((100 + n * 120, 200, 220 + n * 120, 620), fill=10, width=22)
    draw.ellipse((300, 300, 700, 560), outline=15, width=25)
    return Page(image, dpi, [], [])


def _upside_down_form(dpi: int = 200) -> Page:
    """A form without text, upside down: boxes and rules only, nothing to tell up from down."""
    image = Image.new("L", (round(5.8 * dpi), round(4.2 * dpi)), 248)
    draw = ImageDraw.Draw(image)
    for row in range(5):
        draw.rectangle((80, 80 + row * 140, 1080, 180 + row * 140), outline=20, width=4)
    return rotated(Page(image, dpi, [], []), 180)


def test_bad_pages_are_flagged_with_the_right_reason(tmp_path: Path):
    pages = [(_blurred(small_letter(200, 6)), "jpeg"), (_marks_without_text(), "jpeg"),
             (_upside_down_form(), "png"), (small_letter(200, 7), "jpeg")]
    src, _ = image_pdf(tmp_path, "bad", pages)
    result = ocr_document(src, tmp_path / "bad.pdf", OcrSettings(), QaSettings())
    flags = [r["flags"] for r in result.quality]
    assert "low-confidence" in flags[0] or "few-words-for-ink" in flags[0], result.quality[0]
    assert "few-words-for-ink" in flags[1], result.quality[1]
    assert "uncertain-orientation" in flags[2], result.quality[2]
    assert flags[3] == [], result.quality[3]
    assert result.quality[3]["language"] in ("nld", "fra")


def test_the_worker_step_for_shared_nothing_workers_takes_and_returns_bytes(tmp_path: Path):
    from dsd_cli.pipeline.workers import ocr_bytes_step

    src, _ = image_pdf(tmp_path, "card", [(letter(200, 8, width_in=4.1, height_in=2.9, paragraphs=1), "jpeg")])
    outcome, data = ocr_bytes_step("b-1-0001", src.read_bytes(), OcrSettings(), QaSettings(), "2026-12-01T10:00:00")
    assert outcome.ok and outcome.file is None and data.startswith(b"%PDF-")
    assert [r["page"] for r in outcome.quality] == [1]
    ocr_event, conversion = outcome.events
    assert ocr_event["substitution"]["engine"] == "tesseract" and "PDF/A-2b" in conversion["detail"]
    broken, nothing = ocr_bytes_step("b-1-0002", b"%PDF-1.7 broken", OcrSettings(), QaSettings(), "now")
    assert not broken.ok and broken.reason == "corrupt" and nothing == b""


def test_straighten_image_replaces_a_skewed_scan_and_says_so(tmp_path: Path):
    from dataclasses import replace

    from dsd_cli.pipeline.workers import ocr_events

    page = rotated(letter(200, 9, width_in=4.1, height_in=2.9, paragraphs=1), 3.0)
    src, _ = image_pdf(tmp_path, "straight", [(page, "jpeg")])
    out = tmp_path / "straight.pdf"
    result = ocr_document(src, out, replace(OcrSettings(), straighten_image=True))
    ((_, encoding),) = images(out)
    assert encoding == "/FlateDecode" and images(src) != images(out)
    assert result.facts["straightened"] == 1
    _, conversion = ocr_events(result, ("nld", "fra"), "now")
    assert "straightened and re-encoded losslessly" in conversion["detail"]
    assert word_recall(page.words, pdftotext(out)) >= 0.95, "a straight text layer over a straight image"
    assert _pdfa_verdict(out) == ([], ("2", "B"))
