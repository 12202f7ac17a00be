"""Where the search index lives and what it holds: the Tantivy schema, and the record of what was indexed.

```
ARCHIVE/.dsd/index/            mode 0700: readable by the archive's owner only (the index holds page text)
  current                      the name of the generation in use ("gen-0003"), replaced atomically
  gen-0003/tantivy/            the Tantivy index: one entry per archived page
  gen-0003/state.sqlite        per dossier the bag version indexed, per document its SHA-256 and pages
```

A rebuild (or the purge after a disposal) writes a complete new generation and switches `current` to it in one
rename; the old generation is then deleted. A reader that opened the old one keeps reading it undisturbed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsd_cli.archive.layout import ArchiveLayout
from dsd_cli.archive.record import DOCUMENTS_JSON
from dsd_cli.errors import ArchiveError
from dsd_cli.fsutil import atomic_path
from dsd_cli.search.analysis import DUTCH, FOLD, FRENCH
from dsd_cli.search.language import PageLanguage

INDEX_DIR = "index"
SCHEMA_VERSION = 1
WRITER_HEAP = 96_000_000
KEY_SEPARATOR = "\x1f"
"""Between dossier and document id in an entry's key: a control character, which no dossier number holds."""

STATE_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dossiers (dossier TEXT PRIMARY KEY, bag_version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    dossier TEXT NOT NULL, document TEXT NOT NULL, sha256 TEXT NOT NULL, pages INTEGER NOT NULL,
    PRIMARY KEY (dossier, document));
CREATE TABLE IF NOT EXISTS pending (dossier TEXT PRIMARY KEY);
"""
_GENERATION = re.compile(r"gen-(\d{4,})")


def read_record(bag: Path) -> dict[str, Any] | None:
    """A bag's metadata/documents.json as JSON (None: not a dsd bag). The index needs only a few of its keys —
    dossier, version, documents (id, path, sha256, doc_type, dates, added_in_version, quality), disposed — and reads
    them as plain data, whatever else the record holds. ArchiveError when the record is damaged."""
    path = bag / DOCUMENTS_JSON
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArchiveError(f"{bag.name}: metadata/documents.json is damaged ({exc})") from None
    if not isinstance(record, dict) or not isinstance(record.get("documents"), list) \
            or not isinstance(record.get("version"), int):
        raise ArchiveError(f"{bag.name}: metadata/documents.json is not a dsd dossier record")
    return record


def index_root(archive: Path) -> Path:
    return ArchiveLayout(archive).state / INDEX_DIR


def document_key(dossier: str, document: str) -> str:
    return f"{dossier}{KEY_SEPARATOR}{document}"


def build_schema() -> Any:
    import tantivy

    b = tantivy.SchemaBuilder()
    for name in ("doc_key", "document", "path", "lang", "image_sha256", "sha256", "document_date", "scan_date"):
        b.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    b.add_text_field("dossier", stored=True, tokenizer_name="raw", index_option="basic", fast=True)
    b.add_text_field("type", stored=True, tokenizer_name="raw", index_option="basic", fast=True)
    b.add_text_field("langs", stored=True, tokenizer_name="raw", index_option="basic")
    b.add_date_field("date", stored=False, indexed=True, fast=True)
    b.add_unsigned_field("version", stored=True, indexed=True)
    b.add_unsigned_field("page", stored=True, indexed=True)
    b.add_text_field("text", stored=True, tokenizer_name=FOLD)
    b.add_text_field("text_nl", stored=False, tokenizer_name=DUTCH)
    b.add_text_field("text_fr", stored=False, tokenizer_name=FRENCH)
    return b.build()


@dataclass(frozen=True)
class IndexedPage:
    """One entry of the index: a page of an archived document."""

    dossier: str
    document: str
    path: str
    doc_type: str
    bag_version: int
    """The bag version that added the document."""
    page: int
    text: str
    language: PageLanguage
    document_date: str = ""
    scan_date: str = ""
    image_sha256: str = ""
    sha256: str = ""
    """The document's SHA-256 (the archived file)."""

    @property
    def date(self) -> dt.date | None:
        """The document's own date when known, otherwise the day it was scanned."""
        for value in (self.document_date, self.scan_date):
            with contextlib.suppress(ValueError):
                if value:
                    return dt.date.fromisoformat(value[:10])
        return None

    def to_document(self) -> Any:
        import tantivy

        doc = tantivy.Document()
        for name, value in (("doc_key", document_key(self.dossier, self.document)), ("dossier", self.dossier),
                            ("document", self.document), ("path", self.path), ("type", self.doc_type),
                            ("lang", self.language.primary), ("image_sha256", self.image_sha256),
                            ("sha256", self.sha256), ("document_date", self.document_date),
                            ("scan_date", self.scan_date), ("text", self.text)):
            doc.add_text(name, value)
        for lang in self.language.stemmed:
            doc.add_text("langs", lang)
            doc.add_text(f"text_{lang}", self.text)
        day = self.date
        if day is not None:
            doc.add_date("date", dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC))
        doc.add_unsigned("version", self.bag_version)
        doc.add_unsigned("page", self.page)
        return doc

    @classmethod
    def from_stored(cls, stored: dict[str, list[Any]]) -> IndexedPage:
        def one(name: str, default: Any = "") -> Any:
            values = stored.get(name) or [default]
            return values[0]

        langs = tuple(str(v) for v in stored.get("langs", []))
        language = PageLanguage(str(one("lang")), langs, "index")
        return cls(dossier=one("dossier"), document=one("document"), path=one("path"), doc_type=one("type"),
                   bag_version=int(one("version", 0)), page=int(one("page", 0)), text=one("text"),
                   language=language, document_date=one("document_date"), scan_date=one("scan_date"),
                   image_sha256=one("image_sha256"), sha256=one("sha256"))


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)


