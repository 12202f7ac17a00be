"""`dsd hold add|remove`: a legal hold is a new bag version, a PREMIS event and an audit entry."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from dsd_cli.archive.bagio import read_bag_info
from dsd_cli.audit import verify_audit_log
from dsd_cli.errors import ArchiveError, UsageError
from dsd_cli.retention.due import due_dossiers
from dsd_cli.retention.hold import HOLD_NOTE, set_legal_hold
from tests.archive.conftest import _schema, parse_xml
from tests.export.conftest import bag_errors, tree_bytes


def _verify_ok(path: Path) -> None:
    assert bag_errors(path) == []


def test_hold_add_and_remove(archive: Path):
    bag = archive / "SD~2F2015~2F0001"
    others = {p.name: tree_bytes(p) for p in archive.iterdir() if p.name.startswith("SD") and p != bag}
    result = set_legal_hold(archive, "SD/2015/0001", True, "court case 2026/123")
    assert result.legal_hold and result.version == 2 and result.due_date == ""
    info = read_bag_info(bag)
    assert info["Legal-Hold"] == ["yes"] and info["Disposition-Due-Date"] == [""]
    assert info["DSD-Bag-Version"] == ["2"] and info["Retention-Note"][0] == HOLD_NOTE
    assert (bag / "versions" / "v0001" / "bag-info.txt").is_file()
    assert "SD/2015/0001" not in [d.dossier for d in due_dossiers(archive, dt.date(2100, 1, 1))]
    mets = (bag / "metadata" / "mets.xml").read_text(encoding="utf-8")
    assert "<premis:eventType>legal-hold</premis:eventType>" in mets and "court case 2026/123" in mets
    _verify_ok(archive)
    mets_schema = _schema("mets.xsd", "premis-v3.xsd")
    assert mets_schema.validate(parse_xml(bag / "metadata" / "mets.xml")), mets_schema.error_log

    lifted = set_legal_hold(archive, "SD/2015/0001", False, "case closed")
    assert not lifted.legal_hold and lifted.version == 3 and lifted.due_date == "2026-01-31"
    info = read_bag_info(bag)
    assert info["Legal-Hold"] == ["no"] and info["Disposition-Due-Date"] == ["2026-01-31"]
    assert HOLD_NOTE not in info.get("Retention-Note", [])
    assert "legal-hold-lifted" in (bag / "metadata" / "mets.xml").read_text(encoding="utf-8")
    assert "SD/2015/0001" in [d.dossier for d in due_dossiers(archive, dt.date(2026, 2, 1))]
    _verify_ok(archive)

    log = archive / "audit" / "audit-log.jsonl"
    entries = [e for e in map(json.loads, log.read_text(encoding="utf-8").splitlines()) if e["action"] != "inventory"]
    assert [e["action"] for e in entries] == ["legal-hold", "legal-hold-lifted"]
    assert entries[0]["dossier"] == "SD/2015/0001" and entries[0]["detail"]["suspended_due_date"] == "2026-01-31"
    assert "court case" not in log.read_text(encoding="utf-8"), "the reason stays in the bag, not in the log"
    assert verify_audit_log(log) == []
    assert {p.name: tree_bytes(p) for p in archive.iterdir() if p.name in others} == others


def test_lifting_a_register_hold_computes_the_due_date(archive: Path):
    result = set_legal_hold(archive, "SD/2015/0007", False, "register hold ended")
    assert result.due_date == "2025-01-01"  # energie: SD-ALG, 10 years after closing on 2015-01-01
    _verify_ok(archive / "SD~2F2015~2F0007")


def test_hold_refusals(archive: Path):
    with pytest.raises(ArchiveError, match="already under legal hold"):
        set_legal_hold(archive, "SD/2015/0007", True, "again")
    with pytest.raises(ArchiveError, match="not under legal hold"):
        set_legal_hold(archive, "SD/2015/0001", False, "nothing to lift")
    with pytest.raises(ArchiveError, match="not in the archive"):
        set_legal_hold(archive, "SD/1999/9999", True, "unknown")
    with pytest.raises(UsageError):
        set_legal_hold(archive, "SD/2015/0001", True, "   ")


def test_a_damaged_bag_is_not_rewritten(archive: Path):
    bag = archive / "SD~2F2015~2F0002"
    pdf = next((bag / "data" / "documents").iterdir())
    pdf.write_bytes(pdf.read_bytes() + b"x")
    before = tree_bytes(bag)
    with pytest.raises(ArchiveError):
        set_legal_hold(archive, "SD/2015/0002", True, "audit")
    assert tree_bytes(bag) == before
