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

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, started REAL NOT NULL, finished REAL, status TEXT NOT NULL DEFAULT 'running',
    command TEXT NOT NULL, host TEXT NOT NULL, user TEXT NOT NULL, summary TEXT);
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

# Columns added since schema version 1 (ALTER TABLE on an older journal): what ran the run's OCR, its workers
# with what they did, and when the run last said it was alive (`dsd status` shows live runs only).
ADDED_COLUMNS = {"runs": (("executor", "TEXT"), ("workers", "TEXT"), ("heartbeat", "REAL"))}
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
        for table, columns in ADDED_COLUMNS.items():
            have = {r["name"] for r in self.db.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns:
                if name not in have:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
        self.db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

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
    def start_run(self, command: str, host: str, user: str) -> int:
        with self.transaction() as db:
            cur = db.execute("INSERT INTO runs(started, command, host, user) VALUES (?, ?, ?, ?)",
                             (time.time(), command, host, user))
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



    def advance_document(self, doc_id: str, state: str, *, file: Path | None, file_sha256: str | None,
                         new_events: list[dict[str, Any]] = (), error: str | None = None) -> None:  # type: ignore[assignment]
        with self.transaction() as db:
            row = db.execute("SELECT events FROM documents WHERE id = ?", (doc_id,)).fetchone()
            events = json.loads(row["events"]) + list(new_events)
            db.execute("UPDATE documents SET state = ?, file = ?, file_sha256 = ?, events = ?, error = ?, updated = ?"
                       " WHERE id = ?", (state, str(file) if file else None, file_sha256, json.dumps(events), error,
                                         time.time(), doc_id))
            if state == QUARANTINED:
                db.execute("UPDATE pages SET role = 'quarantined', reason = ? WHERE document_id = ?", (error, doc_id))

    def record_quality(self, doc_id: str, records: list[dict[str, Any]]) -> None:
        """The per-page quality records of a document's OCR (replacing those of an earlier attempt)."""
        with self.transaction() as db:
            db.execute("DELETE FROM page_quality WHERE document_id = ?", (doc_id,))
            db.executemany("INSERT INTO page_quality(document_id, page, data) VALUES (?, ?, ?)",
                           [(doc_id, int(r.get("page", n)), json.dumps(r)) for n, r in enumerate(records, 1)])

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
        runs = [dict(r) for r in q("SELECT id, started, finished, status, command, executor FROM runs"
                                   " ORDER BY id DESC LIMIT 5")]
        running = [{**dict(r), "workers": json.loads(r["workers"] or "[]")} for r in q(
            "SELECT id, started, command, host, executor, workers, heartbeat FROM runs WHERE status = 'running'"
            " AND heartbeat > ? ORDER BY id", (time.time() - LIVE_SECONDS,))]
        throughput = None
        last = q("SELECT started, finished, summary FROM runs WHERE finished IS NOT NULL ORDER BY id DESC"
                 " LIMIT 1").fetchone()
        if last and last["summary"]:
            summary = json.loads(last["summary"])
            seconds = max(1e-6, last["finished"] - last["started"])
            throughput = round(summary.get("pages_archived", 0) / seconds, 3)
        return {
            "pages": {"archived": int(done_pages["n"]), "pending": int(pending_pages["n"]),
                      "failed": roles.get("quarantined", 0) + roles.get("unassigned", 0), "by_role": roles},
            "documents": docs,
            "batches": batches,
            "quarantine": quarantine,
            "recent_runs": runs,
            "running": running,
            "last_run_pages_per_second": throughput,
        }
