"""The strict comparison that decides whether two pages are the same letter, scanned twice.

Two scans of one letter differ by OCR errors (a letter or two per word, words merged or split), by what a stamp
or a photocopy adds, and by lines one scan lost at an edge. Two letters made from one template differ in what the
template was filled in with: a name, a date, an amount, an account number. So the pages' words are aligned, and
where they differ:

- numbers (amounts, dates, account and register numbers) on both sides must be the same numbers, after undoing
  the usual OCR confusions (O/0, l/1, S/5, B/8);
- differing words must look alike (an OCR error), or one side must be the other plus extra words (a stamp);
  a word replaced by a different word — another name, another month — means another letter;
- words only on one side (a stamp, a lost line) are allowed, as long as most of both pages align.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

MIN_ALIGNED = 0.6
"""At least this share of both pages' words must align (2 × aligned / (words of A + words of B))."""
MIN_WORD_LIKENESS = 0.6
MIN_CONTAINED = 0.8
MIN_WORDS = 12
"""Pages with fewer words are not compared: too little text to tell a duplicate from a form."""

_TOKEN = re.compile(r"[^\W_]+")
_OCR_DIGITS = str.maketrans({"o": "0", "O": "0", "l": "1", "I": "1", "i": "1", "s": "5", "S": "5", "B": "8",
                             "z": "2", "Z": "2"})


def _fold_table() -> dict[int, str]:
    table = {}
    for code in range(0x80, 0x250):
        ch = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if base != ch:
            table[code] = base
    table.update({ord("ß"): "ss", ord("æ"): "ae", ord("œ"): "oe", ord("ø"): "o", ord("ł"): "l", ord("đ"): "d"})
    return table


_FOLD = _fold_table()


def tokens(text: str) -> list[str]:
    """The page's words, lower case without accents, digits as they are."""
    return _TOKEN.findall(text.lower().translate(_FOLD))


def is_number(token: str) -> bool:
    """Mostly digits: a number, perhaps with OCR confusions (`2O24`)."""
    digits = sum(ch.isdigit() for ch in token)
    return digits > 0 and digits * 2 >= len(token)


def number_value(token: str) -> str:
    return token.translate(_OCR_DIGITS)


@dataclass(frozen=True)
class Verdict:
    same: bool
    similarity: float
    """The share of both pages' words that align (0..1)."""
    reason: str = ""
    """Why not the same letter ('' when the same)."""


def _likeness(a: str, b: str) -> tuple[float, float]:
    """(ratio, containment): how alike two strings are, and how much of the shorter is in the longer."""
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return 2 * matched / (len(a) + len(b)), matched / min(len(a), len(b))


def _replacement_differs(left: list[str], right: list[str]) -> str:
    """Why a replaced run of words means another letter ('' when it is OCR noise or an addition)."""
    numbers_left = [number_value(t) for t in left if is_number(t)]
    numbers_right = [number_value(t) for t in right if is_number(t)]
    if numbers_left and numbers_right and numbers_left != numbers_right:
        return f"numbers differ: {' '.join(numbers_left)} / {' '.join(numbers_right)}"
    words_left = "".join(t for t in left if not is_number(t))
    words_right = "".join(t for t in right if not is_number(t))
    if len(words_left) < 3 or len(words_right) < 3:
        return ""
    ratio, contained = _likeness(words_left, words_right)
    if ratio >= MIN_WORD_LIKENESS:
        return ""
    longer, shorter = (left, right) if len(words_left) > len(words_right) else (right, left)
    if len(longer) > len(shorter) and contained >= MIN_CONTAINED:
        return ""  # the same words with more beside them (a stamp, a note)
    return "different words"


def compare_tokens(a: list[str], b: list[str]) -> Verdict:
    """Whether pages with these words (see `tokens`) are the same letter."""
    if len(a) < MIN_WORDS or len(b) < MIN_WORDS:
        return Verdict(False, 0.0, "too few words")
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    aligned = sum(block.size for block in matcher.get_matching_blocks())
    similarity = 2 * aligned / (len(a) + len(b))
    if similarity < MIN_ALIGNED:
        return Verdict(False, similarity, "too little text in common")
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace":
            reason = _replacement_differs(a[i1:i2], b[j1:j2])
            if reason:
                return Verdict(False, similarity, reason)
    return Verdict(True, similarity)


def compare_texts(a: str, b: str) -> Verdict:
    return compare_tokens(tokens(a), tokens(b))
