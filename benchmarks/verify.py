"""Verification speed: `dsd verify` against `bagit.py --validate` (with and without --processes) and the machine's
raw hashlib rate over all cores, on the same bags, in the same run.

    .venv/bin/python benchmarks/verify.py                                  # 1 GB in 400 files, 20,000 small files
    .venv/bin/python benchmarks/verify.py --big-mb 100 --small-files 2000  # a quick look

Both bags are made by bagit-python with sha256 AND sha512 manifests (as dsd writes them), so every tool computes
the same two digests of every byte; the raw rate is hashlib's sha256+sha512 over the same files with one thread per
core (the ceiling for anyone), sha256 alone is shown for reference. The page cache is warmed first; each figure is
the best of --repeat rounds, each round running every tool once (so that a busy moment of a shared machine hits
every tool alike). `dsd verify` is timed as a command (`python -m dsd_cli` from this source tree, start-up
included) and as the library call `verify_paths`. The CPU seconds of each tool are shown too, and the machine's load
average before and after: on a shared, loaded machine the wall times say less than the CPU times.

Targets, as a command: on the big bag >= 1.0 x `bagit.py --validate --processes <cores>` and >= 0.9 x the raw
one-pass rate; on the small files >= 2 x `bagit.py --validate --processes <cores>`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bagit

from dsd_cli.verify import VerifyOptions, verify_paths

REPO = Path(__file__).resolve().parents[1]


def make_bag(folder: Path, files: int, size: int) -> Path:
    data = folder / "src"
    data.mkdir(parents=True)
    block = os.urandom(min(max(size, 1), 1 << 20))
    for i in range(files):
        with open(data / f"file-{i:05d}.bin", "wb") as handle:
            left = size
            while left > 0:
                handle.write(block[: min(left, len(block))])
                left -= len(block)
            handle.write(i.to_bytes(4, "big"))
    bagit.make_bag(str(data), checksums=["sha256", "sha512"], processes=os.cpu_count() or 1)
    return data


def cpu_seconds() -> float:
    """User and system time of this process and of its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(run: Callable[[], None]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run."""
    cpu, start = cpu_seconds(), time.perf_counter()
    run()
    return time.perf_counter() - start, cpu_seconds() - cpu


def command(cmd: list[str], ok_codes: tuple[int, ...] = (0,)) -> Callable[[], None]:
    def run() -> None:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=REPO)
        if proc.returncode not in ok_codes:
            raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr[-800:]}")
    return run


def raw(bag: Path, workers: int, algorithms: tuple[str, ...]) -> Callable[[], None]:
    """hashlib over every payload file, one thread per core: the machine's limit for these algorithms."""
    files = sorted(p for p in (bag / "data").rglob("*") if p.is_file())

    def digest(path: Path) -> None:  # read once, update every algorithm from the same chunk
        hashers = [hashlib.new(a) for a in algorithms]
        with open(path, "rb") as handle:
            while chunk := handle.read(4 << 20):
                for h in hashers:
                    h.update(chunk)

    def run() -> None:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(digest, files))
    return run


def library(bag: Path, workers: int) -> Callable[[], None]:
    def run() -> None:
        report = verify_paths([bag], VerifyOptions(workers=workers))
        if not report.ok:
            raise SystemExit(f"verify_paths found problems: {report.problems[:3]}")
    return run


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big-mb", type=int, default=1000, help="total size of the big-file bag (default 1000)")
    parser.add_argument("--big-files", type=int, default=400)
    parser.add_argument("--small-files", type=int, default=20000, help="files of --small-size bytes (0: skip)")
    parser.add_argument("--small-size", type=int, default=4096)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    cores = args.workers
    dsd = [sys.executable, "-m", "dsd_cli", "verify"]
    bagit_py = str(Path(sys.executable).parent / "bagit.py")
    print(f"{cores} workers on {os.cpu_count()} cores; bags made by bagit-python with sha256 and sha512 manifests; "
          f"best of {args.repeat}; load average (1, 5, 15 min) at the start: {load()}\n")
    with tempfile.TemporaryDirectory(prefix="dsd-verify-bench-") as tmp:
        cases = [("big", f"{args.big_files} files", Path(tmp) / "big", args.big_files,
                  args.big_mb * (1 << 20) // max(1, args.big_files))]
        if args.small_files:
            cases.append(("small", f"{args.small_files} small files", Path(tmp) / "small", args.small_files,
                          args.small_size))
        print(f"{'bag':<20} {'tool':<42} {'seconds':>8} {'MB/s':>8} {'CPU s':>7} {'vs dsd':>7}")
        for kind, label, folder, files, size in cases:
            bag = make_bag(folder, files, size)
            megabytes = files * (size + 4) / 1e6
            raw(bag, cores, ("sha256", "sha512"))()  # warm the page cache
            parallel = f"bagit.py --validate --processes {cores}"
            tools = [
                ("raw hashlib sha256, all cores", raw(bag, cores, ("sha256",))),
                ("raw hashlib sha256+sha512, all cores", raw(bag, cores, ("sha256", "sha512"))),
                ("dsd verify (command)", command([*dsd, str(bag), "--json", "--workers", str(cores)])),
                ("dsd verify --fixity-only (command)",
                 command([*dsd, str(bag), "--fixity-only", "--json", "--workers", str(cores)])),
                ("dsd verify_paths (library)", library(bag, cores)),
                ("dsd verify --fast (command)", command([*dsd, str(bag), "--fast", "--json"])),
                ("bagit.py --validate", command([bagit_py, "--validate", "--quiet", str(bag)])),
                (parallel, command([bagit_py, "--validate", "--quiet", "--processes", str(cores), str(bag)])),
            ]
            # Rounds over all tools, best of each: a busy moment of the machine hits every tool alike.
            wall = {name: float("inf") for name, _ in tools}
            cpu = {name: float("inf") for name, _ in tools}
            for _ in range(args.repeat):
                for name, run in tools:
                    seconds, used = timed(run)
                    wall[name], cpu[name] = min(wall[name], seconds), min(cpu[name], used)
            reference = wall["dsd verify (command)"]
            for tool, seconds in wall.items():
                print(f"{label:<20} {tool:<42} {seconds:>8.2f} {megabytes / seconds:>8.1f} {cpu[tool]:>7.2f} "
                      f"{seconds / reference:>6.2f}x")
            raw_rate = wall["raw hashlib sha256+sha512, all cores"]
            versus_bagit = wall[parallel] / reference
            if kind == "big":
                print(f"{label:<20} dsd verify (command) vs {parallel}: {versus_bagit:.2f}x (target >= 1.0), vs "
                      f"the raw one-pass rate: {raw_rate / reference:.2f}x (target >= 0.9); library "
                      f"{raw_rate / wall['dsd verify_paths (library)']:.2f}x the raw rate")
            else:
                print(f"{label:<20} dsd verify (command) vs {parallel}: {versus_bagit:.2f}x (target >= 2), vs "
                      f"bagit.py --validate: {wall['bagit.py --validate'] / reference:.2f}x; library vs raw "
                      f"{raw_rate / wall['dsd verify_paths (library)']:.2f}x")
            print(f"{'':<20} load average now: {load()}\n")


if __name__ == "__main__":
    main()
