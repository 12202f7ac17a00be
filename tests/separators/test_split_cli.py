"""`dsd split` end to end on generated scans: exit codes 0/3, the JSON shape, duplex backs, orphans, quarantine,
awkward dossier numbers from sheet to raster to split."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf

from dsd_cli.errors import ExitCode
from dsd_cli.profiles import load_profile
from dsd_cli.register import load_register
from dsd_cli.scan.split import split_inputs
from tests.separators.pages import blank, letter, save_scanner_pdf, save_tiff, sheet

AWKWARD = ("SD/2019/0456", "Düren-ß 12")


def test_group4_tiff_with_awkward_dossiers_and_a_duplex_back(dsd, tmp_path: Path):
    scan = save_tiff([sheet(AWKWARD[0], "aanvraag"), blank(), letter("eerste"), letter("tweede"),
                      sheet(AWKWARD[1], "medisch"), letter("derde")], tmp_path / "balie.tif", group4=True)
    out = tmp_path / "out"
    result = dsd("split", scan, "-o", out, "--json")
    assert result.code == ExitCode.OK, result.stderr
    report = json.loads(result.stdout)
    docs = report["documents"]
    assert [(d["dossier"], d["type"], d["pages"]) for d in docs] == [(AWKWARD[0], "aanvraag", 2),
                                                                     (AWKWARD[1], "medisch", 1)]
    assert [p["page"] for p in docs[0]["page_numbers"]] == [3, 4]
    assert docs[0]["source"] == str(scan)
    sep = docs[1]["separator"]
    assert set(sep) >= {"source", "page", "reader", "pass", "orientation"} and sep["page"] == 5
    assert sep["reader"] in ("zxing", "zbar") and sep["orientation"] in (0, 90, 180, 270)
    assert report["dropped"] == [{"batch": "balie.tif", "reason": "duplex-back", "source": str(scan), "page": 2,
                                  "document": 1}]
    assert report["unassigned"] == [] and report["quarantined"] == []
    manifest = json.loads((out / "split.json").read_text(encoding="utf-8"))
    assert [d["dossier"] for d in manifest["documents"]] == list(AWKWARD)
    for entry in manifest["documents"]:
        assert "/" not in entry["pdf"] and entry["pdf"].isascii(), "file names never carry raw dossier numbers"
        with pikepdf.open(out / entry["pdf"]) as pdf:
            assert len(pdf.pages) == entry["pages"]


def test_orphans_and_a_bad_file_give_exit_3_and_are_reported(dsd, tmp_path: Path):
    folder = tmp_path / "scans"
    folder.mkdir()
    save_scanner_pdf([letter("wees"), sheet("SD/2024/0001", "inkomen"), letter("loonbrief")], folder / "a.pdf")
    (folder / "b.pdf").write_bytes(b"%PDF-1.7\n1 0 obj broken")
    result = dsd("split", folder, "--json")
    assert result.code == ExitCode.PARTIAL, result.stderr
    report = json.loads(result.stdout)
    assert [(d["dossier"], d["pages"]) for d in report["documents"]] == [("SD/2024/0001", 1)]
    [orphans] = report["unassigned"]
    assert orphans["reason"] == "before-first-separator" and [p["page"] for p in orphans["pages"]] == [1]
    assert orphans["source"] == str(folder / "a.pdf")
    assert [(Path(q["source"]).name, q["reason"]) for q in report["quarantined"]] == [("b.pdf", "corrupt")]


def test_register_and_profile_decide_what_is_assigned(tmp_path: Path):
    register_csv = tmp_path / "register.csv"
    register_csv.write_text("dossier,client\nSD/2024/0001,Familie Test\n", encoding="utf-8")
    scan = save_scanner_pdf([sheet("SD/2024/0001", "aanvraag"), letter("bekend"),
                             sheet("SD/2099/9999", "aanvraag"), letter("onbekend dossier"), letter("nog een"),
                             sheet("SD/2024/0001", "inkomen"), blank(seed=3), letter("na blanco"), blank(seed=4)],
                            tmp_path / "scan.pdf")
    result = split_inputs([scan], load_profile(), load_register(register_csv), drop_blank=True)
    assert [(d.dossier, d.doc_type, [p.index for p in d.pages]) for d in result.documents] == [
        ("SD/2024/0001", "aanvraag", [1]), ("SD/2024/0001", "inkomen", [7])]
    assert [(u.reason, [p.index for p in u.pages]) for u in result.unassigned] == [("unknown-dossier", [3, 4])]
    assert [(d.page.index, d.reason) for d in result.dropped] == [(6, "duplex-back"), (8, "blank")]
    placed = sorted([p.index for d in result.documents for p in d.pages] + [s.page.index for s in result.separators]
                    + [d.page.index for d in result.dropped] + [p.index for u in result.unassigned for p in u.pages])
    assert placed == list(range(9)), "every page lands exactly once"


def test_an_empty_folder_is_bad_input(dsd, tmp_path: Path):
    (tmp_path / "leeg").mkdir()
    result = dsd("split", tmp_path / "leeg")
    assert result.code == ExitCode.BAD_INPUT and "no scanner files" in result.stderr
