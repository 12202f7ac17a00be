"""Searching the index: a query and filters in, the matching pages out, grouped by dossier, with snippets.

`SearchIndex.search` only reads the index. `search_archive` is what a person's search goes through: it also
checks every returned dossier against its bag (a legal hold is shown; a disposed dossier is never shown, even if
the index were behind) and records the search in the audit log before returning anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dsd_cli.archive.bagio import read_bag_info
from dsd_cli.errors import ArchiveError, UsageError
from dsd_cli.safepaths import dossier_path, validate_dossier
from dsd_cli.search import store
from dsd_cli.search.analysis import LANGUAGES
from dsd_cli.search.query import QueryBuilder, parse
from dsd_cli.search.snippets import Highlighter, make_snippet

MAX_LIMIT = 10_000


@dataclass(frozen=True)
class SearchRequest:
    query: str
    dossier: str | None = None
    doc_type: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    """Inclusive bounds on the document's date (its own date when known, else the scan date)."""
    lang: str | None = None
    """'nl' or 'fr': only pages in that language, searched with that language's stemming."""
    limit: int = 20
    fuzzy: bool = True
    """Let words of five letters or more match words one edit away (OCR errors)."""

    def check(self) -> None:
        if self.lang is not None and self.lang not in LANGUAGES:
            raise UsageError(f"--lang {self.lang!r}: choose {' or '.join(LANGUAGES)}")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise UsageError(f"--limit must be between 1 and {MAX_LIMIT}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise UsageError("--from is after --to")

    def filters(self) -> dict[str, str]:
        """The filters as the audit log records them (no query text: that is kept as a keyed hash only)."""
        out = {"dossier": self.dossier or "", "type": self.doc_type or "", "lang": self.lang or "",
               "from": self.date_from.isoformat() if self.date_from else "",
               "to": self.date_to.isoformat() if self.date_to else ""}
        return {k: v for k, v in out.items() if v}


@dataclass(frozen=True)
class SearchHit:
    dossier: str
    document: str
    doc_type: str
    page: int
    score: float
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    path: str
    date: str
    """The document's date, else its scan date (ISO)."""
    language: str
    bag_version: int
    legal_hold: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"dossier": self.dossier, "document": self.document, "type": self.doc_type, "page": self.page,
                "score": round(self.score, 4), "snippet": self.snippet,
                "highlights": [list(r) for r in self.highlights], "path": self.path, "date": self.date,
                "language": self.language, "bag_version": self.bag_version, "legal_hold": self.legal_hold}


@dataclass(frozen=True)
class SearchResults:
    total: int
    """Pages that match (the hits are the best `limit` of them)."""
    hits: tuple[SearchHit, ...]
    warnings: tuple[str, ...] = ()

    def by_dossier(self) -> Iterator[tuple[str, list[SearchHit]]]:
        """Dossiers in the order of their best hit, each with its hits."""
        groups: dict[str, list[SearchHit]] = {}
        for hit in self.hits:
            groups.setdefault(hit.dossier, []).append(hit)
        yield from groups.items()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"total": self.total, "hits": [h.to_dict() for h in self.hits]}
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


