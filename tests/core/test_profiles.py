import logging
import tomllib
from pathlib import Path

import pytest

from dsd_cli.errors import ConfigError
from dsd_cli.profiles import PROFILES_DIR, load_profile, parse_profile

REQUIRED_TYPES = {"aanvraag", "beslissing", "sociaal-verslag", "inkomen", "identiteit", "briefwisseling",
                  "schuldbemiddeling", "budgetbeheer", "huisvesting", "energie", "medisch", "overige"}


def shipped() -> dict:
    return tomllib.loads((PROFILES_DIR / "vlaanderen-ocmw.toml").read_text(encoding="utf-8"))


def test_default_profile_has_the_flemish_document_types_and_rules():
    profile = load_profile()
    assert profile.name == "vlaanderen-ocmw"
    assert REQUIRED_TYPES <= set(profile.document_types)
    assert profile.ocr.languages == ("nld", "fra")
    assert profile.retention.shipped_defaults is True
    for code in profile.document_types:
        rule = profile.rule_for_type(code)
        assert rule.disposition in "BVS"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["ocr"].__setitem__("langauges", ["nld"]), "ocr.langauges"),
        (lambda d: d.__setitem__("extra", {}), "unknown section in profile: extra"),
        (lambda d: d["ocr"].__setitem__("languages", ["dutch!"]), "ocr.languages[0]"),
        (lambda d: d["ocr"].__setitem__("deskew", "yes"), "ocr.deskew: expected true or false"),
        (lambda d: d["retention"]["rules"][0].__setitem__("disposition", "X"), "disposition"),
        (lambda d: d["retention"]["rules"][0].__setitem__("period_years", "ten"), "period_years"),
        (lambda d: d["document_types"]["aanvraag"].__setitem__("retention_rule", "NOPE"), "NOPE"),
        (lambda d: d["document_types"].__setitem__("Bad Type", {"label_nl": "x"}), "Bad Type"),
        (lambda d: d["signing"].__setitem__("level", "B-X"), "signing.level"),
        (lambda d: d["separators"].__setitem__("barcode_pattern", "(unclosed"), "barcode_pattern"),
        (lambda d: d["profile"].pop("name"), "profile.name: required key is missing"),
    ],
)
def test_bad_profiles_are_rejected_naming_the_key(mutate, message):
    data = shipped()
    mutate(data)
    with pytest.raises(ConfigError) as info:
        parse_profile(data)
    assert message in str(info.value)


def test_profile_by_path_and_missing_profile(tmp_path: Path):
    copy = tmp_path / "mine.toml"
    copy.write_text((PROFILES_DIR / "vlaanderen-ocmw.toml").read_text(encoding="utf-8"), encoding="utf-8")
    assert load_profile(copy).source == copy.resolve()
    with pytest.raises(ConfigError, match="profile not found"):
        load_profile("no-such-profile")
    broken = tmp_path / "broken.toml"
    broken.write_text("[profile\nname=", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_profile(broken)


def test_a_key_older_profiles_carry_is_accepted_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    """Profiles written before blank pages were told by their marks set separators.blank_ink_ratio: they keep
    loading (a scan server must not stop on upgrade), the operator is told, and a typo is still refused."""
    from tests.conftest import run_dsd

    text = (PROFILES_DIR / "vlaanderen-ocmw.toml").read_text(encoding="utf-8")
    assert "[separators]\n" in text
    old = tmp_path / "old.toml"
    old.write_text(text.replace("[separators]\n", "[separators]\nblank_ink_ratio = 0.002\n", 1), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="dsd_cli.profiles"):
        profile = load_profile(old)
    assert profile.separators.blank_min_mark_mm == load_profile().separators.blank_min_mark_mm
    (record,) = caplog.records
    assert "separators.blank_ink_ratio is no longer used" in record.getMessage()
    assert "blank_min_mark_mm" in record.getMessage()
    shown = run_dsd("retention", "due", "--archive", tmp_path / "none", "--profile", old)
    assert "separators.blank_ink_ratio is no longer used" in shown.stderr, shown.stderr
    old.write_text(text.replace("[separators]\n", "[separators]\nblank_ink_ratoi = 0.002\n", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"separators\.blank_ink_ratoi"):
        load_profile(old)
