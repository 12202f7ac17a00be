"""What each dossier bag contributes to the key figures, read from metadata/documents.json and bag-info.txt.

The record format is the one `dsd_cli.archive.record` writes. An archive of 20,000 dossiers holds a gigabyte or more
of records (events and per-page quality records), so this reader decodes with a schema that names only the fields
the figures need (msgspec skips the rest without building Python objects), and keeps each bag's facts in a cache
(`.dsd/stats-cache.msgpack`) keyed by the identity of the two files it read: inode, size, modification and change
time in nanoseconds. A bag gets a new version by an atomic folder swap, which gives both files new inodes; any
change in place changes the change time. A cached entry is used only when all of that is unchanged. Many bags to
read (a first run) are spread over one process per core.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import msgspec

from dsd_cli.archive.layout import RESERVED_NAMES, ArchiveLayout
from dsd_cli.archive.record import DOCUMENTS_JSON
from dsd_cli.fsutil import atomic_write_bytes
from dsd_cli.progress import NullProgress, ProgressReporter

CACHE_FORMAT = 1
"""Raise it whenever BagFacts or what it means changes: a cache of another format is read as empty."""
CACHE_NAME = "stats-cache.msgpack"
CONFIDENCE_BINS = 10
"""Per-page mean OCR confidence in bins of 10 points: 0-10, ..., 90-100."""
_LEVEL = re.compile(r"PAdES (B-(?:B|T|LT|LTA))\b")


# The record fields read (a subset of what dsd_cli.archive.record writes) -------------------------------------
class _PageQuality(msgspec.Struct):
    words: int | None = None
    confidence_mean: float | None = None
    language: str = ""
    flags: list[str] = []


class _Event(msgspec.Struct):
    type: str = ""
    datetime: str = ""
    detail: msgspec.Raw = msgspec.Raw(b'""')


class _Document(msgspec.Struct):
    doc_type: str = ""
    pages: int = 0
    size: int = 0
    added: str = ""
    events: list[_Event] = []
    quality: list[_PageQuality] | None = None


class _Disposed(msgspec.Struct):
    pages: int = 0
    added: str = ""


class _Record(msgspec.Struct):
    version: int
    documents: list[_Document]
    disposed: list[_Disposed] = []


_RECORD = msgspec.json.Decoder(_Record)


# What a bag contributes (also the cache's content) ------------------------------------------------------------
class DayCount(msgspec.Struct, array_like=True):
    documents: int = 0
    pages: int = 0


class QualityCount(msgspec.Struct, array_like=True):
    """Per-page quality records of the documents archived on one day."""

    pages: int = 0
    confidence: list[int] = msgspec.field(default_factory=lambda: [0] * CONFIDENCE_BINS)
    no_confidence: int = 0
    confidence_sum: float = 0.0
    flagged: int = 0
    flags: dict[str, int] = {}
    languages: dict[str, int] = {}


class BagFacts(msgspec.Struct, array_like=True):
    readable: bool = True
    """False when documents.json cannot be read as a dsd record (the bag counts as unreadable, nothing else)."""
    version: int = 0
    documents: int = 0
    pages: int = 0
    bytes: int = 0
    types: dict[str, int] = {}
    """Current documents per document type."""
    rules: list[str] = []
    disposition: str = ""
    competence: str = ""
    due: str = ""
    """Disposition-Due-Date (ISO date) or ''."""
    hold: bool = False
    disposal: str = ""
    """Disposal-Date (ISO date) of a tombstone, or ''."""
    disposed_documents: int = 0
    added: dict[str, DayCount] = {}
    """UTC day -> documents and pages archived that day (documents disposed of since included)."""
    quality: dict[str, QualityCount] = {}
    """UTC day the documents were archived -> their pages' quality records (current documents)."""
    timestamps: dict[str, int] = {}
    """Year of the newest timestamp -> signed current documents; '' for documents signed without a timestamp."""
    unsigned: int = 0


class _CacheEntry(msgspec.Struct, array_like=True):
    key: list[int]
    facts: BagFacts


class _CacheFile(msgspec.Struct):
    format: int
    entries: dict[str, _CacheEntry]


