"""`dsd stats` figures against counts made here, independently: bags read with the standard json module and
bag-info, the journal with SQL of its own, quality from the records this test put in, verdicts from `dsd verify`."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from dsd_cli.archive.bagio import read_bag_info
from dsd_cli.errors import ExitCode
from tests.conftest import run_dsd
from tests.stats.conftest import DISPOSED, HELD, PROFILE, TODAY, StatsArchive, StatsOutputs, read_record

SUPPRESSED = "< 5"


def stats_json(archive: Path, *args: str | Path) -> dict:
    result = run_dsd("stats", "--archive", archive, "--json", *args)
    assert result.code == ExitCode.OK, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def stats(stats_outputs: StatsOutputs) -> dict:
    return stats_outputs.json["nl"]


def bags(archive: Path) -> dict[str, tuple[dict, dict[str, list[str]]]]:
    return {p.name: (read_record(p), read_bag_info(p)) for p in sorted(archive.iterdir())
            if (p / "bagit.txt").is_file()}


def table(stats: dict, section: str, name: str) -> dict[str, dict]:
    rows = stats[section]["tables"][name]
    key = next(iter(rows[0])) if rows else ""
    return {row[key]: row for row in rows}


def assert_published(published: dict[str, object], exact: dict[str, int], *, partition: bool = True) -> None:
    """Each published cell is the exact count, or "< 5": always for 1-4, and for at most one other cell of a
    partition that has exactly one small cell (the smallest other non-zero one, so the small one cannot be worked
    out from the total)."""
    assert set(published) == set(exact)
    small = [k for k, v in exact.items() if 0 < v < 5]
    for key in small:
        assert published[key] == SUPPRESSED, key
    extra = [k for k in exact if k not in small and published[k] == SUPPRESSED]
    if partition and len(small) == 1 and any(v > 0 for k, v in exact.items() if k not in small):
        smallest = min(v for k, v in exact.items() if k not in small and v > 0)
        assert len(extra) == 1 and exact[extra[0]] == smallest, (published, exact)
    else:
        assert extra == [], (published, exact)
    for key, value in exact.items():
        if published[key] != SUPPRESSED:
            assert published[key] == value, key


def test_archive_figures_equal_counts_made_independently(stats_archive: StatsArchive, stats: dict):
    found = bags(stats_archive.archive)
    live = {n: (r, i) for n, (r, i) in found.items() if "Disposal-Date" not in i}
    gone = {n: (r, i) for n, (r, i) in found.items() if "Disposal-Date" in i}
    assert len(live) == 11 and len(gone) == 1
    figures = stats["archive"]["figures"]
    assert figures["dossiers"] == 11
    documents = [d for r, _ in live.values() for d in r["documents"]]
    assert figures["documents"] == len(documents) >= 5
    assert figures["pages"] == sum(d["pages"] for d in documents)
    assert figures["bytes"] == sum(d["size"] for d in documents)
    assert figures["bag_versions"] == sum(r["version"] for r, _ in found.values())
    assert figures["legal_holds"] == SUPPRESSED  # one dossier: a hold could point at a family
    assert figures["disposed_dossiers"] == SUPPRESSED
    disposed = sum(len(r.get("disposed", [])) for r, _ in found.values())
    assert disposed == 2 and figures["disposed_documents"] == SUPPRESSED

    by_type = Counter(d["doc_type"] for d in documents)
    assert by_type["identiteit"] >= 5 and by_type["energie"] == 1
    assert_published({k: v["documents"] for k, v in table(stats, "archive", "documents_by_type").items()},
                     dict(by_type))
    rules = Counter(rule for _, i in live.values() for rule in i["Retention-Rule-Id"][0].split())
    assert_published({k: v["dossiers"] for k, v in table(stats, "archive", "dossiers_by_rule").items()},
                     dict(rules), partition=False)
    disposition = Counter({"B": 0, "V": 0, "S": 0}) + Counter(i["Disposition"][0] for _, i in live.values())
    disposition.update({k: 0 for k in "BVS"})
    assert_published({k: v["dossiers"] for k, v in table(stats, "archive", "dossiers_by_disposition").items()},
                     dict(disposition))
    competence = Counter({"flemish": 0, "federal": 0})
    competence.update(i["Competence"][0] for _, i in live.values())
    assert_published({k: v["dossiers"] for k, v in table(stats, "archive", "dossiers_by_competence").items()},
                     dict(competence))
    due = Counter((i.get("Disposition-Due-Date") or [""])[0][:4] or "no-date" for _, i in live.values())
    assert_published({k: v["dossiers"] for k, v in table(stats, "archive", "dossiers_by_due_year").items()},
                     dict(due))
    versions = Counter(str(r["version"]) for r, _ in live.values())
    assert_published({k: v["dossiers"] for k, v in table(stats, "archive", "dossiers_by_versions").items()},
                     dict(versions))
    disposal_year = found["SD~2F2019~2F0001"][1]["Disposal-Date"][0][:4]
    assert table(stats, "archive", "disposals_by_year") == {
        disposal_year: {"year": disposal_year, "dossiers": SUPPRESSED, "documents": SUPPRESSED}}
    assert DISPOSED.replace("/", "~2F") in gone and HELD


def test_progress_figures_equal_the_journal_and_the_bags(stats_archive: StatsArchive, stats: dict):
    archive = stats_archive.archive
    archived: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for record, _ in bags(archive).values():
        for doc in record["documents"] + record.get("disposed", []):
            archived[doc["added"][:10]][0] += 1
            archived[doc["added"][:10]][1] += doc["pages"]
    db = sqlite3.connect(archive / ".dsd" / "journal.sqlite")
    try:
        scanned = dict(db.execute("SELECT date(b.created, 'unixepoch'), COUNT(*) FROM pages p JOIN batches b"
                                  " ON b.id = p.batch_id GROUP BY 1"))
        roles = {(role, reason): n for role, reason, n in
                 db.execute("SELECT role, reason, COUNT(*) FROM pages GROUP BY role, reason")}
        pending = db.execute("SELECT COUNT(*), SUM(pages) FROM documents WHERE state IN ('planned', 'ocred',"
                             " 'ready')").fetchone()
        quarantine = db.execute("SELECT reason, COUNT(*), SUM(pages) FROM quarantine GROUP BY reason").fetchall()
        runs = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    finally:
        db.close()
    per_day = table(stats, "progress", "per_day")
    assert set(per_day) == set(archived) | set(scanned)
    for day, row in per_day.items():
        assert row["pages_scanned"] == scanned.get(day, 0)
        assert [row["documents_archived"], row["pages_archived"]] == archived.get(day, [0, 0])
    figures = stats["progress"]["figures"]
    assert figures["pages_scanned"] == sum(scanned.values())
    assert figures["documents_archived"] == sum(v[0] for v in archived.values())
    assert figures["pages_archived"] == sum(v[1] for v in archived.values())
    weeks = table(stats, "progress", "per_week")
    assert sum(w["pages_archived"] for w in weeks.values()) == figures["pages_archived"]
    assert sum(w["pages_scanned"] for w in weeks.values()) == figures["pages_scanned"]
    assert (figures["backlog_documents"], figures["backlog_pages"]) == (3, 8) == tuple(pending)
    assert {k: (v["items"], v["pages"]) for k, v in table(stats, "progress", "quarantine_by_reason").items()} \
        == {reason: (n, pages) for reason, n, pages in quarantine}
    assert figures["quarantined_items"] == sum(n for _, n, _ in quarantine)
    dropped = {reason: n for (role, reason), n in roles.items() if role == "dropped"}
    assert {k: v["pages"] for k, v in table(stats, "progress", "dropped_by_reason").items()} == dropped
    assert figures["pages_dropped"] == sum(dropped.values()) == 2 * 3 + 3
    unassigned = {reason: n for (role, reason), n in roles.items() if role == "unassigned"}
    assert {k: v["pages"] for k, v in table(stats, "progress", "separator_problems").items()} == unassigned
    assert set(unassigned) == {"unknown-dossier", "before-first-separator"}
    assert figures["runs"] == runs == 4
    history = [row for key, row in table(stats, "progress", "runs_table").items() if int(key) >= 100]
    # Each history run packaged 4 + 6 pages in its two hours.
    assert [(r["pages"], r["documents"], r["minutes"], r["rate"]) for r in history] == [(10, 2, 120.0, 5)] * 3


def test_quality_figures_equal_the_records_put_in(stats_archive: StatsArchive, stats: dict):
    records = stats_archive.quality
    figures = stats["quality"]["figures"]
    assert stats["available"]["quality"] is True
    assert figures["pages_with_quality"] == len(records)
    measured = [r["confidence_mean"] for r in records if r["words"]]
    assert any(r["confidence_mean"] == 0.0 for r in records) and any(r["confidence_mean"] is None for r in records)
    assert figures["confidence_mean"] == round(sum(measured) / len(measured), 1)
    assert figures["pages_flagged"] == sum(1 for r in records if r["flags"])
    bins = Counter(f"{int(c // 10) * 10}-{int(c // 10) * 10 + 10}" for c in measured)
    published = {k: v["pages"] for k, v in table(stats, "quality", "confidence_distribution").items()}
    assert published.pop("no-text") == len(records) - len(measured) > 0
    assert published == {f"{i * 10}-{i * 10 + 10}": bins.get(f"{i * 10}-{i * 10 + 10}", 0) for i in range(10)}
    flags = Counter(f for r in records for f in r["flags"])
    assert {k: v["pages"] for k, v in table(stats, "quality", "flags").items()} == dict(flags)
    languages = Counter(r["language"] for r in records)
    assert {k: v["pages"] for k, v in table(stats, "quality", "languages").items()} == dict(languages)
    assert figures["share_nld"] == round(100 * languages["nld"] / len(records), 1)
    assert figures["share_fra"] == round(100 * languages["fra"] / len(records), 1)


def test_integrity_figures_follow_the_recorded_verifications(stats_archive: StatsArchive, stats: dict):
    first, second = stats_archive.verify_reports

    def failed(report: dict) -> set[str]:
        return {p["bag"] for p in report["problems"] if p["severity"] == "error" and p["bag"]}

    names = {b["bag"] for b in second["details"]["bags"]}
    assert "SD~2F2019~2F0004" in failed(second) and len(names) == 12
    figures = stats["integrity"]["figures"]
    assert figures["bags"] == figures["bags_verified"] == 12 and figures["never_verified"] == 0
    assert figures["last_verification"] == TODAY.isoformat() and figures["unconfirmed_records"] == 0
    results = {k: v["bags"] for k, v in table(stats, "integrity", "verification_results").items()}
    warned = {p["bag"] for p in second["problems"] if p["bag"]} - failed(second)
    assert results == {"failed": len(failed(second)), "warnings": len(warned),
                       "ok": 12 - len(failed(second)) - len(warned), "never": 0}
    # Rows, not `table()`: two verifications may fall in the same second, so their time is not a unique key.
    assert [(v["level"], v["bags"], v["failed"]) for v in stats["integrity"]["tables"]["verifications"]] \
        == [("full", 12, len(failed(first))), ("fast", 12, len(failed(second)))]
    # SD/2019/0006: a B-T signature with a later timestamp renewal and a B-LTA signature; every other packaged
    # document is B-B (no timestamp), and the two that `dsd run --no-sign` archived are unsigned.
    renewal = PROFILE.stats.timestamp_renewal_years
    expected: Counter[str] = Counter()
    unsigned = 0
    for record, _info in bags(stats_archive.archive).values():
        for doc in record["documents"]:
            times = [e["datetime"] for e in doc["events"] if e["type"] == "timestamp-renewal"
                     or (e["type"] == "signing" and "B-B " not in e["detail"])]
            signed = any(e["type"] == "signing" for e in doc["events"])
            if not signed:
                unsigned += 1
            elif times:
                expected[str(int(max(times)[:4]) + renewal)] += 1
            else:
                expected["no-timestamp"] += 1
    assert unsigned == 2 == stats["integrity"]["figures"]["unsigned_documents"]
    assert len([k for k in expected if k != "no-timestamp"]) == 2
    assert {k: v["documents"] for k, v in table(stats, "integrity", "timestamps_due").items()} == dict(expected)


def test_the_period_limits_the_time_series(stats_archive: StatsArchive, stats: dict):
    days = sorted(table(stats, "progress", "per_day"))
    assert days[-1] == TODAY.isoformat() and stats["period"]["to"] == TODAY.isoformat()
    assert stats["period"]["from"] == days[0]
    limited = stats_json(stats_archive.archive, "--profile", stats_archive.profile_file,
                         "--from", days[0], "--to", days[1])
    assert sorted(table(limited, "progress", "per_day")) == days[:2]
    assert limited["period"] == {"from": days[0], "to": days[1]}
    assert limited["progress"]["figures"]["runs"] == 2
    assert limited["progress"]["figures"]["pages_archived"] == sum(
        r["pages_archived"] for d, r in table(stats, "progress", "per_day").items() if d in days[:2])
    # The archive's state does not depend on the period.
    assert limited["archive"] == stats["archive"]


def test_a_higher_threshold_hides_more(stats_archive: StatsArchive, stats: dict, tmp_path: Path):
    profile = tmp_path / "profile.toml"
    profile.write_text(stats_archive.profile_file.read_text(encoding="utf-8").replace(
        "small_count_threshold = 5", "small_count_threshold = 12"), encoding="utf-8")
    result = run_dsd("stats", "--archive", stats_archive.archive, "--json", "--profile", profile)
    strict = json.loads(result.stdout)
    assert strict["small_count_threshold"] == 12
    assert strict["archive"]["figures"]["dossiers"] == "< 12"
    identity = table(stats, "archive", "documents_by_type")["identiteit"]["documents"]
    assert isinstance(identity, int) and 5 <= identity < 12
    assert table(strict, "archive", "documents_by_type")["identiteit"]["documents"] == "< 12"
