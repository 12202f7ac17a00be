"""`dsd package`: finished PDFs from outside the pipeline, checked, then put into their dossiers' bags.

`dsd run` makes its documents itself. PDFs given to `dsd package` (by hand, or from a `dsd split -o` folder) come
from outside, so each is checked before anything is written, and one that fails stops the whole call:

- a dsd separator sheet (its printed text, or its QR code on any page) is refused: sheets are never archived;
- a PDF without PDF/A identification is refused — a scan or raw split output (an image-only PDF) needs `dsd ocr`;
- under a profile that requires signatures, a PDF without a signature covering the whole file is refused:
  `dsd sign` it first.

Each packaged dossier gets an audit-log entry (`dossier-packaged`), as in `dsd run`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from dsd_cli.archive.package import PackageResult, package_dossier
from dsd_cli.archive.record import Event
from dsd_cli.archive.session import ArchiveSession
from dsd_cli.errors import InputError
from dsd_cli.models import ArchivedDocument, PageRef
from dsd_cli.profiles import Profile
from dsd_cli.register import Register

SHEET_TEXT = "dsd separator sheet"
"""Printed at the foot of every sheet `dsd sheets` makes (sheets/render.py)."""
RUN_HINT = "or give the scans to `dsd run`, which splits, OCRs, signs and packages them"


def documents_from_pdfs(pdfs: Sequence[Path], dossier: str, doc_type: str) -> list[ArchivedDocument]:
    """Finished PDFs given by hand, all of one dossier and type."""
    from dsd_cli.ocr import count_pages

    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    documents = []
    for pdf in pdfs:
        if not pdf.is_file():
            raise InputError(f"{pdf}: no such file", reason="missing")
        pages = count_pages(pdf)
        documents.append(ArchivedDocument(
            dossier=dossier, doc_type=doc_type, pdf=pdf, page_count=pages,
            sources=tuple(PageRef(pdf, i) for i in range(pages)), batch=pdf.name,
            events=(Event(type="ingestion", datetime=now, agent="dsd package",
                          detail=f"finished PDF {pdf.name} added by hand").to_dict(),)))
    return documents


def _page_texts(pdf: Path) -> list[str]:
    """The text layer of each page ("" for a page without one)."""
    import pypdfium2

    try:
        doc = pypdfium2.PdfDocument(str(pdf))
    except pypdfium2.PdfiumError as exc:
        raise InputError(f"{pdf.name}: not a readable PDF ({exc})", reason="corrupt") from None
    try:
        texts = []
        for page in doc:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        doc.close()


def _sheet_page(pdf: Path, texts: list[str], profile: Profile) -> int:
    """The first page (1-based) of `pdf` that is a dsd separator sheet — by its printed text, or its dsd QR code —
    0 when none is."""
    from dsd_cli.scan.detect import SeparatorDetector
    from dsd_cli.scan.ingest import inspect_source, iter_pages

    for number, text in enumerate(texts, start=1):
        if SHEET_TEXT in " ".join(text.split()).lower():
            return number
    detector = SeparatorDetector(profile.separators)
    for page, image in iter_pages(inspect_source(pdf), dpi=150):
        found = detector.detect(page, image)
        if found.separator is not None and found.separator.kind == "dsd":
            return page.index + 1
    return 0


def check_finished_pdf(pdf: Path, profile: Profile) -> None:
    """InputError (with what to run instead) unless `pdf` is a document dsd may archive: not a separator sheet,
    PDF/A, and signed when the profile requires signatures."""
    from dsd_cli.ocr import pdfa_identification

    name = pdf.name
    texts = _page_texts(pdf)
    sheet = _sheet_page(pdf, texts, profile)
    if sheet:
        raise InputError(f"{name}: page {sheet} is a dsd separator sheet, not a document; separator sheets are "
                         "never archived", reason="separator-sheet",
                         hint="give the scans to `dsd run` (it splits them on the sheets), or `dsd split` them "
                              "and package the documents it writes after `dsd ocr` and `dsd sign`")
    part, _conformance = pdfa_identification(pdf)
    if not part:
        image_only = not any(t.strip() for t in texts)
        what = "an image-only PDF (no text layer, not PDF/A)" if image_only else "not a PDF/A (no PDF/A " \
                                                                                 "identification)"
        raise InputError(f"{name}: {what}; dsd archives searchable PDF/A documents", reason="not-pdfa",
                         hint=f"run `dsd ocr {name} -o {pdf.stem}.pdfa.pdf` (then `dsd sign`) first, {RUN_HINT}")
    if profile.signing.required:
        from dsd_cli.signing.inspect import inspect_signatures

        signatures = [s for s in inspect_signatures(pdf, allow_demo=True) if not s.docts]
        if not signatures:
            raise InputError(f"{name}: not signed, and profile {profile.name!r} requires signatures",
                             reason="unsigned",
                             hint=f"run `dsd sign {name} -o {pdf.stem}.signed.pdf --key KEY` first, {RUN_HINT}")
        if not any(s.intact and s.covers_current_file for s in signatures):
            raise InputError(f"{name}: its signature does not cover the file as it is (changed after signing)",
                             reason="signature-invalid", hint=f"sign the document again with `dsd sign`, {RUN_HINT}")


def package_documents(archive: Path, documents: Sequence[ArchivedDocument], profile: Profile,
                      register: Register | None = None, *, agent: str = "dsd package") -> list[PackageResult]:
    """Check every document (`check_finished_pdf`), then package them dossier by dossier in one archive session
    (creating the archive in a new or empty folder). InputError naming the first document refused, before
    anything is written; with a register, every dossier must be in it."""
    if register is not None:
        unknown = [d.dossier for d in documents if d.dossier not in register]
        if unknown:
            raise InputError(f"dossier {unknown[0]!r} is not in the register {register.source}",
                             reason="unknown-dossier", hint="check the dossier number, or export a current register")
    for doc in documents:
        profile.document_type(doc.doc_type)
        check_finished_pdf(doc.pdf, profile)
    results = []
    with ArchiveSession.open(archive, create=True) as session:
        for dossier in dict.fromkeys(d.dossier for d in documents):
            group = [d for d in documents if d.dossier == dossier]
            result = package_dossier(session, dossier, group, profile,
                                     register.lookup(dossier) if register else None, agent=agent)
            if not result.unchanged:
                session.audit("dossier-packaged", dossier=dossier,
                              detail={"version": result.version, "documents": len(result.stored)})
            results.append(result)
    return results
