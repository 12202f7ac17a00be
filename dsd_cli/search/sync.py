"""Keep the search index equal to the bags: build it, catch up with them, and follow every bag change.

The bags are the truth. For each dossier the index records the bag version and each document's SHA-256 it
holds; catching up compares that with the bag (bag-info first, the record only when the version moved) and
re-indexes the documents that are new or changed, and drops those that are gone. Every write happens under the
archive lock, by one writer. Before the index changes, the dossiers it is about to change are marked pending;
a crash before the commit leaves them marked, and the next update redoes them in full.

Disposal: the pages of a disposed document are deleted in the same operation. Tantivy deletes by marking, and
the words would stay in the index files until a merge; so when deleted pages of disposed content are still in
the files after the commit, the index is rewritten without them (a new generation, then the old one deleted).
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsd_cli.archive.bagio import read_bag_info
from dsd_cli.errors import ArchiveError, DsdError, InputError, UnsafePathError
from dsd_cli.progress import NullProgress, ProgressReporter
from dsd_cli.safepaths import child_path, dossier_from_folder_name, dossier_path, normalise_dossier
from dsd_cli.search import store
from dsd_cli.search.language import page_language
from dsd_cli.search.pages import pdf_pages

log = logging.getLogger("dsd.search")
COMMIT_EVERY_PAGES = 50_000


@dataclass
class IndexUpdate:
    """What an update did to the index."""

    dossiers: int = 0
    """Dossiers compared with their bags."""
    added: dict[str, list[str]] = field(default_factory=dict)
    """Dossier -> ids of the documents (re-)indexed."""
    removed: dict[str, list[str]] = field(default_factory=dict)
    """Dossier -> ids of the documents dropped from the index."""
    pages_added: int = 0
    pages_removed: int = 0
    rebuilt: bool = False
    purged: bool = False
    """The index was rewritten so that no trace of disposed pages stays in its files."""
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"dossiers": self.dossiers, "documents_added": sum(map(len, self.added.values())),
                "documents_removed": sum(map(len, self.removed.values())), "pages_added": self.pages_added,
                "pages_removed": self.pages_removed, "rebuilt": self.rebuilt, "purged": self.purged,
                "seconds": round(self.seconds, 3), "warnings": self.warnings}


@dataclass(frozen=True)
class _Bag:
    """A dossier as its bag states it now (documents None: the bag is gone)."""

    dossier: str
    version: int
    documents: dict[str, dict[str, Any]] | None
    folder: Path | None = None


def _bag_version(bag: Path) -> int | None:
    values = read_bag_info(bag).get("DSD-Bag-Version") or [""]
    try:
        return int(values[0])
    except ValueError:
        return None


def _archive_dossiers(archive: Path) -> dict[str, Path]:
    """Every dsd dossier bag directly in the archive, by dossier number."""
    found: dict[str, Path] = {}
    for child in sorted(archive.iterdir()):
        if child.is_symlink() or not child.is_dir() or not (child / "bagit.txt").is_file() \
                or not (child / "metadata" / "documents.json").is_file():
            continue
        try:
            found[dossier_from_folder_name(child.name)] = child
        except UnsafePathError:
            continue
    return found


def _read_bag(archive: Path, dossier: str) -> _Bag:
    bag = dossier_path(archive, dossier)
    record = store.read_record(bag) if (bag / "bagit.txt").is_file() else None
    if record is None:
        return _Bag(dossier, 0, None)
    if normalise_dossier(str(record.get("dossier", ""))) != dossier:
        raise ArchiveError(f"{bag.name} holds dossier {record.get('dossier')!r}, not {dossier!r}")
    documents = {str(d["id"]): d for d in record["documents"] if isinstance(d, dict) and d.get("id")}
    return _Bag(dossier, int(record["version"]), documents, bag)


def _document_pages(bag: _Bag, entry: dict[str, Any]) -> list[store.IndexedPage]:
    assert bag.folder is not None
    pdf = child_path(bag.folder, *str(entry["path"]).split("/"))
    quality = {q.get("page"): q for q in entry.get("quality") or () if isinstance(q, dict)}
    pages = []
    for content in pdf_pages(pdf):
        pages.append(store.IndexedPage(
            dossier=bag.dossier, document=str(entry["id"]), path=str(entry["path"]), doc_type=str(entry["doc_type"]),
            bag_version=int(entry.get("added_in_version") or 0), page=content.number, text=content.text,
            language=page_language(content.text, quality.get(content.number)),
            document_date=str(entry.get("document_date") or ""), scan_date=str(entry.get("scan_date") or ""),
            image_sha256=content.image_sha256, sha256=str(entry.get("sha256", ""))))
    return pages


class _Writer:
    """One generation opened for writing: the Tantivy writer and the generation's state."""

    def __init__(self, folder: Path, db: Any, *, create: bool) -> None:
        self.folder = folder
        self.db = db
        self.index = store.open_tantivy(folder, create=create)
        self.schema = self.index.schema
        self.writer = self.index.writer(heap_size=store.WRITER_HEAP, num_threads=1)
        self.uncommitted = 0

    def add(self, pages: Iterable[store.IndexedPage]) -> int:
        count = 0
        for page in pages:
            self.writer.add_document(page.to_document())
            count += 1
        self.uncommitted += count
        return count

    def delete_document(self, dossier: str, document: str) -> None:
        self.writer.delete_documents_by_term("doc_key", store.document_key(dossier, document))

    def delete_dossier(self, dossier: str) -> None:
        self.writer.delete_documents_by_term("dossier", dossier)

    def commit(self) -> None:
        self.writer.commit()
        self.uncommitted = 0

    def close(self) -> None:
        self.writer.wait_merging_threads()


