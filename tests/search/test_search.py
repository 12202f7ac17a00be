"""`dsd search` and `dsd index` on an archive made by `dsd run` from real OCR (tests/search/conftest.py)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import stat
from pathlib import Path

from dsd_cli.errors import ExitCode
from dsd_cli.search.access import query_fingerprint
from tests.conftest import run_dsd
from tests.pipeline.conftest import run_json
from tests.search.conftest import BuiltArchive, hit_keys, search_json

DECISION = ("SD/2026/0101", "doc-0001", 1)
FRENCH = ("SD/2026/0102", "doc-0001", 1)
COPY_OF_DECISION = ("SD/2026/0107", "doc-0001", 1)


def highlighted(hit: dict) -> list[str]:
    return [hit["snippet"][start:end] for start, end in hit["highlights"]]


def test_a_dutch_word_is_found_through_an_inflected_form(built: BuiltArchive):
    found = search_json(built.archive, "aanvraag")  # the page says "aanvragen"
    assert set(hit_keys(found)) == {DECISION, COPY_OF_DECISION}
    assert found["total"] == 2
    assert highlighted(found["hits"][0]) == ["aanvragen"]


def test_a_french_phrase_matches_its_words_in_order(built: BuiltArchive):
    found = search_json(built.archive, '"lettre recommandée"')
    assert hit_keys(found) == [FRENCH]
    assert highlighted(found["hits"][0]) == ["lettre", "recommandée"]
    assert search_json(built.archive, '"recommandée lettre"')["hits"] == []
    assert hit_keys(search_json(built.archive, "décision", lang="fr")) == [FRENCH]  # "décisions"
    assert search_json(built.archive, "lettre", lang="nl")["hits"] == []


def test_a_word_with_one_ocr_error_is_found_by_fuzzy_matching(built: BuiltArchive):
    found = search_json(built.archive, "betaling")  # the page has "betalimg"
    assert set(hit_keys(found)) == {DECISION, COPY_OF_DECISION}
    assert highlighted(found["hits"][0]) == ["betalimg"]
    assert search_json(built.archive, "betaling", fuzzy=False)["hits"] == []


def test_filters_by_dossier_type_and_date(built: BuiltArchive):
    everything = search_json(built.archive, "comité", limit=50)
    assert len(everything["hits"]) == 8
    by_dossier = search_json(built.archive, "comité", dossier="SD/2026/0105")
    assert {h["dossier"] for h in by_dossier["hits"]} == {"SD/2026/0105"} and by_dossier["total"] == 3
    by_type = search_json(built.archive, "comité", doc_type="aanvraag")
    assert hit_keys(by_type) == [DECISION]
    day = dt.date.fromisoformat(everything["hits"][0]["date"])
    assert search_json(built.archive, "comité", date_from=day, date_to=day)["total"] == 8
    assert search_json(built.archive, "comité", date_to=dt.date(2000, 1, 1))["total"] == 0
    wrong = run_dsd("search", "comité", "--archive", built.archive, "--from", "2026-02-30")
    assert wrong.code == ExitCode.USAGE


def test_boolean_prefix_and_identifier_queries(built: BuiltArchive):
    assert {h["dossier"] for h in search_json(built.archive, "Peeters OR Janssens")["hits"]} == {"SD/2026/0105"}
    assert search_json(built.archive, "Peeters AND Janssens")["hits"] == []
    assert search_json(built.archive, "leefloon -Peeters -Janssens -Maes")["total"] == 2
    assert search_json(built.archive, "terugvorder*")["total"] == 3
    for number in ("85.07.12-123.45", "85071212345"):  # the national register number, as typed or compact
        assert {h["dossier"] for h in search_json(built.archive, number)["hits"]} == {"SD/2026/0103",
                                                                                   "SD/2026/0104"}
    assert {h["dossier"] for h in search_json(built.archive, "SD/2026/0102")["hits"]} == {"SD/2026/0102"}
    bad = run_dsd("search", "(leefloon", "--archive", built.archive, "--json")
    assert bad.code == ExitCode.USAGE


def test_json_shape_and_grouping_by_dossier(built: BuiltArchive):
    result = run_dsd("search", "maatschappelijk", "--archive", built.archive, "--limit", "3", "--json")
    assert result.code == 0, result.stderr
    found = run_json(result)
    assert set(found) == {"ok", "total", "hits"} and found["ok"] and found["total"] == 10 and len(found["hits"]) == 3
    for hit in found["hits"]:
        assert {"dossier", "document", "type", "page", "score", "snippet"} <= set(hit)
        assert isinstance(hit["page"], int) and isinstance(hit["score"], float) and hit["legal_hold"] is False
    table = run_dsd("search", "maatschappelijk", "--archive", built.archive)
    assert table.code == 0 and "Dossier SD/2026/0103" in table.stdout and "10 page(s) match" in table.stdout


def test_every_search_is_audited_without_the_query_in_clear(built: BuiltArchive, archive_copy: Path):
    log = archive_copy / "audit" / "audit-log.jsonl"
    before = len(log.read_text().splitlines())
    assert run_dsd("search", "Vermeulen", "--archive", archive_copy, "--json").code == 0
    search_json(archive_copy, "Dubois", dossier="SD/2026/0102")
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    searches = entries[before:]
    assert [e["action"] for e in searches] == ["search", "search"]
    assert searches[0]["detail"]["returned"] == ["SD/2026/0103", "SD/2026/0104"]
    assert searches[0]["detail"]["query_hmac"] == query_fingerprint(archive_copy, "Vermeulen")
    assert searches[1]["detail"]["filters"] == {"dossier": "SD/2026/0102"} and searches[1]["user"]
    text = log.read_text()
    assert "Vermeulen" not in text and "Dubois" not in text
    verified = run_json(run_dsd("verify", archive_copy, "--json"))
    assert verified["checked"]["audit_logs"] == 1
    assert not [p for p in verified["problems"] if p["check"].startswith("audit.")], "the chain stays intact"
    key = archive_copy / ".dsd" / "audit-key"
    index = archive_copy / ".dsd" / "index"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(index.stat().st_mode) == 0o700
    shown = run_dsd("show", "SD/2026/0101", "--archive", archive_copy, "--json")
    assert shown.code == 0
    last = json.loads(log.read_text().splitlines()[-1])
    assert last["action"] == "show" and last["detail"]["returned"] == ["SD/2026/0101"]


def _queries(archive: Path) -> dict[str, list[tuple[str, str, int]]]:
    return {q: hit_keys(search_json(archive, q, limit=50))
            for q in ("aanvraag", "betaling", '"lettre recommandée"', "comité", "leefloon OR Vermeulen",
                      "85.07.12-123.45")}


def test_rebuild_gives_the_same_results_as_the_incremental_index(built: BuiltArchive, archive_copy: Path):
    incremental = _queries(archive_copy)
    rebuilt = run_dsd("index", "--archive", archive_copy, "--rebuild", "--json")
    assert rebuilt.code == 0, rebuilt.stderr
    assert run_json(rebuilt)["rebuilt"] is True and run_json(rebuilt)["pages_added"] == 11
    assert _queries(archive_copy) == incremental
    caught_up = run_json(run_dsd("index", "--archive", archive_copy, "--json"))
    assert caught_up["pages_added"] == 0 and caught_up["dossiers"] == 0


def test_a_legal_hold_is_shown_in_results(built: BuiltArchive, archive_copy: Path):
    held = run_dsd("hold", "add", "SD/2026/0102", "--archive", archive_copy, "--reason", "rechtszaak")
    assert held.code == 0, held.stderr
    hit = search_json(archive_copy, "Dubois")["hits"][0]
    assert hit["dossier"] == "SD/2026/0102" and hit["legal_hold"] is True
    assert "under legal hold" in run_dsd("search", "Dubois", "--archive", archive_copy).stdout


def test_disposal_removes_every_page_of_the_dossier_from_the_index(built: BuiltArchive, archive_copy: Path,
                                                                     tmp_path: Path):
    stale = tmp_path / "index-before-disposal"
    shutil.copytree(archive_copy / ".dsd" / "index", stale)
    listed = tmp_path / "list.csv"
    listed.write_text("dossier\nSD/2026/0102\n", encoding="utf-8")
    disposed = run_dsd("retention", "dispose", "--archive", archive_copy, "--list", listed, "--approval",
                       "RAB/2026/1", "--yes")
    assert disposed.code == 0, disposed.stderr
    for query in ("Dubois", '"lettre recommandée"', "allocations", "SD/2026/0102", "Madame OR comité"):
        assert all(h["dossier"] != "SD/2026/0102" for h in search_json(archive_copy, query, limit=50)["hits"])
    words = b"".join(p.read_bytes() for p in (archive_copy / ".dsd" / "index").rglob("*") if p.is_file())
    assert b"Dubois" not in words and b"recommand" not in words, "no trace left in the index files"
    verified = run_json(run_dsd("verify", archive_copy, "--json"))
    assert not [p for p in verified["problems"] if p["check"].startswith("index.")]

    shutil.rmtree(archive_copy / ".dsd" / "index")
    shutil.copytree(stale, archive_copy / ".dsd" / "index")  # an index restored from before the disposal
    result = run_dsd("verify", archive_copy, "--json")
    assert result.code == ExitCode.PROBLEMS_FOUND
    problems = [p for p in run_json(result)["problems"] if p["check"] == "index.disposed-content"]
    assert problems and "SD/2026/0102" in problems[0]["message"]
    assert search_json(archive_copy, "Dubois")["hits"] == [], "a stale index never shows a disposed dossier"


def test_a_lost_bag_is_not_disposed_content_but_its_pages_are_not_shown(built: BuiltArchive, archive_copy: Path):
    from dsd_cli.verify.searchindex import check_search_index

    shutil.rmtree(archive_copy / "SD~2F2026~2F0102")  # lost, not disposed of: archive.missing-dossier tells
    problems, checked = check_search_index(archive_copy)
    assert [(p.check, p.severity) for p in problems] == [("index.missing-bag", "warning")] and checked == 1
    assert "SD/2026/0102" in problems[0].message
    assert search_json(archive_copy, '"lettre recommandée"')["hits"] == []


def test_no_index_is_a_clear_error(tmp_path: Path):
    empty = tmp_path / "archive"
    empty.mkdir()
    result = run_dsd("search", "leefloon", "--archive", empty)
    assert result.code == ExitCode.ARCHIVE and "not a dsd archive" in result.stderr
    (empty / ".dsd").mkdir()  # an archive, as `dsd run --archive DIR` without scans makes one
    result = run_dsd("search", "leefloon", "--archive", empty, "--json")
    assert result.code == ExitCode.ARCHIVE and "dsd index" in result.stderr
    assert run_json(result)["ok"] is False
