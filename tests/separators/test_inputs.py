"""Ingest: batches, checksums taken first, page streaming from every scanner format, bad files reported per file,
and lossless document PDFs."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from dsd_cli.errors import InputError
from dsd_cli.models import DocumentPlan, PageRef, SeparatorRead
from dsd_cli.scan.assemble import write_document_pdf, write_pages_pdf
from dsd_cli.scan.ingest import discover_batches, inspect_source, iter_pages
from tests.separators.pages import letter, save_scanner_pdf, save_tiff, sheet


def test_folder_batches_in_natural_order_with_checksums_first(tmp_path: Path):
    folder = tmp_path / "scans"
    folder.mkdir()
    for number in (10, 2, 1):
        letter(f"pagina {number}", dpi=100, lines=2).save(folder / f"page{number}.png", dpi=(100, 100))
    save_tiff([letter("a", 100, 2), letter("b", 100, 2)], folder / "stapel.tif", dpi=100)
    save_scanner_pdf([letter("c", 100, 2)], folder / "export.pdf", dpi=100)
    batches, bad = discover_batches([folder])
    assert bad == []
    assert [(b.id, [s.path.name for s in b.sources]) for b in batches] == [
        ("export.pdf", ["export.pdf"]), ("stapel.tif", ["stapel.tif"]),
        ("scans/", ["page1.png", "page2.png", "page10.png"])]
    tiff = batches[1].sources[0]
    assert (tiff.kind, tiff.page_count, tiff.size) == ("tiff", 2, (folder / "stapel.tif").stat().st_size)
    assert tiff.sha256 == hashlib.sha256((folder / "stapel.tif").read_bytes()).hexdigest()
    assert [(s.kind, s.page_count) for s in batches[2].sources] == [("image", 1)] * 3


def test_pdf_pages_stream_from_the_scan_images_and_honour_rotate(tmp_path: Path):
    pdf_path = save_scanner_pdf([letter("staand", 150, 3), letter("gedraaid", 150, 3)], tmp_path / "scan.pdf")
    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        pdf.pages[1].obj.Rotate = 90
        pdf.save(pdf_path)
    pages = list(iter_pages(inspect_source(pdf_path), dpi=150))
    assert [(ref.index, image.size) for ref, image in pages] == [(0, (1240, 1754)), (1, (1754, 1240))]
    assert all(image.mode == "L" for _, image in pages)


def test_vector_pdf_pages_are_rendered_at_the_raster_dpi(tmp_path: Path):
    from dsd_cli.profiles import load_profile
    from dsd_cli.sheets.render import SheetSpec, write_sheets

    out = tmp_path / "sheets.pdf"
    write_sheets([SheetSpec("SD/2024/0001", "aanvraag")], out, load_profile())
    [(_ref, image)] = list(iter_pages(inspect_source(out), dpi=100))
    assert abs(image.width - 827) <= 2 and abs(image.height - 1169) <= 2


def _encrypted(path: Path, user: str) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(path, encryption=pikepdf.Encryption(owner="eigenaar", user=user))
    return path


def _huge_page(path: Path) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(14_400, 14_400))
    pdf.pages[0].obj.MediaBox = [0, 0, 100_000, 100_000]
    pdf.save(path)
    return path


def _png_with_alpha(path: Path) -> Path:
    page = letter("transparant", 100, 2).convert("LA")
    page.putalpha(Image.new("L", page.size, 200))
    page.save(path)
    return path


@pytest.mark.parametrize(("make", "reason"), [
    (lambda p: _encrypted(p / "locked.pdf", "geheim"), "encrypted"),
    (lambda p: _huge_page(p / "poster.pdf"), "too-large"),
    (lambda p: (p / "half.tif").write_bytes(_tiff_bytes()[:-700]) and p / "half.tif", "corrupt"),
    (lambda p: (p / "scan.bmp").write_bytes(b"BM" + bytes(200)) and p / "scan.bmp", "unsupported"),
])
def test_bad_files_are_refused_with_their_reason(tmp_path: Path, make, reason: str):
    path = make(tmp_path)
    with pytest.raises(InputError) as info:
        inspect_source(path)
    assert info.value.reason == reason
    batches, bad = discover_batches([tmp_path])
    assert batches == [] and [(q.source.name, q.reason) for q in bad] == [(path.name, reason)]
    assert bad[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest(), "the caller can prove what it kept"


def _tiff_bytes() -> bytes:
    buffer = io.BytesIO()
    letter("x", 100, 2).save(buffer, "TIFF", compression="tiff_deflate")
    return buffer.getvalue()


def test_owner_password_only_pdf_is_usable(tmp_path: Path):
    source = inspect_source(_encrypted(tmp_path / "owner-only.pdf", ""))
    assert (source.kind, source.page_count) == ("pdf", 1)


def test_a_missing_input_is_an_error_not_a_quarantine(tmp_path: Path):
    with pytest.raises(InputError) as info:
        discover_batches([tmp_path / "nope"])
    assert info.value.reason == "missing"


def _plan(pages: tuple[PageRef, ...]) -> DocumentPlan:
    sep = SeparatorRead(pages[0], None, "zxing", "fast", 0, "pattern")
    return DocumentPlan("SD/1", "aanvraag", pages, sep, "b", 1)


def test_document_pdfs_keep_the_scanned_bytes(tmp_path: Path):
    jpeg = tmp_path / "p1.jpg"
    letter("jpeg", 100, 2).save(jpeg, quality=70, dpi=(100, 100))
    scanner = save_scanner_pdf([sheet("SD/1", dpi=100), letter("pdf", 100, 2)], tmp_path / "scan.pdf", dpi=100)
    tiff = save_tiff([letter("g4 a", 100, 2), letter("g4 b", 100, 2)], tmp_path / "g4.tif", dpi=100, group4=True)
    alpha = _png_with_alpha(tmp_path / "alpha.png")
    out = write_document_pdf(_plan((PageRef(jpeg, 0), PageRef(scanner, 1), PageRef(tiff, 1), PageRef(alpha, 0))),
                             tmp_path / "doc.pdf")
    with pikepdf.open(out) as pdf, pikepdf.open(scanner) as original:
        assert len(pdf.pages) == 4
        first = next(iter(pdf.pages[0].get_images(recursive=False).values()))
        assert first.read_raw_bytes() == jpeg.read_bytes(), "a JPEG page is embedded as it is, never re-encoded"
        copied = next(iter(pdf.pages[1].get_images(recursive=False).values())).read_raw_bytes()
        assert copied == next(iter(original.pages[1].get_images(recursive=False).values())).read_raw_bytes()
        g4 = pikepdf.PdfImage(next(iter(pdf.pages[2].get_images(recursive=False).values())))
        assert g4.bits_per_component == 1, "a bilevel frame stays bilevel (lossless)"
        assert float(pdf.pages[0].mediabox[2]) == pytest.approx(8.27 * 72, abs=1)
        flat = next(iter(pdf.pages[3].get_images(recursive=False).values()))
        assert "/SMask" not in flat, "transparency is flattened onto white paper (PDF/A-friendly)"
    again = write_pages_pdf((PageRef(jpeg, 0),), tmp_path / "again.pdf")
    assert again.read_bytes() == write_pages_pdf((PageRef(jpeg, 0),), tmp_path / "twice.pdf").read_bytes()


def test_a_file_the_scanner_is_still_writing_is_not_taken(tmp_path: Path):
    import threading

    import numpy as np

    growing = tmp_path / "scan.png"
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (1500, 1500), dtype=np.uint8)).save(growing)
    stop = threading.Event()

    def scanner() -> None:  # keeps appending (PNG readers ignore bytes after the end chunk)
        with open(growing, "ab") as handle:
            while not stop.is_set():
                handle.write(b"\0" * 512)
                handle.flush()
                stop.wait(0.001)

    writer = threading.Thread(target=scanner)
    writer.start()
    try:
        with pytest.raises(InputError) as info:
            inspect_source(growing)
    finally:
        stop.set()
        writer.join()
    assert info.value.reason == "still-being-written"
    assert inspect_source(growing).page_count == 1, "once the scanner is done the file is used"


def test_a_fifo_is_refused_without_blocking(tmp_path: Path):
    import os

    os.mkfifo(tmp_path / "pipe.tif")
    batches, bad = discover_batches([tmp_path])
    assert batches == [] and [(q.source.name, q.reason) for q in bad] == [("pipe.tif", "unsupported")]


def test_hostile_file_names_are_just_files(tmp_path: Path):
    folder = tmp_path / "scans"
    folder.mkdir()
    names = ["scan 1 .png", "a:b.png", "regel\nbreuk.png", "100%.png", "caf\u00e9.png", "cafe\u0301.png", "CON.png",
             "x" * 251 + ".png"]
    for name in names:
        letter(name[:10], 60, 1).save(folder / name)
    batches, bad = discover_batches([folder])
    assert bad == [] and len(batches) == 1
    assert sorted(s.path.name for s in batches[0].sources) == sorted(names)
    assert sum(1 for s in batches[0].sources for _ in iter_pages(s, 60)) == len(names)


def test_a_pdf_with_too_many_pages_is_refused_before_any_work(tmp_path: Path):
    pdf = pikepdf.new()
    for _ in range(5001):
        pdf.add_blank_page(page_size=(200, 200))
    pdf.save(tmp_path / "stapel.pdf")
    with pytest.raises(InputError) as info:
        inspect_source(tmp_path / "stapel.pdf")
    assert info.value.reason == "too-large" and "5001 pages" in info.value.message


def test_a_born_digital_page_with_a_logo_is_rendered_whole(tmp_path: Path):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    from dsd_cli.scan.blank import is_blank

    logo = Image.new("L", (60, 60), 30)
    out = tmp_path / "brief.pdf"
    canvas = Canvas(str(out), pagesize=A4)
    canvas.drawImage(ImageReader(logo), 40, 760, 50, 50)
    canvas.setFont("Helvetica", 12)
    for line in range(20):
        canvas.drawString(72, 700 - 18 * line, "Geachte mevrouw, hierbij de gevraagde documenten voor uw dossier.")
    canvas.save()
    [(_ref, image)] = list(iter_pages(inspect_source(out), dpi=100))
    assert abs(image.width - 827) <= 2, "the whole page, not just its logo"
    assert not is_blank(image)


def test_scripts_and_launch_actions_of_a_source_pdf_stay_out(tmp_path: Path):
    scan = save_scanner_pdf([letter("actief", 100, 2)], tmp_path / "scan.pdf", dpi=100)
    with pikepdf.open(scan, allow_overwriting_input=True) as pdf:
        js = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))
        launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
        pdf.pages[0].obj.AA = pikepdf.Dictionary(O=js)
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 100, 100], A=launch))]))
        pdf.Root.OpenAction = js
        pdf.save(scan)
    out = write_pages_pdf((PageRef(scan, 0),), tmp_path / "doc.pdf")
    data = out.read_bytes()
    assert b"JavaScript" not in data and b"Launch" not in data and b"cmd.exe" not in data
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 1 and len(pdf.pages[0].get_images(recursive=False)) == 1


def test_a_pdf_hiding_a_giant_image_is_refused(tmp_path: Path):
    import zlib

    pdf = pikepdf.new()
    pdf.add_blank_page()
    bomb = pikepdf.Stream(pdf, zlib.compress(bytes(1 << 20)))  # 1 MiB of zeros claims 400 Mpx
    bomb.Type, bomb.Subtype, bomb.Filter = pikepdf.Name.XObject, pikepdf.Name.Image, pikepdf.Name.FlateDecode
    bomb.Width, bomb.Height, bomb.BitsPerComponent = 20_000, 20_000, 1
    bomb.ColorSpace = pikepdf.Name.DeviceGray
    pdf.pages[0].add_resource(bomb, pikepdf.Name.XObject, pikepdf.Name.Im0)
    pdf.pages[0].contents_add(pikepdf.Stream(pdf, b"q 595 0 0 842 0 0 cm /Im0 Do Q"))
    pdf.save(tmp_path / "bom.pdf")
    with pytest.raises(InputError) as info:
        inspect_source(tmp_path / "bom.pdf")
    assert info.value.reason == "too-large"
