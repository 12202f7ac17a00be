"""`dsd retention dispose`: only approved, due, unheld dossiers lose their documents; a certificate remains."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from dsd_cli.archive.bagio import read_bag_info
from dsd_cli.audit import verify_audit_log
from dsd_cli.errors import ArchiveError, InputError
from dsd_cli.retention.dispose import dispose_listed, plan_disposal
from dsd_cli.retention.due import due_csv, due_dossiers
from dsd_cli.retention.hold import set_legal_hold
from tests.archive.conftest import _schema, parse_xml
from tests.export.conftest import bag_errors, tree_bytes

ON = dt.date(2026, 2, 1)
NOW = dt.datetime(2026, 2, 1, 9, 0, tzinfo=dt.UTC)


def _list(tmp_path: Path, rows: list[str], header: str = "dossier,selected") -> Path:
    path = tmp_path / "approved.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _bags(archive: Path) -> dict[str, dict[str, bytes]]:
    return {p.name: tree_bytes(p) for p in archive.iterdir() if p.name.startswith("SD")}


def test_dispose_removes_exactly_the_listed_payload(archive: Path, tmp_path: Path):
    rows = due_csv(due_dossiers(archive, ON)).splitlines()
    # The approved list: both V dossiers, and the S dossier marked as not selected for the sample.
    sample = next(r for r in rows if r.startswith("SD/2015/0003"))
    approved = tmp_path / "approved.csv"
    approved.write_text("\n".join([*[r for r in rows if r != sample], sample + "no"]) + "\n")
    listed = {"SD~2F2015~2F0001", "SD~2F2015~2F0002", "SD~2F2015~2F0003"}
    before = _bags(archive)
    gone = {rel: data for name in listed for rel, data in before[name].items() if rel.startswith("data/")}

    plan = plan_disposal(archive, approved, "RAB/2026/17", on=ON)
    assert not plan.refused and [d["dossier"] for d in plan.dossiers] == ["SD/2015/0002", "SD/2015/0001",
                                                                        "SD/2015/0003"]
    assert _bags(archive) == before, "a dry run changes nothing"

    result = dispose_listed(archive, approved, "RAB/2026/17", on=ON, now=NOW)
    after = _bags(archive)
    for name, files in before.items():
        if name not in listed:
            assert after[name] == files, f"{name} changed"
            continue
        bag = archive / name
        assert not [p for p in (bag / "data").rglob("*") if p.is_file()], "the payload is empty"
        assert (bag / "data").is_dir()
        info = read_bag_info(bag)
        assert info["Disposal-Date"] == ["2026-02-01"] and info["Disposal-Approval"] == ["RAB/2026/17"]
        assert info["Payload-Oxum"] == ["0.0"] and info["DSD-Bag-Version"] == ["2"]
        assert "<premis:eventType>deletion</premis:eventType>" in (bag / "metadata" / "mets.xml").read_text()
        mets_schema = _schema("mets.xsd", "premis-v3.xsd")
        assert mets_schema.validate(parse_xml(bag / "metadata" / "mets.xml")), mets_schema.error_log
        record = json.loads((bag / "metadata" / "documents.json").read_text())
        assert record["documents"] == [] and record["disposed"]
    remaining = b"".join(data for files in after.values() for data in files.values())
    assert not any(data in remaining for data in gone.values()), "no destroyed document is left in any bag"
    assert bag_errors(archive) == []

    cert = json.loads(result.certificate.read_text())
    assert result.certificate.parent == archive / "audit" / "disposals"
    assert result.certificate.name.startswith("2026-02-01-RAB") and "/" not in result.certificate.name
    assert cert["complete"] and cert["approval"] == "RAB/2026/17" and cert["date"] == "2026-02-01"
    assert cert["by"]["user"] and cert["totals"]["documents"] == 5
    docs = {d["sha256"]: d for e in cert["dossiers"] for d in e["documents"]}
    assert {hashlib.sha256(data).hexdigest() for data in gone.values()} == set(docs)
    assert {e["rule"] for e in cert["dossiers"]} == {"SD-ALG", "SD-SCHULD", "SD-LEEFLOON"}
    assert sum(d["size"] for d in docs.values()) == sum(len(b) for b in gone.values())
    log = archive / "audit" / "audit-log.jsonl"
    *_, entry, certified = map(json.loads, log.read_text().splitlines())
    assert entry["action"] == "disposal" and entry["detail"]["certificate_sha256"] == hashlib.sha256(
        result.certificate.read_bytes()).hexdigest()
    assert certified["action"] == "inventory" and certified["detail"]["change"] == "disposal-certificate"
    assert verify_audit_log(log) == []
    assert due_dossiers(archive, dt.date(2100, 1, 1))[0].dossier not in {"SD/2015/0001", "SD/2015/0002"}


@pytest.mark.parametrize(("rows", "message"), [
    (["SD/2015/0004,"], "not due until 2026-03-31"),
    (["SD/2020/0005,"], "not due until 2032-05-01"),
    (["SD/2015/0007,"], "under legal hold"),
    (["SD/2015/0006,"], "has no due date"),
    (["SD/2015/0003,"], "does not mark it as not selected"),
    (["SD/2015/0003,yes"], "does not mark it as not selected"),
    (["SD/1999/0001,"], "not in the archive"),
])
def test_dispose_refuses_the_whole_list(archive: Path, tmp_path: Path, rows: list[str], message: str):
    approved = _list(tmp_path, ["SD/2015/0002,", *rows])
    before = _bags(archive)
    assert any(message in r for r in plan_disposal(archive, approved, "RAB/1", on=ON).refused)
    with pytest.raises(ArchiveError, match=message):
        dispose_listed(archive, approved, "RAB/1", on=ON, now=NOW)
    assert _bags(archive) == before, "nothing is removed when one listed dossier is refused"
    assert not (archive / "audit" / "disposals").exists()


def test_a_hold_placed_after_the_list_was_drafted_wins(archive: Path, tmp_path: Path):
    approved = _list(tmp_path, ["SD/2015/0001,"])
    set_legal_hold(archive, "SD/2015/0001", True, "new claim")
    with pytest.raises(ArchiveError, match="under legal hold"):
        dispose_listed(archive, approved, "RAB/2", on=ON, now=NOW)


def test_disposed_dossiers_cannot_be_disposed_twice_or_held(archive: Path, tmp_path: Path):
    approved = _list(tmp_path, ["SD/2015/0002,"])
    dispose_listed(archive, approved, "RAB/3", on=ON, now=NOW)
    with pytest.raises(ArchiveError, match="already disposed of"):
        dispose_listed(archive, approved, "RAB/4", on=ON, now=NOW)
    with pytest.raises(ArchiveError, match="nothing left to hold"):
        set_legal_hold(archive, "SD/2015/0002", True, "too late")


def test_bad_lists_are_refused(archive: Path, tmp_path: Path):
    with pytest.raises(InputError, match="dossier"):
        dispose_listed(archive, _list(tmp_path, ["x"], header="name"), "RAB/5", on=ON)
    with pytest.raises(InputError, match="twice"):
        dispose_listed(archive, _list(tmp_path, ["SD/2015/0002,", "SD/2015/0002,"]), "RAB/5", on=ON)
    with pytest.raises(InputError, match="names no dossier"):
        dispose_listed(archive, _list(tmp_path, []), "RAB/5", on=ON)
