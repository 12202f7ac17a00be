"""Words that the model of one language read on a line of another are read again by the right model (real
Tesseract): the Dutch model has no 'ç', so it writes "reçu" as "recu" or "regu" on a French line."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import tesserocr

from benchmarks.ocrpages import DUTCH, FRENCH, letter, normalise, word_box_on_scan, worn
from dsd_cli.ocr import ocr_document
from dsd_cli.ocr.rereading import Rereader, patch_hocr, recognised_words
from dsd_cli.ocr.tessdata import tessdata_folder
from dsd_cli.profiles import OcrSettings
from tests.ocr.conftest import image_pdf

SHEET = {"width_in": 5.83, "height_in": 8.27, "paragraphs": 2}  # A5: a Dutch paragraph, then a French one
FRENCH_ONLY = {normalise(w) for w in FRENCH.split()} - {normalise(w) for w in DUTCH.split()}
DUTCH_ONLY = {normalise(w) for w in DUTCH.split()} - {normalise(w) for w in FRENCH.split()}


def test_words_the_dutch_model_read_on_a_french_line_are_read_again_by_the_french_one():
    page = worn(letter(150, 2, **SHEET), 2)
    image = page.image.convert("L")
    folder = tessdata_folder()
    assert folder is not None
    with tesserocr.PyTessBaseAPI(path=str(folder), lang="nld", psm=tesserocr.PSM.AUTO) as dutch:
        dutch.SetImage(image)
        dutch.SetSourceResolution(150)
        dutch.Recognize()
        first = recognised_words(dutch)
        hocr = dutch.GetHOCRText(0)
    texts = [w.text for w in first]
    assert "reçu" not in texts and {w.language for w in first} == {"nld"}, "the Dutch model cannot write 'ç'"
    after = Rereader(folder, ("nld", "fra")).reread(image, 150, first, time.monotonic() + 60)
    assert len(after) == len(first)
    (received,) = [i for i, w in enumerate(after) if w.text == "reçu"]
    assert after[received].language == "fra" and after[received].box == first[received].box
    assert after[received].confidence > first[received].confidence
    changed = [(old, new) for old, new in zip(first, after, strict=True) if old != new]
    assert all(new.language == "fra" and normalise(old.text) not in DUTCH_ONLY for old, new in changed), changed
    assert all(w.language == "nld" for w in after if normalise(w.text) in DUTCH_ONLY), "Dutch lines left alone"
    patched = patch_hocr(hocr, first, after)
    spans = re.findall(r"<span class='ocrx_word'[^>]*title='(bbox [\d ]+);[^>]*>([^<]*)</span>", patched)
    assert len(spans) == len(first)
    assert spans[received] == ("bbox " + " ".join(map(str, first[received].box)), "reçu")
    assert "lang='fra'>reçu<" in patched


def test_french_after_dutch_on_worn_150_dpi_pages_keeps_its_cedillas_and_lands_on_the_words(tmp_path: Path):
    pages = [worn(letter(150, seed, **SHEET), seed) for seed in (2, 4)]
    src, _ = image_pdf(tmp_path, "worn", [(page, "jpeg") for page in pages])
    out = tmp_path / "worn.pdf"
    result = ocr_document(src, out, OcrSettings())
    texts = subprocess.run(["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    for page, text in zip(pages, texts, strict=False):
        assert text.split().count("reçu") == page.words.count("reçu") == 1, text
    assert all(r["languages"]["fra"] > 0.3 and r["languages"]["nld"] > 0.3 for r in result.quality)
    # The word read again keeps the box Tesseract found: selecting it in a viewer lands on it.
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(out))
    try:
        page = pages[0]
        pdf_page = doc[0]
        textpage = pdf_page.get_textpage()
        height, scale = pdf_page.get_height(), 72 / page.dpi
        found = textpage.search("reçu", match_case=True, match_whole_word=True).get_next()
        assert found is not None
        start, count = found
        boxes = [textpage.get_charbox(i) for i in range(start, start + count)]
        centre = ((boxes[0][0] + boxes[-1][2]) / 2, height - (min(b[1] for b in boxes) + max(b[3] for b in boxes)) / 2)
        box = word_box_on_scan(page, page.boxes[page.words.index("reçu")])
        expected = ((box[0] + box[2]) / 2 * scale, (box[1] + box[3]) / 2 * scale)
        assert abs(centre[0] - expected[0]) < 4 and abs(centre[1] - expected[1]) < 4, (centre, expected)
        textpage.close()
        pdf_page.close()
    finally:
        doc.close()
