"""What the journal (ARCHIVE/.dsd/journal.sqlite) says about the project's progress, read-only.

The journal is opened read-only (a WAL reader never blocks a running `dsd run`). Only codes, counts and times are
taken out of it: batch labels, file names, run commands, users, hosts and messages stay where they are.
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from dsd_cli.archive.layout import ArchiveLayout
from dsd_cli.errors import ArchiveError
from dsd_cli.pipeline import journal as J

PENDING_STATES = (J.PLANNED, J.OCRED, J.READY)
SHOWN_ROLES = ("dropped", "unassigned")
"""Page roles whose pages the figures count by reason (blank pages dropped, pages without a separator)."""


@dataclass(frozen=True)
class RunFacts:
    id: int
    day: str
    seconds: float | None
    """None while the run has not finished (still running, or killed before it could say so)."""
    status: str
    pages: int
    """Pages packaged while the run went on."""
    documents: int


@dataclass
class JournalFacts:
    present: bool = False
    pages_in: dict[str, int] = field(default_factory=dict)
    """UTC day a batch was split -> its pages (every role)."""
    roles: dict[tuple[str, str, str], int] = field(default_factory=dict)
    """(day, role, reason) -> pages of the SHOWN_ROLES."""
    quarantine: list[tuple[str, str, bool, int]] = field(default_factory=list)
    """(day, reason, whole input file, pages) per quarantined item."""
    documents: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Document state -> (documents, pages), now."""
    runs: list[RunFacts] = field(default_factory=list)


def _day(ts: float | None) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).date().isoformat() if ts else ""


def _connect(path: Path) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        db = sqlite3.connect(uri, uri=True, timeout=30)
        db.execute("SELECT 1 FROM sqlite_master LIMIT 1")
    except sqlite3.OperationalError:
        if os.access(path.parent, os.W_OK):
            raise
        # A copy on read-only media: no writer can exist, and SQLite may read it without its shared-memory file.
        db = sqlite3.connect(uri + "&immutable=1", uri=True, timeout=30)
    db.execute("PRAGMA query_only=ON")
    return db


def read_journal(archive: Path) -> JournalFacts:
    """The journal's facts; ArchiveError when there is a journal that cannot be read (permissions, damage)."""
    path = ArchiveLayout(archive).journal
    try:
        if not path.is_file():
            return JournalFacts()
        db = _connect(path)
        try:
            return _read(db)
        finally:
            db.close()
    except (sqlite3.Error, OSError) as exc:
        raise ArchiveError(f"the journal {path} cannot be read ({exc})",
                           hint="run dsd stats as the user that runs dsd run (.dsd/ is private to it)") from None


def _read(db: sqlite3.Connection) -> JournalFacts:
    facts = JournalFacts(present=True)
    batch_day = {batch: _day(created) for batch, created in db.execute("SELECT id, created FROM batches")}
    pages_in: dict[str, int] = defaultdict(int)
    # Two queries that indexes answer (2 million page rows): every page per batch from the primary key, the few
    # pages of the roles shown from the role index.
    for batch, n in db.execute("SELECT batch_id, COUNT(*) FROM pages GROUP BY batch_id"):
        pages_in[batch_day.get(batch, "")] += n
    roles: dict[tuple[str, str, str], int] = defaultdict(int)
    marks = ",".join("?" * len(SHOWN_ROLES))
    for batch, role, reason, n in db.execute(
            f"SELECT batch_id, role, COALESCE(reason, ''), COUNT(*) FROM pages WHERE role IN ({marks})"  # noqa: S608
            " GROUP BY batch_id, role, reason", SHOWN_ROLES):
        roles[(batch_day.get(batch, ""), role, reason)] += n
    facts.pages_in, facts.roles = dict(pages_in), dict(roles)
    facts.quarantine = [(_day(created), reason, batch is None, int(pages or 0)) for batch, reason, pages, created
                        in db.execute("SELECT batch_id, reason, pages, created FROM quarantine")]
    facts.documents = {state: (n, int(pages or 0)) for state, n, pages in
                       db.execute("SELECT state, COUNT(*), SUM(pages) FROM documents GROUP BY state")}
    facts.runs = _runs(db)
    return facts


def _runs(db: sqlite3.Connection) -> list[RunFacts]:
    """Each run with what was packaged while it ran (a document's last update is its packaging)."""
    packaged = db.execute("SELECT updated, pages FROM documents WHERE state = ? ORDER BY updated",
                          (J.PACKAGED,)).fetchall()
    times = [t for t, _ in packaged]
    pages_before = [0]
    for _, pages in packaged:
        pages_before.append(pages_before[-1] + pages)
    runs = []
    for run_id, started, finished, status in db.execute("SELECT id, started, finished, status FROM runs"
                                                         " ORDER BY id"):
        if finished is None:
            runs.append(RunFacts(run_id, _day(started), None, status, 0, 0))
            continue
        lo, hi = bisect.bisect_left(times, started), bisect.bisect_right(times, finished)
        runs.append(RunFacts(run_id, _day(started), max(0.0, finished - started), status,
                             pages_before[hi] - pages_before[lo], hi - lo))
    return runs
