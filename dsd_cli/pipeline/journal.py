"""The SQLite journal of an archive: what came in, what became of every page, and where each document stands.

WAL with synchronous=FULL, so a commit that returned survives power loss. The pipeline commits a state only after
the file it describes is durable (written, fsynced, renamed); on restart, a state whose file is missing or whose
checksum differs is redone. Only the parent process writes the journal.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 4
"""2: per-page OCR quality (table page_quality); 3: runs.pid (the process of a run, so `dsd status` can
tell a run in progress from an interrupted one); 4: runs.executor, runs.workers, runs.heartbeat (what does a run's
OCR). An earlier journal gains them all when opened."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, started REAL NOT NULL, finished REAL, status TEXT NOT NULL DEFAULT 'running',
    command TEXT NOT NULL, host TEXT NOT NULL, user TEXT NOT NULL, summary TEXT, pid INTEGER,
    executor TEXT, workers TEXT, heartbeat REAL);
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY, label TEXT NOT NULL, state TEXT NOT NULL, run_id INTEGER, created REAL NOT NULL,
    finished REAL, report TEXT);
CREATE TABLE IF NOT EXISTS sources (
    sha256 TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, kind TEXT NOT NULL, pages INTEGER NOT NULL,
    batch_id TEXT, state TEXT NOT NULL, reason TEXT, seen REAL NOT NULL, PRIMARY KEY (sha256, path));
CREATE TABLE IF NOT EXISTS pages (
    batch_id TEXT NOT NULL, source_sha256 TEXT NOT NULL, page_index INTEGER NOT NULL, role TEXT NOT NULL,
    document_id TEXT, reason TEXT, PRIMARY KEY (batch_id, source_sha256, page_index));
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, batch_id TEXT NOT NULL, sequence INTEGER NOT NULL, dossier TEXT NOT NULL,
    doc_type TEXT NOT NULL, pages INTEGER NOT NULL, plan TEXT NOT NULL, state TEXT NOT NULL,
    file TEXT, file_sha256 TEXT, events TEXT NOT NULL DEFAULT '[]', error TEXT, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY, batch_id TEXT, source TEXT NOT NULL, reason TEXT NOT NULL, message TEXT NOT NULL,
    path TEXT NOT NULL, pages INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS page_quality (
    document_id TEXT NOT NULL, page INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (document_id, page));
CREATE INDEX IF NOT EXISTS documents_state ON documents(state);
CREATE INDEX IF NOT EXISTS pages_role ON pages(role);
"""

# Columns added since schema version 1 (ALTER TABLE on an older journal): the run's process, what ran its OCR, its
# workers with what they did, and when the run last said it was alive.
ADDED_COLUMNS = {"runs": (("pid", "INTEGER"), ("executor", "TEXT"), ("workers", "TEXT"), ("heartbeat", "REAL"))}
LIVE_SECONDS = 60
"""A run whose heartbeat is older than this is not running any more (killed, or its machine went off)."""

# Document states, in pipeline order: planned (image PDF made) -> ocred (PDF/A made) -> ready (signed, or signing
# off) -> packaged (in its dossier's bag). 'quarantined' is terminal too.
PLANNED, OCRED, READY, PACKAGED, QUARANTINED = "planned", "ocred", "ready", "packaged", "quarantined"
DOCUMENT_STATES = (PLANNED, OCRED, READY, PACKAGED, QUARANTINED)


@dataclass(frozen=True)
class DocumentRow:
    id: str
    batch_id: str
    sequence: int
    dossier: str
    doc_type: str
    pages: int
    plan: dict[str, Any]
    state: str
    file: str | None
    file_sha256: str | None
    events: list[dict[str, Any]]
    error: str | None


def _document_row(r: sqlite3.Row) -> DocumentRow:
    return DocumentRow(id=r["id"], batch_id=r["batch_id"], sequence=r["sequence"], dossier=r["dossier"],
                       doc_type=r["doc_type"], pages=r["pages"], plan=json.loads(r["plan"]), state=r["state"],
                       file=r["file"], file_sha256=r["file_sha256"], events=json.loads(r["events"]), error=r["error"])


def _dropped_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A dropped page as recorded; journals of dsd versions that did not keep dropped pages hold a bare PageRef."""
    page = entry.get("page")
    if isinstance(page, dict):
        return {"batch": entry.get("batch", ""), "reason": entry.get("reason", ""), "source": page.get("source", ""),
                "page": int(page.get("index", 0)) + 1, "document": 0, "kept": "", "sha256": ""}
    return entry


