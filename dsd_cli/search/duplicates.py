"""Find the same document kept more than once: exact copies and the same letter scanned twice.

- exact: documents with the same content (SHA-256) in different bags, and pages showing the very same scan
  (the same image streams) in different documents;
- near: page pairs that MinHash/LSH proposes (dsd_cli.search.minhash) and the strict comparison confirms
  (dsd_cli.search.compare): the same words up to OCR errors and additions, and the same numbers.

Documents linked by such pairs form a group; each group lists its documents with the pages concerned. Everything
is read from the search index (page text and image digests), not from the PDFs, so the index must be current.
Nothing is removed: keeping one copy is a person's decision.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsd_cli.search import compare, minhash, ocrwords
from dsd_cli.search.store import IndexedPage

MAX_PAGES_PER_SHINGLE = 50
"""Shingles on more pages than this are template text (see dsd_cli.search.minhash)."""
QUICK_OVERLAP = 0.3
"""Within a dossier (at intake) a page pair is compared strictly only when this share of their words is shared."""

DocKey = tuple[str, str]


@dataclass(frozen=True)
class GroupMember:
    dossier: str
    document: str
    doc_type: str
    path: str
    pages: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"dossier": self.dossier, "document": self.document, "type": self.doc_type,
                "pages": list(self.pages)}


@dataclass(frozen=True)
class DuplicateGroup:
    kind: str
    """'exact' or 'near'."""
    similarity: float
    """1.0 for exact copies; for near duplicates the lowest similarity of the page pairs that link the group."""
    documents: tuple[GroupMember, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "similarity": round(self.similarity, 4),
                "documents": [d.to_dict() for d in self.documents]}


@dataclass
class DuplicateReport:
    groups: list[DuplicateGroup] = field(default_factory=list)
    pages: int = 0
    """Pages looked at."""
    candidates: int = 0
    """Page pairs proposed by LSH and compared strictly."""
    confirmed: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"groups": [g.to_dict() for g in self.groups], "pages": self.pages, "candidates": self.candidates,
                "confirmed": self.confirmed, "seconds": round(self.seconds, 3)}


class _Groups:
    """Union-find over documents, remembering which pages link them and how similar the links are."""

    def __init__(self) -> None:
        self.parent: dict[DocKey, DocKey] = {}
        self.pages: dict[DocKey, set[int]] = {}
        self.weakest: dict[DocKey, float] = {}

    def find(self, key: DocKey) -> DocKey:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def link(self, a: DocKey, a_pages: Iterable[int], b: DocKey, b_pages: Iterable[int], similarity: float) -> None:
        self.pages.setdefault(a, set()).update(a_pages)
        self.pages.setdefault(b, set()).update(b_pages)
        ra, rb = self.find(a), self.find(b)
        weakest = min(self.weakest.get(ra, 1.0), self.weakest.get(rb, 1.0), similarity)
        self.parent[rb] = ra
        self.weakest[ra] = weakest

    def groups(self, kind: str, info: dict[DocKey, IndexedPage]) -> list[DuplicateGroup]:
        members: dict[DocKey, list[DocKey]] = {}
        for key in self.parent:
            members.setdefault(self.find(key), []).append(key)
        out = []
        for root, keys in members.items():
            if len(keys) < 2:
                continue
            docs = tuple(GroupMember(k[0], k[1], info[k].doc_type, info[k].path, tuple(sorted(self.pages[k])))
                         for k in sorted(keys))
            out.append(DuplicateGroup(kind, self.weakest.get(root, 1.0), docs))
        return out


def _key(page: IndexedPage) -> DocKey:
    return (page.dossier, page.document)


def _exact(pages: Sequence[IndexedPage]) -> tuple[_Groups, set[tuple[int, int]]]:
    """Documents with the same content, pages with the same scan; and the page pairs that are such copies."""
    groups = _Groups()
    same_pairs: set[tuple[int, int]] = set()
    by_content: dict[str, list[int]] = {}
    by_image: dict[str, list[int]] = {}
    for n, page in enumerate(pages):
        if page.sha256:
            by_content.setdefault(page.sha256, []).append(n)
        if page.image_sha256:
            by_image.setdefault(page.image_sha256, []).append(n)
    for bucket in (*by_content.values(), *by_image.values()):
        anchor = bucket[0]
        if all(_key(pages[n]) == _key(pages[anchor]) for n in bucket):
            continue  # repeated within one document only
        for n in bucket:
            if _key(pages[n]) == _key(pages[anchor]):
                groups.pages.setdefault(_key(pages[n]), set()).add(pages[n].page)
            else:
                groups.link(_key(pages[anchor]), [pages[anchor].page], _key(pages[n]), [pages[n].page], 1.0)
        same_pairs.update((a, b) for a in bucket for b in bucket if a < b)
    return groups, same_pairs


def find_duplicates(pages: Sequence[IndexedPage], *, dossier: str | None = None,
                    max_pages: int = MAX_PAGES_PER_SHINGLE) -> DuplicateReport:
    """Exact and near-duplicate groups among `pages` (with `dossier`: only groups that include it)."""
    started = time.perf_counter()
    report = DuplicateReport(pages=len(pages))
    info = {_key(p): p for p in pages}
    exact, copies = _exact(pages)
    shared: dict[str, str] = {}
    words = [ocrwords.tokens(p.text, shared) for p in pages]
    del shared
    shingles = minhash.informative([minhash.shingle_hashes(list(map(hash, w))) for w in words], max_pages)
    matrix = minhash.signatures(shingles)
    usable = [len(s) > 0 for s in shingles]
    near = _Groups()
    keys: dict[int, list[str]] = {}
    for i, j in sorted(minhash.candidate_pairs(matrix, usable)):
        if _key(pages[i]) == _key(pages[j]) or (i, j) in copies:
            continue
        report.candidates += 1
        for n in (i, j):
            if n not in keys:
                keys[n] = [ocrwords.key(t) for t in words[n]]
        verdict = compare.compare_tokens(words[i], words[j], keys[i], keys[j])
        if verdict.same:
            report.confirmed += 1
            near.link(_key(pages[i]), [pages[i].page], _key(pages[j]), [pages[j].page], verdict.similarity)
    groups = exact.groups("exact", info) + near.groups("near", info)
    if dossier is not None:
        groups = [g for g in groups if any(m.dossier == dossier for m in g.documents)]
    report.groups = sorted(groups, key=lambda g: (g.kind, g.documents[0].dossier, g.documents[0].document))
    report.seconds = time.perf_counter() - started
    return report


def archive_duplicates(archive: Path, dossier: str | None = None) -> DuplicateReport:
    """`dsd duplicates`: every group of the archive (or those that include `dossier`), from its index."""
    from dsd_cli.safepaths import validate_dossier
    from dsd_cli.search.searching import SearchIndex

    index = SearchIndex.open(archive)
    pages = [page for d in index.dossiers() for page in index.pages(d)]
    return find_duplicates(pages, dossier=validate_dossier(dossier) if dossier else None)


@dataclass(frozen=True)
class IntakeDuplicate:
    """A newly archived document that repeats a document of the same dossier."""

    dossier: str
    document: str
    duplicate_of: str
    kind: str
    similarity: float
    pages: tuple[tuple[int, int], ...]
    """(page of the new document, page of the earlier one)."""

    def to_dict(self) -> dict[str, Any]:
        return {"dossier": self.dossier, "document": self.document, "duplicate_of": self.duplicate_of,
                "kind": self.kind, "similarity": round(self.similarity, 4), "pages": [list(p) for p in self.pages]}


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def dossier_duplicates(pages: Sequence[IndexedPage], new: set[str]) -> list[IntakeDuplicate]:
    """The documents of `new` (ids) that repeat another document of the same dossier's `pages`.

    A dossier has few pages, so every pair with a new page is looked at; the strict comparison decides."""
    words = {id(p): ocrwords.tokens(p.text) for p in pages}
    vocab = {id(p): set(words[id(p)]) for p in pages}
    found: dict[tuple[str, str], list[tuple[int, int, float, str]]] = {}
    for a in (p for p in pages if p.document in new):
        for b in pages:
            if b.document == a.document or (b.document in new and b.document > a.document):
                continue  # each pair once; among new documents the later one repeats the earlier
            if a.image_sha256 and a.image_sha256 == b.image_sha256:
                found.setdefault((a.document, b.document), []).append((a.page, b.page, 1.0, "exact"))
                continue
            if _overlap(vocab[id(a)], vocab[id(b)]) < QUICK_OVERLAP:
                continue
            verdict = compare.compare_tokens(words[id(a)], words[id(b)])
            if verdict.same:
                found.setdefault((a.document, b.document), []).append((a.page, b.page, verdict.similarity, "near"))
    dossier = pages[0].dossier if pages else ""
    return [IntakeDuplicate(dossier, doc, of, "exact" if all(k == "exact" for *_, k in links) else "near",
                            min(s for _, _, s, _ in links), tuple((x, y) for x, y, _, _ in links))
            for (doc, of), links in sorted(found.items())]


def intake_duplicates(archive: Path, stored: dict[str, Iterable[str]]) -> list[IntakeDuplicate]:
    """For `dsd run`: the documents just stored (dossier -> payload paths) that repeat one already in their
    dossier. Empty when the archive has no index."""
    from dsd_cli.errors import ArchiveError
    from dsd_cli.search.searching import SearchIndex

    try:
        index = SearchIndex.open(archive)
    except ArchiveError:
        return []
    found: list[IntakeDuplicate] = []
    for dossier, paths in sorted(stored.items()):
        wanted = set(paths)
        if not wanted:
            continue
        pages = index.pages(dossier)
        found += dossier_duplicates(pages, {p.document for p in pages if p.path in wanted})
    return found