def _sync_dossier(w: _Writer, bag: _Bag, pending: bool, update: IndexUpdate) -> tuple[dict[str, Any], set[str]]:
    """Bring one dossier's entries in line with its bag. Returns the documents now indexed, and the keys of the
    deleted entries whose documents left the bag (disposed of): those must leave the index files too."""
    indexed = store.indexed_documents(w.db, bag.dossier)
    current = bag.documents or {}
    redo = pending or bag.documents is None
    if redo:  # a crash may have left anything of a pending dossier; a vanished bag leaves nothing
        w.delete_dossier(bag.dossier)
        stale = set(indexed)
    else:
        stale = {doc for doc, known in indexed.items()
                 if doc not in current or current[doc].get("sha256") != known.sha256}
    gone: set[str] = {bag.dossier} if bag.documents is None else set()
    for doc in sorted(stale):
        if not redo:
            w.delete_document(bag.dossier, doc)
        update.pages_removed += indexed.pop(doc).pages
        if doc not in current:
            update.removed.setdefault(bag.dossier, []).append(doc)
            gone.add(store.document_key(bag.dossier, doc))
    now = dict(indexed)
    for doc, entry in current.items():
        if doc in now:
            continue
        try:
            pages = _document_pages(bag, entry)
        except (InputError, UnsafePathError) as exc:
            update.warnings.append(f"dossier {bag.dossier}, {doc}: not indexed — {exc.message}")
            pages = []
        count = w.add(pages)
        update.pages_added += count
        update.added.setdefault(bag.dossier, []).append(doc)
        now[doc] = store.IndexedDocument(str(entry.get("sha256", "")), count)
    return now, gone


def _changed(archive: Path, db: Any, wanted: Iterable[str] | None) -> Iterator[tuple[str, bool]]:
    """(dossier, pending) for every dossier whose bag may differ from the index."""
    known = store.indexed_dossiers(db)
    pending = store.pending_dossiers(db)
    if wanted is None:
        bags = _archive_dossiers(archive)
        candidates = sorted(set(bags) | set(known) | pending)
    else:
        candidates = sorted({normalise_dossier(d) for d in wanted} | pending)
        bags = {}
    for dossier in candidates:
        folder = bags.get(dossier) or dossier_path(archive, dossier)
        version = _bag_version(folder) if (folder / "bagit.txt").is_file() else None
        if version is None and dossier not in known and dossier not in pending:
            continue  # neither in the archive nor in the index
        if dossier in pending or version is None or known.get(dossier) != version:
            yield dossier, dossier in pending


