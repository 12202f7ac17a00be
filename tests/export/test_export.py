"""`dsd export` / `dsd decrypt`: exactly the selected documents, verifiable after zip, tar and age encryption."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from pyrage import x25519

from dsd_cli.archive.bagio import read_bag_info
from dsd_cli.archive.package import package_dossier
from dsd_cli.errors import ArchiveError, InputError, UsageError
from dsd_cli.export.build import build_export
from dsd_cli.export.package import decrypt
from dsd_cli.export.run import run_export
from dsd_cli.export.select import Criteria
from tests.archive.conftest import PROFILE, make_document
from tests.export.conftest import bag_errors, tree_bytes

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


def _documents(archive: Path) -> dict[str, dict[str, bytes]]:
    """Per bag folder: its documents' bytes."""
    return {p.name: {k: v for k, v in tree_bytes(p).items() if k.startswith("data/")}
            for p in archive.iterdir() if p.name.startswith("SD")}


def _assert_exactly(export_files: dict[str, bytes], archive: Path, bags: set[str], types: set[str] | None = None):
    """The export holds the selected documents byte for byte, and no byte string of any other document."""
    everything = b"\x00".join(export_files.values())
    docs = _documents(archive)
    wanted = {f"data/{bag}/{Path(rel).name}": data for bag in bags for rel, data in docs[bag].items()
              if types is None or any(rel.endswith(f"-{t}.pdf") for t in types)}
    pdfs = {rel: data for rel, data in export_files.items() if rel.endswith(".pdf")}
    assert pdfs == wanted
    for bag, files in docs.items():
        for rel, data in files.items():
            if f"data/{bag}/{Path(rel).name}" not in wanted:
                assert data not in everything, f"{bag}/{rel} leaked into the export"
    assert not any(".dsd" in rel or "journal" in rel or "audit" in rel for rel in export_files)
    exported = {rel.split("/")[1] for rel in wanted}
    text = b"\x00".join(data for rel, data in export_files.items() if not rel.endswith(".pdf"))
    for bag in set(docs) - exported:
        number = bag.replace("~2F", "/").encode()
        assert number not in text and bag.encode() not in text, f"{bag} is named in the export"


def test_export_of_selected_dossiers(archive: Path, tmp_path: Path):
    out = tmp_path / "out" / "export-1"
    result = build_export(archive, Criteria(dossiers=("SD/2015/0001", "SD/2015/0003")), out, now=NOW)
    assert result.documents == 4 and result.dossiers == 2
    files = tree_bytes(out)
    _assert_exactly(files, archive, {"SD~2F2015~2F0001", "SD~2F2015~2F0003"})
    assert bag_errors(out) == []
    info = read_bag_info(out)
    assert info["Export-Criteria"] == ["dossiers SD/2015/0001 SD/2015/0003"]
    assert info["Export-Source-Bag"] == ["SD/2015/0001 bag SD~2F2015~2F0001 version 1",
                                         "SD/2015/0003 bag SD~2F2015~2F0003 version 1"]
    assert info["Export-Created"] == [NOW.isoformat()] and info["Export-Created-By"][0]
    provenance = json.loads(files["metadata/provenance.json"])
    assert provenance["export"]["criteria"]["dossiers"] == ["SD/2015/0001", "SD/2015/0003"]
    assert [s["version"] for s in provenance["sources"]] == [1, 1]
    rows = list(csv.reader(io.StringIO(files["data/index.csv"].decode())))
    assert rows[0] == ["Dossier", "Document", "Documenttype", "Datum", "Pagina's", "Controlegetal (SHA-256)",
                       "Bestand"]
    assert len(rows) == 5 and rows[1][0] == "SD/2015/0001" and rows[1][2] == "Identiteit en verblijf (identiteit)"
    page = files["data/index.html"].decode()
    assert '<html lang="nl">' in page and "Controlegetal" in page and "<script" not in page and "http" not in \
        page.replace('http-equiv', '')
    assert not list(tmp_path.joinpath("out").glob(".*")), "no staging folder is left behind"


