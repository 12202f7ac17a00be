"""A short piece of a page around the words that matched, with the matched words' positions.

The page text is what OCR read from a person's letter: the snippet is plain text and the highlights are character
ranges into it, so that a renderer can mark them without ever interpreting the text (no HTML, no markup).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from dsd_cli.search.analysis import ANALYZER, fold, terms, words
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


def _matches(word: str, h: Highlights) -> bool:
    folded = fold(word)
    if folded in h.exact or any(folded.startswith(p) for p in h.prefixes):
        return True
    if any(within_edits(folded, term, edits) for term, edits in h.fuzzy.items()):
        return True
    for lang, stems in h.stems.items():
        # A stem shares its first letters with its words: only then is the word worth stemming.
        if any(folded[:3] == s[:3] for s in stems) and _stem(word, lang) in stems:
            return True
    return False


def make_snippet(text: str, h: Highlights, width: int = WIDTH) -> Snippet:
    """The `width` characters of `text` with the most matching words, cut at word boundaries."""
    flat = "".join(" " if ch in "\r\n\t\f\v" else ch for ch in text)  # one line, same offsets
    tokens = [(m.start(), m.end()) for m in words(flat)]
    hits = [(s, e) for s, e in tokens if _matches(flat[s:e], h)]
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
