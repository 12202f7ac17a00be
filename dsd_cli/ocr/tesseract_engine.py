"""The `tesseract` engine: Tesseract's own API (tesserocr), one recognition pass per page, the scan kept as scanned.

A process creates the engine once (`engine_for`) and keeps Tesseract's models loaded for its whole life. Per page:
the image is decoded once from the image PDF, its orientation and skew found on a reduced copy and applied to what
Tesseract sees (grainy pages smoothed first), recognised once; hOCR, word confidences, text lines and the residual
skew come from that one pass. With several languages, the few words that the model of one language read on a line
of another are read again by that language's model alone (`rereading`). The archived page keeps the scanner's
image stream byte for byte; orientation goes into /Rotate and the straightening into the text layer's matrix
(`textlayer`). PDF/A-2b is written and validated by pikepdf (`pdfa`).
"""

from __future__ import annotations

import contextlib
import math
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf

from dsd_cli.errors import InputError, MissingToolError, ToolFailedError
from dsd_cli.ocr.pages import ScanPage, scan_page
from dsd_cli.ocr.pdfa import write_pdfa
from dsd_cli.ocr.prepare import Prepared, prepare
from dsd_cli.ocr.quality import PageFacts, quality_record
from dsd_cli.ocr.rereading import Rereader, line_texts, patch_hocr, recognised_words
from dsd_cli.ocr.tessdata import available_languages, tessdata_folder, tesserocr_versions
from dsd_cli.ocr.textlayer import TextLayer, graft, render_layers
from dsd_cli.profiles import OcrSettings, QaSettings


class NotAScan(Exception):
    """The PDF has a page that is not one scanned image (text, vector content): another engine's work."""


@dataclass(frozen=True)
class PageOutcome:
    prepared: Prepared
    hocr: str
    record: dict[str, Any]


class TesseractEngine:
    name = "tesseract"

    def __init__(self, languages: tuple[str, ...], tessdata: str = "") -> None:
        import tesserocr

        folder = tessdata_folder(tessdata)
        have = available_languages(folder)
        missing = [lang for lang in (*languages, "osd") if lang not in have]
        if folder is None or missing:
            where = f"in {folder}" if folder else "(no tessdata folder found)"
            raise MissingToolError(f"Tesseract language data missing {where}: {', '.join(missing) or 'all'}",
                                   hint="install tesseract-ocr-nld, tesseract-ocr-fra (and osd), or set "
                                        "[ocr] tessdata in the profile; `dsd doctor` checks it")
        self.languages = languages
        self.folder = folder
        self.api = tesserocr.PyTessBaseAPI(path=str(folder), lang="+".join(languages), psm=tesserocr.PSM.AUTO)
        self.osd = tesserocr.PyTessBaseAPI(path=str(folder), lang="osd", psm=tesserocr.PSM.OSD_ONLY)
        self.rereader = Rereader(folder, languages)
        binding, library = tesserocr_versions()
        self.tool = f"tesseract {library} (tesserocr {binding})"
        from dsd_cli.ocr import quality, textlayer

        textlayer._font_manager()  # fonts and the language model, like Tesseract's models: once per process
        quality._detector()

    # one page -------------------------------------------------------------------------------------------------
    def recognise(self, scan: ScanPage, number: int, settings: OcrSettings, qa: QaSettings,
                  deadline: float) -> PageOutcome:
        prepared = prepare(scan.image, scan.dpi, self.osd, rotate_pages=settings.rotate_pages,
                           deskew=settings.deskew, rotate_threshold=settings.rotate_threshold)
        self.api.SetImage(prepared.image)
        self.api.SetSourceResolution(round(scan.dpi))
        remaining_ms = int((deadline - time.monotonic()) * 1000)
        if remaining_ms <= 0 or not self.api.Recognize(timeout=remaining_ms):
            raise ToolFailedError(f"OCR took longer than {settings.timeout_seconds} s", tool="tesseract",
                                  reason="ocr-timeout")
        first = recognised_words(self.api)
        words = self.rereader.reread(prepared.image, scan.dpi, first, deadline)
        hocr = patch_hocr(self.api.GetHOCRText(number - 1), first, words)
        confidences = tuple(word.confidence for word in words)
        lines = tuple(line_texts(words))
        residual = prepared.skew_found - prepared.skew
        iterator = self.api.GetIterator() if confidences else None
        if iterator is not None:
            with contextlib.suppress(RuntimeError, TypeError, IndexError):
                residual = math.degrees(iterator.Orientation()[3])
        facts = PageFacts(page=number, word_confidences=confidences, lines=lines,
                          orientation=prepared.orientation, orientation_confidence=prepared.orientation_confidence,
                          skew_residual=residual, ink=prepared.ink)
        return PageOutcome(prepared=prepared, hocr=hocr, record=quality_record(facts, self.languages, qa))

    # one document ---------------------------------------------------------------------------------------------
    def ocr_pdf(self, src: Path, dst: Path, settings: OcrSettings, qa: QaSettings) -> tuple[list[dict[str, Any]],
                                                                                            dict[str, Any]]:
        """OCR the image PDF `src` into a PDF/A at `dst` (a temp path: the caller publishes it).

        Returns the quality records and the facts for the PREMIS events. Raises NotAScan for a PDF that is not
        only scanned images, InputError / ToolFailedError otherwise."""
        deadline = time.monotonic() + settings.timeout_seconds
        try:
            pdf = pikepdf.open(src)
        except pikepdf.PasswordError:
            raise InputError(f"{src.name}: the PDF is encrypted", reason="encrypted") from None
        except (pikepdf.PdfError, OSError) as exc:
            raise InputError(f"{src.name}: not a readable PDF ({exc})", reason="corrupt") from None
        with pdf, tempfile.TemporaryDirectory(prefix=".tess-", dir=dst.parent) as work_name:
            work = Path(work_name)
            scans = [scan_page(page) for page in pdf.pages]
            if not scans or any(s is None for s in scans):
                raise NotAScan
            layers: list[TextLayer] = []
            records: list[dict[str, Any]] = []
            smoothed = straightened = 0
            for index, scan in enumerate(scans):
                assert scan is not None
                outcome = self.recognise(scan, index + 1, settings, qa, deadline)
                prepared = outcome.prepared
                smoothed += bool(prepared.smoothed)
                skew = prepared.skew
                if settings.straighten_image and skew:
                    _straighten_page_image(pdf.pages[index], skew)
                    straightened += 1
                    skew = 0.0
                if outcome.record["words"]:
                    hocr_path = work / f"{index + 1:05d}.hocr"
                    hocr_path.write_text(_hocr_document(outcome.hocr), encoding="utf-8")
                    layers.append(TextLayer(page_index=index, hocr=hocr_path, dpi=scan.dpi,
                                            orientation=prepared.orientation, skew=skew))
                if prepared.orientation:
                    pdf.pages[index].obj.Rotate = prepared.orientation
                records.append(outcome.record)
            if layers:
                text_pdf = work / "text.pdf"
                render_layers(layers, text_pdf)
                graft(pdf, layers, text_pdf)
            write_pdfa(pdf, dst, settings, producer=self.tool)
        facts = {"pages": len(scans), "smoothed": smoothed, "straightened": straightened,
                 "encodings": sorted({s.encoding for s in scans if s is not None})}
        return records, facts