def test_export_by_type_dates_and_sample(archive: Path, tmp_path: Path):
    by_type = build_export(archive, Criteria(types=("identiteit",)), tmp_path / "t", now=NOW, lang="fr")
    _assert_exactly(tree_bytes(tmp_path / "t"), archive,
                    {"SD~2F2015~2F0001", "SD~2F2020~2F0005", "SD~2F2015~2F0006"}, {"identiteit"})
    assert by_type.documents == 3
    page = (tmp_path / "t" / "data" / "index.html").read_text()
    assert '<html lang="fr">' in page and "Empreinte (SHA-256)" in page
    dated = build_export(archive, Criteria(since=dt.date(2024, 11, 1), until=dt.date(2024, 11, 30)),
                         tmp_path / "d", now=NOW)
    assert dated.documents == 10, "every test document was scanned on 2024-11-04"
    with pytest.raises(UsageError, match="no document matches"):
        build_export(archive, Criteria(until=dt.date(2020, 1, 1)), tmp_path / "none", now=NOW)
    first = build_export(archive, Criteria(sample=3, seed=7), tmp_path / "s1", now=NOW)
    again = build_export(archive, Criteria(sample=3, seed=7), tmp_path / "s2", now=NOW)
    assert first.dossiers == 3 and [r["file"] for r in first.rows] == [r["file"] for r in again.rows]


def test_the_index_says_the_selection_in_its_language(archive: Path, tmp_path: Path):
    criteria = Criteria(types=("identiteit",), since=dt.date(2024, 11, 1), sample=2, seed=7)
    build_export(archive, criteria, tmp_path / "fr", now=NOW, lang="fr")
    page = (tmp_path / "fr" / "data" / "index.html").read_text(encoding="utf-8")
    assert "types de document identiteit; datés du 2024-11-01 au …; un échantillon de 2 dossier(s) avec la " \
           "valeur de départ 7" in page
    build_export(archive, criteria, tmp_path / "nl", now=NOW)
    dutch = (tmp_path / "nl" / "data" / "index.html").read_text(encoding="utf-8")
    assert "documenttypes identiteit; gedateerd van 2024-11-01 tot …; een steekproef van 2 dossier(s) met " \
           "startwaarde 7" in dutch
    for text in (page, dutch):
        assert "dated" not in text and "sample of" not in text and "seed" not in text, "no English in the index"
    assert "Créé le 2026-11-24 13:00 CET (UTC 2026-11-24T12:00:00+00:00) par" in page, "Brussels time for people"
    assert "<p>Sélection\u202f: types de document" in page and "<p>Selectie: documenttypes" in dutch
    for bag in ("fr", "nl"):
        assert read_bag_info(tmp_path / bag)["Export-Criteria"] == [
            "types identiteit; dated 2024-11-01 to …; a sample of 2 dossier(s) with seed 7"], "bag-info stays as is"


def test_the_index_counts_in_words():
    from dsd_cli.export.index import index_html

    row = {"dossier": "SD/2024/0001", "document": "doc-0001", "doc_type": "aanvraag", "date": "", "pages": 1,
           "sha256": "0" * 64, "file": "SD~2F2024~2F0001/0001-aanvraag.pdf"}
    one = index_html([row], "nl", created="2026-11-24T12:00:00+00:00", by="archivaris", criteria="")
    two = index_html([row, row], "fr", created="2026-11-24T12:00:00+00:00", by="archiviste", criteria="")
    assert "— 1 document</p>" in one and "— 2 documents</p>" in two


def test_export_refusals(archive: Path, tmp_path: Path):
    with pytest.raises(UsageError, match="say what to export"):
        build_export(archive, Criteria(), tmp_path / "x")
    with pytest.raises(UsageError, match="--seed"):
        build_export(archive, Criteria(sample=2), tmp_path / "x")
    with pytest.raises(ArchiveError, match="not in the archive"):
        build_export(archive, Criteria(dossiers=("SD/1999/0001",)), tmp_path / "x")
    with pytest.raises(UsageError, match="outside the archive"):
        build_export(archive, Criteria(dossiers=("SD/2015/0001",)), archive / "export")
    (tmp_path / "exists").mkdir()
    with pytest.raises(UsageError, match="already exists"):
        build_export(archive, Criteria(dossiers=("SD/2015/0001",)), tmp_path / "exists")
    bag = archive / "SD~2F2015~2F0002"
    pdf = next((bag / "data" / "documents").iterdir())
    pdf.write_bytes(pdf.read_bytes()[:-1] + b"!")
    with pytest.raises(ArchiveError, match="does not match"):
        build_export(archive, Criteria(dossiers=("SD/2015/0002",)), tmp_path / "damaged")
    assert not (tmp_path / "damaged").exists() and not list(tmp_path.glob(".damaged*"))