class Journal:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)
        self._migrate()
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    def _migrate(self) -> None:
        """Add what a journal of an earlier dsd lacks (new tables come from SCHEMA); its rows stay as they are."""
        for table, columns in ADDED_COLUMNS.items():
            have = {r["name"] for r in self.db.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns:
                if name not in have:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # runs -----------------------------------------------------------------------------------------------------
    def start_run(self, command: str, host: str, user: str, pid: int | None = None) -> int:
        with self.transaction() as db:
            cur = db.execute("INSERT INTO runs(started, command, host, user, pid) VALUES (?, ?, ?, ?, ?)",
                             (time.time(), command, host, user, pid))
            return int(cur.lastrowid or 0)

    def run_heartbeat(self, run_id: int, executor: str, workers: list[dict[str, Any]]) -> None:
        """The run is alive; `executor` and `workers` say what does its OCR (no personal data: names, counts)."""
        with self.transaction() as db:
            db.execute("UPDATE runs SET executor = ?, workers = ?, heartbeat = ? WHERE id = ?",
                       (executor, json.dumps(workers), time.time(), run_id))

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute("UPDATE runs SET finished = ?, status = ?, summary = ? WHERE id = ?",
                       (time.time(), status, json.dumps(summary), run_id))

    # batches --------------------------------------------------------------------------------------------------
    def batch_state(self, batch_id: str) -> str | None:
        row = self.db.execute("SELECT state FROM batches WHERE id = ?", (batch_id,)).fetchone()
        return row["state"] if row else None

    def set_batch_state(self, batch_id: str, state: str, report: dict[str, Any] | None = None) -> None:
        with self.transaction() as db:
            db.execute("UPDATE batches SET state = ?, finished = CASE WHEN ? = 'done' THEN ? ELSE finished END,"
                       " report = COALESCE(?, report) WHERE id = ?",
                       (state, state, time.time(), json.dumps(report) if report is not None else None, batch_id))

    def record_split(self, batch_id: str, label: str, run_id: int, sources: list[dict[str, Any]],
                     pages: list[tuple[str, int, str, str | None, str | None]],
                     documents: list[dict[str, Any]], report: dict[str, Any]) -> None:
        """Store a batch's split in one transaction: its sources, every page's role, and the planned documents."""
        now = time.time()
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO batches(id, label, state, run_id, created, report)"
                       " VALUES (?, ?, 'split', ?, ?, ?)", (batch_id, label, run_id, now, json.dumps(report)))
            for s in sources:
                db.execute("INSERT OR REPLACE INTO sources(sha256, path, size, kind, pages, batch_id, state, seen)"
                           " VALUES (?, ?, ?, ?, ?, ?, 'split', ?)",
                           (s["sha256"], s["path"], s["size"], s["kind"], s["page_count"], batch_id, now))
            db.executemany("INSERT OR REPLACE INTO pages(batch_id, source_sha256, page_index, role, document_id,"
                           " reason) VALUES (?, ?, ?, ?, ?, ?)",
                           [(batch_id, *p) for p in pages])
            for d in documents:
                db.execute("INSERT OR REPLACE INTO documents(id, batch_id, sequence, dossier, doc_type, pages, plan,"
                           " state, events, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (d["id"], batch_id, d["sequence"], d["dossier"], d["doc_type"], d["pages"],
                            json.dumps(d["plan"]), PLANNED, json.dumps(d.get("events", [])), now))

    # documents ------------------------------------------------------------------------------------------------
    def documents(self, *, batch_id: str | None = None, states: tuple[str, ...] = DOCUMENT_STATES) -> list[DocumentRow]:
        marks = ",".join("?" * len(states))
        sql = f"SELECT * FROM documents WHERE state IN ({marks})"  # noqa: S608 - only placeholders are interpolated
        args: list[Any] = list(states)
        if batch_id is not None:
            sql += " AND batch_id = ?"
            args.append(batch_id)
        rows = self.db.execute(sql + " ORDER BY batch_id, sequence", args).fetchall()
        return [_document_row(r) for r in rows]

    def document(self, doc_id: str) -> DocumentRow:
        return _document_row(self.db.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone())

    def quality(self, doc_id: str) -> list[dict[str, Any]]:
        """The per-page quality records of a document's OCR, in page order (empty when none were made)."""
        rows = self.db.execute("SELECT data FROM page_quality WHERE document_id = ? ORDER BY page", (doc_id,))
        return [json.loads(r["data"]) for r in rows]

    def restart_document(self, doc_id: str) -> None:
        """Back to `planned` (its image PDF was made again), keeping only the events of how its pages were captured
        and split: OCR, signing and packaging are redone and recorded anew."""
        with self.transaction() as db:
            row = db.execute("SELECT events FROM documents WHERE id = ?", (doc_id,)).fetchone()
            events = json.loads(row["events"])
            first_step = next((i for i, e in enumerate(events) if e.get("type") not in ("capture", "separation")),
                              len(events))
            db.execute("UPDATE documents SET state = ?, file = NULL, file_sha256 = NULL, events = ?, error = NULL,"
                       " updated = ? WHERE id = ?", (PLANNED, json.dumps(events[:first_step]), time.time(), doc_id))

    def batch_sources(self, batch_id: str) -> dict[str, str]:
        """The source files the batch was split from: recorded path -> SHA-256."""
        return {r["path"]: r["sha256"] for r in self.db.execute(
            "SELECT path, sha256 FROM sources WHERE batch_id = ?", (batch_id,))}

    def advance_document(self, doc_id: str, state: str, *, file: Path | None, file_sha256: str | None,
                         new_events: list[dict[str, Any]] = (), error: str | None = None,  # type: ignore[assignment]
                         quality: list[dict[str, Any]] | None = None) -> None:
        """Move a document to `state`; with `quality`, its pages' quality records are replaced in the same
        transaction (an OCR result and its figures are committed together or not at all)."""
        with self.transaction() as db:
            if quality is not None:
                db.execute("DELETE FROM page_quality WHERE document_id = ?", (doc_id,))
                db.executemany("INSERT INTO page_quality(document_id, page, data) VALUES (?, ?, ?)",
                               [(doc_id, int(r["page"]), json.dumps(r, ensure_ascii=False)) for r in quality])
            row = db.execute("SELECT events FROM documents WHERE id = ?", (doc_id,)).fetchone()
            events = json.loads(row["events"]) + list(new_events)
            db.execute("UPDATE documents SET state = ?, file = ?, file_sha256 = ?, events = ?, error = ?, updated = ?"
                       " WHERE id = ?", (state, str(file) if file else None, file_sha256, json.dumps(events), error,
                                         time.time(), doc_id))
            if state == QUARANTINED:
                db.execute("UPDATE pages SET role = 'quarantined', reason = ? WHERE document_id = ?", (error, doc_id))

    # quarantine -----------------------------------------------------------------------------------------------
    def record_quarantine(self, *, batch_id: str | None, source: str, reason: str, message: str, path: Path,
                          pages: int = 0, sha256: str = "", size: int = 0, kind: str = "") -> None:
        now = time.time()
        with self.transaction() as db:
            db.execute("INSERT INTO quarantine(batch_id, source, reason, message, path, pages, created)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?)", (batch_id, source, reason, message, str(path), pages, now))
            if sha256:
                db.execute("INSERT OR REPLACE INTO sources(sha256, path, size, kind, pages, batch_id, state, reason,"
                           " seen) VALUES (?, ?, ?, ?, ?, ?, 'quarantined', ?, ?)",
                           (sha256, source, size, kind or "unknown", pages, batch_id, reason, now))

    def quarantined_sources(self) -> set[tuple[str, str]]:
        rows = self.db.execute("SELECT sha256, path FROM sources WHERE state = 'quarantined'").fetchall()
        return {(r["sha256"], r["path"]) for r in rows}

    def page_roles_in(self, batch_ids: set[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for batch_id in batch_ids:
            for r in self.db.execute("SELECT role, COUNT(*) AS n FROM pages WHERE batch_id = ? GROUP BY role",
                                     (batch_id,)):
                counts[r["role"]] = counts.get(r["role"], 0) + r["n"]
        return counts

    def quarantine_since(self, after_id: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.execute(
            "SELECT id, batch_id, source, reason, message, path, pages FROM quarantine WHERE id > ? ORDER BY id",
            (after_id,))]

    def last_quarantine_id(self) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(id), 0) FROM quarantine").fetchone()[0])

    def dropped_pages(self, batch_ids: set[str] | None = None) -> list[dict[str, Any]]:
        """The dropped pages recorded with each batch's split (where each is kept, its checksum), in batch order."""
        found = []
        for r in self.db.execute("SELECT id, report FROM batches ORDER BY created, id"):
            if batch_ids is None or r["id"] in batch_ids:
                found += [{**_dropped_entry(d), "batch_id": r["id"]}
                          for d in json.loads(r["report"] or "{}").get("dropped", [])]
        return found

    # status ---------------------------------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        q = self.db.execute
        roles = {r["role"]: r["n"] for r in q("SELECT role, COUNT(*) AS n FROM pages GROUP BY role")}
        docs = {r["state"]: r["n"] for r in q("SELECT state, COUNT(*) AS n FROM documents GROUP BY state")}
        done_pages = q("SELECT COALESCE(SUM(pages), 0) AS n FROM documents WHERE state = ?", (PACKAGED,)).fetchone()
        pending_pages = q("SELECT COALESCE(SUM(pages), 0) AS n FROM documents WHERE state IN (?, ?, ?)",
                          (PLANNED, OCRED, READY)).fetchone()
        batches = [dict(r) for r in q("SELECT id, label, state, created, finished FROM batches ORDER BY created")]
        quarantine = [dict(r) for r in q("SELECT source, reason, message, path, pages, created FROM quarantine"
                                         " ORDER BY id")]
        runs = [{**dict(r), "workers": json.loads(r["workers"] or "[]")} for r in q(
            "SELECT id, started, finished, status, command, host, pid, executor, workers, heartbeat FROM runs"
            " ORDER BY id DESC LIMIT 5")]
        last = q("SELECT id, started, finished, status, summary FROM runs WHERE finished IS NOT NULL"
                 " ORDER BY id DESC LIMIT 1").fetchone()
        return {
            "pages": {"archived": int(done_pages["n"]), "pending": int(pending_pages["n"]),
                      "failed": roles.get("quarantined", 0) + roles.get("unassigned", 0), "by_role": roles},
            "documents": docs,
            "batches": batches,
            "quarantine": quarantine,
            "dropped": self.dropped_pages(),
            "recent_runs": runs,
            "last_finished_run": _run_figures(last) if last else None,
        }


def _run_figures(row: sqlite3.Row) -> dict[str, Any]:
    """What a finished run did and how fast, from its summary (journals of every schema version)."""
    summary = json.loads(row["summary"]) if row["summary"] else {}
    pages = summary.get("pages", {}).get("archived", 0) if isinstance(summary.get("pages"), dict) else 0
    seconds = summary.get("elapsed_seconds")
    if not isinstance(seconds, (int, float)) or seconds <= 0:  # summaries written before elapsed_seconds existed
        seconds = max(0.0, row["finished"] - row["started"])
    rate = summary.get("pages_per_second")  # the run's own figure, so that `dsd status` repeats what it said
    if not isinstance(rate, (int, float)):
        rate = round(pages / seconds, 3) if seconds else 0.0
    return {"id": row["id"], "status": row["status"], "started": row["started"], "finished": row["finished"],
            "pages_archived": pages, "documents_archived": summary.get("documents_archived", 0),
            "elapsed_seconds": round(seconds, 3), "pages_per_second": rate}
