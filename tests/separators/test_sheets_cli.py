"""`dsd sheets` and generic separators (PATCH-T, pattern barcodes) read from real images."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pikepdf
import pypdfium2
import zxingcpp
from PIL import Image

from dsd_cli.errors import ExitCode
from dsd_cli.models import PageRef
from dsd_cli.profiles import load_profile
from dsd_cli.scan.detect import SeparatorDetector
from tests.conftest import SAMPLES
from tests.pipeline.synthetic import text_page


def test_sheets_from_csv_with_register_names_and_refusals(dsd, tmp_path: Path):
    stack = tmp_path / "stack.csv"
    stack.write_text("dossier;type\nSD/2024/0001;aanvraag\nBB-2023-117;schuldbemiddeling\n", encoding="utf-8")
    out = tmp_path / "stack.pdf"
    result = dsd("sheets", "--from", stack, "--register", SAMPLES / "register.csv", "-o", out)
    assert result.code == ExitCode.OK, result.stderr
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 2
    pdf = pypdfium2.PdfDocument(str(out))
    text = pdf[0].get_textpage().get_text_range()
    pdf.close()
    assert "SD/2024/0001" in text and "Familie Janssens" in text and "Aanvraag" in text
    unknown_type = dsd("sheets", "--dossier", "SD/1", "--type", "rijbewijs", "-o", tmp_path / "x.pdf")
    assert unknown_type.code == ExitCode.CONFIG and "rijbewijs" in unknown_type.stderr
    unknown_dossier = dsd("sheets", "--dossier", "SD/9999", "--type", "aanvraag", "--register",
                          SAMPLES / "register.csv", "-o", tmp_path / "y.pdf")
    assert unknown_dossier.code == ExitCode.CONFIG and "not in the register" in unknown_dossier.stderr
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "y.pdf").exists()
    assert dsd("sheets", "--dossier", "SD/1", "-o", tmp_path / "z.pdf").code == ExitCode.USAGE


def barcode_page(text: str) -> Image.Image:
    page = text_page("Scheidingsblad van de dienst")
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128).to_image(scale=4)
    image = Image.fromarray(np.asarray(code)).convert("L")
    page.paste(image, (100, 300))
    return page


def test_patch_t_and_pattern_barcodes_are_generic_separators_only_when_enabled():
    page = PageRef(Path("x.tif"), 0)
    settings = load_profile().separators
    assert SeparatorDetector(settings).detect(page, barcode_page("PATCHT")).separator is None
    patch = SeparatorDetector(dataclasses.replace(settings, patch_t=True)).detect(page, barcode_page("PATCHT"))
    assert patch.separator is not None and patch.separator.kind == "patch-t" and patch.separator.payload is None
    pattern = dataclasses.replace(settings, barcode_pattern=r"SEP-\d{4}")
    found = SeparatorDetector(pattern).detect(page, barcode_page("SEP-0042"))
    assert found.separator is not None and found.separator.kind == "pattern"
    assert SeparatorDetector(pattern).detect(page, barcode_page("SEP-42x")).separator is None