def test_no_national_register_number_in_file_names(archive: Path, tmp_path: Path):
    dossier = "RR/85073003328"  # a dossier numbered after a person's national register number
    package_dossier(archive, dossier, [make_document(tmp_path, "nrn", "briefwisseling", dossier=dossier)], PROFILE,
                    now=NOW)
    with pytest.raises(ArchiveError, match="national register number"):
        build_export(archive, Criteria(dossiers=(dossier,)), tmp_path / "nrn-export")
    assert not (tmp_path / "nrn-export").exists() and not list(tmp_path.glob(".nrn-export*"))
    with pytest.raises(ArchiveError, match="national register number"):
        build_export(archive, Criteria(dossiers=("SD/2015/0001",)), tmp_path / "export-85073003328")


def test_zip_and_tar_exports_verify_after_unpacking(archive: Path, tmp_path: Path):
    zipped = run_export(archive, Criteria(dossiers=("SD/2015/0004",)), tmp_path / "medisch.zip", fmt="zip")
    assert zipped.kind == "zip" and len(zipped.sha256) == 64
    with zipfile.ZipFile(zipped.output) as zf:
        zf.extractall(tmp_path / "unzipped")
    assert bag_errors(tmp_path / "unzipped" / "medisch") == []
    _assert_exactly(tree_bytes(tmp_path / "unzipped" / "medisch"), archive, {"SD~2F2015~2F0004"})
    tarred = run_export(archive, Criteria(dossiers=("SD/2015/0004",)), tmp_path / "medisch2.tar", fmt="tar")
    with tarfile.open(tarred.output) as tf:
        tf.extractall(tmp_path / "untarred", filter="data")
    assert bag_errors(tmp_path / "untarred" / "medisch2") == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "medisch.zip", "medisch2.tar", "untarred",
                                                         "unzipped"], "no unencrypted leftovers"
    log = [e for e in map(json.loads, (archive / "audit" / "audit-log.jsonl").read_text().splitlines())
           if e["action"] != "inventory"]
    assert [e["action"] for e in log] == ["export", "export"] and log[0]["detail"]["dossiers"] == ["SD/2015/0004"]


def test_encrypted_export_round_trip_and_failures(archive: Path, tmp_path: Path):
    key = x25519.Identity.generate()
    key_file = tmp_path / "key.txt"
    key_file.write_text(f"# created: 2026-11-24\n# public key: {key.to_public()}\n{key}\n")
    outcome = run_export(archive, Criteria(dossiers=("SD/2015/0001",)), tmp_path / "send.zip.age",
                         encrypt_to=(str(key.to_public()),))
    assert outcome.kind == "zip+age"
    sealed = outcome.output.read_bytes()
    assert sealed.startswith(b"age-encryption.org/v1")
    for data in _documents(archive)["SD~2F2015~2F0001"].values():
        assert data[:200] not in sealed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "key.txt", "send.zip.age"]

    decrypt(outcome.output, tmp_path / "send.zip", key_file)
    with zipfile.ZipFile(tmp_path / "send.zip") as zf:
        zf.extractall(tmp_path / "opened")
    assert bag_errors(tmp_path / "opened" / "send") == []
    _assert_exactly(tree_bytes(tmp_path / "opened" / "send"), archive, {"SD~2F2015~2F0001"})

    other = x25519.Identity.generate()
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(f"{other}\n")
    flipped = tmp_path / "flipped.age"
    flipped.write_bytes(sealed[:-40] + bytes([sealed[-40] ^ 1]) + sealed[-39:])
    truncated = tmp_path / "truncated.age"
    truncated.write_bytes(sealed[: len(sealed) - 100])
    for source, identity in ((outcome.output, wrong), (flipped, key_file), (truncated, key_file)):
        target = tmp_path / f"{source.stem}-{identity.stem}.zip"
        with pytest.raises(InputError, match="cannot decrypt"):
            decrypt(source, target, identity)
        assert not target.exists()
        assert not list(tmp_path.glob(f".{target.name}*")), "nothing partial is left"
    with pytest.raises(UsageError, match="age public key"):
        run_export(archive, Criteria(dossiers=("SD/2015/0001",)), tmp_path / "x.zip.age", encrypt_to=("age1nope",))
    with pytest.raises(InputError, match="no age secret key"):
        decrypt(outcome.output, tmp_path / "y.zip", tmp_path / "empty.txt") if (tmp_path / "empty.txt").write_text(
            "# nothing\n") else None
