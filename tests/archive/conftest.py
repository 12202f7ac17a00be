"""Fixtures for the archive tests: small real PDFs, documents as the pipeline hands them over, the schemas."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from dsd_cli.models import ArchivedDocument, PageRef
from dsd_cli.profiles import load_profile

SCHEMAS = Path(__file__).resolve().parents[2].parent / "shared" / "schemas"
PROFILE = load_profile()
NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)
DOSSIER = "SD/2019/0456"
BAG_NAME = "SD~2F2019~2F0456"


def make_pdf(path: Path, text: str, pages: int = 1) -> Path:
    """A small real PDF whose bytes depend on `text` (so different texts give different SHA-256)."""
    doc = pikepdf.new()
    for _ in range(pages):
        doc.add_blank_page()
    doc.docinfo["/Title"] = text
    doc.save(path, deterministic_id=True)
    return path


def make_pdfa(path: Path, text: str, pages: int = 1) -> Path:
    """`make_pdf` claiming PDF/A-2b in its XMP metadata: what `dsd package` checks (the identification; the full
    PDF/A checks are `dsd verify`'s)."""
    doc = pikepdf.new()
    for _ in range(pages):
        doc.add_blank_page()
    doc.docinfo["/Title"] = text
    with doc.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"
    doc.save(path, deterministic_id=True)
    return path


def make_document(folder: Path, name: str, doc_type: str = "aanvraag", batch: str = "batch-1",
                  dossier: str = DOSSIER, pages: int = 1, first_page: int = 0,
                  document_date: str = "") -> ArchivedDocument:
    """An ArchivedDocument with the provenance events the pipeline records (capture, separation, ocr, signing)."""
    pdf = folder / f"{name}.pdf"
    if not pdf.exists():
        make_pdf(pdf, name, pages)
    when = "2024-11-04T09:00:00+00:00"
    return ArchivedDocument(
        dossier=dossier, doc_type=doc_type, pdf=pdf, page_count=pages,
        sources=tuple(PageRef(Path(f"/scans/{batch}.tif"), first_page + i) for i in range(pages)),
        batch=batch, languages=("nld", "fra"), scan_date=when, document_date=document_date,
        events=(
            {"type": "capture", "datetime": when, "agent": "scanner", "tool": "", "outcome": "success",
             "detail": f"scanned file {batch}.tif (batch {batch})", "source_file": f"{batch}.tif",
             "source_sha256": "ab" * 32},
            {"type": "separation", "datetime": when, "agent": "dsd run", "tool": "zxing-cpp 2.3.0",
             "outcome": "success", "detail": "separator sheet read"},
            {"type": "ocr", "datetime": when, "agent": "dsd run", "tool": "ocrmypdf 17.0.0", "outcome": "success",
             "detail": "text recognised in nld+fra"},
            {"type": "signing", "datetime": when, "agent": "dsd run", "tool": "pyhanko 0.38.0",
             "outcome": "success", "detail": "PAdES B-B signature"},
        ))


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    folder.mkdir()
    return folder


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    return folder


def _schema(*names: str) -> etree.XMLSchema:
    """Schemas from ../shared/schemas; their imports (xlink from an http URL) resolve to local files, no network."""
    assert SCHEMAS.is_dir(), f"{SCHEMAS} is missing: the tests need ../shared beside the repository"

    class Local(etree.Resolver):
        def resolve(self, url, pubid, context):
            local = SCHEMAS / Path(url).name
            return self.resolve_filename(str(local), context) if local.is_file() else None

    namespaces = {"mets.xsd": "http://www.loc.gov/METS/", "premis-v3.xsd": "http://www.loc.gov/premis/v3"}
    imports = "".join(f'<xs:import namespace="{namespaces[n]}" schemaLocation="{(SCHEMAS / n).as_uri()}"/>'
                      for n in names)
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    parser = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False)
    parser.resolvers.add(Local())
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), parser, base_url=SCHEMAS.as_uri() + "/"))


@pytest.fixture(scope="session")
def mets_schema() -> etree.XMLSchema:
    return _schema("mets.xsd", "premis-v3.xsd")


@pytest.fixture(scope="session")
def premis_schema() -> etree.XMLSchema:
    return _schema("premis-v3.xsd")


def parse_xml(path: Path) -> etree._ElementTree:
    parser = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False)
    tree = etree.parse(str(path), parser)
    assert tree.docinfo.doctype == "", "dsd never writes a DOCTYPE"
    return tree
