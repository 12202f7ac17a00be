"""Small-cell suppression: a count of dossiers or documents below the threshold could single out a family.

Primary suppression hides every count from 1 to threshold - 1 (zero says that no family has the property and
stays). When the cells of a table add up to a published total (a partition), one hidden cell could be worked out
from the total and the others, so the smallest other non-zero cell is hidden too (secondary suppression).
"""

from __future__ import annotations

from collections.abc import Sequence

from dsd_cli.stats.model import Value


def is_small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def protect(value: int, threshold: int) -> int | None:
    """One published figure: None when it is a small count."""
    return None if is_small(value, threshold) else value


def suppress_column(values: Sequence[int], threshold: int, *, partition: bool) -> list[Value]:
    """Suppressed values of one count column (None = hidden)."""
    shown: list[Value] = [None if is_small(v, threshold) else v for v in values]
    hidden = [i for i, v in enumerate(shown) if v is None]
    if partition and len(hidden) == 1:
        others = [(v, i) for i, v in enumerate(values) if i not in hidden and v > 0]
        if others:
            shown[min(others)[1]] = None
    return shown


def suppress_rows(rows: Sequence[tuple[str, Sequence[int]]], threshold: int, *,
                  partition: bool) -> tuple[tuple[str, tuple[Value, ...]], ...]:
    """Apply `suppress_column` to every count column of a table."""
    if not rows:
        return ()
    width = len(rows[0][1])
    columns = [suppress_column([values[c] for _, values in rows], threshold, partition=partition)
               for c in range(width)]
    return tuple((key, tuple(columns[c][r] for c in range(width))) for r, (key, _) in enumerate(rows))
