"""Detection beyond the fast pass: slow passes only where needed, unreadable sheets never taken as content, other
codes and photos never taken for sheets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter

from dsd_cli.models import PageRef, SeparatorPayload
from dsd_cli.profiles import load_profile
from dsd_cli.scan.detect import UNREADABLE, SeparatorDetector
from dsd_cli.scan.looks import sheet_layout
from dsd_cli.scan.split import PageObservation, decide
from dsd_cli.sheets.payload import encode_payload, is_dsd_text
from tests.separators.pages import EPC, code128, letter, qr, scramble_codes, sheet, small_worn_copy

PAGE = PageRef(Path("scan.tif"), 0)


@pytest.fixture(scope="module")
def detector() -> SeparatorDetector:
    return SeparatorDetector(load_profile().separators)


def busy_invoice() -> Image.Image:
    """A dense letter with an EPC payment code, a web-address QR code and a 1-D barcode."""
    page = letter("Factuur Fluvius: te betalen binnen 30 dagen op rekening BE71 0961 2345 6769", lines=30)
    epc = qr(EPC, "m", 5)
    page.paste(epc, (page.width - epc.width - 80, page.height - epc.height - 120))
    web = qr("https://www.vlaanderen.be/energie?ref=12345", "m", 5)
    page.paste(web, (80, page.height - web.height - 120))
    page.paste(code128("RE123456789BE", 330, 80), (page.width - 420, 60))
    return page


def id_copy() -> Image.Image:
    """A photocopied identity card: a dark photo and a black logo block beside text."""
    page = letter("Kopie identiteitskaart — Carte d'identité", lines=6)
    photo = Image.linear_gradient("L").resize((260, 330)).filter(ImageFilter.GaussianBlur(6)).point(lambda v: v // 3)
    page.paste(photo, (200, 700))
    ImageDraw.Draw(page).rectangle((600, 700, 900, 900), fill=25)
    return page


def test_a_small_worn_copy_needs_and_gets_the_slower_passes(detector: SeparatorDetector):
    image = small_worn_copy(sheet("SD/2019/0456"))
    found = detector.detect(PAGE, image)
    assert found.separator is not None, "a 40 % print of a copied sheet at 150 dpi must still be found"
    assert found.separator.payload == SeparatorPayload("SD/2019/0456", "aanvraag")
    assert found.separator.pass_name != "fast", "this case is the reason the slower passes exist"


def test_a_sheet_whose_codes_are_destroyed_is_an_unreadable_separator_not_content(detector: SeparatorDetector):
    found = detector.detect(PAGE, scramble_codes(sheet("SD/2019/0456")))
    assert found.separator is None and found.bad_separator == UNREADABLE
    obs = [PageObservation(PageRef(Path("s.tif"), 0), detector.detect(PAGE, sheet("SD/1")).separator),
           PageObservation(PageRef(Path("s.tif"), 1)),
           PageObservation(PageRef(Path("s.tif"), 2), bad_separator=found.bad_separator),
           PageObservation(PageRef(Path("s.tif"), 3))]
    decision = decide("b", obs, known_dossier=lambda d: True, known_type=lambda t: True)
    assert [[p.index for p in d.pages] for d in decision.documents] == [[1]]
    assert [(u.reason, [p.index for p in u.pages]) for u in decision.unassigned] == [
        ("unreadable-separator", [2, 3])], "pages after an unreadable sheet are kept aside, never guessed"


@pytest.mark.parametrize("make", [busy_invoice, id_copy], ids=["invoice-with-codes", "id-copy-with-photo"])
def test_busy_content_pages_are_content_and_stay_on_the_fast_path(make, detector: SeparatorDetector):
    page = make()
    found = detector.detect(PAGE, page)
    assert found.separator is None and found.bad_separator == ""
    assert not sheet_layout(page).banner


def test_invoice_codes_are_recorded_by_format_only(detector: SeparatorDetector):
    found = detector.detect(PAGE, busy_invoice())
    assert found.other_codes == ("QRCode",)
    assert "BE71" not in repr(found), "a foreign code's text (account numbers, names) is never kept"


def test_two_different_sheets_on_one_page_are_never_guessed(detector: SeparatorDetector):
    page = letter("", lines=0)
    page.paste(qr(encode_payload(SeparatorPayload("SD/1", "aanvraag")), "h", 7), (100, 150))
    page.paste(qr(encode_payload(SeparatorPayload("SD/2", "aanvraag")), "h", 7), (650, 950))
    found = detector.detect(PAGE, page)
    assert found.separator is None and "two different separator codes" in found.bad_separator


def test_text_that_merely_starts_with_dsd_is_not_a_claim(detector: SeparatorDetector):
    assert not is_dsd_text("DSD2024 jaarverslag") and not is_dsd_text("dsd1:x:y:00000000")
    assert is_dsd_text("DSD1:SD%2F1:aanvraag:00000000") and is_dsd_text("DSD7:anything")
    page = letter("Jaarverslag")
    page.paste(qr("DSD2024 jaarverslag sociale dienst", "m", 6), (120, 1200))
    found = detector.detect(PAGE, page)
    assert found.separator is None and found.bad_separator == ""


@pytest.mark.parametrize("readers", [("zbar",), ("zxing",), ("zbar", "zxing")])
def test_each_configured_reader_finds_a_clean_sheet(readers: tuple[str, ...]):
    import dataclasses

    settings = dataclasses.replace(load_profile().separators, readers=readers)
    found = SeparatorDetector(settings).detect(PAGE, sheet("Düren-ß 12", "medisch").rotate(90, expand=True))
    assert found.separator is not None and found.separator.payload == SeparatorPayload("Düren-ß 12", "medisch")
    assert found.separator.reader == readers[0]
    assert found.separator.orientation in (90, 270)


def test_duplicated_sheets_and_a_sheet_at_the_end_lose_no_page():
    def page(n: int) -> PageRef:
        return PageRef(Path("scan.pdf"), n)

    def sheet_obs(n: int, dossier: str) -> PageObservation:
        from dsd_cli.models import SeparatorRead

        return PageObservation(page(n), SeparatorRead(page(n), SeparatorPayload(dossier, "aanvraag"), "zxing",
                                                      "fast", 0))

    obs = [sheet_obs(0, "SD/1"), sheet_obs(1, "SD/1"), PageObservation(page(2)), sheet_obs(3, "SD/2")]
    decision = decide("b", obs, known_dossier=lambda d: True, known_type=lambda t: True)
    assert [(d.dossier, [p.index for p in d.pages], d.separator.page.index) for d in decision.documents] == [
        ("SD/1", [2], 1)]
    assert [s.page.index for s in decision.separators] == [0, 1, 3]
    assert decision.unassigned == () and decision.dropped == ()
