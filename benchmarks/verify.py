"""Verification speed: `dsd verify` against `bagit.py --validate` (with and without --processes) and the machine's
raw SHA-256 rate, on the same bags, in the same run.

    .venv/bin/python benchmarks/verify.py                      # 400 files / 400 MB and 20,000 small files
    .venv/bin/python benchmarks/verify.py --big-mb 1000        # the 1 GB case

Both bags are made with sha256 and sha512 manifests (as dsd writes them), so both tools compute the same digests.
The page cache is warmed first (each figure is the best of --repeat runs). Targets: dsd >= 2 x faster than
`bagit.py --validate --processes <cores>`, and >= 0.8 x the raw rate of sha256+sha512 over all cores.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bagit


def make_bag(folder: Path, files: int, size: int) -> Path:
    data = folder / "src"
    data.mkdir(parents=True)
    block = os.urandom(min(size, 1 << 20))
    for i in range(files):
        with open(data / f"file-{i:05d}.bin", "wb") as handle:
            left = size
            while left > 0:
                handle.write(block[: min(left, len(block))])
                left -= len(block)
            handle.write(i.to_bytes(4, "big"))
    bagit.make_bag(str(data), checksums=["sha256", "sha512"], processes=os.cpu_count() or 1)
    return data


def best(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            sys.stderr.write(f"{cmd[0]} exited {proc.returncode}: {proc.stderr[-500:]}\n")
    return min(times)


def raw_rate(bag: Path, workers: int) -> float:
    """Seconds to sha256+sha512 every payload file with `workers` threads: the machine's limit."""
    files = sorted((bag / "data").rglob("*"))

    def digest(path: Path) -> None:
        a, b = hashlib.sha256(), hashlib.sha512()
        with open(path, "rb") as handle:
            while chunk := handle.read(4 << 20):
                a.update(chunk)
                b.update(chunk)

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(digest, files))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big-mb", type=int, default=400, help="total size of the big-file bag (400 files)")
    parser.add_argument("--small-files", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="dsd-verify-bench-") as tmp:
        cases = [("400 files", Path(tmp) / "big", 400, args.big_mb * (1 << 20) // 400),
                 (f"{args.small_files} small files", Path(tmp) / "small", args.small_files, 4096)]
        print(f"{'bag':<20} {'tool':<36} {'seconds':>8} {'MB/s':>8} {'vs dsd':>7}")
        for label, folder, files, size in cases:
            bag = make_bag(folder, files, size)
            total = files * size / 1e6
            raw = raw_rate(bag, cores)
            raw = min(raw, raw_rate(bag, cores))
            dsd = best([str(bin_dir / "dsd"), "verify", str(bag), "--json"], args.repeat)
            single = best([str(bin_dir / "bagit.py"), "--validate", "--quiet", str(bag)], 1)
            multi = best([str(bin_dir / "bagit.py"), "--validate", "--quiet", "--processes", str(cores), str(bag)],
                         args.repeat)
            for tool, seconds in ((f"raw sha256+sha512, {cores} threads", raw), ("dsd verify", dsd),
                                  ("bagit.py --validate", single),
                                  (f"bagit.py --validate --processes {cores}", multi)):
                print(f"{label:<20} {tool:<36} {seconds:>8.2f} {total / seconds:>8.1f} {seconds / dsd:>6.2f}x")
            print(f"{label:<20} dsd vs bagit.py --processes {cores}: {multi / dsd:.2f}x faster (target >= 2); "
                  f"dsd / raw rate: {raw / dsd:.2f} (target >= 0.8)")


if __name__ == "__main__":
    main()
