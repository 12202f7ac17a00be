"""QR labels: printed sheets (layouts, register, CSV), the label payload, and reading labels on letters — any
corner, any rotation, half under a stamp, at 150 and 300 dpi, after a photocopy — and splitting on them together
with sheets. A payment QR code is never a label."""

from __future__ import annotations

import random
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
import zxingcpp
from PIL import Image, ImageOps

from benchmarks.separators import DEGRADATIONS
from dsd_cli.errors import ConfigError, ExitCode, InputError
from dsd_cli.models import PageRef, SeparatorPayload
from dsd_cli.profiles import load_profile
from dsd_cli.register import load_register
from dsd_cli.scan.detect import SeparatorDetector
from dsd_cli.scan.split import split_inputs
from dsd_cli.sheets.labels import LAYOUTS, LabelSpec, read_label_csv, write_labels
from dsd_cli.sheets.payload import decode_payload, encode_payload
from tests.separators.pages import (
    EPC,
    label,
    letter,
    qr,
    save_scanner_pdf,
    save_tiff,
    scramble_codes,
    sheet,
    stamp_over,
    stick,
)

PAGE = PageRef(Path("post.tif"), 0)
LABEL = SeparatorPayload("SD/2024/0001", "briefwisseling", label=True)


@pytest.fixture(scope="module")
def detector() -> SeparatorDetector:
    return SeparatorDetector(load_profile().separators)


def read_label(detector: SeparatorDetector, image: Image.Image) -> SeparatorPayload | None:
    found = detector.detect(PAGE, image)
    assert found.bad_separator == "", found
    if found.separator is None:
        return None
    assert found.separator.kind == "label", found.separator
    return found.separator.payload


