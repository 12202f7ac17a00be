"""A page's words as the duplicate comparison reads them: runs of letters and runs of digits, OCR's look-alike
characters made one, and for each group of digits whether it continues a number and whether that number is known
to be misread.

OCR glues words and numbers together at will (`september2022`) and splits and joins groups of digits
(`123 45` / `12345`), so letters and digits are separate tokens, and digit groups joined on one line by a space,
dot, comma, slash or dash (`2.345,67`, `09 123 45 67`, `16/03/2026`) make one number: the comparison takes a
number whole, never a part of it for an addition.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from dsd_cli.search.numbers import misread_spans

# A word, or digits that continue the number before them (what stands between is dropped), or digits.
_TOKEN = re.compile(r"([^\W\d_]+)|(?<=\d)[ \t]?[.,/\-]?[ \t]?(\d+)|(\d+)")
# (The look-alike patterns start with what they replace: the engine then skips quickly to where they may match.)
_DIGIT_LOOKALIKE = re.compile(r"[oOlIiSsBZz](?<=\d.)(?=\d)")
_AS_DIGIT = {"o": "0", "O": "0", "l": "1", "I": "1", "i": "1", "s": "5", "S": "5", "B": "8", "z": "2", "Z": "2"}
# 0, 1 and 5 inside a word, or starting a longer one (`5eptember`). Not at its end: OCR more often glues a number
# to the word before it (`marktplein1`) than it reads a last letter as a digit.
_LETTER_LOOKALIKE = re.compile(r"[015](?:(?<=[^\W\d_].)(?=[^\W\d_])|(?<![^\W_].)(?=[^\W\d_]{4}))")
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


class Misread(str):
    """Digits of a number that fails its check (dsd_cli.search.numbers): equal to the digits shown, but where the
    other scan reads one of them otherwise, the difference is the OCR's."""

    __slots__ = ()


class Continued(str):
    """Digits that continue the number of the digits before them."""

    __slots__ = ()


class MisreadContinued(Misread, Continued):
    __slots__ = ()


def tokens(text: str, shared: dict[str, str] | None = None) -> list[str]:
    """The page's words and groups of digits, lower case without accents; a letter OCR read inside a number is
    read as the digit. Groups of digits are `Continued` when they continue a number, `Misread` when the number
    fails its check; other tokens are plain strings. `shared`: one string object per distinct token across the
    pages read with it (many pages, one vocabulary: what holds them all in memory is mostly the references)."""
    text = _DIGIT_LOOKALIKE.sub(lambda m: _AS_DIGIT[m.group()], text)
    text = _LETTER_LOOKALIKE.sub(lambda m: _AS_LETTER[m.group()], text)
    text = text.lower()
    if not text.isascii():
        text = text.translate(_FOLD)
    spans = misread_spans(text)
    if spans:
        out = [word or _digits(continued or digits, bool(continued),
                               any(a <= match.start(2 if continued else 3) < b for a, b in spans))
               for match in _TOKEN.finditer(text) for word, continued, digits in [match.groups()]]
    else:
        out = [word or (Continued(continued) if continued else digits) for word, continued, digits in
               _TOKEN.findall(text)]
    if shared is not None:
        out = [shared.setdefault(_share_key(t), t) for t in out]
    return out


def _digits(digits: str, continued: bool, misread: bool) -> str:
    kind = (MisreadContinued if continued else Misread) if misread else (Continued if continued else str)
    return digits if kind is str else kind(digits)


def _share_key(token: str) -> str:
    """Equal strings of different kinds (`45`, `Continued('45')`) must not be shared as one."""
    return token if type(token) is str else f"{type(token).__name__}:{token}"


def continues(token: str) -> bool:
    return isinstance(token, Continued)


def misread(token: str) -> bool:
    return isinstance(token, Misread)


@functools.lru_cache(maxsize=200_000)
def skeletons(letters: str) -> tuple[str, str]:
    """The letters with OCR's look-alike characters made one, without and with its look-alike pairs."""
    single = letters.translate(_SKELETON_CHARS)
    for pair, same in _SKELETON:
        letters = letters.replace(pair, same)
    return single, letters.translate(_SKELETON_CHARS)


def key(token: str) -> str:
    """What a token is aligned by: digits as they are, a word by its skeleton (`clat` and `dat` align)."""
    return str(token) if token.isdigit() else skeletons(token)[1]
