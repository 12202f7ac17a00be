"""Retention dates from the register and the strictest combination of a dossier's rules."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from dsd_cli.archive import read_bag_info
from dsd_cli.archive.package import package_dossier
from dsd_cli.archive.retention import compute_disposition, dossier_retention
from dsd_cli.errors import ConfigError
from dsd_cli.profiles import PROFILES_DIR, parse_profile
from dsd_cli.register import RegisterEntry, load_register
from tests.archive.conftest import BAG_NAME, DOSSIER, NOW, PROFILE, make_document

D = dt.date


@pytest.mark.parametrize(("rule_id", "entry", "expected"), [
    ("SD-ALG", RegisterEntry("x", closed=D(2015, 6, 30)), (D(2015, 6, 30), D(2025, 6, 30))),
    ("SD-LEEFLOON", RegisterEntry("x", closed=D(2018, 1, 15)), (D(2018, 1, 15), D(2028, 1, 15))),
    ("SD-SCHULD", RegisterEntry("x", closed=D(2020, 2, 29)), (D(2020, 2, 29), D(2025, 2, 28))),
    ("SD-BESLISSING", RegisterEntry("x", closed=D(2015, 6, 30)), None),
    ("SD-ALG", RegisterEntry("x", opened=D(2010, 1, 1), closed=None), None),
    ("SD-ALG", None, None),
    ("SD-ALG", RegisterEntry("x", closed=D(2015, 6, 30), legal_hold=True), None),
])
def test_disposal_dates_from_the_register(rule_id: str, entry: RegisterEntry | None, expected):
    assert compute_disposition(PROFILE.rule(rule_id), entry, PROFILE) == expected
    assert compute_disposition(rule_id, entry, PROFILE) == expected, "a rule id works with the profile"


def test_register_csv_supplies_the_dates(tmp_path: Path):
    csv = tmp_path / "register.csv"
    csv.write_text("dossier;closed;legal_hold\nSD/2019/0456;2021-12-31;nee\nSD/2019/0457;2021-12-31;ja\n")
    register = load_register(csv)
    assert compute_disposition("SD-SCHULD", register.lookup("SD/2019/0456"), PROFILE) == (D(2021, 12, 31),
                                                                                          D(2026, 12, 31))
    assert compute_disposition("SD-SCHULD", register.lookup("SD/2019/0457"), PROFILE) is None


def test_a_rule_id_needs_a_profile():
    with pytest.raises(ConfigError):
        compute_disposition("SD-ALG", None)


@pytest.mark.parametrize(("types", "rules", "period", "disposition", "competence", "due"), [
    (["energie", "schuldbemiddeling"], "SD-ALG SD-SCHULD", "P10Y", "V", "flemish", D(2030, 3, 31)),
    (["energie", "medisch"], "SD-ALG SD-MEDISCH", "P10Y", "V", "federal", D(2030, 3, 31)),
    (["schuldbemiddeling", "aanvraag"], "SD-LEEFLOON SD-SCHULD", "P10Y", "S", "federal", D(2030, 3, 31)),
    (["energie", "beslissing", "aanvraag"], "SD-ALG SD-BESLISSING SD-LEEFLOON", "permanent", "B", "federal", None),
])
def test_a_dossier_follows_the_strictest_combination(types, rules, period, disposition, competence, due):
    retention = dossier_retention(PROFILE, types, RegisterEntry("x", closed=D(2020, 3, 31)))
    assert (retention.rule_ids, retention.period, retention.disposition, retention.competence,
            retention.due_date) == (rules, period, disposition, competence, due)


def _custom_profile(rules: str, types: str):
    data = tomllib.loads((PROFILES_DIR / "vlaanderen-ocmw.toml").read_text(encoding="utf-8"))
    extra = tomllib.loads(rules + types)
    data["retention"]["rules"] = extra["retention"]["rules"]
    data["retention"]["shipped_defaults"] = False
    data["document_types"] = extra["document_types"]
    return parse_profile(data)


def test_mixed_triggers_take_the_latest_due_date():
    profile = _custom_profile(
        '[[retention.rules]]\nid = "KORT"\nperiod_years = 3\ntrigger = "scan-date"\ndisposition = "V"\n'
        'competence = "flemish"\n'
        '[[retention.rules]]\nid = "LANG"\nperiod_years = 2\ntrigger = "document-date"\ndisposition = "S"\n'
        'competence = "flemish"\n',
        '[document_types.a]\nlabel_nl = "A"\nretention_rule = "KORT"\n'
        '[document_types.b]\nlabel_nl = "B"\nretention_rule = "LANG"\n')
    scans, docs = [D(2024, 11, 4)], [D(2023, 1, 1), D(2026, 5, 1)]
    retention = dossier_retention(profile, ["a", "b"], None, document_dates=docs, scan_dates=scans)
    assert retention.trigger == "scan-date document-date" and retention.period == "P3Y"
    assert retention.due_date == D(2028, 5, 1) and retention.trigger_date == D(2026, 5, 1)
    assert retention.disposition == "S" and retention.notes == ()
    unknown = dossier_retention(profile, ["a", "b"], None, scan_dates=scans)
    assert unknown.due_date is None and any("document-date" in n for n in unknown.notes)


def test_legal_hold_bag_has_no_due_date(archive: Path, inputs: Path):
    entry = RegisterEntry(DOSSIER, closed=D(2015, 6, 30), legal_hold=True)
    package_dossier(archive, DOSSIER, [make_document(inputs, "a", "energie")], PROFILE, entry, now=NOW)
    info = read_bag_info(archive / BAG_NAME)
    assert info["Legal-Hold"] == ["yes"] and info["Disposition-Due-Date"] == [""]
    assert info["Retention-Trigger-Date"] == ["2015-06-30"]
    assert "legal hold: disposal suspended" in info["Retention-Note"]


def test_open_dossier_says_why_there_is_no_due_date(archive: Path, inputs: Path):
    package_dossier(archive, DOSSIER, [make_document(inputs, "a", "energie")], PROFILE,
                    RegisterEntry(DOSSIER, opened=D(2019, 1, 1)), now=NOW)
    info = read_bag_info(archive / BAG_NAME)
    assert info["Disposition-Due-Date"] == [""] and info["Legal-Hold"] == ["no"]
    assert any("not closed in the register" in note for note in info["Retention-Note"])


def test_a_later_version_uses_the_register_of_its_time(archive: Path, inputs: Path):
    package_dossier(archive, DOSSIER, [make_document(inputs, "a", "energie")], PROFILE, None, now=NOW)
    assert read_bag_info(archive / BAG_NAME)["Disposition-Due-Date"] == [""]
    package_dossier(archive, DOSSIER, [make_document(inputs, "b", "schuldbemiddeling")], PROFILE,
                    RegisterEntry(DOSSIER, closed=D(2025, 1, 31)), now=NOW)
    info = read_bag_info(archive / BAG_NAME)
    assert info["Retention-Rule-Id"] == ["SD-ALG SD-SCHULD"] and info["Disposition-Due-Date"] == ["2035-01-31"]


def test_packaging_again_with_the_register_updates_retention(archive: Path, inputs: Path):
    doc = make_document(inputs, "a", "energie")
    package_dossier(archive, DOSSIER, [doc], PROFILE, RegisterEntry(DOSSIER), now=NOW)
    same = package_dossier(archive, DOSSIER, [doc], PROFILE, RegisterEntry(DOSSIER), now=NOW)
    assert same.unchanged, "nothing new in the register: nothing changes"
    closed = package_dossier(archive, DOSSIER, [doc], PROFILE, RegisterEntry(DOSSIER, closed=D(2024, 1, 31)), now=NOW)
    assert closed.version == 2 and closed.stored == ()
    info = read_bag_info(archive / BAG_NAME)
    assert info["Disposition-Due-Date"] == ["2034-01-31"] and info["DSD-Bag-Version"] == ["2"]
    assert "retention-update" in (archive / BAG_NAME / "metadata" / "mets.xml").read_text()
    assert package_dossier(archive, DOSSIER, [doc], PROFILE, None, now=NOW).unchanged, \
        "without a register, known dates are kept"


def test_a_hold_placed_on_the_bag_survives_a_new_version(archive: Path, inputs: Path):
    from dsd_cli.retention.hold import set_legal_hold

    package_dossier(archive, DOSSIER, [make_document(inputs, "a", "energie")], PROFILE, now=NOW)
    set_legal_hold(archive, DOSSIER, True, "court", profile=PROFILE, now=NOW)
    package_dossier(archive, DOSSIER, [make_document(inputs, "b", "energie")], PROFILE,
                    RegisterEntry(DOSSIER, closed=D(2015, 1, 1)), now=NOW)
    info = read_bag_info(archive / BAG_NAME)
    assert info["Legal-Hold"] == ["yes"] and info["Disposition-Due-Date"] == [""]


def test_a_disposed_dossier_is_not_added_to(archive: Path, inputs: Path):
    from dsd_cli.archive import bagio
    from dsd_cli.errors import ArchiveError

    package_dossier(archive, DOSSIER, [make_document(inputs, "a", "energie")], PROFILE, now=NOW)
    bag = archive / BAG_NAME
    with (bag / "bag-info.txt").open("a") as handle:
        handle.write("Disposal-Date: 2026-11-01\n")
    bagio.write_manifests(bag, bagio.tag_files(bag), PROFILE.archive.checksums, "tagmanifest")
    with pytest.raises(ArchiveError, match="disposed"):
        package_dossier(archive, DOSSIER, [make_document(inputs, "b", "energie")], PROFILE, now=NOW)