def _hocr_document(page_html: str) -> str:
    """A complete hOCR file around Tesseract's page <div> (what `tesseract … hocr` writes)."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"'
            ' "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
            '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n<head><title></title>'
            '<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>'
            '<meta name="ocr-system" content="tesseract"/>'
            "<meta name='ocr-capabilities' content='ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf'/>"
            f"</head>\n<body>\n{page_html}</body>\n</html>\n")


def _straighten_page_image(page: pikepdf.Page, degrees: float) -> None:
    """The optional mode: replace the page image by its straightened pixels, losslessly encoded (Flate)."""
    from PIL import Image

    ((_, xobject),) = page.obj.Resources.XObject.items()
    image = pikepdf.PdfImage(xobject).as_pil_image()
    mode = "RGB" if image.mode in ("RGB", "CMYK", "P") else "L"
    turned = image.convert(mode).rotate(degrees, resample=Image.Resampling.BILINEAR,
                                        fillcolor=255 if mode == "L" else (255, 255, 255))
    for key in ("/DecodeParms", "/Decode", "/Filter"):
        if key in xobject:
            del xobject[key]
    xobject.write(zlib.compress(turned.tobytes(), 6), filter=pikepdf.Name.FlateDecode)
    xobject.ColorSpace = pikepdf.Name.DeviceGray if mode == "L" else pikepdf.Name.DeviceRGB
    xobject.BitsPerComponent = 8
    xobject.Width, xobject.Height = turned.width, turned.height


# One engine per process, created on first use and kept: the models stay loaded between documents.
_ENGINES: dict[tuple[tuple[str, ...], str], TesseractEngine] = {}


def engine_for(settings: OcrSettings) -> TesseractEngine:
    key = (settings.languages, settings.tessdata)
    if key not in _ENGINES:
        _ENGINES[key] = TesseractEngine(settings.languages, settings.tessdata)
    return _ENGINES[key]

