"""dsd's profile rules on a real archive: edits that a careful attacker re-hashes (so BagIt sees nothing) are still
caught by the retention rules, METS and signatures; demo trust only where dsd made the bag."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dsd_cli.errors import ExitCode
from dsd_cli.verify import VerifyOptions, verify_paths
from tests.verify.bags import rehash

BAG = "BB-2026-7"


def findings(archive: Path, **options) -> set[tuple[str, str, str]]:
    report = verify_paths([archive], VerifyOptions(workers=2, **options))
    return {(p.check, p.path, p.severity) for p in report.problems}


def edit_info(archive: Path, pattern: str, replacement: str) -> None:
    info = archive / BAG / "bag-info.txt"
    text, n = re.subn(pattern, replacement, info.read_text(), flags=re.MULTILINE)
    assert n, pattern
    info.write_text(text)
    rehash(archive / BAG)


@pytest.mark.parametrize(("pattern", "replacement", "check"), [
    (r"^Disposition: V$", "Disposition: B", "profile.retention"),
    (r"^Disposition: V$", "Disposition: X", "profile.retention"),
    (r"^Retention-Period: P10Y$", "Retention-Period: P1Y", "profile.retention"),
    (r"^Competence: flemish$", "Competence: federal", "profile.retention"),
    (r"^Retention-Rule-Id: .*$", "Retention-Rule-Id: NO-SUCH-RULE", "profile.retention"),
    (r"^Legal-Hold: no$", "Legal-Hold: maybe", "profile.retention"),
    (r"^Disposition: V$", "Disposition: V\nDisposition: B", "profile.repeated-field"),
    (r"^Competence: flemish\n", "", "profile.required-field"),
    (r"^Disposition-Due-Date: $", "Disposition-Due-Date: 2026-13-45", "profile.date"),
    (r"^Retention-Trigger-Date: $", "Retention-Trigger-Date: 2020-01-31\nDisposition-Due-Date: 2021-01-31",
     "profile.retention"),
])
def test_rehashed_bag_info_edits_are_caught_by_the_profile_rules(archive_copy: Path, pattern, replacement, check):
    if "Disposition-Due-Date: 2021" in replacement:
        edit_info(archive_copy, r"^Disposition-Due-Date: \n", "")
    edit_info(archive_copy, pattern, replacement)
    found = findings(archive_copy)
    assert (check, f"{BAG}/bag-info.txt", "error") in found, found
    assert not any(c.startswith("bagit.") and s == "error" for c, _, s in found), "the attacker re-hashed the bag"


def test_a_consistent_due_date_passes(archive_copy: Path):
    """Positive control for the date rule: trigger + P10Y is accepted."""
    edit_info(archive_copy, r"^Disposition-Due-Date: \n", "")
    edit_info(archive_copy, r"^Retention-Trigger-Date: $",
              "Retention-Trigger-Date: 2016-02-29\nDisposition-Due-Date: 2026-02-28")
    # The bag alone: in the archive, the inventory tells that the re-hashed bag is not the version it recorded.
    assert not [f for f in findings(archive_copy / BAG) if f[2] == "error"]
    assert ("archive.bag-replaced", BAG, "error") in findings(archive_copy)


def test_mets_must_be_safe_and_match_the_payload(archive_copy: Path):
    mets = archive_copy / BAG / "metadata" / "mets.xml"
    original = mets.read_text()
    checksum = re.search(r'CHECKSUM="([0-9a-f]{64})"', original)[1]
    mets.write_text(original.replace(checksum, "0" * 64))
    rehash(archive_copy / BAG)
    assert ("mets.checksum", f"{BAG}/data/documents/0001-energie.pdf", "error") in findings(archive_copy)

    hostile = original.replace("?>", '?>\n<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1)
    hostile = hostile.replace("<mets:mets", "<mets:mets data-x='&x;'", 1) if "&x;" not in hostile else hostile
    mets.write_text(hostile)
    rehash(archive_copy / BAG)
    report = verify_paths([archive_copy], VerifyOptions(workers=2))
    (problem,) = [p for p in report.problems if p.check == "mets.malformed"]
    assert problem.path == f"{BAG}/metadata/mets.xml" and "root:" not in problem.message

    mets.write_text(original.replace('xlink:href="data/documents/0001-energie.pdf"', 'xlink:href="data/other.pdf"'))
    rehash(archive_copy / BAG)
    found = findings(archive_copy)
    assert ("mets.undescribed-file", f"{BAG}/data/documents/0001-energie.pdf", "error") in found
    assert ("mets.missing-file", f"{BAG}/data/other.pdf", "error") in found


def test_tag_manifests_are_required_for_dsd_bags(archive_copy: Path):
    for manifest in (archive_copy / BAG).glob("tagmanifest-*.txt"):
        manifest.unlink()
    found = findings(archive_copy)
    assert ("profile.manifests", f"{BAG}/tagmanifest-sha256.txt", "error") in found
    assert ("profile.manifests", f"{BAG}/tagmanifest-sha512.txt", "error") in found


def test_demo_trust_only_for_dsd_bags(archive_copy: Path, dsd):
    edit_info(archive_copy, r"^DSD-Profile: .*\n", "")
    found = findings(archive_copy)
    assert ("signature.untrusted", f"{BAG}/data/documents/0001-energie.pdf", "error") in found
    assert not any(c.startswith("profile.") for c, _, _ in found)  # no longer a dsd bag: generic checks only
    result = dsd("verify", archive_copy / "SD~2F2026~2F0100", "--no-demo-trust", "--json")
    assert result.code == ExitCode.PROBLEMS_FOUND
    checks = {p["check"] for p in json.loads(result.stdout)["problems"]}
    assert "signature.untrusted" in checks and "signature.demo-trust" not in checks
    # pyHanko logs every failed validation path with its traceback; dsd reports the finding itself.
    assert "Traceback" not in result.stderr and "pyhanko" not in result.stderr.lower()


def test_a_bag_naming_an_unknown_profile_gets_the_default_rules(archive_copy: Path):
    edit_info(archive_copy, r"^DSD-Profile: .*$", "DSD-Profile: elsewhere")
    found = findings(archive_copy / BAG)  # the bag alone (the archive inventory tells it was re-hashed)
    assert ("profile.unknown", f"{BAG}/bag-info.txt", "warning") in found
    assert not [f for f in found if f[2] == "error"], found


def test_archive_folder_findings(archive_copy: Path, tmp_path: Path):
    (archive_copy / "loose-folder").mkdir()
    (archive_copy / "notes.txt").write_text("x")
    (archive_copy / "elsewhere").symlink_to(tmp_path)
    found = findings(archive_copy)
    assert {("archive.not-a-bag", "loose-folder", "error"), ("archive.stray-file", "notes.txt", "warning"),
            ("archive.symlink", "elsewhere", "error")} <= found
    # dsd's own folders are not bags and are not reported
    assert not any(path.startswith((".dsd", "quarantine", "audit/")) and c.startswith("archive.")
                   for c, path, _ in found)


def test_demo_signatures_only_where_the_bag_records_demo_signing(archive_copy: Path):
    """A bag whose METS records signing with a real key does not accept a document re-signed with a demo key."""
    from dsd_cli.signing.keys import DEMO_MARK

    mets = archive_copy / BAG / "metadata" / "mets.xml"
    text = mets.read_text()
    assert DEMO_MARK in text
    mets.write_text(text.replace(DEMO_MARK, "Qualified key of the OCMW"))
    rehash(archive_copy / BAG)
    found = findings(archive_copy)
    assert ("signature.untrusted", f"{BAG}/data/documents/0001-energie.pdf", "error") in found
    assert ("signature.demo-trust", f"{BAG}/data/documents/0001-energie.pdf", "warning") not in found
    other = "SD~2F2026~2F0100/data/documents/0001-aanvraag.pdf"
    assert ("signature.demo-trust", other, "warning") in found  # the untouched bag still records demo signing


def test_an_audit_log_that_is_not_text_is_reported(archive_copy: Path):
    log = archive_copy / "audit" / "audit-log.jsonl"
    log.write_bytes(log.read_bytes()[:50] + b"\xff\xfe\x00 binary\n")
    assert ("audit.malformed", "audit/audit-log.jsonl", "error") in findings(archive_copy)


def test_a_deleted_audit_line_is_reported(archive_copy: Path):
    log = archive_copy / "audit" / "audit-log.jsonl"
    lines = log.read_text().splitlines(keepends=True)
    assert len(lines) >= 3
    log.write_text("".join(lines[:1] + lines[2:]))
    found = {c for c, path, _ in findings(archive_copy) if path == "audit/audit-log.jsonl"}
    assert found & {"audit.missing-entry", "audit.broken-chain"}, found


def test_every_tag_file_of_a_dsd_bag_is_covered(archive_copy: Path):
    (archive_copy / BAG / "metadata" / "notes.txt").write_text("added after packaging")
    found = findings(archive_copy)
    assert ("profile.tag-coverage", f"{BAG}/metadata/notes.txt", "error") in found
    assert not [f for f in found if f[2] == "error" and f[0] != "profile.tag-coverage"], found


def test_safe_xml_parsing_refuses_doctypes_in_any_encoding(tmp_path: Path):
    from dsd_cli.verify.dsdrules import safe_parse_xml

    laughs = ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
              "<r>&b;</r>")
    for name, data in (("utf8.xml", laughs.encode()),
                       ("utf16.xml", laughs.replace('"1.0"?>', '"1.0" encoding="UTF-16"?>').encode("utf-16"))):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ValueError, match="DOCTYPE"):
            safe_parse_xml(tmp_path / name)
    (tmp_path / "ok.xml").write_bytes(b'<?xml version="1.0"?><r a="1">text</r>')
    assert safe_parse_xml(tmp_path / "ok.xml").getroot().get("a") == "1"


def test_cli_profile_option(signed_archive: Path, dsd, tmp_path: Path):
    named = dsd("verify", signed_archive, "--profile", "vlaanderen-ocmw", "--json")
    assert named.code == ExitCode.OK, named.stdout + named.stderr
    assert json.loads(named.stdout)["checked"]["bags"] == 2
    assert dsd("verify", signed_archive, "--profile", tmp_path / "missing.toml").code == ExitCode.CONFIG
