"""Bar charts as inline SVG (matplotlib's SVG backend, no display, no files, no network).

Text stays text (`svg.fonttype = none`, a generic sans-serif font), so the report needs no font file and a screen
reader or a search finds the words. Ids inside each SVG get the chart's own prefix: many charts share one page.
A suppressed count has no bar, only its "< N" label at the bar's foot.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies, and in greyscale print.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
WIDTH_IN = 7.0
MAX_TICKS = 14
MAX_BARS = 60
"""A vertical chart of more categories than this (days of a long period) is drawn as steps, not bars."""

_XML_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_ID = re.compile(r'id="([^"]+)"')


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float | None, ...]
    """None: a suppressed count (no bar)."""


def _prefixed(svg: str, prefix: str) -> str:
    ids = set(_ID.findall(svg))
    for name in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'id="{name}"', f'id="{prefix}{name}"').replace(f"#{name})", f"#{prefix}{name})") \
            .replace(f'href="#{name}"', f'href="#{prefix}{name}"')
    return svg


def _bars(axes, series: Sequence[Series], positions: list[int], width: float, horizontal: bool,
          suppressed_text: str) -> None:
    for i, s in enumerate(series):
        offset = (i - (len(series) - 1) / 2) * width
        where = [p + offset for p in positions]
        heights = [v or 0 for v in s.values]
        colour = COLOURS[i % len(COLOURS)]
        if horizontal:
            axes.barh(where, heights, height=width, color=colour, label=s.label)
        else:
            axes.bar(where, heights, width=width, color=colour, label=s.label)
        for p, v in zip(where, s.values, strict=True):
            if v is None:
                axes.text(0, p, f" {suppressed_text}", va="center", ha="left", fontsize=6.5) if horizontal \
                    else axes.text(p, 0, suppressed_text, va="bottom", ha="center", fontsize=6.5)


def _steps(axes, series: Sequence[Series]) -> None:
    """A long time series: the first series as a filled step outline, the others as step lines — one path each
    instead of hundreds of bars (the same picture, drawn in a fraction of the time)."""
    edges = [i - 0.5 for i in range(len(series[0].values) + 1)]
    for i, s in enumerate(series):
        values = [v or 0 for v in s.values]
        colour = COLOURS[i % len(COLOURS)]
        if i == 0:
            axes.stairs(values, edges, fill=True, color=colour, label=s.label)
        else:
            axes.stairs(values, edges, color=colour, linewidth=1.4, label=s.label)


def bar_chart(name: str, categories: Sequence[str], series: Sequence[Series], *, horizontal: bool = False,
              suppressed_text: str = "", value_label: str = "", description: str = "") -> str:
    """One bar chart (grouped bars for several series) as an `<svg>` element with role="img"."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    n = len(categories)
    height = max(1.6, min(6.5, 0.7 + 0.24 * n)) if horizontal else 2.6
    settings = {"svg.fonttype": "none", "svg.hashsalt": name, "font.family": "sans-serif", "font.size": 8,
                "axes.spines.top": False, "axes.spines.right": False}
    longest = max((len(c) for c in categories), default=1)
    with matplotlib.rc_context(settings):
        figure = Figure(figsize=(WIDTH_IN, height))
        # Margins from the longest label: constrained layout would find them too, at a third of the time.
        if horizontal:
            figure.subplots_adjust(left=min(0.45, 0.04 + 0.0105 * longest), right=0.97, top=0.96,
                                   bottom=min(0.3, 0.5 / height))
        else:
            slanted = n > 6
            figure.subplots_adjust(left=0.09, right=0.98, top=0.95,
                                   bottom=min(0.45, 0.12 + (0.009 * longest if slanted else 0.03)))
        axes = figure.add_subplot()
        width = 0.8 / max(1, len(series))
        positions = list(range(n))
        if not horizontal and n > MAX_BARS:
            _steps(axes, series)
        else:
            _bars(axes, series, positions, width, horizontal, suppressed_text)
        top = max((v for s in series for v in s.values if v is not None), default=0)
        value_axis = axes.xaxis if horizontal else axes.yaxis
        value_axis.set_major_locator(MaxNLocator(integer=True, nbins=6))
        (axes.set_xlim if horizontal else axes.set_ylim)(0, max(top * 1.05, 5))
        step = max(1, -(-n // MAX_TICKS)) if not horizontal else 1
        ticks = positions[::step]
        labels = [categories[t] for t in ticks]
        if horizontal:
            axes.set_yticks(ticks, labels)
            axes.set_ylim(n - 0.5, -0.5)
            axes.set_xlabel(value_label)
        else:
            axes.set_xticks(ticks, labels, rotation=30 if n > 6 else 0, ha="right" if n > 6 else "center")
            axes.set_xlim(-0.6, n - 0.4)
            axes.set_ylabel(value_label)
        axes.grid(axis="x" if horizontal else "y", color="#dddddd", linewidth=0.6)
        axes.set_axisbelow(True)
        if len(series) > 1:
            axes.legend(frameon=False, fontsize=7)
        buffer = io.StringIO()
        FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None})
    svg = _METADATA.sub("", _XML_PROLOGUE.sub("", buffer.getvalue(), count=1), count=1)
    svg = _prefixed(svg, f"{name}-")
    label = description.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="chart" ', 1)
