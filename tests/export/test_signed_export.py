"""Exports of signed PDF/A documents (OCRmyPDF + a PAdES demo-key signature, as `dsd run` archives them): the copies
are the archived bytes, so each signature stays intact, valid and covering the whole file, in every format."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from lxml import etree

from dsd_cli.export.run import run_export
from dsd_cli.export.select import Criteria
from dsd_cli.ocr import pdfa_identification
from dsd_cli.signing.inspect import inspect_signatures

PREMIS = {"premis": "http://www.loc.gov/premis/v3"}


def _archived(archive: Path) -> bytes:
    (pdf,) = (archive / "SD~2F2024~2F0100" / "data" / "documents").glob("*.pdf")
    return pdf.read_bytes()


def _assert_signed_copy(pdf: Path, original: bytes, ca: Path) -> None:
    assert pdf.read_bytes() == original, f"{pdf.name} is not the archived file byte for byte"
    assert pdfa_identification(pdf) == ("2", "B")
    (sig,) = inspect_signatures(pdf, [ca])
    assert sig.intact and sig.valid and sig.trusted and sig.demo
    assert sig.covers_current_file and sig.coverage == "ENTIRE_FILE", (sig.coverage, sig.modification_level)


@pytest.mark.parametrize("export_format", ["bag", "e-ark"])
def test_signatures_stay_intact_and_cover_the_whole_file(signed_archive, tmp_path: Path, export_format: str):
    original = _archived(signed_archive.archive)
    (archived,) = inspect_signatures(signed_archive.archive / "SD~2F2024~2F0100" / "data" / "documents"
                                     / "0001-aanvraag.pdf", [signed_archive.ca_certificate])
    assert archived.coverage == "ENTIRE_FILE", "the fixture is a signed PDF/A as dsd archives it"
    out = run_export(signed_archive.archive, Criteria(dossiers=(signed_archive.dossier,)), tmp_path / "folder",
                     export_format=export_format)
    (pdf,) = out.output.rglob("*.pdf")
    _assert_signed_copy(pdf, original, signed_archive.ca_certificate)
    tarred = run_export(signed_archive.archive, Criteria(dossiers=(signed_archive.dossier,)), tmp_path / "x.tar",
                        fmt="tar", export_format=export_format)
    with tarfile.open(tarred.output) as tf:
        tf.extractall(tmp_path / "untarred", filter="data")
    (pdf,) = (tmp_path / "untarred").rglob("*.pdf")
    _assert_signed_copy(pdf, original, signed_archive.ca_certificate)
    # Bytes added after signing are not covered by the signature: the check above can fail.
    pdf.write_bytes(original + b"\n% appended after signing\n")
    (changed,) = inspect_signatures(pdf, [signed_archive.ca_certificate])
    assert not (changed.covers_current_file and changed.coverage == "ENTIRE_FILE")


def test_premis_names_the_pdfa_format(signed_archive, tmp_path: Path):
    out = run_export(signed_archive.archive, Criteria(dossiers=(signed_archive.dossier,)), tmp_path / "sip",
                     export_format="e-ark")
    found = sorted(out.output.rglob("premis.xml"))  # the package's, and the representation's own (CSIPSTR13)
    assert len(found) == 2 and found[1].match("representations/rep1/metadata/preservation/premis.xml")
    for premis in found:
        tree = etree.parse(str(premis), etree.XMLParser(no_network=True, resolve_entities=False))
        (obj,) = [o for o in tree.xpath("//premis:object", namespaces=PREMIS)
                  if o.xpath("string(.//premis:objectIdentifierValue)", namespaces=PREMIS).endswith(".pdf")]
        assert obj.xpath("string(.//premis:formatName)", namespaces=PREMIS) == "PDF/A-2b"
        assert obj.xpath("string(.//premis:formatRegistryKey)", namespaces=PREMIS) == "fmt/477"
