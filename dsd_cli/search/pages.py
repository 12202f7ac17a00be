"""The text layer and the image digest of every page of an archived PDF, for the index.

The text is what OCR put in the PDF's invisible text layer. The image digest is the SHA-256 of the page's image
streams as stored (not decoded): two archived pages with the same digest show the very same scan, whatever else
differs in their PDFs (signature, metadata, OCR run).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from dsd_cli.errors import InputError


@dataclass(frozen=True)
class PageContent:
    number: int
    """1-based page number in the document."""
    text: str
    image_sha256: str
    """'' when the page holds no image."""


def pdf_pages(pdf: Path) -> list[PageContent]:
    """Every page's text and image digest. InputError when the file is not a PDF pdfium can read."""
    import pypdfium2
    from pypdfium2 import raw

    try:
        document = pypdfium2.PdfDocument(str(pdf))
    except (pypdfium2.PdfiumError, OSError) as exc:
        raise InputError(f"{pdf.name}: the PDF cannot be read for the index ({exc})", reason="unreadable") from None
    pages: list[PageContent] = []
    try:
        for number, page in enumerate(document, start=1):
            try:
                textpage = page.get_textpage()
                text = textpage.get_text_bounded().replace("\r\n", "\n").replace("\r", "\n")
                textpage.close()
                digest = hashlib.sha256()
                images = 0
                for image in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
                    digest.update(bytes(image.get_data(decode_simple=False)))
                    images += 1
            finally:
                page.close()
            pages.append(PageContent(number, text, digest.hexdigest() if images else ""))
    except pypdfium2.PdfiumError as exc:
        raise InputError(f"{pdf.name}: a page cannot be read for the index ({exc})", reason="unreadable") from None
    finally:
        document.close()
    return pages
