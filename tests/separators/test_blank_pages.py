"""Blank pages are pages without marks: sparse pages (one line, a signature, a date, a stamp) are never blank;
scanner noise, specks, punch holes, edge shadows, bleed-through and grey recycled paper are. Drops are attributed to
a document, kept aside by `dsd split -o`, and every page still lands exactly once."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from PIL import Image

from dsd_cli.errors import ExitCode
from dsd_cli.models import PageRef, SeparatorPayload, SeparatorRead
from dsd_cli.scan.blank import judge_blank
from dsd_cli.scan.split import PageObservation, decide
from tests.separators.pages import (
    a4,
    blank,
    blank_recycled,
    blank_with_bleed_through,
    blank_with_edge_shadows,
    blank_with_punch_holes,
    date_only,
    date_stamp_only,
    letter,
    noise,
    save_tiff,
    sheet,
    short_lines,
    signature_only,
)

SPARSE = {
    "three short lines": lambda dpi: short_lines(["Akkoord.", "Zie bijlage.", "Groeten, An"], dpi),
    "one line": lambda dpi: short_lines(["Voor akkoord"], dpi),
    "a signature only": signature_only,
    "a light pencil signature": lambda dpi: signature_only(dpi, ink=150),
    "a date only": date_only,
    "a date stamp only": date_stamp_only,
}
BLANK = {
    "specks": lambda dpi: blank(dpi, specks=300),
    "scanner noise": lambda dpi: noise(blank(dpi), 25),
    "punch holes": blank_with_punch_holes,
    "punch hole shadows": lambda dpi: blank_with_punch_holes(dpi, dark=False),
    "edge shadows and border": blank_with_edge_shadows,
    "bleed-through": blank_with_bleed_through,
    "grey recycled paper": blank_recycled,
    "evenly dark paper": lambda dpi: a4(dpi, 140),
}


def _at(image: Image.Image, dpi: int) -> Image.Image:
    image.info["dpi"] = (dpi, dpi)
    return image


@pytest.mark.parametrize("dpi", [150, 300])
@pytest.mark.parametrize("kind", sorted(SPARSE))
def test_a_sparse_page_is_never_blank(kind: str, dpi: int):
    verdict = judge_blank(_at(SPARSE[kind](dpi), dpi))
    assert not verdict.blank, f"{kind} at {dpi} dpi taken for a blank page"


@pytest.mark.parametrize("dpi", [150, 300])
@pytest.mark.parametrize("kind", sorted(BLANK))
def test_what_a_scanner_adds_to_an_empty_sheet_is_blank(kind: str, dpi: int):
    verdict = judge_blank(_at(BLANK[kind](dpi), dpi))
    assert verdict.blank, f"{kind} at {dpi} dpi: {verdict.why}"


def test_resolution_comes_from_the_page_when_the_file_does_not_say():
    page = signature_only(200)
    page.info.pop("dpi")
    assert not judge_blank(page).blank and judge_blank(blank(200)).blank


def p(n: int) -> PageRef:
    return PageRef(Path("scan.tif"), n)


def sheet_at(n: int, doc_type: str = "aanvraag") -> PageObservation:
    return PageObservation(p(n), SeparatorRead(p(n), SeparatorPayload("SD/1", doc_type), "zxing", "fast", 0))


def page_at(n: int, blank_page: bool = False) -> PageObservation:
    return PageObservation(p(n), blank=blank_page)


def test_each_drop_names_the_document_that_records_it():
    obs = [page_at(0, True),                                   # before any sheet: stays unassigned
           sheet_at(1), page_at(2, True), page_at(3),          # a back: recorded by document 1
           sheet_at(4), page_at(5, True),                      # a sheet with only its back: the next document
           sheet_at(6), page_at(7), page_at(8, True),          # with drop_blank: document 2 itself
           sheet_at(9), page_at(10, True)]                     # at the end: the last document
    d = decide("b", obs, known_dossier=lambda x: True, known_type=lambda t: True, drop_blank=True)
    assert [[x.index for x in doc.pages] for doc in d.documents] == [[3], [7]]
    assert [(x.page.index, x.reason, x.document) for x in d.dropped] == [
        (2, "duplex-back", 1), (5, "duplex-back", 2), (8, "blank", 2), (10, "duplex-back", 2)]
    assert [(u.reason, [x.index for x in u.pages]) for u in d.unassigned] == [("before-first-separator", [0])]
    placed = sorted([x.index for doc in d.documents for x in doc.pages] + [s.page.index for s in d.separators]
                    + [x.page.index for x in d.dropped] + [x.index for u in d.unassigned for x in u.pages])
    assert placed == list(range(11))


def test_blank_pages_among_unassigned_pages_stay_with_them():
    obs = [PageObservation(p(0), SeparatorRead(p(0), SeparatorPayload("SD/404", "aanvraag"), "zxing", "fast", 0)),
           page_at(1, True), page_at(2)]
    d = decide("b", obs, known_dossier=lambda x: x != "SD/404", known_type=lambda t: True, drop_blank=True)
    assert d.dropped == () and [[x.index for x in u.pages] for u in d.unassigned] == [[1, 2]]


def test_split_drops_only_real_blank_backs_and_keeps_them_aside(dsd, tmp_path: Path):
    backs = [("one line", SPARSE["one line"](150)), ("blank", blank(seed=2)),
             ("a signature", signature_only()), ("bleed-through", blank_with_bleed_through()),
             ("a date stamp", date_stamp_only()), ("punch holes", blank_with_punch_holes())]
    pages = []
    for n, (_, back) in enumerate(backs):
        pages += [sheet("SD/2024/0001", "inkomen" if n % 2 else "aanvraag"), back, letter(f"brief {n}")]
    scan = save_tiff(pages, tmp_path / "duplex.tif")
    out = tmp_path / "out"
    result = dsd("split", scan, "-o", out, "--json")
    assert result.code == ExitCode.OK, result.stderr
    report = json.loads(result.stdout)
    assert [(d["page"], d["reason"]) for d in report["dropped"]] == [(5, "duplex-back"), (11, "duplex-back"),
                                                                     (17, "duplex-back")]
    assert [[p["page"] for p in d["page_numbers"]] for d in report["documents"]] == [
        [2, 3], [6], [8, 9], [12], [14, 15], [18]]
    manifest = json.loads((out / "split.json").read_text(encoding="utf-8"))
    for entry in manifest["dropped"]:
        kept = out / entry["pdf"]
        assert kept.is_file() and hashlib.sha256(kept.read_bytes()).hexdigest() == entry["sha256"]
    content = sum(d["pages"] for d in report["documents"])
    assert content + report["separators"] + len(report["dropped"]) == len(pages)
    from dsd_cli.archive.splitdir import documents_from_split

    recorded = [(d.sources[0].index + 1, e["source_page"], e["kept_sha256"]) for d in documents_from_split(out)
                for e in d.events if e["type"] == "filtering"]
    assert recorded == [(6, 5, manifest["dropped"][0]["sha256"]), (12, 11, manifest["dropped"][1]["sha256"]),
                        (18, 17, manifest["dropped"][2]["sha256"])], "each drop in its document's provenance"


def test_kept_pages_go_after_the_retention_period_only(tmp_path: Path):
    import os
    import time

    from dsd_cli.scan.dropped import prune_kept_pages

    old, recent = tmp_path / "b-old", tmp_path / "b-recent"
    for folder, age_days in ((old, 100), (recent, 10)):
        folder.mkdir()
        page = folder / "001-scan.tif-page-2.pdf"
        page.write_bytes(b"%PDF-1.7\n")
        stamp = time.time() - age_days * 86_400
        os.utime(page, (stamp, stamp))
    assert prune_kept_pages(tmp_path, 0) == [] and old.is_dir(), "0 keeps them until removed by hand"
    assert prune_kept_pages(tmp_path, 90) == [old]
    assert not old.exists() and recent.is_dir()
