"""The separator payload (round trip, corruption never names a dossier) and the printed sheet itself."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from PIL import ImageOps

from dsd_cli.errors import ConfigError, InputError
from dsd_cli.models import SeparatorPayload
from dsd_cli.profiles import load_profile
from dsd_cli.sheets.payload import decode_payload, encode_payload
from dsd_cli.sheets.render import SheetSpec, read_sheet_csv, write_sheets

AWKWARD = ["SD/2019/0456", "Düren-ß 12", "OCMW Liège: 2023/éà", "a%b~c", "100%:/:%41", "ΩΣ 7", "x" * 60]


@pytest.mark.parametrize("dossier", AWKWARD)
def test_payload_round_trip_is_ascii(dossier: str):
    text = encode_payload(SeparatorPayload(dossier, "sociaal-verslag"))
    assert text.isascii() and text.startswith("DSD1:") and text.count(":") == 3
    assert decode_payload(text) == SeparatorPayload(dossier, "sociaal-verslag")


def test_no_single_character_misread_yields_a_payload():
    rng = random.Random(3)
    alphabet = string.ascii_letters + string.digits + "%:-_.~"
    for dossier in AWKWARD[:4]:
        text = encode_payload(SeparatorPayload(dossier, "aanvraag"))
        for position in range(len(text)):
            for _ in range(4):
                wrong = rng.choice(alphabet.replace(text[position], ""))
                misread = text[:position] + wrong + text[position + 1:]
                try:
                    decoded = decode_payload(misread)
                except InputError as exc:
                    assert exc.reason == "bad-separator"
                    continue
                assert decoded is None, f"{misread!r} decoded to {decoded}"  # e.g. the DSD prefix was hit


@pytest.mark.parametrize("text", ["", "BCD\n002\n1\nSCT\nGEBABEBB", "https://example.org", "DSD", "DSDx:1:2:3",
                                  "PATCHT", "dsd1:SD:aanvraag:00000000"])
def test_foreign_texts_are_not_dsd_payloads(text: str):
    assert decode_payload(text) is None


@pytest.mark.parametrize("text", ["DSD2:SD:aanvraag:00000000", "DSD1:SD:aanvraag", "DSD1:SD:aan:vraag:1234ABCD",
                                  "DSD1:S%FF:aanvraag:" + "0" * 8, "DSD1::aanvraag:00000000"])
def test_damaged_or_future_payloads_are_bad_separators(text: str):
    with pytest.raises(InputError) as info:
        decode_payload(text)
    assert info.value.reason == "bad-separator"


def test_a_sheet_carries_two_readable_codes_and_the_text_for_people(tmp_path: Path):
    out = tmp_path / "sheets.pdf"
    specs = [SheetSpec("Düren-ß 12", "schuldbemiddeling", client="Familie Çelik"), SheetSpec("SD/1", "energie")]
    assert write_sheets(specs, out, load_profile()) == 2
    pdf = pypdfium2.PdfDocument(str(out))
    try:
        assert len(pdf) == 2
        width, height = pdf[0].get_size()
        assert (round(width), round(height)) == (595, 842), "A4"
        text = pdf[0].get_textpage().get_text_range()
        image = ImageOps.grayscale(pdf[0].render(scale=100 / 72).to_pil())
    finally:
        pdf.close()
    for expected in ("SCHEIDINGSBLAD", "FEUILLE DE SÉPARATION", "Düren-ß 12", "Schuldbemiddeling",
                     "Médiation de dettes", "Familie Çelik"):
        assert expected in text
    codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    payload = encode_payload(SeparatorPayload("Düren-ß 12", "schuldbemiddeling"))
    assert [c.text for c in codes] == [payload, payload]
    sizes = sorted(c.position.top_right.x - c.position.top_left.x for c in codes)
    assert sizes[1] > 2 * sizes[0], "one large code and a smaller copy elsewhere on the sheet"
    assert "Familie" not in payload, "the client's name is printed for people, never put in the code"


def test_unknown_types_and_bad_csv_are_config_errors(tmp_path: Path):
    with pytest.raises(ConfigError, match="rijbewijs"):
        write_sheets([SheetSpec("SD/1", "rijbewijs")], tmp_path / "x.pdf", load_profile())
    assert not (tmp_path / "x.pdf").exists()
    csv_path = tmp_path / "stack.csv"
    csv_path.write_text("Dossier;Type;Client\nSD/1;aanvraag;Familie A\n\nSD/2;medisch;\n", encoding="utf-8")
    assert read_sheet_csv(csv_path) == [SheetSpec("SD/1", "aanvraag", "Familie A"), SheetSpec("SD/2", "medisch")]
    csv_path.write_text("dossier,soort\nSD/1,aanvraag\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'type'"):
        read_sheet_csv(csv_path)
    csv_path.write_text("dossier,type\nSD/1,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 2"):
        read_sheet_csv(csv_path)
