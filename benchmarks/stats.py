"""`dsd stats` on a large archive: 20,000 dossiers / 2 million pages' worth of bag records and journal rows.

    .venv/bin/python benchmarks/stats.py                          # 20,000 dossiers, 2,000,000 pages
    .venv/bin/python benchmarks/stats.py --dossiers 2000 --pages 200000 --keep /tmp/stats-archive

The archive is generated with dsd's own record writers (document entries, bag-info fields, retention, packaging
events) plus a per-page quality record for every page in the shared contract's shape, in real bag folders
(bagit.txt, bag-info.txt, metadata/documents.json, tag manifest); there are no PDFs. The journal gets a batch per
ten dossiers with every page's role (content, separator sheets, dropped blank pages, unassigned pages), a document
row per document, runs and quarantine; the audit log an entry per packaged dossier and two recorded verifications.

Timed, as commands (start-up included): `dsd stats --json` without the cache (every record read, spread over the
cores), again with the cache written by the first, and `dsd stats --report` (charts included) with the cache; wall
clock and the CPU time of the command and its workers. Target: <= 10 s wall. The load average is printed before
and after: on a shared machine the wall-clock figures are only as good as the quiet it had.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dsd_cli.archive.baginfo import bag_info_fields
from dsd_cli.archive.bagio import BAGIT_TXT, write_bag_info
from dsd_cli.archive.layout import ArchiveLayout
from dsd_cli.archive.record import DOCUMENTS_JSON, BagRecord, Event, document_entry, new_record
from dsd_cli.archive.retention import dossier_retention
from dsd_cli.audit import GENESIS, _entry_hash
from dsd_cli.models import ArchivedDocument, PageRef, VerifyReport
from dsd_cli.pipeline.journal import Journal
from dsd_cli.profiles import load_profile
from dsd_cli.register import RegisterEntry
from dsd_cli.safepaths import dossier_path
from dsd_cli.stats.verifications import record_verification

REPO = Path(__file__).resolve().parents[1]
START = dt.datetime.combine(dt.date.today() - dt.timedelta(days=700), dt.time(8, 0), tzinfo=dt.UTC)
"""A batch every eight hours from here: 2,000 batches end before today."""
FLAGS = ("low-confidence", "few-words-for-ink", "uncertain-orientation", "high-skew", "unknown-language")


def page_quality(rng: random.Random, page: int) -> dict:
    confidence = round(min(99.0, max(5.0, rng.gauss(86, 9))), 1)
    nld = round(rng.uniform(0.6, 0.98), 2) if rng.random() < 0.8 else round(rng.uniform(0.0, 0.2), 2)
    flags = [f for f in FLAGS if rng.random() < 0.02]
    if confidence < 60:
        flags.insert(0, "low-confidence")
    return {"page": page, "words": rng.randint(40, 400), "confidence_mean": confidence,
            "confidence_p10": round(confidence * 0.8, 1), "orientation": 0,
            "orientation_confidence": round(rng.uniform(2, 20), 1), "skew_residual": round(rng.uniform(0, 1), 2),
            "languages": {"nld": nld, "fra": round(1 - nld, 2)}, "language": "nld" if nld >= 0.5 else "fra",
            "ink": round(rng.uniform(0.01, 0.09), 3), "text_lines": rng.randint(5, 50), "flags": flags}


def events(rng: random.Random, when: dt.datetime, batch: str, source: str, pages: list[int]) -> list[dict]:
    stamp = when.isoformat(timespec="seconds")
    return [
        {"type": "capture", "datetime": stamp, "agent": "scanner", "tool": "", "outcome": "success",
         "detail": f"scanned file {source} (batch {batch}), pages {pages}", "source_file": source,
         "source_sha256": hashlib.sha256(source.encode()).hexdigest(), "source_pages": pages},
        {"type": "separation", "datetime": stamp, "agent": "dsd", "tool": "dsd 0.1.0 (zxing-cpp, pyzbar)",
         "outcome": "success", "detail": f"separator sheet {source} page {pages[0] - 1} read by zxing (fast pass, "
                                         f"0°); document {rng.randint(1, 40)} of batch {batch}"},
        {"type": "ocr", "datetime": stamp, "agent": "dsd", "tool": "ocrmypdf 17.13.0 / tesseract 5.3.0",
         "outcome": "success", "detail": f"text recognised in nld+fra on {len(pages)} pages"},
        {"type": "format-conversion", "datetime": stamp, "agent": "dsd", "tool": "ocrmypdf 17.13.0 / tesseract "
                                                                                  "5.3.0",
         "outcome": "success", "detail": "converted to PDF/A-2b"},
        {"type": "signing", "datetime": stamp, "agent": "dsd", "tool": "pyhanko 0.38.0", "outcome": "success",
         "detail": f"PAdES {rng.choice(('B-B', 'B-T', 'B-LTA'))} signature by Sociaal Huis archive key"},
    ]


def split_pages(rng: random.Random, total: int, documents: int) -> list[int]:
    cuts = sorted(rng.sample(range(1, total), documents - 1)) if documents > 1 else []
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def make_bag(archive: Path, profile, rng: random.Random, number: int, pages: int, when: dt.datetime,
             batch: str) -> list[tuple[str, int]]:
    """One dossier bag; returns (doc_type, pages) per document for the journal."""
    dossier = f"SD/{2000 + number % 25}/{number:06d}"
    documents = max(1, min(pages, rng.randint(4, 16)))
    types = list(profile.document_types)
    record = new_record(dossier).to_dict()
    stamp = when.isoformat(timespec="seconds")
    source = f"scan-{number:06d}.pdf"
    made: list[tuple[str, int]] = []
    first = 2
    for i, count in enumerate(split_pages(rng, pages, documents), start=1):
        doc_type = rng.choice(types)
        page_numbers = list(range(first, first + count))
        first += count + 1
        doc = ArchivedDocument(dossier=dossier, doc_type=doc_type, pdf=Path("unused.pdf"), page_count=count,
                               sources=tuple(PageRef(Path(source), p - 1) for p in page_numbers), batch=batch,
                               languages=("nld", "fra"), scan_date=stamp,
                               events=tuple(events(rng, when, batch, source, page_numbers)))
        entry = document_entry(doc, profile, i, hashlib.sha256(f"{dossier}/{i}".encode()).hexdigest(),
                               count * 60_000, stamp).to_dict()
        entry["added_in_version"] = 1
        entry["events"].append(Event.dsd("packaging", stamp, "dsd run",
                                         f"stored as {entry['path']} in bag version 1").to_dict())
        entry["quality"] = [page_quality(rng, p) for p in range(1, count + 1)]
        record["documents"].append(entry)
        made.append((doc_type, count))
    record["version"] = rng.choice((1, 1, 1, 2, 3))
    record["versions"] = [{"version": v, "date": stamp, "agent": "dsd run", "added": [], "duplicates": []}
                          for v in range(1, record["version"] + 1)]
    closed = dt.date(2010 + number % 16, 1 + number % 12, 1 + number % 28) if rng.random() < 0.7 else None
    entry = RegisterEntry(dossier=dossier, closed=closed, legal_hold=rng.random() < 0.01)
    retention = dossier_retention(profile, [d["doc_type"] for d in record["documents"]], entry)
    fields = bag_info_fields(profile, dossier, BagRecord.from_dict(record), retention,
                             sum(d["size"] for d in record["documents"]), len(record["documents"]), when)
    if rng.random() < 0.005:  # a tombstone: disposed of, its documents moved to "disposed"
        record["disposed"] = [{**{k: v for k, v in d.items() if k != "events"}, "disposed": stamp}
                              for d in record["documents"]]
        record["documents"] = []
        fields = [*fields, ("Disposal-Date", when.date().isoformat()), ("Disposal-Approval", "CBS-2026-01")]
    bag = dossier_path(archive, dossier)
    (bag / "metadata").mkdir(parents=True)
    (bag / "bagit.txt").write_text(BAGIT_TXT, encoding="utf-8")
    (bag / DOCUMENTS_JSON).write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_bag_info(bag, fields)
    lines = [f"{hashlib.sha256((bag / rel).read_bytes()).hexdigest()}  {rel}\n"
             for rel in ("bag-info.txt", "bagit.txt", DOCUMENTS_JSON)]
    (bag / "tagmanifest-sha256.txt").write_text("".join(lines), encoding="utf-8")
    return made


def write_audit_log(log: Path, dossiers: int) -> None:
    """What `dsd run` leaves: an entry per packaged dossier, hash-chained as dsd_cli.audit writes them (in one
    write here, not one fsync per entry)."""
    previous, lines = GENESIS, []
    for number in range(dossiers):
        entry = {"seq": number + 1, "time": START.isoformat(timespec="seconds"), "user": "operator",
                 "host": "scan01", "action": "dossier-packaged", "dossier": f"SD/{2000 + number % 25}/{number:06d}",
                 "detail": {"version": 1, "documents": 10}, "prev": previous}
        entry["hash"] = previous = _entry_hash(entry)
        lines.append(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
    log.write_text("".join(lines), encoding="utf-8")


def generate(archive: Path, dossiers: int, pages: int, seed: int = 17) -> None:
    rng = random.Random(seed)
    profile = load_profile()
    layout = ArchiveLayout(archive)
    layout.ensure()
    journal = Journal(layout.journal)
    per_dossier = pages // dossiers
    page_rows: list[tuple] = []
    doc_rows: list[tuple] = []
    batch_rows: list[tuple] = []
    quarantine_rows: list[tuple] = []
    batches = max(1, dossiers // 10)
    started = time.perf_counter()
    for b in range(batches):
        when = START + dt.timedelta(hours=8 * b)
        batch = f"b-{b:020d}"
        batch_rows.append((batch, f"scan-batch-{b:05d}", "done", 1 + b // 10, when.timestamp(),
                           when.timestamp() + 3000))
        for number in range(b * 10, min(dossiers, (b + 1) * 10)):
            count = max(1, per_dossier + rng.randint(-20, 20))
            sha = hashlib.sha256(f"source-{number}".encode()).hexdigest()
            made = make_bag(archive, profile, rng, number, count, when, batch)
            index = 0
            for seq, (doc_type, doc_pages) in enumerate(made, start=1):
                doc_id = f"{batch}-{number:06d}-{seq:02d}"
                page_rows.append((batch, sha, index, "separator", None, "dsd"))
                index += 1
                page_rows += [(batch, sha, index + i, "content", doc_id, None) for i in range(doc_pages)]
                index += doc_pages
                if rng.random() < 0.1:
                    page_rows.append((batch, sha, index, "dropped", None, rng.choice(("blank", "duplex-back"))))
                    index += 1
                doc_rows.append((doc_id, batch, seq, f"SD/{number:06d}", doc_type, doc_pages, "{}", "packaged",
                                 "[]", when.timestamp() + 1800 + seq))
            if rng.random() < 0.05:
                reason = rng.choice(("before-first-separator", "unknown-dossier", "unreadable-separator"))
                page_rows += [(batch, sha, index + i, "unassigned", None, reason) for i in range(3)]
                quarantine_rows.append((batch, batch, reason, "pages belong to no document", "quarantine/x.pdf",
                                        3, when.timestamp()))
        if b % 200 == 0:
            print(f"  generated {min(dossiers, (b + 1) * 10)} of {dossiers} dossiers "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
    with journal.transaction() as db:
        db.executemany("INSERT INTO batches(id, label, state, run_id, created, finished) VALUES (?, ?, ?, ?, ?, ?)",
                       batch_rows)
        db.executemany("INSERT INTO pages(batch_id, source_sha256, page_index, role, document_id, reason)"
                       " VALUES (?, ?, ?, ?, ?, ?)", page_rows)
        db.executemany("INSERT INTO documents(id, batch_id, sequence, dossier, doc_type, pages, plan, state, events,"
                       " updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", doc_rows)
        db.executemany("INSERT INTO quarantine(batch_id, source, reason, message, path, pages, created)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?)", quarantine_rows)
        for run in range(1, batches // 10 + 2):
            begin = (START + dt.timedelta(hours=80 * (run - 1))).timestamp()
            db.execute("INSERT INTO runs(id, started, finished, status, command, host, user) VALUES"
                       " (?, ?, ?, 'done', 'dsd run /scans', 'scan01', 'operator')", (run, begin, begin + 80 * 3600))
    journal.close()
    write_audit_log(layout.audit_log, dossiers)
    names = sorted(p.name for p in archive.iterdir() if (p / "bagit.txt").is_file())
    for days in (40, 5):
        report = VerifyReport(ok=True, details={"bags": [{"bag": n, "path": str(archive / n), "ok": True}
                                                         for n in names]})
        record_verification(archive, report, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=days))
    print(f"  {len(page_rows)} page rows, {len(doc_rows)} documents, {len(names)} bags "
          f"({time.perf_counter() - started:.0f} s)", flush=True)


def timed(args: list[str]) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds of the command and its worker processes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "dsd_cli", *args], capture_output=True, text=True, cwd=REPO,
                          check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"dsd {' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--pages", type=int, default=2_000_000)
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this folder and keep it")
    parser.add_argument("--repeat", type=int, default=2, help="rounds; each figure is the best round")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="dsd-stats-bench-"))
    archive = folder / "archive"
    try:
        if not archive.exists():
            print(f"generating {args.dossiers} dossiers / {args.pages} pages in {archive}", flush=True)
            generate(archive, args.dossiers, args.pages)
        size = sum(f.stat().st_size for f in archive.rglob("documents.json"))
        journal = (archive / ".dsd" / "journal.sqlite").stat().st_size
        print(f"records: {size / 1e9:.2f} GB of documents.json, journal {journal / 1e6:.0f} MB")
        cache = archive / ".dsd" / "stats-cache.msgpack"
        load_before = os.getloadavg()
        cold, warm, report = [], [], []
        for _ in range(args.repeat):
            cache.unlink(missing_ok=True)
            cold.append(timed(["stats", "--archive", str(archive), "--json"]))
            warm.append(timed(["stats", "--archive", str(archive), "--json"]))
            report.append(timed(["stats", "--archive", str(archive), "--report", str(folder / "stats.html")]))
        load_after = os.getloadavg()
        print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
              f"after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} ({os.cpu_count()} cores)")
        for label, runs in (("dsd stats --json, every record read (no cache)", cold),
                            ("dsd stats --json, cache from the run before", warm),
                            ("dsd stats --report (charts), with the cache", report)):
            wall, cpu = min(runs)
            print(f"{label:<48} {wall:6.2f} s wall, {cpu:6.2f} s CPU")
        verdict = "met" if max(min(cold)[0], min(warm)[0], min(report)[0]) <= 10 else "NOT met"
        print(f"target <= 10 s (wall): {verdict}")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
