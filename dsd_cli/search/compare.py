"""The strict comparison that decides whether two pages are the same letter, scanned twice.

Two scans of one letter differ by OCR errors (a letter or two per word, words merged or split), by what a stamp
or a photocopy adds, and by lines one scan lost at an edge. Two letters made from one template differ in what the
template was filled in with: a name, a date, an amount, an account number. So the pages' words are aligned, and
where they differ:

- numbers (amounts, dates, account and register numbers) on both sides must be the same digits, however OCR
  grouped them (`123 45` / `12345`) and with a letter read inside a number taken as its digit (`2O24`);
- differing words must be the same up to a letter or two, once the characters OCR confuses (c/e, rn/m, cl/d,
  l/i/1, ...) count as one; or one side must be the other plus extra words (a stamp); a word replaced by a
  different word — another name, another month — means another letter;
- words only on one side (a stamp, a lost line) are allowed, as long as most of both pages align.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

MIN_COVERED = 0.75
"""At least this share of each page's words must align with the other page: a stamp or a lost line leaves most
of a page in common, a page that holds another one and much more is another page."""
MIN_CONTAINED = 0.8
EDGE_LINE = 4
"""A run of at least this many words at the top or the bottom of a page that the other scan replaced by something
unrelated is a line lost at the edge plus a stamp, not a filled-in difference (those are a few words)."""
MIN_WORDS = 12
"""Pages with fewer words are not compared: too little text to tell a duplicate from a form."""

_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_DIGIT_LOOKALIKE = re.compile(r"(?<=\d)[oOlIiSsBZz](?=\d)")
_AS_DIGIT = {"o": "0", "O": "0", "l": "1", "I": "1", "i": "1", "s": "5", "S": "5", "B": "8", "z": "2", "Z": "2"}
_LETTER_LOOKALIKE = re.compile(r"(?<=[^\W\d_])[015](?=[^\W\d_])")
_AS_LETTER = {"0": "o", "1": "l", "5": "s"}
# Characters OCR takes for one another, mapped to one of them: compared this way, "soclale" is "sociale", and
# (with the pairs too) "clat" is "dat" and "rn" is "m".
_SKELETON = [("rn", "m"), ("cl", "d"), ("vv", "w"), ("ii", "u")]
_SKELETON_CHARS = str.maketrans({"c": "e", "1": "l", "i": "l", "j": "l", "t": "f", "0": "o", "a": "o", "n": "m",
                                 "u": "m", "h": "b", "5": "s", "8": "b", "y": "v", "q": "g"})


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
    """The page's words and numbers as separate runs of letters and of digits (OCR glues them together at will:
    `september2022`), lower case without accents; a letter OCR read inside a number is read as the digit."""
    text = _DIGIT_LOOKALIKE.sub(lambda m: _AS_DIGIT[m.group()], text)
    text = _LETTER_LOOKALIKE.sub(lambda m: _AS_LETTER[m.group()], text)
    return _TOKEN.findall(text.lower().translate(_FOLD))


def skeletons(letters: str) -> tuple[str, str]:
    """The letters with OCR's look-alike characters made one, without and with its look-alike pairs."""
    single = letters.translate(_SKELETON_CHARS)
    for pair, same in _SKELETON:
        letters = letters.replace(pair, same)
    return single, letters.translate(_SKELETON_CHARS)


def edits(a: str, b: str) -> int:
    """Levenshtein distance."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        row = [i]
        for j, cb in enumerate(b, start=1):
            row.append(min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = row
    return previous[-1]


@dataclass(frozen=True)
class Verdict:
    same: bool
    similarity: float
    """The share of both pages' words that align (0..1)."""
    reason: str = ""
    """Why not the same letter ('' when the same)."""


def _contained(short: str, long: str) -> float:
    """How much of `short` appears in one piece in `long` (0..1): a word with a stamp glued to it."""
    matcher = SequenceMatcher(None, short, long, autojunk=False)
    return matcher.find_longest_match(0, len(short), 0, len(long)).size / len(short)


def _unrelated(left: list[str], right: list[str]) -> bool:
    """Two runs with no word in common and little alike (a lost line and a stamp where it was)."""
    if set(left) & set(right):
        return False
    a, b = skeletons("".join(left))[0], skeletons("".join(right))[0]
    matched = sum(block.size for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return 2 * matched / (len(a) + len(b)) < 0.3


def _replacement_differs(left: list[str], right: list[str], at_edge: bool = False) -> str:
    """Why a replaced run of words means another letter ('' when it is OCR noise, an addition or a loss)."""
    if at_edge and min(len(left), len(right)) >= EDGE_LINE and _unrelated(left, right):
        return ""
    # Digits compared as one string: OCR splits and joins groups of digits ("123 45" / "12345") at will.
    digits_left = "".join(t for t in left if t.isdigit())
    digits_right = "".join(t for t in right if t.isdigit())
    if digits_left and digits_right and digits_left != digits_right:
        return f"numbers differ: {digits_left} / {digits_right}"
    letters_left = "".join(t for t in left if not t.isdigit())
    letters_right = "".join(t for t in right if not t.isdigit())
    if not letters_left or not letters_right:
        return ""  # words on one side only: an addition or a loss
    for a in skeletons(letters_left):
        for b in skeletons(letters_right):
            short, long = sorted((a, b), key=len)
            if edits(short, long) <= (1 if len(short) <= 6 else max(2, len(short) // 5)):
                return ""  # the same up to a letter or two misread
            if len(short) >= 5 and len(long) >= len(short) + 4 and _contained(short, long) >= MIN_CONTAINED:
                return ""  # the same words with more beside them (a stamp, a note)
    return "different words"


def compare_tokens(a: list[str], b: list[str]) -> Verdict:
    """Whether pages with these words (see `tokens`) are the same letter."""
    if len(a) < MIN_WORDS or len(b) < MIN_WORDS:
        return Verdict(False, 0.0, "too few words")
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    aligned = sum(block.size for block in matcher.get_matching_blocks())
    similarity = 2 * aligned / (len(a) + len(b))
    if aligned < MIN_COVERED * max(len(a), len(b)):
        return Verdict(False, similarity, "too little text in common")
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace":
            at_edge = (i1 == 0 and j1 == 0) or (i2 == len(a) and j2 == len(b))
            reason = _replacement_differs(a[i1:i2], b[j1:j2], at_edge)
            if reason:
                return Verdict(False, similarity, reason)
    return Verdict(True, similarity)


def compare_texts(a: str, b: str) -> Verdict:
    return compare_tokens(tokens(a), tokens(b))
