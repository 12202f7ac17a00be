"""Tables for people that stay readable in a narrow terminal.

Ids, dates, rules and numbers (`Column(keep=True)`) are never broken over lines. When the columns do not fit the
terminal that way, each row is printed as a block of `label  value` lines instead (a vertical layout). Every cell is
literal text: a file name or a reason holding `[b]` is printed as `[b]`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dsd_cli.cli.output import lit, out_console

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

WRAPPED_MIN = 8
"""Narrowest a column wrapped between words may become before the vertical layout is clearer."""
BREAKABLE_MIN = 20
"""Narrowest a column broken inside words (paths, messages) may become: narrower reads as noise."""


@dataclass(frozen=True)
class Column:
    header: str
    keep: bool = False
    """Ids, dates, rules, numbers: kept on one line."""
    justify: str = "left"
    breakable: bool = False
    """May be broken inside a word (paths, messages); other wrapped columns break between words only."""
    detail: bool = False
    """Shown in the vertical layout only (a checksum prefix: useful, but not worth a table's width)."""


def _cell(value: object) -> Text:
    from rich.text import Text

    return value if isinstance(value, Text) else lit(value)


def _fits(columns: Sequence[Column], rows: Sequence[Sequence[Text]], width: int) -> list[int] | None:
    """The width each column needs (keep: all of it; others: a little), or None when they cannot fit."""
    from rich.cells import cell_len

    needed = []
    for i, column in enumerate(columns):
        natural = max([cell_len(column.header), *(cell_len(row[i].plain) for row in rows)])
        if column.keep:
            needed.append(natural)
            continue
        narrowest = max(BREAKABLE_MIN if column.breakable else WRAPPED_MIN, cell_len(column.header))
        if not column.breakable:
            narrowest = max([narrowest, *(cell_len(word) for row in rows for word in row[i].plain.split())])
        needed.append(min(natural, narrowest))
    # Rich's default box: one space of padding on each side of a cell, a border between and around columns.
    total = sum(w + 2 for w in needed) + len(columns) + 1
    return needed if total <= width else None


def print_table(title: str | Text, columns: Sequence[Column], rows: Sequence[Sequence[object]], *,
                console: Console | None = None, empty: str = "none") -> None:
    """A table, or one block per row when the terminal is too narrow for it."""
    from rich.table import Table

    target = console or out_console.get()
    cells = [[_cell(v) for v in row] for row in rows]
    heading = _cell(title)
    if not cells:
        print_blocks(heading, [], console=target, empty=empty)
        return
    shown = [i for i, c in enumerate(columns) if not c.detail]
    widths = _fits([columns[i] for i in shown], [[row[i] for i in shown] for row in cells], target.width)
    if widths is not None:
        heading.stylize("bold")
        target.print(heading)
        table = Table()
        for column, width in zip([columns[i] for i in shown], widths, strict=True):
            if column.keep:
                table.add_column(column.header, no_wrap=True, min_width=width, justify=column.justify)  # type: ignore[arg-type]
            else:
                table.add_column(column.header, overflow="fold", justify=column.justify)  # type: ignore[arg-type]
        for row in cells:
            table.add_row(*[row[i] for i in shown])
        target.print(table)
        return
    print_blocks(heading, [[(c.header, v) for c, v in zip(columns, row, strict=True)] for row in cells],
                 console=target, empty=empty)


def print_blocks(title: str | Text, records: Sequence[Sequence[tuple[str, object]]], *,
                 console: Console | None = None, empty: str = "none") -> None:
    """Records as blocks of `label  value` lines under a title, one blank line between records."""
    from rich.table import Table
    from rich.text import Text

    target = console or out_console.get()
    heading = _cell(title)
    heading.stylize("bold")
    target.print(heading)
    if not records:
        target.print(Text(f"  {empty}"))
    for record in records:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, style="bold")
        grid.add_column(overflow="fold")
        for label, value in record:
            grid.add_row(Text(label), _cell(value))
        target.print(grid)
        target.print()


def print_facts(title: str | Text, facts: Sequence[tuple[str, object]], *, console: Console | None = None) -> None:
    """One record of labelled facts (a dossier's retention, a legal hold)."""
    from rich.table import Table
    from rich.text import Text

    target = console or out_console.get()
    grid = Table(title=_cell(title), show_header=False)
    grid.add_column("field", style="bold", no_wrap=True)
    grid.add_column("value", overflow="fold")
    for label, value in facts:
        grid.add_row(Text(label), _cell(value if value not in (None, "") else "—"))
    target.print(grid)