def test_the_label_payload_says_label_and_shares_the_sheet_check_digits():
    sheet_code = encode_payload(SeparatorPayload("SD/2024/0001", "briefwisseling"))
    label_code = encode_payload(LABEL)
    assert label_code.startswith("DSD1:L:SD%2F2024%2F0001:briefwisseling:")
    assert decode_payload(label_code) == LABEL and decode_payload(sheet_code).label is False
    with pytest.raises(InputError) as info:  # a sheet's check digits never pass for a label (and back)
        decode_payload(label_code.rsplit(":", 1)[0] + ":" + sheet_code.rsplit(":", 1)[1])
    assert info.value.reason == "bad-separator"
    assert decode_payload(encode_payload(SeparatorPayload("L", "aanvraag"))) == SeparatorPayload("L", "aanvraag")


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_label_sheets_hold_their_layout_and_every_label_reads(layout: str, tmp_path: Path):
    spec = LAYOUTS[layout]
    out = tmp_path / "labels.pdf"
    count = spec.per_sheet + 2  # a second sheet
    register = tmp_path / "register.csv"
    register.write_text("dossier,client\nSD/2024/0001,Familie Janssens\n", encoding="utf-8")
    assert write_labels([LabelSpec("SD/2024/0001", "briefwisseling", count=count)], out, load_profile(),
                        load_register(register), spec, skip=1) == count
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 2
    pdf = pypdfium2.PdfDocument(str(out))
    try:
        first = ImageOps.grayscale(pdf[0].render(scale=200 / 72).to_pil())
        text = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    codes = [b for b in zxingcpp.read_barcodes(first, formats=zxingcpp.BarcodeFormat.QRCode)]
    assert len(codes) == 2 * (spec.per_sheet - 1), "two codes per label, the skipped position left free"
    assert {b.text for b in codes} == {encode_payload(LABEL)}
    assert "SD/2024/0001" in text and "Familie Janssens" in text and "briefwisseling" in text
    px = 200 / 25.4  # the first free position is the second label: its codes lie inside its box
    left = spec.left + (1 % spec.columns) * spec.pitch_x
    top = spec.top + (1 // spec.columns) * spec.pitch_y
    inside = [b for b in codes if left * px <= b.position.top_left.x <= (left + spec.width) * px
              and top * px <= b.position.top_left.y <= (top + spec.height) * px]
    assert len(inside) == 2


def test_labels_refuse_unknown_dossiers_types_and_bad_csv(tmp_path: Path):
    register = tmp_path / "register.csv"
    register.write_text("dossier,client\nSD/2024/0001,Familie Janssens\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not in the register"):
        write_labels([LabelSpec("SD/2099/0001", "aanvraag")], tmp_path / "x.pdf", load_profile(),
                     load_register(register))
    with pytest.raises(ConfigError, match="document type"):
        write_labels([LabelSpec("SD/2024/0001", "nope")], tmp_path / "x.pdf", load_profile())
    csv_file = tmp_path / "post.csv"
    csv_file.write_text("dossier;type;count\nSD/2024/0001;aanvraag;3\nSD/2024/0002;medisch;\n", encoding="utf-8")
    assert [(s.dossier, s.count) for s in read_label_csv(csv_file)] == [("SD/2024/0001", 3), ("SD/2024/0002", 1)]
    csv_file.write_text("dossier,type,count\nSD/2024/0001,aanvraag,drie\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="count"):
        read_label_csv(csv_file)


def test_dsd_labels_command(dsd, tmp_path: Path):
    out = tmp_path / "labels.pdf"
    result = dsd("labels", "--dossier", "SD/2024/0001", "--type", "aanvraag", "--layout", "2x7", "-o", out)
    assert result.code == ExitCode.OK, result.stderr
    assert "14 labels" in result.stderr + result.stdout
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 1
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}  # what a viewer's title bar and properties show
    assert info["/Title"] == "dsd-etiketten · étiquettes dsd" and info["/Author"] == "OCMW Voorbeeldstad", info
    assert not {"dsd labels", "anonymous", "unspecified"} & set(info.values()), "no English in the PDF's properties"
    bad = dsd("labels", "--dossier", "SD/2024/0001", "--type", "aanvraag", "--layout", "5x5", "-o", out)
    assert bad.code == ExitCode.CONFIG and "2x7" in bad.stderr


@pytest.mark.parametrize("dpi", [150, 300])
@pytest.mark.parametrize("angle", [0, 90, 180, 270, 30])
@pytest.mark.parametrize("corner", ["top-left", "top-right", "bottom-left", "bottom-right"])
def test_a_label_is_read_at_any_corner_and_rotation(corner: str, angle: int, dpi: int, detector):
    page = stick(letter("Brief van de huisbaas", dpi=dpi), label(LABEL.dossier, dpi=dpi), corner, angle)
    assert read_label(detector, page) == LABEL


def _labelled(dpi: int) -> tuple[Image.Image, tuple[int, int, int, int]]:
    sticker = label(LABEL.dossier, dpi=dpi)
    page = stick(letter("Brief van het OCMW", dpi=dpi), sticker, "top-right")
    margin = page.width // 25
    x1, y0 = page.width - margin, margin
    return page, (x1 - sticker.width, y0, x1, y0 + sticker.height)


@pytest.mark.parametrize("dpi", [150, 300])
@pytest.mark.parametrize("half", ["left", "right"])
def test_a_label_half_under_a_stamp_is_read(half: str, dpi: int, detector):
    page, (x0, y0, x1, y1) = _labelled(dpi)
    middle, pad = (x0 + x1) // 2, dpi // 10
    box = (x0 - pad, y0 - pad, middle, y1 + pad) if half == "left" else (middle, y0 - pad, x1 + pad, y1 + pad)
    assert read_label(detector, stamp_over(page, box, ink=90)) == LABEL


@pytest.mark.parametrize("dpi", [150, 300])
@pytest.mark.parametrize("seed", range(3))
def test_a_photocopied_labelled_letter_is_read(seed: int, dpi: int, detector):
    page, _ = _labelled(dpi)
    assert read_label(detector, DEGRADATIONS["photocopy"](page, random.Random(seed))) == LABEL


@pytest.mark.parametrize("dpi", [150, 300])
def test_a_payment_qr_code_is_never_a_label(dpi: int, detector):
    page = letter("Factuur Fluvius", dpi=dpi)
    code = qr(EPC, "m", 5 * dpi // 150)
    page.paste(code, (page.width - code.width - dpi // 2, page.height - code.height - dpi))
    found = detector.detect(PAGE, page)
    assert found.separator is None and found.bad_separator == "" and found.other_codes == ("QRCode",)


def test_a_label_on_a_page_that_looks_like_a_sheet_is_a_sheet(detector):
    page = stick(scramble_codes(sheet("SD/2024/0009")), label(LABEL.dossier), "bottom-left")
    found = detector.detect(PAGE, page)
    assert found.separator is not None and found.separator.kind == "dsd"
    assert (found.separator.payload.dossier, found.separator.payload.doc_type) == (LABEL.dossier, LABEL.doc_type)


def test_sheets_and_labels_in_one_batch_split_right(tmp_path: Path):
    register = tmp_path / "register.csv"
    register.write_text("dossier\nSD/2024/0001\nSD/2024/0002\nSD/2024/0003\n", encoding="utf-8")
    payment = letter("Factuur met betaalcode")
    code = qr(EPC, "m", 5)
    payment.paste(code, (payment.width - code.width - 80, payment.height - code.height - 150))
    pages = [
        sheet("SD/2024/0001", "aanvraag"), letter("aanvraag 1"), letter("aanvraag 2"),                # 0-2
        stick(letter("brief van de huisbaas"), label("SD/2024/0002", "briefwisseling"), "top-left"),  # 3
        letter("tweede blad zonder label"), payment,                                                    # 4-5
        sheet("SD/2024/0003", "medisch"), letter("attest"),                                             # 6-7
        stick(letter("brief mutualiteit"), label("SD/2024/0003", "briefwisseling"), "bottom-right", 180),  # 8
        stick(letter("brief onbekend dossier"), label("SD/2099/0404", "briefwisseling"), "top-right"),  # 9
        letter("vervolg"),                                                                              # 10
    ]
    scan = save_tiff(pages, tmp_path / "post.tif")
    result = split_inputs([scan], load_profile(), load_register(register))
    assert [(d.dossier, d.doc_type, [p.index for p in d.pages], d.separator.kind) for d in result.documents] == [
        ("SD/2024/0001", "aanvraag", [1, 2], "dsd"),
        ("SD/2024/0002", "briefwisseling", [3, 4, 5], "label"),
        ("SD/2024/0003", "medisch", [7], "dsd"),
        ("SD/2024/0003", "briefwisseling", [8], "label"),
    ]
    assert [s.page.index for s in result.separators] == [0, 6], "label pages are archived, not removed"
    assert [(u.reason, [p.index for p in u.pages]) for u in result.unassigned] == [("unknown-dossier", [9, 10])]
    assert "on a label" in result.unassigned[0].detail


def test_a_labelled_scanner_pdf_at_300_dpi_starts_its_document(tmp_path: Path):
    pages = [sheet("SD/2024/0001", "aanvraag", dpi=300), letter("aanvraag", dpi=300),
             stick(letter("brief", dpi=300), label("SD/2024/0001", "briefwisseling", dpi=300), "bottom-left", 90)]
    scan = save_scanner_pdf(pages, tmp_path / "post.pdf", dpi=300)
    result = split_inputs([scan], load_profile())
    assert [(d.doc_type, [p.index for p in d.pages]) for d in result.documents] == [("aanvraag", [1]),
                                                                                     ("briefwisseling", [2])]
