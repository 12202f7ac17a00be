"""The strict comparison that decides whether two pages are the same letter, scanned twice.

Two scans of one letter differ by OCR errors (a letter or two per word, words merged or split, now and then a
digit), by what a stamp or a photocopy adds, and by lines one scan lost at an edge. Two letters made from one
template differ in what the template was filled in with: a name, a date, an amount, an account number. So the
pages' words are aligned (with the characters OCR confuses counted as one), and where they differ:

- numbers in corresponding places (amounts, dates, account and register numbers) must be the same digits, however
  OCR grouped them (`123 45` / `12345`) and with a letter read inside a number taken as its digit (`2O24`); a
  register number or IBAN whose check fails, or a date that cannot be one, was misread (dsd_cli.search.numbers),
  and one digit of it that differs is the OCR's, not another letter's;
- differing words must be the same up to a letter or two, once the characters OCR confuses (c/e, rn/m, cl/d,
  l/i/1, ...) count as one, or up to a letter lost in each scan; a word replaced by a different word — another
  name, another month — means another letter;
- words only on one side — a stamp (with its date), a line lost at an edge, also where they sit between or glued
  to words both scans read — are allowed, numbers in them too, as long as most of both pages align.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from dsd_cli.search.ocrwords import continues, key, misread, skeletons, tokens

MIN_COVERED = 0.75
"""At least this share of each page's words must align with the other page: a stamp or a lost line leaves most
of a page in common, a page that holds another one and much more is another page."""
GLUED = 4
"""At least this many letters glued to a word are taken for a stamp or a note beside it."""
EDGE_LINE = 4
"""A run of at least this many words at the top or the bottom of a page that the other scan replaced by something
unrelated is a line lost at the edge plus a stamp, not a filled-in difference (those are a few words)."""
MIN_WORDS = 12
"""Pages with fewer words are not compared: too little text to tell a duplicate from a form."""

Run = list[str]


def edits(a: str, b: str, *, free_start: bool = False) -> int:
    """Levenshtein distance; with `free_start`, the fewest edits that make `a` an end of `b` (what comes before
    it in `b` is free)."""
    previous = [0] * (len(b) + 1) if free_start else list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        row = [i]
        for j, cb in enumerate(b, start=1):
            row.append(min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = row
    return previous[-1]


def _tolerance(letters: str) -> int:
    """How many edits OCR may have made in this many letters."""
    return 1 if len(letters) <= 6 else max(2, len(letters) // 5)


def _each_lost_one(a: str, b: str) -> bool:
    """The same word with one letter lost in each scan, not the same one (`voige` / `orige` of `vorige`)."""
    if len(a) != len(b) or len(a) < 3:
        return False
    shortened = {a[:i] + a[i + 1:] for i in range(len(a))}
    return any(b[:j] + b[j + 1:] in shortened for j in range(len(b)))


def _glued(short: str, long: str) -> bool:
    """`long` is `short` (up to OCR's errors) with a stamp or a note glued before or after it."""
    if len(short) < 5 or len(long) < len(short) + GLUED:
        return False
    # Stricter than for two readings of a word: a name that begins like another (`Van Berns` / `VandenGarcin`)
    # would otherwise pass for it with something glued.
    tolerance = 1 + len(short) // 10
    return (edits(short, long, free_start=True) <= tolerance
            or edits(short[::-1], long[::-1], free_start=True) <= tolerance)


@dataclass(frozen=True)
class Verdict:
    same: bool
    similarity: float
    """The share of both pages' words that align (0..1)."""
    reason: str = ""
    """Why not the same letter ('' when the same)."""


def _unrelated(left: Run, right: Run) -> bool:
    """Two runs with no word in common and little alike (a lost line and a stamp where it was)."""
    if set(left) & set(right):
        return False
    a, b = skeletons("".join(left))[0], skeletons("".join(right))[0]
    matched = sum(block.size for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return 2 * matched / (len(a) + len(b)) < 0.3


def _digits_differ(left: Run, right: Run, *, one_sided: bool = True) -> str:
    """Why the numbers of two runs that correspond are not the same ('' when they are). `one_sided`: digits on
    one side only are an addition or a loss, not a disagreement."""
    # Digits compared as one string: OCR splits and joins groups of digits ("123 45" / "12345") at will.
    digits_left = "".join(t for t in left if t.isdigit())
    digits_right = "".join(t for t in right if t.isdigit())
    if digits_left == digits_right or (one_sided and not (digits_left and digits_right)):
        return ""
    if len(digits_left) == len(digits_right) and any(misread(t) for t in (*left, *right)) \
            and sum(x != y for x, y in zip(digits_left, digits_right, strict=True)) == 1:
        return ""  # one digit of a number that fails its check: the misread one
    return f"numbers differ: {digits_left} / {digits_right}"


def _words_differ(left: Run, right: Run, *, glued: bool = True) -> bool:
    """Whether the words of two runs that correspond are different words, not one reading and another."""
    words_left = [t for t in left if not t.isdigit()]
    words_right = [t for t in right if not t.isdigit()]
    if not words_left or not words_right:
        return False  # words on one side only: an addition or a loss
    for a, b in zip(skeletons("".join(words_left)), skeletons("".join(words_right)), strict=True):
        short, long = sorted((a, b), key=len)
        if edits(short, long) <= _tolerance(short):
            return False  # the same up to a letter or two misread
        if glued and _glued(short, long):
            return False
    if len(words_left) == len(words_right):
        # word by word: in each, a letter or two misread, or one lost in each scan
        pairs = [(skeletons(x)[1], skeletons(y)[1]) for x, y in zip(words_left, words_right, strict=True)]
        return not all(edits(x, y) <= _tolerance(min(x, y, key=len)) or _each_lost_one(x, y) for x, y in pairs)
    return True


def _reading_differs(left: Run, right: Run, *, addition: bool = True) -> str:
    """Why two runs that correspond are not two readings of the same print ('' when they are). `addition`: words
    or numbers on one side only, or glued to a word, may be an addition to the other side's."""
    return _digits_differ(left, right, one_sided=addition) \
        or ("different words" if _words_differ(left, right, glued=addition) else "")


def _with_addition(longer: Run, shorter: Run) -> bool:
    """Whether `longer` is `shorter` read again plus a run of words of its own: a stamp, a note, a line the other
    scan lost. Digits in that run are no disagreement (the other scan has no number there), but the run holds
    whole numbers, and the digits outside it must be `shorter`'s, none more and none fewer: a number dropped
    for the other's, or a digit added to it, is no addition."""
    letters = [0]
    for token in longer:
        letters.append(letters[-1] + (0 if token.isdigit() else len(token)))
    wanted = sum(len(t) for t in shorter if not t.isdigit())
    slack = _tolerance("x" * wanted)
    for start in range(len(longer)):
        if continues(longer[start]):
            continue
        for end in range(start + 1, len(longer) + 1):
            if end - start == len(longer) or (end < len(longer) and continues(longer[end])):
                continue  # nothing left to compare, or a number cut in two
            kept = letters[start] + letters[-1] - letters[end]
            if abs(kept - wanted) <= slack \
                    and not _reading_differs(longer[:start] + longer[end:], shorter, addition=False):
                return True
    return False


def _replacement_differs(left: Run, right: Run, at_edge: bool = False) -> str:
    """Why a replaced run of words means another letter ('' when it is OCR noise, an addition or a loss)."""
    if at_edge and min(len(left), len(right)) >= EDGE_LINE and _unrelated(left, right):
        return ""
    reason = _reading_differs(left, right)
    if reason and not _with_addition(left, right) and not _with_addition(right, left):
        return reason
    return ""


Region = tuple[int, int, int, int]


def _differences(a: Run, b: Run, opcodes: list[tuple[str, int, int, int, int]]) -> list[Region]:
    """Where the pages differ, with every number taken whole: a region that ends (or starts) inside a number
    reaches over the digits both pages share up to the number's end (start), so `1.321,60` against `321,60` is
    one number against another, not `1.` added; regions that meet then make one."""
    regions: list[list[int]] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            continue
        while i1 > 0 and j1 > 0 and ((i2 > i1 and continues(a[i1])) or (j2 > j1 and continues(b[j1]))):
            i1, j1 = i1 - 1, j1 - 1
        while i2 < len(a) and j2 < len(b) and ((i2 > i1 and continues(a[i2])) or (j2 > j1 and continues(b[j2]))):
            i2, j2 = i2 + 1, j2 + 1
        if regions and i1 <= regions[-1][1] and j1 <= regions[-1][3]:
            regions[-1][1], regions[-1][3] = max(i2, regions[-1][1]), max(j2, regions[-1][3])
        else:
            regions.append([i1, i2, j1, j2])
    return [(i1, i2, j1, j2) for i1, i2, j1, j2 in regions]


def compare_tokens(a: Run, b: Run, keys_a: list[str] | None = None, keys_b: list[str] | None = None) -> Verdict:
    """Whether pages with these words (see dsd_cli.search.ocrwords.tokens) are the same letter (the same verdict
    either way round). `keys_a`, `keys_b`: their `key`s, when the caller keeps them for pages compared often."""
    if len(a) < MIN_WORDS or len(b) < MIN_WORDS:
        return Verdict(False, 0.0, "too few words")
    keys_a = [key(t) for t in a] if keys_a is None else keys_a
    keys_b = [key(t) for t in b] if keys_b is None else keys_b
    # No alignment holds more words than the two pages have in common, counted with repeats: most candidate
    # pairs fail on that, without the alignment's cost.
    common = sum((Counter(keys_a) & Counter(keys_b)).values())
    if common < MIN_COVERED * max(len(a), len(b)):
        return Verdict(False, 2 * common / (len(a) + len(b)), "too little text in common")
    if (len(keys_a), keys_a) > (len(keys_b), keys_b):  # the alignment depends on the order
        a, b, keys_a, keys_b = b, a, keys_b, keys_a
    matcher = SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    aligned = sum(block.size for block in matcher.get_matching_blocks())
    similarity = 2 * aligned / (len(a) + len(b))
    if aligned < MIN_COVERED * max(len(a), len(b)):
        return Verdict(False, similarity, "too little text in common")
    regions = _differences(a, b, matcher.get_opcodes())
    n = 0
    while n < len(regions):
        reason = _region_differs(a, b, regions[n])
        if reason:
            # The alignment may have matched a word of a merged or split run elsewhere (`van uw ... bijuw` /
            # `vanuw ... bij uw`): with the regions around it, across a word or two, the run may read the same.
            near = [(first, last) for first, last in ((n, n + 1), (n - 1, n), (n - 1, n + 1))
                    if 0 <= first and last < len(regions) and _close(regions[first:last + 1])]
            last = next((last for first, last in near if not _region_differs(a, b, _span(regions[first:last + 1]))),
                        None)
            if last is None:
                return Verdict(False, similarity, reason)
            n = last
        n += 1
    return Verdict(True, similarity)


NEAR_REGIONS = 2
"""Regions of difference at most this many aligned words apart may be one difference the alignment split."""


def _close(regions: list[Region]) -> bool:
    return all(b[0] - a[1] <= NEAR_REGIONS and b[2] - a[3] <= NEAR_REGIONS for a, b in itertools.pairwise(regions))


def _span(regions: list[Region]) -> Region:
    return regions[0][0], regions[-1][1], regions[0][2], regions[-1][3]


def _region_differs(a: Run, b: Run, region: Region) -> str:
    i1, i2, j1, j2 = region
    if i1 == i2 or j1 == j2:
        return ""  # words on one side only
    at_edge = (i1 == 0 and j1 == 0) or (i2 == len(a) and j2 == len(b))
    return _replacement_differs(a[i1:i2], b[j1:j2], at_edge)


def compare_texts(a: str, b: str) -> Verdict:
    return compare_tokens(tokens(a), tokens(b))
