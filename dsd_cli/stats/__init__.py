"""Key figures of an archive for the people running the digitisation project: depersonalised by construction.

`compute_stats` reads the bags, the journal and the audit log (no OCR, no hashing of payload) and returns a
StatsReport in which small counts of dossiers and documents are already suppressed; `render_html` and `write_csv`
present it. `record_verification` is how `dsd verify ARCHIVE` leaves the per-bag verdicts the integrity figures use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dsd_cli.stats.compute import StatsOptions, compute_stats
    from dsd_cli.stats.model import Period, StatsReport, Table

__all__ = ["Period", "StatsOptions", "StatsReport", "Table", "compute_stats"]
_HOMES = {"StatsOptions": "compute", "compute_stats": "compute", "Period": "model", "StatsReport": "model",
          "Table": "model"}


def __getattr__(name: str) -> Any:
    # Imported on first use: `dsd verify` records its verdicts through dsd_cli.stats.verifications and must not
    # pay for the statistics code at start-up.
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"dsd_cli.stats.{_HOMES[name]}"), name)
