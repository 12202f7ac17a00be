"""Candidate pairs of near-duplicate pages: MinHash signatures over word shingles, banded into LSH buckets.

Each page is the set of its word 3-grams (shingles). Two kinds of shingle say nothing about which pages are the
same letter and are left out before hashing: those on one page only (mostly OCR errors, which no other scan
repeats) and those on more than `max_pages` pages (the template text every letter of a kind shares). What is
left is what a letter shares with few others: its name, address, numbers, its own sentences — so two scans of
one letter keep most of their shingles in common, and a thousand letters from one template do not all become
candidates of each other. The candidates then go through the strict comparison (dsd_cli.search.compare).

NumPy does the arithmetic: one hash per shingle, `PERMUTATIONS` universal hash functions for the signatures, and
`BANDS` bands of `ROWS` rows (pages agreeing on every row of a band share a bucket).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SHINGLE = 3
PERMUTATIONS = 126
BANDS, ROWS = 42, 3
"""Pages whose informative shingles are half shared are proposed with 99.6 % probability, a fifth shared 28 %."""
PRIME = 4294967291  # the largest prime below 2**32
SEED = 20261201
MAX_BUCKET = 500
"""A bucket with more pages than this is template text that slipped through; it yields no candidates."""


def shingle_hashes(token_hashes: Sequence[int]) -> Any:
    """The distinct 32-bit hashes of a page's word 3-grams, from its words' hashes."""
    import numpy as np

    words = np.asarray(token_hashes, dtype=np.int64).view(np.uint64)
    if len(words) < SHINGLE:
        return np.empty(0, dtype=np.uint64)
    mixed = words[:-2] * np.uint64(0x9E3779B97F4A7C15)
    mixed ^= words[1:-1] * np.uint64(0xC2B2AE3D27D4EB4F) + (mixed >> np.uint64(29))
    mixed ^= words[2:] * np.uint64(0x165667B19E3779F9) + (mixed >> np.uint64(31))
    return np.unique((mixed ^ (mixed >> np.uint64(32))) & np.uint64(0xFFFFFFFF))


def informative(pages: list[Any], max_pages: int) -> list[Any]:
    """Each page's shingles that occur on at least two and at most `max_pages` pages (each page's own shingles
    are distinct, so a shingle's count is its number of pages)."""
    import numpy as np

    if not pages:
        return []
    flat = np.concatenate(pages)
    _, inverse, counts = np.unique(flat, return_inverse=True, return_counts=True)
    per_shingle = counts[inverse]
    keep = (per_shingle >= 2) & (per_shingle <= max_pages)
    bounds = np.cumsum([len(p) for p in pages])[:-1]
    return [page[mask] for page, mask in zip(pages, np.split(keep, bounds), strict=True)]


def signatures(pages: list[Any]) -> Any:
    """A (pages × PERMUTATIONS) matrix of MinHash values; a page without shingles gets a row of PRIME."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    a = rng.integers(1, PRIME, size=PERMUTATIONS, dtype=np.uint64)
    b = rng.integers(0, PRIME, size=PERMUTATIONS, dtype=np.uint64)
    out = np.full((len(pages), PERMUTATIONS), PRIME, dtype=np.uint64)
    lengths = np.array([len(p) for p in pages], dtype=np.int64)
    nonempty = np.flatnonzero(lengths)
    if not len(nonempty):
        return out
    flat = np.concatenate([pages[i] for i in nonempty])
    starts = np.concatenate(([0], np.cumsum(lengths[nonempty])[:-1]))
    for k in range(PERMUTATIONS):
        hashed = (flat * a[k] + b[k]) % np.uint64(PRIME)  # < 2**64: both factors are below 2**32
        out[nonempty, k] = np.minimum.reduceat(hashed, starts)
    return out


def candidate_pairs(signature_matrix: Any, usable: Sequence[bool]) -> set[tuple[int, int]]:
    """Pairs (i < j) of pages that share at least one LSH bucket. `usable`: pages that have shingles."""
    import numpy as np

    rows = np.flatnonzero(np.asarray(usable, dtype=bool))
    pairs: set[tuple[int, int]] = set()
    if len(rows) < 2:
        return pairs
    for band in range(BANDS):
        block = signature_matrix[rows, band * ROWS:(band + 1) * ROWS]
        keys = np.zeros(len(rows), dtype=np.uint64)
        for column in range(ROWS):  # one 64-bit key per band (wrapping arithmetic; collisions are negligible)
            keys = keys * np.uint64(0x100000001B3) + block[:, column]
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        cuts = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
        starts = np.concatenate(([0], cuts))
        ends = np.concatenate((cuts, [len(keys)]))
        sizes = ends - starts
        shared = (sizes >= 2) & (sizes <= MAX_BUCKET)
        for start, end in zip(starts[shared].tolist(), ends[shared].tolist(), strict=True):
            members = sorted(rows[order[start:end]].tolist())
            pairs.update((x, y) for n, x in enumerate(members) for y in members[n + 1:])
    return pairs
