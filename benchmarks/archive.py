"""What the archive inventory costs a bag change as an archive grows.

    .venv/bin/python benchmarks/archive.py                        # 1, 10,000 and 50,000 dossiers
    .venv/bin/python benchmarks/archive.py --dossiers 1,100000 --changes 10

Each bag version rewrites audit/inventory.json (one line per dossier) and appends an audit entry carrying its
SHA-256. The benchmark makes one real dossier bag, lists N-1 more dossiers in the inventory (entries only: their
bags are not needed to time the rewrite), then times legal holds placed and lifted on the real dossier — each a
complete bag version: checks, staging, METS, manifests, fsyncs, swap, inventory, audit log. It prints the mean
time per version, the part the inventory adds over a one-dossier archive, the inventory's size, and the time to
load it (once per command).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

import pikepdf

from dsd_cli.archive.inventory import InventoryEntry, read_inventory
from dsd_cli.archive.layout import ArchiveLayout
from dsd_cli.archive.package import package_dossier
from dsd_cli.archive.session import ArchiveSession
from dsd_cli.models import ArchivedDocument, PageRef
from dsd_cli.profiles import load_profile
from dsd_cli.register import RegisterEntry
from dsd_cli.retention.hold import set_legal_hold

DOSSIER = "SD/2026/0001"


def _archive(root: Path, dossiers: int) -> Path:
    pdf = root / "brief.pdf"
    doc = pikepdf.new()
    doc.add_blank_page()
    doc.save(pdf)
    archive = root / "archive"
    document = ArchivedDocument(dossier=DOSSIER, doc_type="briefwisseling", pdf=pdf, page_count=1,
                                sources=(PageRef(pdf, 0),), batch="bench")
    package_dossier(archive, DOSSIER, [document], load_profile(), RegisterEntry(DOSSIER, closed=dt.date(2026, 1, 1)))
    with ArchiveSession.open(archive) as session:
        inventory = session.inventory_for_change()
        real = inventory.dossiers[DOSSIER]
        entries = {f"SD/2020/{n:06d}": InventoryEntry(f"SD/2020/{n:06d}", f"SD~2F2020~2F{n:06d}", 3, real.tagmanifest,
                                                      real.tagmanifest_sha256, real.recorded)
                   for n in range(1, dossiers)}
        inventory = dataclasses.replace(inventory, dossiers={**entries, DOSSIER: real}, _lines={})
        session._record("", {"change": "benchmark entries"}, inventory)  # entries only, no bags behind them
    return archive


def _time_changes(archive: Path, changes: int) -> list[float]:
    times = []
    for n in range(changes):
        start = time.perf_counter()
        set_legal_hold(archive, DOSSIER, n % 2 == 0, "benchmark")
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", default="1,10000,50000", help="comma-separated archive sizes")
    parser.add_argument("--changes", type=int, default=6, help="bag versions timed per size")
    args = parser.parse_args()
    print(f"{'dossiers':>9} {'inventory':>10} {'load':>8} {'per bag version':>16} {'inventory share':>16}")
    base = None
    for size in (int(s) for s in args.dossiers.split(",")):
        with tempfile.TemporaryDirectory(prefix="dsd-bench-archive-") as tmp:
            archive = _archive(Path(tmp), size)
            layout = ArchiveLayout(archive)
            start = time.perf_counter()
            read_inventory(layout)
            load = time.perf_counter() - start
            mean = statistics.mean(_time_changes(archive, args.changes))
            base = mean if base is None else base
            print(f"{size:>9} {layout.inventory.stat().st_size / 1e6:>8.1f}MB {load * 1000:>6.0f}ms "
                  f"{mean * 1000:>14.0f}ms {(mean - base) * 1000:>14.0f}ms")


if __name__ == "__main__":
    main()
