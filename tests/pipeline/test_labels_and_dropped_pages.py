"""`dsd run` on a duplex batch with labels: sparse backs archived, blank backs dropped but kept and accounted for,
the labelled letter archived with its label as its first page, the provenance saying what started each document."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pikepdf
import pypdfium2
import zxingcpp

from dsd_cli.errors import ExitCode
from dsd_cli.models import SeparatorPayload
from dsd_cli.sheets.payload import encode_payload
from tests.pipeline.conftest import assert_every_page_accounted_for, run_json
from tests.pipeline.synthetic import text_page
from tests.separators.pages import (
    blank,
    blank_with_punch_holes,
    date_stamp_only,
    label,
    save_tiff,
    sheet,
    signature_only,
    stick,
)


def test_duplex_batch_with_labels_keeps_sparse_pages_and_accounts_for_every_dropped_one(dsd, tmp_path: Path,
                                                                                      unsigned_profile: Path):
    pages = [
        sheet("SD/2026/0001", "aanvraag"), blank(seed=2),                      # 1-2  sheet, its blank back
        text_page("Aanvraag leefloon Peeters"),                                # 3
        sheet("SD/2026/0001", "inkomen"), signature_only(),                    # 4-5  a back with only a signature
        text_page("Loonbrief oktober"),                                        # 6
        stick(text_page("Brief van de huisbaas over de huurwaarborg"),         # 7    a letter with a dsd label
              label("SD/2026/0002", "briefwisseling"), "top-right", 90),
        text_page("Tweede blad van de brief"),                                 # 8    continues the labelled letter
        sheet("SD/2026/0002", "medisch"), blank_with_punch_holes(),            # 9-10 sheet, blank back with holes
        text_page("Medisch attest huisarts"),                                  # 11
        sheet("SD/2026/0002", "huisvesting"), date_stamp_only(),               # 12-13 a back with only a date stamp
        text_page("Huurcontract sociale woning"),                              # 14
    ]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    save_tiff(pages, inbox / "duplex.tif")
    archive = tmp_path / "archive"
    result = dsd("run", inbox, "--archive", archive, "--no-sign", "--profile", unsigned_profile, "--json")
    assert result.code == ExitCode.OK, result.stderr
    report = run_json(result)
    assert report["pages"] == {"in": 14, "archived": 8, "separators": 4, "dropped": 2, "unassigned": 0,
                               "quarantined": 0}
    assert_every_page_accounted_for(archive, 14)

    # Every dropped page is named, kept where a person finds it, and its checksum recorded.
    dropped = report["dropped"]
    assert [(d["page"], d["reason"]) for d in dropped] == [(2, "duplex-back"), (10, "duplex-back")]
    for entry in dropped:
        kept = Path(entry["kept"])
        assert kept.is_file() and kept.is_relative_to(archive / ".dsd" / "dropped")
        assert hashlib.sha256(kept.read_bytes()).hexdigest() == entry["sha256"]
        with pikepdf.open(kept) as pdf:
            assert len(pdf.pages) == 1
    status = run_json(dsd("status", "--archive", archive, "--json"))
    assert [(d["page"], d["sha256"], d["still_kept"]) for d in status["dropped"]] == [
        (d["page"], d["sha256"], True) for d in dropped]
    shown = dsd("status", "--archive", archive)
    assert "Blank pages dropped" in shown.stdout and "duplex.tif" in shown.stdout

    # ... and in the provenance of the document its sheet started (a PREMIS event in the bag's METS).
    bags = {p.name: p for p in archive.iterdir() if (p / "bagit.txt").is_file()}
    mets_1 = (bags["SD~2F2026~2F0001"] / "metadata" / "mets.xml").read_text(encoding="utf-8")
    mets_2 = (bags["SD~2F2026~2F0002"] / "metadata" / "mets.xml").read_text(encoding="utf-8")
    assert "<premis:eventType>filtering</premis:eventType>" in mets_1 and dropped[0]["sha256"] in mets_1
    assert dropped[1]["sha256"] in mets_2 and dropped[0]["sha256"] not in mets_2

    # The labelled letter is a document of its own, label page first; the sheet documents carry their backs.
    record = json.loads((bags["SD~2F2026~2F0002"] / "metadata" / "documents.json").read_text(encoding="utf-8"))
    by_type = {d["doc_type"]: d for d in record["documents"]}
    assert by_type["briefwisseling"]["sources"][0]["pages"] == [7, 8]
    assert by_type["huisvesting"]["sources"][0]["pages"] == [13, 14], "a date stamp alone is not a blank back"
    separation = [e for e in by_type["briefwisseling"]["events"] if e["type"] == "separation"]
    assert separation[0]["separator_kind"] == "label" and "dsd label" in separation[0]["detail"]
    assert "label" in mets_2
    pdf = pypdfium2.PdfDocument(str(bags["SD~2F2026~2F0002"] / by_type["briefwisseling"]["path"]))
    try:
        first = pdf[0].render(scale=200 / 72, grayscale=True).to_pil()
    finally:
        pdf.close()
    codes = {b.text for b in zxingcpp.read_barcodes(first, formats=zxingcpp.BarcodeFormat.QRCode)}
    assert encode_payload(SeparatorPayload("SD/2026/0002", "briefwisseling", label=True)) in codes
    record_1 = json.loads((bags["SD~2F2026~2F0001"] / "metadata" / "documents.json").read_text(encoding="utf-8"))
    assert {d["doc_type"]: d["sources"][0]["pages"] for d in record_1["documents"]} == {
        "aanvraag": [3], "inkomen": [5, 6]}, "a signature alone is not a blank back"