def _apply(w: _Writer, archive: Path, dossiers: list[tuple[str, bool]], update: IndexUpdate,
           progress: ProgressReporter) -> set[str]:
    """Sync the dossiers, committing every COMMIT_EVERY_PAGES pages; returns the keys of deleted disposed content."""
    gone: set[str] = set()
    done: list[tuple[_Bag, dict[str, Any]]] = []

    def commit() -> None:
        w.commit()
        with store.transaction(w.db):
            for bag, documents in done:
                store.record_dossier(w.db, bag.dossier, None if bag.documents is None else bag.version, documents)
        done.clear()

    store.mark_pending(w.db, [d for d, _ in dossiers])
    for dossier, pending in dossiers:
        bag = _read_bag(archive, dossier)
        documents, deleted = _sync_dossier(w, bag, pending, update)
        gone |= deleted
        done.append((bag, documents))
        update.dossiers += 1
        progress.advance("index")
        if w.uncommitted >= COMMIT_EVERY_PAGES:
            commit()
    commit()
    return gone


def _residue(folder: Path, keys: set[str]) -> bool:
    """Whether deleted disposed content still has terms in the index files (a delete only marks)."""
    index = store.open_tantivy(folder)
    searcher = index.searcher()
    return any(searcher.doc_freq("dossier" if store.KEY_SEPARATOR not in key else "doc_key", key) > 0
               for key in keys)


def _compact(root: Path, folder: Path, progress: ProgressReporter) -> Path:
    """Copy every live entry into a new generation (no deleted page survives a copy) and switch to it."""
    import tantivy

    old = store.open_tantivy(folder)
    searcher = old.searcher()
    new = store.new_generation(root)
    try:
        with store.state_db(folder) as old_db, store.state_db(new) as new_db:
            w = _Writer(new, new_db, create=True)
            dossiers = store.indexed_dossiers(old_db)
            progress.start("purge", len(dossiers), "dossiers")
            for dossier in dossiers:
                query = tantivy.Query.term_query(old.schema, "dossier", dossier)
                limit = max(1, searcher.doc_freq("dossier", dossier))
                for _, address in searcher.search(query, limit=limit, count=False).hits:
                    w.add([store.IndexedPage.from_stored(searcher.doc(address).to_dict())])
                progress.advance("purge")
            w.commit()
            w.close()
            with store.transaction(new_db):
                for dossier, version in dossiers.items():
                    store.record_dossier(new_db, dossier, version, store.indexed_documents(old_db, dossier))
            progress.finish("purge")
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    store.switch_generation(root, new)
    return new


def _build(archive: Path, root: Path, update: IndexUpdate, progress: ProgressReporter) -> None:
    """A complete new generation from every bag, switched in when it is done."""
    folder = store.new_generation(root)
    try:
        with store.state_db(folder) as db:
            w = _Writer(folder, db, create=True)
            bags = sorted(_archive_dossiers(archive))
            progress.start("index", len(bags), "dossiers")
            _apply(w, archive, [(d, False) for d in bags], update, progress)
            w.close()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    store.switch_generation(root, folder)
    update.rebuilt = True


