"""`dsd package` and `dsd show` as a user runs them: exit codes, JSON, tables."""

from __future__ import annotations

import json
from pathlib import Path

import bagit

from tests.archive.conftest import BAG_NAME, DOSSIER, make_pdf, make_pdfa
from tests.conftest import run_dsd


def test_package_pdfs_then_show(tmp_path: Path, unsigned_profile: Path):
    archive = tmp_path / "archive"
    a, b = make_pdfa(tmp_path / "brief.pdf", "a", pages=2), make_pdfa(tmp_path / "besluit.pdf", "b")
    profile = ("--profile", unsigned_profile)
    first = run_dsd("package", a, b, "--archive", archive, "--dossier", DOSSIER, "--type", "briefwisseling", "--json",
                    *profile)
    assert first.code == 0, first.stderr
    result = json.loads(first.stdout)["dossiers"][0]
    assert result["version"] == 1 and len(result["stored"]) == 2
    bagit.Bag(str(archive / BAG_NAME)).validate()
    again = run_dsd("package", a, "--archive", archive, "--dossier", DOSSIER, "--type", "briefwisseling", "--json",
                    *profile)
    assert again.code == 0 and json.loads(again.stdout)["dossiers"][0]["unchanged"] is True

    shown = run_dsd("show", DOSSIER, "--archive", archive, "--json")
    assert shown.code == 0, shown.stderr
    details = json.loads(shown.stdout)
    assert details["dossier"] == DOSSIER and [d["pages"] for d in details["documents"]] == [2, 1]
    assert details["retention"]["Retention-Rule-Id"] == "SD-ALG"
    table = run_dsd("show", DOSSIER, "--archive", archive)
    assert table.code == 0 and "Documents" in table.stdout and "SD-ALG" in table.stdout
    listing = run_dsd("show", "--archive", archive, "--json")
    assert [d["dossier"] for d in json.loads(listing.stdout)["dossiers"]] == [DOSSIER]


def test_package_from_a_split_folder_with_a_register(tmp_path: Path, unsigned_profile: Path):
    split = tmp_path / "split-out"
    split.mkdir()
    scan = tmp_path / "scan.tif"
    scan.write_bytes(b"II*\x00")
    make_pdfa(split / "001-a.pdf", "a", pages=2)
    make_pdfa(split / "002-b.pdf", "b")
    documents = [
        {"dossier": DOSSIER, "type": "aanvraag", "pdf": "001-a.pdf", "pages": 2, "batch": "scan", "sequence": 1,
         "page_numbers": [{"source": str(scan), "page": 2}, {"source": str(scan), "page": 3}],
         "separator": {"source": str(scan), "page": 1, "reader": "zxing"}},
        {"dossier": "SD/2020/0001", "type": "beslissing", "pdf": "002-b.pdf", "pages": 1, "batch": "scan",
         "sequence": 2, "page_numbers": [{"source": str(scan), "page": 5}]},
    ]
    (split / "split.json").write_text(json.dumps({"documents": documents,
                                                  "sources": [{"path": str(scan), "sha256": "cd" * 32}]}))
    register = tmp_path / "register.csv"
    register.write_text(f"dossier,closed\n{DOSSIER},2020-03-31\nSD/2020/0001,\n")
    archive = tmp_path / "archive"
    done = run_dsd("package", "--from", split, "--archive", archive, "--register", register, "--json",
                   "--profile", unsigned_profile)
    assert done.code == 0, done.stderr
    assert [d["dossier"] for d in json.loads(done.stdout)["dossiers"]] == [DOSSIER, "SD/2020/0001"]
    info = bagit.Bag(str(archive / BAG_NAME)).info
    assert info["Disposition-Due-Date"] == "2030-03-31"
    mets = (archive / BAG_NAME / "metadata" / "mets.xml").read_text()
    assert "cd" * 32 in mets and 'pages="2 3"' in mets and "separation" in mets

    register.write_text("dossier,closed\nSD/2020/0001,\n")
    unknown = run_dsd("package", "--from", split, "--archive", tmp_path / "other", "--register", register,
                      "--profile", unsigned_profile)
    assert unknown.code == 4 and "not in the register" in unknown.stderr
    assert not (tmp_path / "other" / BAG_NAME).exists()


def test_bad_split_manifests_are_input_errors(tmp_path: Path):
    split = tmp_path / "split-out"
    split.mkdir()
    for manifest in ('{"documents": [{"dossier": "X", "type": "aanvraag", "pdf": "../../etc/passwd", '
                     '"page_numbers": [{"source": "s.tif", "page": 1}]}]}', "not json", '{"documents": [1]}'):
        (split / "split.json").write_text(manifest)
        result = run_dsd("package", "--from", split, "--archive", tmp_path / "archive")
        assert result.code == 4, (manifest, result.stderr)
        assert "Traceback" not in result.stderr


def test_usage_and_configuration_errors(tmp_path: Path):
    pdf = make_pdf(tmp_path / "a.pdf", "a")
    archive = tmp_path / "archive"
    assert run_dsd("package", pdf, "--archive", archive).code == 2, "--dossier and --type are needed"
    wrong_type = run_dsd("package", pdf, "--archive", archive, "--dossier", DOSSIER, "--type", "nope")
    assert wrong_type.code == 5 and "nope" in wrong_type.stderr
    not_pdf = tmp_path / "x.pdf"
    not_pdf.write_text("hello")
    assert run_dsd("package", not_pdf, "--archive", archive, "--dossier", DOSSIER, "--type", "overige").code == 4
    assert run_dsd("show", "SD/0000", "--archive", archive).code == 9
    for command in ("package", "show"):
        help_text = run_dsd(command, "--help").stdout
        assert "Examples" in help_text and f"dsd {command}" in help_text
