"""Key figures of an archive for the people running the digitisation project: depersonalised by construction.

`compute_stats` reads the bags, the journal and the audit log (no OCR, no hashing of payload) and returns a
StatsReport in which small counts of dossiers and documents are already suppressed; `render_html` and `write_csv`
present it. `record_verification` is how `dsd verify ARCHIVE` leaves the per-bag verdicts the integrity figures use.
"""

from dsd_cli.stats.compute import StatsOptions, compute_stats
from dsd_cli.stats.model import Period, StatsReport, Table

__all__ = ["Period", "StatsOptions", "StatsReport", "Table", "compute_stats"]