@dataclass
class SearchIndex:
    """An archive's index, opened for reading (any number of readers, besides the one writer)."""

    archive: Path
    index: Any
    folder: Path
    _searcher: Any = field(default=None, repr=False)

    @classmethod
    def open(cls, archive: Path) -> SearchIndex:
        root = store.index_root(archive)
        folder = store.current_generation(root) if root.is_dir() else None
        if folder is None:
            raise ArchiveError(f"{archive} has no search index yet",
                               hint=f"build it once: dsd index --archive {archive}")
        return cls(archive, store.open_tantivy(folder), folder)

    @property
    def searcher(self) -> Any:
        if self._searcher is None:
            self._searcher = self.index.searcher()
        return self._searcher

    def dossiers(self) -> list[str]:
        """Every dossier the index holds pages of."""
        with store.state_db(self.folder) as db:
            return sorted(store.indexed_dossiers(db))

    def pages(self, dossier: str) -> list[store.IndexedPage]:
        """Every indexed page of a dossier, by document and page number."""
        import tantivy

        query = tantivy.Query.term_query(self.index.schema, "dossier", dossier)
        limit = max(1, self.searcher.doc_freq("dossier", dossier))
        found = [store.IndexedPage.from_stored(self.searcher.doc(address).to_dict())
                 for _, address in self.searcher.search(query, limit=limit, count=False).hits]
        return sorted(found, key=lambda p: (p.document, p.page))

    def _filters(self, request: SearchRequest) -> list[Any]:
        import tantivy

        schema = self.index.schema
        filters = []
        if request.dossier:
            filters.append(tantivy.Query.term_query(schema, "dossier", validate_dossier(request.dossier)))
        if request.doc_type:
            filters.append(tantivy.Query.term_query(schema, "type", request.doc_type))
        if request.lang:
            filters.append(tantivy.Query.term_query(schema, "langs", request.lang))
        if request.date_from or request.date_to:
            def moment(day: dt.date | None) -> dt.datetime | None:
                return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) if day else None

            filters.append(tantivy.Query.range_query(schema, "date", tantivy.FieldType.Date,
                                                     moment(request.date_from), moment(request.date_to)))
        return filters

    def search(self, request: SearchRequest) -> SearchResults:
        import tantivy

        request.check()
        builder = QueryBuilder(self.index.schema, request.lang, request.fuzzy)
        text_query = builder.build(parse(request.query))
        clauses = [(tantivy.Occur.Must, text_query)]
        clauses += [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in self._filters(request)]
        query = tantivy.Query.boolean_query(clauses) if len(clauses) > 1 else text_query
        try:
            result = self.searcher.search(query, limit=request.limit, count=True)
        except ValueError as exc:
            raise UsageError(f"the query cannot be run ({exc})") from None
        hits = []
        highlighter = Highlighter(builder.highlights)
        for score, address in result.hits:
            page = store.IndexedPage.from_stored(self.searcher.doc(address).to_dict())
            snippet = make_snippet(page.text, highlighter)
            day = page.date
            hits.append(SearchHit(dossier=page.dossier, document=page.document, doc_type=page.doc_type,
                                  page=page.page, score=float(score), snippet=snippet.text,
                                  highlights=snippet.highlights, path=page.path,
                                  date=day.isoformat() if day else "", language=page.language.primary,
                                  bag_version=page.bag_version))
        return SearchResults(total=int(result.count or 0), hits=tuple(hits))


def _bag_states(archive: Path, dossiers: set[str]) -> dict[str, tuple[bool, bool]]:
    """Per dossier: (under legal hold, disposed of or gone), as its bag says now."""
    states = {}
    for dossier in dossiers:
        bag = dossier_path(archive, dossier)
        info = read_bag_info(bag) if (bag / "bag-info.txt").is_file() else None
        if info is None:
            states[dossier] = (False, True)
            continue
        states[dossier] = ((info.get("Legal-Hold") or [""])[0] == "yes", bool((info.get("Disposal-Date") or [""])[0]))
    return states


def search_archive(archive: Path, request: SearchRequest) -> SearchResults:
    """Search as a person does: checked against the bags, and recorded in the audit log."""
    from dsd_cli.search.access import record_access

    results = SearchIndex.open(archive).search(request)
    states = _bag_states(archive, {h.dossier for h in results.hits})
    hits = [replace(h, legal_hold=states[h.dossier][0]) for h in results.hits if not states[h.dossier][1]]
    warnings = list(results.warnings)
    dropped = len(results.hits) - len(hits)
    if dropped:
        warnings.append(f"{dropped} page(s) of disposed dossiers are still in the index and were not shown: "
                        f"update it with `dsd index --archive {archive}`")
    record_access(archive, "search", [h.dossier for h in hits], query=request.query,
                  detail={"filters": request.filters(), "total": results.total - dropped, "pages": len(hits)})
    return SearchResults(total=results.total - dropped, hits=tuple(hits), warnings=tuple(warnings))
