"""Where the figures come from: the bag cache stays correct, verification records are believed only when the
audit log confirms them, and `dsd stats` refuses what is not an archive."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from dsd_cli.archive.layout import ArchiveLayout
from dsd_cli.archive.lock import archive_lock
from dsd_cli.archive.record import DOCUMENTS_JSON
from dsd_cli.audit import verify_audit_log
from dsd_cli.errors import ArchiveError, ConfigError, ExitCode, UsageError
from dsd_cli.profiles import load_profile, parse_profile
from dsd_cli.retention.hold import set_legal_hold
from dsd_cli.stats import StatsOptions, compute_stats
from dsd_cli.stats.bags import bag_facts, scan_bags
from dsd_cli.stats.labels import _FR, _NL
from dsd_cli.stats.verifications import read_verifications
from tests.conftest import run_dsd
from tests.stats.conftest import PROFILE, StatsArchive, read_record


def test_the_fast_reader_agrees_with_a_plain_json_reading(stats_archive: StatsArchive):
    for bag in sorted(p for p in stats_archive.archive.iterdir() if (p / "bagit.txt").is_file()):
        record = read_record(bag)
        facts = bag_facts(bag)
        assert facts.readable and facts.version == record["version"]
        assert facts.documents == len(record["documents"])
        assert facts.pages == sum(d["pages"] for d in record["documents"])
        assert facts.bytes == sum(d["size"] for d in record["documents"])
        assert facts.disposed_documents == len(record.get("disposed", []))
        assert sum(q.pages for q in facts.quality.values()) == sum(len(d["quality"]) for d in record["documents"])


def test_the_cache_is_used_and_never_stale(archive_copy: Path):
    first = scan_bags(archive_copy)
    assert first.read == 12  # a copy has new inodes: the cache it carries does not match
    again = scan_bags(archive_copy)
    assert again.read == 0 and again.facts == first.facts

    # A new bag version (atomic swap): the bag is read again.
    set_legal_hold(archive_copy, "SD/2019/0002", True, "audit")
    after_hold = scan_bags(archive_copy)
    assert after_hold.read == 1 and after_hold.facts["SD~2F2019~2F0002"].hold

    # A change in place that keeps size and modification time (a restored backup, a careful edit): read again.
    path = archive_copy / "SD~2F2019~2F0003" / DOCUMENTS_JSON
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    changed = text.replace('"pages": 1,', '"pages": 7,', 1)
    assert changed != text and len(changed) == len(text)
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    edited = scan_bags(archive_copy)
    assert edited.read == 1 and edited.facts["SD~2F2019~2F0003"].pages == after_hold.facts[
        "SD~2F2019~2F0003"].pages + 6

    # A damaged cache file is ignored and rewritten.
    cache = ArchiveLayout(archive_copy).state / "stats-cache.msgpack"
    cache.write_bytes(b"\x00garbage")
    assert scan_bags(archive_copy).read == 12 and scan_bags(archive_copy).read == 0


def test_a_damaged_record_counts_as_unreadable(archive_copy: Path):
    (archive_copy / "SD~2F2019~2F0005" / DOCUMENTS_JSON).write_text("{ not json", encoding="utf-8")
    report = compute_stats(archive_copy, PROFILE, StatsOptions(use_cache=False))
    assert report.figures["archive"]["unreadable_bags"] == 1
    assert report.figures["archive"]["dossiers"] == 10


def test_verifications_are_believed_only_with_their_audit_entry(archive_copy: Path):
    log = read_verifications(archive_copy)
    assert len(log.verifications) == 2 and log.unconfirmed == 0
    records = sorted((archive_copy / "audit" / "verifications").iterdir())
    assert len(records) == 2
    # An edited record no longer matches its audit entry; a record without an entry is not read at all.
    body = json.loads(records[1].read_text(encoding="utf-8"))
    body["bags"] = dict.fromkeys(body["bags"], "ok")
    records[1].write_text(json.dumps(body), encoding="utf-8")
    shutil.copy(records[1], records[1].with_name("2099-01-01T00-00-00+00-00-abcdef.json"))
    log = read_verifications(archive_copy)
    assert len(log.verifications) == 1 and log.unconfirmed == 1
    report = compute_stats(archive_copy, PROFILE, StatsOptions(use_cache=False))
    assert report.figures["integrity"]["unconfirmed_records"] == 1
    assert dict((k, v[0]) for k, v in report.table("verification_results").rows)["failed"] == 9


def test_verify_records_verdicts_without_personal_data(archive_copy: Path, stats_archive: StatsArchive):
    result = run_dsd("verify", archive_copy, "--fast", "--json", "--profile", stats_archive.profile_file)
    assert result.code == ExitCode.PROBLEMS_FOUND  # the damaged bag
    records = sorted((archive_copy / "audit" / "verifications").iterdir())
    assert len(records) == 3
    newest = json.loads(records[-1].read_text(encoding="utf-8"))
    assert set(newest) == {"format", "time", "level", "dsd", "bags"} and newest["level"] == "fast"
    assert newest["bags"]["SD~2F2019~2F0004"] == "failed" and len(newest["bags"]) == 12
    assert verify_audit_log(archive_copy / "audit" / "audit-log.jsonl") == []
    entry = json.loads((archive_copy / "audit" / "audit-log.jsonl").read_text().splitlines()[-1])
    assert entry["action"] == "archive-verified" and entry["detail"]["failed"] == 1
    text = records[-1].read_text(encoding="utf-8") + json.dumps(entry)
    for value in ("Peeters", "Dubois", "Janssens", "scan-Peeters", ".pdf"):
        assert value not in text


def test_verify_of_a_locked_archive_still_verifies_and_says_it_recorded_nothing(archive_copy: Path,
                                                                                 stats_archive: StatsArchive):
    before = sorted((archive_copy / "audit" / "verifications").iterdir())
    with archive_lock(ArchiveLayout(archive_copy).lock):
        result = run_dsd("verify", archive_copy, "--fast", "--profile", stats_archive.profile_file)
    assert result.code == ExitCode.PROBLEMS_FOUND
    assert "not recorded" in result.stderr
    assert sorted((archive_copy / "audit" / "verifications").iterdir()) == before


def test_stats_refuses_what_is_not_an_archive_and_bad_options(tmp_path: Path, stats_archive: StatsArchive):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_dsd("stats", "--archive", empty).code == ExitCode.ARCHIVE
    archive = stats_archive.archive
    assert run_dsd("stats", "--archive", archive, "--from", "2026-13-01").code == ExitCode.USAGE
    assert run_dsd("stats", "--archive", archive, "--lang", "de").code == ExitCode.USAGE
    assert run_dsd("stats", "--archive", archive, "--report", tmp_path / "no" / "r.html").code \
        == ExitCode.BAD_INPUT
    with pytest.raises(ArchiveError):
        compute_stats(tmp_path / "missing", PROFILE)
    with pytest.raises(UsageError):
        compute_stats(archive, PROFILE, StatsOptions(start=dt.date(2026, 5, 2), end=dt.date(2026, 5, 1)))


def test_the_profile_sets_the_threshold_within_bounds():
    data = {"profile": {"name": "t", "version": "1"}, "organization": {"name": "O"},
            "retention": {"selection_list_version": "x"}, "document_types": {"a": {"label_nl": "A"}}}
    assert parse_profile(data).stats.small_count_threshold == 5
    assert parse_profile({**data, "stats": {"small_count_threshold": 10}}).stats.small_count_threshold == 10
    for bad in ({"small_count_threshold": 1}, {"timestamp_renewal_years": 0}, {"threshold": 5}):
        with pytest.raises(ConfigError):
            parse_profile({**data, "stats": bad})
    assert load_profile().stats.small_count_threshold == 5


def test_dutch_and_french_say_the_same_things():
    assert set(_NL) == set(_FR)


def test_a_damaged_journal_is_a_clear_archive_error(archive_copy: Path):
    journal = ArchiveLayout(archive_copy).journal
    for extra in ("-wal", "-shm"):
        Path(f"{journal}{extra}").unlink(missing_ok=True)
    journal.write_bytes(b"not a database" * 100)
    with pytest.raises(ArchiveError, match="journal"):
        compute_stats(archive_copy, PROFILE)