def update_index(archive: Path, dossiers: Iterable[str] | None = None, *, rebuild: bool = False,
                 create: bool = True, progress: ProgressReporter | None = None) -> IndexUpdate | None:
    """Build the index (none yet, or `rebuild`) or catch it up with the bags: with `dossiers` only those, else
    every bag of the archive. Returns None when there is no index and `create` is False. The caller holds the
    archive lock."""
    progress = progress or NullProgress()
    started = time.perf_counter()
    root = store.index_root(archive)
    folder = store.current_generation(root) if root.is_dir() else None
    update = IndexUpdate()
    if folder is None or rebuild:
        if folder is None and not create:
            return None
        _build(archive, root, update, progress)
    else:
        store.remove_other_generations(root, keep=folder)  # leftovers of an interrupted rebuild
        with store.state_db(folder) as db:
            changed = list(_changed(archive, db, dossiers))
            progress.start("index", len(changed), "dossiers")
            w = _Writer(folder, db, create=False)
            try:
                gone = _apply(w, archive, changed, update, progress)
            finally:
                w.close()
        if gone and _residue(folder, gone):
            _compact(root, folder, progress)
            update.purged = True
    progress.finish("index")
    update.seconds = time.perf_counter() - started
    return update


def bags_changed(archive: Path, dossiers: Iterable[str], *, create: bool = False) -> IndexUpdate | None:
    """The one call every bag change makes (with the archive lock held): bring the index up to date for these
    dossiers. `create`: build the index when the archive has none (`dsd run`, `dsd package`); otherwise an
    archive without an index is left without one.

    Never fails the bag change it follows: if the index cannot be updated it is removed — better no index than
    one that holds disposed pages or misses new ones — and the update's warnings say so (also logged)."""
    try:
        update = update_index(archive, list(dossiers), create=create)
    except (DsdError, OSError, ValueError, RuntimeError) as exc:
        message = exc.message if isinstance(exc, DsdError) else str(exc)
        root = store.index_root(archive)
        store.remove_index(root)
        warning = (f"the search index could not be updated ({message}); it was removed so that it cannot show "
                   "outdated or disposed content — rebuild it with `dsd index --archive ARCHIVE`")
        log.warning(warning)
        return IndexUpdate(warnings=[warning])
    for warning in update.warnings if update else ():
        log.warning(warning)
    return update


def index_archive(archive: Path, *, rebuild: bool = False, progress: ProgressReporter | None = None) -> IndexUpdate:
    """`dsd index`: build the archive's index, or catch it up with every bag (in an archive session: the archive
    lock; ArchiveError for a folder that is not a dsd archive)."""
    from dsd_cli.archive.session import ArchiveSession

    with ArchiveSession.open(archive) as session:
        update = update_index(archive, rebuild=rebuild, create=True, progress=progress)
        assert update is not None
        session.audit("index-rebuilt" if update.rebuilt else "index-updated",
                      detail={k: v for k, v in update.to_dict().items() if k != "warnings"})
    return update


def index_pages(archive: Path, pages: Iterable[store.IndexedPage], *, commit_every: int = COMMIT_EVERY_PAGES) -> int:
    """A new index generation holding exactly `pages`, made current (for benchmarks and tools that index text
    they hold already; `update_index` is the one that reads bags). Returns the number of pages indexed."""
    root = store.index_root(archive)
    root.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = store.new_generation(root)
    count = 0
    documents: dict[str, dict[str, store.IndexedDocument]] = {}
    with store.state_db(folder) as db:
        w = _Writer(folder, db, create=True)
        for page in pages:
            count += w.add([page])
            known = documents.setdefault(page.dossier, {}).get(page.document)
            documents[page.dossier][page.document] = store.IndexedDocument(page.sha256,
                                                                           (known.pages if known else 0) + 1)
            if w.uncommitted >= commit_every:
                w.commit()
        w.commit()
        w.close()
        with store.transaction(db):
            for dossier, docs in documents.items():
                store.record_dossier(db, dossier, 1, docs)
    store.switch_generation(root, folder)
    return count


def purge_index(archive: Path, progress: ProgressReporter | None = None) -> None:
    """Rewrite the current index without the entries it only marks as deleted (what a disposal triggers)."""
    root = store.index_root(archive)
    folder = store.current_generation(root) if root.is_dir() else None
    if folder is None:
        raise ArchiveError(f"{archive} has no search index")
    _compact(root, folder, progress or NullProgress())
