"""Write documents (and unassigned pages) as PDFs, losslessly.

Pages of a scanner PDF are copied as they are (pikepdf), never re-rasterised, without page actions and
annotations; image pages are embedded without re-encoding by img2pdf (JPEG, PNG and single-image TIFF as they are;
frames of multi-page TIFFs and images with transparency as lossless PNG). Writes are atomic.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import img2pdf
import pikepdf
from PIL import Image

from dsd_cli.fsutil import atomic_write_bytes, atomic_write_text
from dsd_cli.models import DocumentPlan, PageRef, SplitResult
from dsd_cli.safepaths import dossier_folder_name, safe_file_stem
from dsd_cli.scan.ingest import image_dpi, sniff

_DEFAULT_DPI = 200
#: Page entries not carried over from a source PDF: page actions (/AA) and annotations (links, JavaScript, launch
#: actions, attachments). A scan's content is its page content; the document catalogue (OpenAction, JavaScript,
#: embedded files) is never copied at all, since each document is a new PDF.
_ACTIVE_KEYS = ("/AA", "/Annots")


def _image_page_pdf(page: PageRef) -> bytes:
    """A one-page PDF holding the page image without loss.

    img2pdf embeds JPEG, PNG and single-image TIFF files as they are (JPEG bytes untouched, Group 4 as CCITT);
    what it refuses — a frame of a multi-page TIFF, an image with an alpha channel, unusual modes — is converted
    losslessly to PNG first (alpha flattened onto white paper, as the page would have been printed).
    """
    kind = sniff(page.source)
    with Image.open(page.source) as image:
        frames = getattr(image, "n_frames", 1)
        image.seek(page.index)
        dpi = image_dpi(image, _DEFAULT_DPI)
        layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
        alpha = image.mode in ("LA", "RGBA", "PA") or "transparency" in image.info
        if kind in ("jpeg", "png", "tiff") and frames == 1 and not alpha:  # a scan has no transparency: flatten
            try:
                return img2pdf.convert(page.source.read_bytes(), layout_fun=layout,
                                       rotation=img2pdf.Rotation.ifvalid)
            except (img2pdf.AlphaChannelError, img2pdf.ImageOpenError, ValueError):
                pass  # converted below
        frame = _printable(image)
        buffer = io.BytesIO()
        frame.save(buffer, "PNG", dpi=(dpi, dpi))
    return img2pdf.convert(buffer.getvalue(), layout_fun=layout)


def _printable(image: Image.Image) -> Image.Image:
    """The frame in a mode img2pdf embeds losslessly: 1-bit, grey or RGB, transparency flattened onto white."""
    if image.mode == "1":
        return image.copy()
    if image.mode in ("LA", "RGBA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat = Image.alpha_composite(paper, rgba).convert("RGB")
        return flat.convert("L") if image.mode == "LA" else flat
    if image.mode in ("L", "RGB"):
        return image.copy()
    return image.convert("RGB") if image.mode in ("P", "CMYK", "YCbCr") else image.convert("L")


def write_pages_pdf(pages: Sequence[PageRef], out: Path) -> Path:
    """Write `pages` (from PDFs and/or images, in order) to one PDF at `out`."""
    result = pikepdf.new()
    opened: dict[Path, pikepdf.Pdf] = {}
    keep: list[pikepdf.Pdf] = []
    try:
        for page in pages:
            if sniff(page.source) == "pdf":
                source = opened.get(page.source)
                if source is None:
                    source = opened[page.source] = pikepdf.open(page.source)
                result.pages.append(source.pages[page.index])
                copied = result.pages[-1].obj
                for key in _ACTIVE_KEYS:  # scripts, launch actions and link targets stay out of the archive
                    if key in copied:
                        del copied[key]
            else:
                single = pikepdf.open(io.BytesIO(_image_page_pdf(page)))
                keep.append(single)
                result.pages.append(single.pages[0])
        result.docinfo["/Producer"] = "dsd"
        buffer = io.BytesIO()
        result.save(buffer, deterministic_id=True)
    finally:
        for pdf in (*opened.values(), *keep):
            pdf.close()
        result.close()
    atomic_write_bytes(out, buffer.getvalue())
    return out


def write_document_pdf(plan: DocumentPlan, out: Path) -> Path:
    return write_pages_pdf(plan.pages, out)


def document_file_name(plan: DocumentPlan, number: int) -> str:
    return f"{number:03d}-{dossier_folder_name(plan.dossier)}-{safe_file_stem(plan.doc_type)}.pdf"


def _page_numbers(pages: Sequence[PageRef]) -> list[dict[str, Any]]:
    return [{"source": str(p.source), "page": p.index + 1} for p in pages]


def split_report(result: SplitResult, pdf_names: dict[int, str] | None = None) -> dict[str, Any]:
    """The JSON shape of `dsd split --json` (and of split.json)."""
    documents = []
    for number, plan in enumerate(result.documents, start=1):
        sep = plan.separator
        entry: dict[str, Any] = {
            "dossier": plan.dossier, "type": plan.doc_type, "pages": len(plan.pages), "batch": plan.batch,
            "sequence": plan.sequence, "source": str(plan.pages[0].source),
            "page_numbers": _page_numbers(plan.pages),
            "separator": {"source": str(sep.page.source), "page": sep.page.index + 1, "reader": sep.reader,
                          "pass": sep.pass_name, "orientation": sep.orientation, "kind": sep.kind},
        }
        if pdf_names is not None:
            entry["pdf"] = pdf_names[number]
        documents.append(entry)
    return {
        "documents": documents,
        "unassigned": [{"batch": u.batch, "reason": u.reason, "detail": u.detail, "source": str(u.pages[0].source),
                        "pages": _page_numbers(u.pages)} for u in result.unassigned],
        "dropped": [{"batch": d.batch, "reason": d.reason, "source": str(d.page.source), "page": d.page.index + 1,
                     "document": d.document} for d in result.dropped],
        "quarantined": [{"source": str(q.source), "reason": q.reason, "message": q.message}
                        for q in result.quarantined],
        "sources": [{"path": str(s.path), "sha256": s.sha256, "size": s.size, "kind": s.kind,
                     "pages": s.page_count} for s in result.sources],
        "separators": len(result.separators),
    }


def write_split_output(result: SplitResult, out_dir: Path) -> Path:
    """One PDF per document and per unassigned run in `out_dir`, each dropped page in `out_dir/dropped/`, plus
    `split.json` describing them."""
    out_dir.mkdir(parents=True, exist_ok=True)
    names: dict[int, str] = {}
    for number, plan in enumerate(result.documents, start=1):
        names[number] = document_file_name(plan, number)
        write_document_pdf(plan, out_dir / names[number])
    report = split_report(result, names)
    for number, run in enumerate(result.unassigned, start=1):
        name = f"unassigned-{number:03d}-{run.reason}.pdf"
        write_pages_pdf(run.pages, out_dir / name)
        report["unassigned"][number - 1]["pdf"] = name
    from dsd_cli.scan.dropped import DROPPED_DIR, keep_dropped_pages

    for entry, kept in zip(report["dropped"], keep_dropped_pages(result.dropped, out_dir / DROPPED_DIR), strict=True):
        entry["pdf"], entry["sha256"] = f"{DROPPED_DIR}/{kept.path.name}", kept.sha256
    manifest = out_dir / "split.json"
    atomic_write_text(manifest, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return manifest