def utc_day(stamp: str) -> str:
    """The UTC day of an ISO date-time dsd wrote ('' when it is not one)."""
    if len(stamp) >= 10 and (stamp.endswith(("+00:00", "Z")) or len(stamp) == 10):
        return stamp[:10]
    try:
        when = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return ""
    if when.tzinfo is None:
        return when.date().isoformat()
    return when.astimezone(dt.UTC).date().isoformat()


def _newest_timestamp(events: list[_Event]) -> tuple[bool, str]:
    """(signed, UTC time of the newest timestamp or '') from a document's PREMIS events."""
    signed, newest = False, ""
    for event in events:
        if event.type == "signing":
            signed = True
            found = _LEVEL.search(msgspec.json.decode(event.detail, type=str))
            if found and found.group(1) != "B-B":
                newest = max(newest, event.datetime)
        elif event.type == "timestamp-renewal":
            signed = True
            newest = max(newest, event.datetime)
    return signed, newest


def _add_quality(count: QualityCount, pages: list[_PageQuality]) -> None:
    """Add pages' records to a day's count (2 million pages in an archive: the loop keeps to local names)."""
    bins, flags, languages = count.confidence, count.flags, count.languages
    top = CONFIDENCE_BINS - 1
    total, missing, flagged = 0.0, 0, 0
    for page in pages:
        confidence = page.confidence_mean
        if confidence is None or page.words == 0:  # no text recognised: no confidence to speak of
            missing += 1
        else:
            total += confidence
            bins[top if confidence >= 100 else 0 if confidence < 0 else int(confidence // 10)] += 1
        if page.flags:
            flagged += 1
            for flag in page.flags:
                flags[flag] = flags.get(flag, 0) + 1
        language = page.language or "und"
        languages[language] = languages.get(language, 0) + 1
    count.pages += len(pages)
    count.no_confidence += missing
    count.confidence_sum += total
    count.flagged += flagged


# bag-info.txt as dsd writes it: one "Label: value" line per field. The first value of each label counts.
_INFO = re.compile(r"^(Retention-Rule-Id|Disposition|Competence|Disposition-Due-Date|Legal-Hold|Disposal-Date)"
                   r"[ \t]*:[ \t]*(.*?)[ \t]*$", re.M)


def _bag_info(path: str) -> dict[str, str]:
    with open(path, "rb") as handle:
        text = handle.read().decode("utf-8", "replace")
    found: dict[str, str] = {}
    for label, value in _INFO.findall(text):
        found.setdefault(label, value)
    return found


def bag_facts(bag: Path | str) -> BagFacts:
    """Read one bag's facts (no hashing: the figures describe the archive; `dsd verify` checks it)."""
    folder = os.fspath(bag)
    try:
        with open(os.path.join(folder, DOCUMENTS_JSON), "rb") as handle:
            record = _RECORD.decode(handle.read())
        info = _bag_info(os.path.join(folder, "bag-info.txt"))
    except (OSError, msgspec.DecodeError):
        return BagFacts(readable=False)
    facts = BagFacts(version=record.version, documents=len(record.documents),
                     rules=info.get("Retention-Rule-Id", "").split(), disposition=info.get("Disposition", ""),
                     competence=info.get("Competence", ""), due=info.get("Disposition-Due-Date", ""),
                     hold=info.get("Legal-Hold") == "yes", disposal=info.get("Disposal-Date", ""),
                     disposed_documents=len(record.disposed), types={}, added={}, quality={}, timestamps={})
    for doc in record.documents:
        facts.pages += doc.pages
        facts.bytes += doc.size
        facts.types[doc.doc_type] = facts.types.get(doc.doc_type, 0) + 1
        day = utc_day(doc.added)
        added = facts.added.setdefault(day, DayCount())
        added.documents += 1
        added.pages += doc.pages
        if doc.quality:
            _add_quality(facts.quality.setdefault(day, QualityCount(flags={}, languages={})), doc.quality)
        signed, newest = _newest_timestamp(doc.events)
        if not signed:
            facts.unsigned += 1
        else:
            year = newest[:4]
            facts.timestamps[year] = facts.timestamps.get(year, 0) + 1
    for gone in record.disposed:
        added = facts.added.setdefault(utc_day(gone.added), DayCount())
        added.documents += 1
        added.pages += gone.pages
    return facts


def _facts_of(folders: list[str]) -> bytes:
    """A worker's share of the bags, as msgpack (cheaper to send back than pickled objects)."""
    return _FACTS_LIST_ENCODER.encode([bag_facts(f) for f in folders])


_FACTS_LIST_ENCODER = msgspec.msgpack.Encoder()
_FACTS_LIST = msgspec.msgpack.Decoder(list[BagFacts])
PARALLEL_FROM = 2000
"""Bags to read from which the reading is spread over processes (below, starting them costs more)."""
CHUNK = 250


def _read_all(folders: list[str], progress: ProgressReporter) -> Iterator[BagFacts]:
    """Facts of `folders`, in order; in several processes when there are many (a cold cache, a first run)."""
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(folders) < PARALLEL_FROM:
        for folder in folders:
            yield bag_facts(folder)
            progress.advance("bags")
        return
    chunks = [folders[i:i + CHUNK] for i in range(0, len(folders), CHUNK)]
    # spawn: the caller may hold threads (a progress bar) or an SQLite connection, which fork would copy.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for chunk, encoded in zip(chunks, pool.map(_facts_of, chunks), strict=True):
            yield from _FACTS_LIST.decode(encoded)
            progress.advance("bags", len(chunk))


@dataclass(frozen=True)
class BagScan:
    facts: dict[str, BagFacts]
    """Bag folder name -> its facts (names stay inside dsd_cli.stats: they are dossier numbers)."""
    read: int
    """Bags whose records were read this time (the others came from the cache)."""


def _identity(path: str) -> list[int]:
    st = os.stat(path)
    return [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _candidates(archive: Path) -> Iterator[tuple[str, str, list[int]]]:
    """Every dossier bag directly inside the archive, with the identity of the files read from it. Plain string
    paths and one stat per file: 20,000 bags make 40,000 calls, too many for pathlib's overhead."""
    with os.scandir(archive) as entries:
        for entry in entries:
            if entry.name in RESERVED_NAMES or entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
                continue
            try:
                key = _identity(os.path.join(entry.path, DOCUMENTS_JSON)) + \
                    _identity(os.path.join(entry.path, "bag-info.txt"))
            except OSError:
                continue  # not a dsd dossier bag
            yield entry.name, entry.path, key


def _load_cache(path: Path) -> dict[str, _CacheEntry]:
    try:
        cache = msgspec.msgpack.decode(path.read_bytes(), type=_CacheFile)
    except (OSError, msgspec.DecodeError):
        return {}
    return cache.entries if cache.format == CACHE_FORMAT else {}


def scan_bags(archive: Path, *, use_cache: bool = True, progress: ProgressReporter | None = None) -> BagScan:
    """The facts of every dossier bag in `archive`, reading only bags changed since the cache was written."""
    progress = progress or NullProgress()
    cache_path = ArchiveLayout(archive).state / CACHE_NAME
    cached = _load_cache(cache_path) if use_cache else {}
    entries: dict[str, _CacheEntry] = {}
    stale: list[tuple[str, str, list[int]]] = []
    for name, folder, key in _candidates(archive):
        hit = cached.get(name)
        if hit is not None and hit.key == key:
            entries[name] = hit
        else:
            stale.append((name, folder, key))
    progress.start("bags", len(entries) + len(stale), "bags")
    progress.advance("bags", len(entries))
    for (name, _, key), facts in zip(stale, _read_all([f for _, f, _ in stale], progress), strict=True):
        entries[name] = _CacheEntry(key=key, facts=facts)
    progress.finish("bags")
    if use_cache and (stale or len(entries) != len(cached)) and cache_path.parent.is_dir():
        # A read-only archive (a copy on a DVD, a mounted snapshot) simply gets no cache.
        with contextlib.suppress(OSError):
            atomic_write_bytes(cache_path, msgspec.msgpack.encode(_CacheFile(format=CACHE_FORMAT, entries=entries)))
    return BagScan(facts={name: entries[name].facts for name in sorted(entries)}, read=len(stale))
