"""The archive's search index must not outlive what was destroyed, and must stay private.

Checked when the archive has an index (ARCHIVE/.dsd/index/): for every dossier disposed of (bag-info
Disposal-Date, or named in a disposal certificate in audit/disposals/), every document a bag records as disposed
of, the index must hold no page — neither one a search still finds nor a deleted one whose words are still in
the index files. A dossier the index knows whose bag is gone without a disposal (lost, deleted by hand: reported
as archive.missing-dossier) is a warning: its pages are not disposed content, but the index must be rebuilt or the
bag restored. The index folder must be readable by its
owner only.
"""

from __future__ import annotations

import json
from pathlib import Path

from dsd_cli.archive.bagio import read_bag_info
from dsd_cli.archive.layout import AUDIT_DIR
from dsd_cli.errors import ArchiveError, UnsafePathError
from dsd_cli.findings import Problem
from dsd_cli.safepaths import dossier_from_folder_name
from dsd_cli.search.store import read_record

INDEX_PATH = ".dsd/index"
HINT = "rebuild it: dsd index --archive ARCHIVE --rebuild"
LOST = "bag missing"


def _disposed(archive: Path) -> tuple[dict[str, str], dict[tuple[str, str], str], set[str]]:
    """(disposed dossiers -> why, disposed documents (dossier, id) -> why, dossiers that have a bag)."""
    dossiers: dict[str, str] = {}
    documents: dict[tuple[str, str], str] = {}
    present: set[str] = set()
    for child in sorted(archive.iterdir()):
        if child.is_symlink() or not child.is_dir() or not (child / "bagit.txt").is_file():
            continue
        try:
            dossier = dossier_from_folder_name(child.name)
        except UnsafePathError:
            continue
        present.add(dossier)
        date = (read_bag_info(child).get("Disposal-Date") or [""])[0]
        if date:
            dossiers[dossier] = f"disposed of on {date}"
        try:
            record = read_record(child)
        except ArchiveError:
            continue
        for entry in (record or {}).get("disposed", []):
            if isinstance(entry, dict):
                documents[(dossier, str(entry.get("id", "")))] = f"disposed of on {str(entry.get('disposed', ''))[:10]}"
    for certificate in sorted((archive / AUDIT_DIR / "disposals").glob("*.json")):
        try:
            listed = json.loads(certificate.read_text(encoding="utf-8")).get("dossiers", [])
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
            continue
        for entry in listed if isinstance(listed, list) else []:
            if isinstance(entry, dict) and entry.get("dossier"):
                dossiers.setdefault(str(entry["dossier"]), f"listed in the disposal certificate {certificate.name}")
    return dossiers, documents, present


def check_search_index(archive: Path) -> tuple[list[Problem], int]:
    """Problems of the archive's index, and how many dossiers and documents were checked against it (0: the
    archive has no index, nothing was checked)."""
    from dsd_cli.search import store

    root = store.index_root(archive)
    if not root.is_dir():
        return [], 0
    problems: list[Problem] = []
    if root.stat().st_mode & 0o077:
        problems.append(Problem(INDEX_PATH, "index.permissions", "the search index (page text of every document) "
                                "can be read by other users than the archive's owner; it must be mode 0700"))
    try:
        folder = store.current_generation(root)
        if folder is None:
            return problems, 0
        index = store.open_tantivy(folder)
        searcher = index.searcher()
        with store.state_db(folder) as db:
            known = set(store.indexed_dossiers(db))
    except ArchiveError as exc:
        problems.append(Problem(INDEX_PATH, "index.unreadable", f"{exc.message}; it may still hold disposed "
                                "content — " + HINT, "warning"))
        return problems, 0
    import tantivy

    dossiers, documents, present = _disposed(archive)
    lost = sorted(known - present - set(dossiers))

    def check(field: str, value: str, what: str, why: str) -> None:
        stored = searcher.doc_freq(field, value)
        if not stored:
            return
        found = searcher.search(tantivy.Query.term_query(index.schema, field, value), limit=1, count=True).count
        if why == LOST:
            if found:
                problems.append(Problem(INDEX_PATH, "index.missing-bag",
                                        f"the search index still holds {found} page(s) of {what}, whose bag is "
                                        "missing from the archive (archive.missing-dossier); dsd search does not show "
                                        "them — restore the bag, or " + HINT, "warning"))
            return
        if found:
            problems.append(Problem(INDEX_PATH, "index.disposed-content",
                                    f"a search still finds {found} page(s) of {what} ({why}); " + HINT))
        else:
            problems.append(Problem(INDEX_PATH, "index.disposed-residue",
                                    f"pages of {what} ({why}) were deleted from the search index but their "
                                    "words are still in its files; " + HINT))

    for dossier, why in sorted(dossiers.items()):
        check("dossier", dossier, f"dossier {dossier}", why)
    for dossier in lost:
        check("dossier", dossier, f"dossier {dossier}", LOST)
    for (dossier, document), why in sorted(documents.items()):
        if dossier not in dossiers:
            check("doc_key", store.document_key(dossier, document), f"{document} of dossier {dossier}", why)
    return problems, len(dossiers) + len(documents) + len(lost)
