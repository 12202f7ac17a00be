"""A short piece of a page around the words that matched, with the matched words' positions.

The page text is what OCR read from a person's letter: the snippet is plain text and the highlights are character
ranges into it, so that a renderer can mark them without ever interpreting the text (no HTML, no markup).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from dsd_cli.search.analysis import ANALYZER, WORD, fold, terms
from dsd_cli.search.query import Highlights

WIDTH = 200


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: tuple[tuple[int, int], ...]
    """(start, end) character ranges of `text` that matched."""


def within_edits(a: str, b: str, limit: int) -> bool:
    """Levenshtein distance of a and b is at most `limit` (transpositions count one, as in the index)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return False
        previous2, previous = previous, row
    return previous[-1] <= limit


@functools.lru_cache(maxsize=65536)
def _stem(word: str, lang: str) -> str:
    found = terms(word, ANALYZER[lang])
    return found[0] if found else ""


def _deletions(word: str, depth: int) -> set[str]:
    """`word` and every string made from it by deleting up to `depth` characters."""
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


class Highlighter:
    """Decides which words of a page match a query's highlights; a word is decided once per query.

    Fuzzy words are found as the index finds them, within their edit distance; a word is only measured when a
    cheap necessary condition holds (one edit keeps the first or the last letter; two edits leave a common
    deletion variant), so most words cost a lookup or two."""

    def __init__(self, highlights: Highlights) -> None:
        self.h = highlights
        self.decided: dict[str, bool] = {}
        self.depth = max(highlights.fuzzy.values(), default=0)
        self.variants: set[str] = set()
        if self.depth > 1:
            for term, edits in highlights.fuzzy.items():
                self.variants |= _deletions(term, edits)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the matching words are in `text`: each distinct word decided once, then found by one regex."""
        matched = sorted((w for w in set(WORD.findall(text)) if self.matches(w)), key=len, reverse=True)
        if not matched:
            return []
        pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, matched)) + r")(?![^\W_])")
        return [m.span() for m in pattern.finditer(text)]

    def _fuzzy(self, folded: str) -> bool:
        if self.depth > 1:
            if self.variants.isdisjoint(_deletions(folded, self.depth)):
                return False
        else:  # one edit leaves the first or the last letter in place
            first, last, size = folded[:1], folded[-1:], len(folded)
            if not any(abs(size - len(t)) <= 1 and (t[:1] == first or t[-1:] == last) for t in self.h.fuzzy):
                return False
        return any(within_edits(folded, term, edits) for term, edits in self.h.fuzzy.items())

    def matches(self, word: str) -> bool:
        known = self.decided.get(word)
        if known is None:
            known = self.decided[word] = self._decide(word)
        return known

    def _decide(self, word: str) -> bool:
        h = self.h
        folded = fold(word)
        if folded in h.exact or any(folded.startswith(p) for p in h.prefixes):
            return True
        if h.fuzzy and self._fuzzy(folded):
            return True
        for lang, stems in h.stems.items():
            # A stem shares its first letters with its words: only then is the word worth stemming.
            if any(folded[:3] == s[:3] for s in stems) and _stem(word, lang) in stems:
                return True
        return False


def make_snippet(text: str, highlighter: Highlighter, width: int = WIDTH) -> Snippet:
    """The `width` characters of `text` with the most matching words, cut at word boundaries."""
    flat = text.replace("\n", " ").replace("\r", " ").replace("\t", " ")  # one line, same offsets
    hits = highlighter.spans(flat)
    if not hits:
        end = min(len(flat), width)
        cut = flat.rfind(" ", 0, end) if end < len(flat) else end
        piece = flat[: cut if cut > width // 2 else end].strip()
        return Snippet(piece + ("…" if len(piece) < len(flat.strip()) else ""), ())
    best, best_count, j = 0, 0, 0
    for i in range(len(hits)):
        while j < len(hits) and hits[j][1] - hits[i][0] <= width:
            j += 1
        if j - i > best_count:
            best, best_count = i, j - i
    chosen = hits[best:best + best_count]
    span_start, span_end = chosen[0][0], chosen[-1][1]
    pad = max(0, (width - (span_end - span_start)) // 2)
    start, end = max(0, span_start - pad), min(len(flat), span_end + pad)
    if start > 0:
        space = flat.find(" ", start, span_start)
        start = space + 1 if space != -1 else start
    if end < len(flat):
        space = flat.rfind(" ", span_end, end)
        end = space if space != -1 else end
    prefix = "…" if start > 0 else ""
    body = flat[start:end]
    lead = len(body) - len(body.lstrip())
    body = body.strip()
    offset = len(prefix) - start - lead
    ranges = tuple((s + offset, e + offset) for s, e in hits if s >= start and e <= end)
    return Snippet(prefix + body + ("…" if end < len(flat) else ""), ranges)
