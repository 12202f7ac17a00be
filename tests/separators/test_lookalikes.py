"""Content pages that look a little like separators stay in their document: a damaged payment code, a stamp over
a mail-room code, a dark photo, a narrow receipt or payment slip. A damaged real sheet is still set aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsd_cli.models import PageRef
from dsd_cli.profiles import load_profile
from dsd_cli.scan.detect import UNREADABLE, SeparatorDetector
from dsd_cli.scan.looks import sheet_layout
from dsd_cli.scan.split import split_inputs
from tests.separators.pages import (
    dark_photo_page,
    letter,
    letter_with_damaged_payment_code,
    letter_with_stamped_code,
    payment_slip_strip,
    receipt_strip,
    save_scanner_pdf,
    scramble_codes,
    sheet,
    stamp_over,
)

PAGE = PageRef(Path("scan.pdf"), 0)
LOOKALIKES = {
    "damaged payment code": letter_with_damaged_payment_code,
    "small damaged payment code": lambda dpi: letter_with_damaged_payment_code(dpi, scale=5),
    "stamp over a mail-room code": letter_with_stamped_code,
    "dark photo": dark_photo_page,
    "narrow receipt with a damaged code": receipt_strip,
    "narrow receipt": lambda dpi: receipt_strip(dpi, with_code=False),
    "payment slip strip": payment_slip_strip,
}


@pytest.fixture(scope="module")
def detector() -> SeparatorDetector:
    return SeparatorDetector(load_profile().separators)


@pytest.mark.parametrize("dpi", [150, 300])
@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_content_pages_that_resemble_separators_are_content(kind: str, dpi: int, detector: SeparatorDetector):
    found = detector.detect(PAGE, LOOKALIKES[kind](dpi))
    assert found.separator is None and found.bad_separator == "", f"{kind} at {dpi} dpi: {found}"


@pytest.mark.parametrize("damage", ["codes scrambled", "codes scrambled and stamped over"])
def test_a_damaged_real_sheet_is_still_an_unreadable_separator(damage: str, detector: SeparatorDetector):
    damaged = scramble_codes(sheet("SD/2024/0001"))
    if "stamped" in damage:
        damaged = stamp_over(damaged, (250, 260, 1000, 850), ink=70)
    assert sheet_layout(damaged).sheet
    assert detector.detect(PAGE, damaged).bad_separator == UNREADABLE


def test_look_alikes_stay_in_their_document_and_a_damaged_sheet_is_set_aside(tmp_path: Path):
    pages = [sheet("SD/2024/0001", "energie"), letter("Factuur"), letter_with_damaged_payment_code(),
             letter_with_stamped_code(), dark_photo_page(), receipt_strip(), payment_slip_strip(),
             scramble_codes(sheet("SD/2024/0002", "aanvraag")), letter("na het beschadigde blad")]
    scan = save_scanner_pdf(pages, tmp_path / "scan.pdf")
    result = split_inputs([scan], load_profile())
    assert [(d.dossier, [p.index for p in d.pages]) for d in result.documents] == [
        ("SD/2024/0001", [1, 2, 3, 4, 5, 6])]
    assert [(u.reason, [p.index for p in u.pages]) for u in result.unassigned] == [("unreadable-separator", [7, 8])]
