"""Start-up time of the `dsd` command: what a user waits for before any work begins.

    .venv/bin/python benchmarks/startup.py              # best of 7
    .venv/bin/python benchmarks/startup.py --runs 15

Rows: `python -c pass` (the interpreter alone, for reference), then dsd command lines that do no work of their own —
help, an argument error, `dsd verify` of a missing path (refused before the verification library loads) — and
`dsd verify` of a bag of one small file (fixity only, and full: the whole verification library, almost no work),
each as
  import   Python time spent importing (sum of `python -X importtime`'s top-level lines), the target: <= 100 ms
  cpu      user + system CPU time of the whole process, interpreter start included
  wall     elapsed time
best of N runs taken in turns, so other work on the machine distorts the figures as little as possible.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _import_seconds(stderr: str) -> float:
    """Sum of the cumulative times of the top-level imports (the lines indented by one space only)."""
    total = 0
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        _, cumulative, name = line.split("|")
        if name.startswith(" ") and not name.startswith("  ") and cumulative.strip().isdigit():
            total += int(cumulative)
    return total / 1e6


def measure_once(argv: list[str]) -> tuple[float, float, float]:
    """(import, cpu, wall) seconds of one run of `python -X importtime ARGV`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-X", "importtime", *argv], capture_output=True, text=True, cwd=REPO,
                          check=False, env={**os.environ, "COLUMNS": "100", "NO_COLOR": "1"})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return _import_seconds(proc.stderr), cpu, wall


def measure(rows: list[tuple[str, list[str]]], runs: int) -> dict[str, list[float]]:
    """Best (import, cpu, wall) of `runs` per row. The rows take turns, run after run, so a burst of other work
    on the machine slows one sample of every row instead of every sample of one row."""
    best = {label: [float("inf")] * 3 for label, _ in rows}
    for _ in range(runs):
        for label, argv in rows:
            best[label] = [min(b, f) for b, f in zip(best[label], measure_once(argv), strict=True)]
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    missing = Path(tempfile.gettempdir()) / "dsd-startup-benchmark-missing.pdf"
    tiny_bag = Path(tempfile.mkdtemp(prefix="dsd-startup-bag-"))
    (tiny_bag / "letter.txt").write_text("one small file\n")
    import bagit

    bagit.make_bag(str(tiny_bag), checksums=["sha256", "sha512"])
    rows = [
        ("python -c pass", ["-c", "pass"]),
        ("dsd --help", ["-m", "dsd_cli", "--help"]),
        ("dsd verify --help", ["-m", "dsd_cli", "verify", "--help"]),
        ("dsd run --help", ["-m", "dsd_cli", "run", "--help"]),
        ("dsd status --help", ["-m", "dsd_cli", "status", "--help"]),
        ("dsd show --bad-option", ["-m", "dsd_cli", "show", "--bad-option"]),
        ("dsd verify MISSING", ["-m", "dsd_cli", "verify", str(missing)]),
        ("dsd verify BAG --fixity", ["-m", "dsd_cli", "verify", str(tiny_bag), "--fixity-only", "--json"]),
        ("dsd verify BAG", ["-m", "dsd_cli", "verify", str(tiny_bag), "--json"]),
    ]
    print(f"start-up, best of {args.runs} (target: import <= 100 ms)")
    print(f"{'command':<24} {'import ms':>10} {'cpu ms':>8} {'wall ms':>8}")
    for label, (imports, cpu, wall) in measure(rows, args.runs).items():
        print(f"{label:<24} {imports * 1000:>10.0f} {cpu * 1000:>8.0f} {wall * 1000:>8.0f}")
    import shutil

    shutil.rmtree(tiny_bag)


if __name__ == "__main__":
    main()