def current_generation(root: Path) -> Path | None:
    """The generation folder in use, None when there is no index."""
    try:
        name = (root / "current").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not _GENERATION.fullmatch(name) or not (root / name / "tantivy").is_dir():
        raise ArchiveError(f"the search index in {root} is damaged (current: {name!r})",
                           hint="rebuild it: dsd index --archive ARCHIVE --rebuild")
    return root / name


def new_generation(root: Path) -> Path:
    """A new, empty generation folder, numbered after every existing one."""
    _private_dir(root)
    numbers = [int(m.group(1)) for p in root.iterdir() if (m := _GENERATION.fullmatch(p.name))]
    folder = root / f"gen-{max(numbers, default=0) + 1:04d}"
    folder.mkdir(mode=0o700)
    (folder / "tantivy").mkdir(mode=0o700)
    return folder


def switch_generation(root: Path, folder: Path) -> None:
    """Make `folder` the index in use (one atomic rename), then delete every other generation."""
    with atomic_path(root / "current", 0o600) as tmp:
        tmp.write_text(folder.name + "\n", encoding="utf-8")
    remove_other_generations(root, keep=folder)


def remove_other_generations(root: Path, keep: Path | None) -> None:
    for child in root.iterdir():
        if _GENERATION.fullmatch(child.name) and child != keep:
            shutil.rmtree(child, ignore_errors=True)


def remove_index(root: Path) -> None:
    """Delete the whole index (the bags are untouched; `dsd index` makes it again)."""
    with contextlib.suppress(FileNotFoundError):
        (root / "current").unlink()
    shutil.rmtree(root, ignore_errors=True)
    if root.exists():
        raise ArchiveError(f"the search index {root} could not be removed",
                           hint=f"remove the folder {root} by hand")


def open_tantivy(folder: Path, *, create: bool = False) -> Any:
    """The Tantivy index of a generation, with dsd's analyzers registered. ArchiveError when it is unusable."""
    import tantivy

    from dsd_cli.search.analysis import register_analyzers

    path = str(folder / "tantivy")
    try:
        if create:
            index = tantivy.Index(build_schema(), path=path, reuse=False)
        else:
            if not tantivy.Index.exists(path) or not tantivy.Index.is_compatible(path):
                raise ArchiveError(f"the search index in {folder.parent} cannot be read by this dsd",
                                   hint="rebuild it: dsd index --archive ARCHIVE --rebuild")
            index = tantivy.Index.open(path)
    except (OSError, ValueError) as exc:
        raise ArchiveError(f"the search index in {folder.parent} cannot be opened ({exc})",
                           hint="rebuild it: dsd index --archive ARCHIVE --rebuild") from None
    register_analyzers(index)
    return index


@contextlib.contextmanager
def state_db(folder: Path) -> Iterator[sqlite3.Connection]:
    """The generation's record of what it holds (created when new)."""
    path = folder / "state.sqlite"
    fresh = not path.exists()
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(STATE_SCHEMA)
        if fresh:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        os.chmod(path, 0o600)
        version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if version is None or version[0] != str(SCHEMA_VERSION):
            raise ArchiveError(f"the search index in {folder.parent} was made by another version of dsd",
                               hint="rebuild it: dsd index --archive ARCHIVE --rebuild")
        yield db
    finally:
        db.close()


@dataclass(frozen=True)
class IndexedDocument:
    sha256: str
    pages: int


def indexed_dossiers(db: sqlite3.Connection) -> dict[str, int]:
    return dict(db.execute("SELECT dossier, bag_version FROM dossiers"))


def indexed_documents(db: sqlite3.Connection, dossier: str) -> dict[str, IndexedDocument]:
    rows = db.execute("SELECT document, sha256, pages FROM documents WHERE dossier = ?", (dossier,))
    return {doc: IndexedDocument(sha, pages) for doc, sha, pages in rows}


def pending_dossiers(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT dossier FROM pending")}


@contextlib.contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One durable commit for everything inside (the connection otherwise commits each statement)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def mark_pending(db: sqlite3.Connection, dossiers: Sequence[str]) -> None:
    """Recorded before the index changes: a crash before the commit leaves these dossiers to be redone in full."""
    with transaction(db):
        db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", [(d,) for d in dossiers])


def record_dossier(db: sqlite3.Connection, dossier: str, bag_version: int | None,
                   documents: dict[str, IndexedDocument]) -> None:
    """What the committed index now holds of `dossier` (bag_version None: the dossier is gone)."""
    db.execute("DELETE FROM documents WHERE dossier = ?", (dossier,))
    db.executemany("INSERT INTO documents VALUES (?, ?, ?, ?)",
                   [(dossier, doc, d.sha256, d.pages) for doc, d in documents.items()])
    if bag_version is None:
        db.execute("DELETE FROM dossiers WHERE dossier = ?", (dossier,))
    else:
        db.execute("INSERT OR REPLACE INTO dossiers VALUES (?, ?)", (dossier, bag_version))
    db.execute("DELETE FROM pending WHERE dossier = ?", (dossier,))
