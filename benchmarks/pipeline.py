"""Pipeline throughput and memory: `dsd run` against plain OCRmyPDF on the same pages, in the same run.

    .venv/bin/python benchmarks/pipeline.py --pages 40 --workers 2
    .venv/bin/python benchmarks/pipeline.py --rss 100,1000        # peak RSS of dsd run for two batch sizes
    .venv/bin/python benchmarks/pipeline.py --cluster --pages 60  # local pool vs Dask, and streaming

Generates a scanner-style PDF (200 dpi greyscale JPEG pages): every document is a dsd separator sheet followed by
letter pages in Dutch or French. Then times
  1. `ocrmypdf --jobs N --output-type pdfa` over that PDF (what a team would run by hand),
  2. the same with `--deskew --rotate-pages`, the preprocessing the default profile asks for, and
  3. `dsd run PDF --archive DIR --workers N` (split, OCR to PDF/A, sign, package, verify) with the default
     profile, and
  4. the same with a copy of the profile whose OCR does no preprocessing (rotate_pages = deskew = false), so that
     it does the OCR work of plain OCRmyPDF,
and prints pages/s and the ratios of like with like (target: dsd >= 0.9 x OCRmyPDF doing the same OCR work).
With --rss it runs dsd on batches of the given sizes and prints the peak resident memory of the dsd process and
of its whole process tree (dsd, its workers and the OCR programs they run) (target: 1,000 pages <= 1.5 x 100).
With --cluster it runs `dsd run` twice on the same batch with the same number of worker processes: on the local
pool, and on a Dask cluster on this machine (`dask scheduler` and N `dask worker --nthreads 1` processes, started
and warmed up before the clock starts), and prints the throughput of both (target: Dask overhead <= 5 %) and the
pages archived over time, read from the journal while the run goes on (streaming: the first dossier is archived
long before the last page is OCR'd), with the CPU seconds every process of each run used (dsd and its workers;
for Dask also the scheduler, the workers and their helpers): the CPU figure says what Dask's machinery costs even
on a busy machine. `--repeat N` alternates N rounds and keeps the best time of each. It prints the machine's load
average too: measure the times on a quiet machine.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import img2pdf
import pypdfium2
from PIL import Image, ImageDraw, ImageFont, ImageOps

from dsd_cli.profiles import load_profile
from dsd_cli.sheets.render import SheetSpec, write_sheets
from dsd_cli.tools.warm_fork import descendants

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
REPO = Path(__file__).resolve().parents[1]
DUTCH = ("Geachte mevrouw, geachte heer, wij hebben uw aanvraag voor een leefloon goed ontvangen. Het sociaal "
         "onderzoek werd afgerond en het bijzonder comité voor de sociale dienst heeft uw dossier besproken.")
FRENCH = ("Madame, Monsieur, nous avons bien reçu votre demande de revenu d'intégration. L'enquête sociale est "
          "terminée et le comité spécial du service social a examiné votre dossier.")
DPI = 200


def letter_page(rng: random.Random, n: int) -> Image.Image:
    page = Image.new("L", (int(8.27 * DPI), int(11.69 * DPI)), 250)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 30)
    text = DUTCH if n % 3 else FRENCH
    y = 250
    for _ in range(6):
        words, line = text.split(), ""
        for word in words:
            if len(line) + len(word) > 60:
                draw.text((150, y), line, font=font, fill=20)
                y += 45
                line = ""
            line += word + " "
        draw.text((150, y), line, font=font, fill=20)
        y += 90
    return page.rotate(rng.uniform(-1, 1), fillcolor=250)


def sheet_images(count: int, tmp: Path) -> list[Image.Image]:
    specs = [SheetSpec(dossier=f"SD/2026/{i:04d}", doc_type="briefwisseling") for i in range(count)]
    pdf_path = tmp / "sheets.pdf"
    write_sheets(specs, pdf_path, load_profile())
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    images = [ImageOps.grayscale(page.render(scale=DPI / 72).to_pil()) for page in pdf]
    pdf.close()
    return images


def make_batch(pages: int, path: Path, per_document: int = 4) -> int:
    """A scanner PDF with `pages` pages in total (separator sheets included). Returns the content page count."""
    rng = random.Random(pages)
    documents = max(1, pages // (per_document + 1))
    sheets = sheet_images(documents, path.parent)
    jpegs: list[bytes] = []
    content = 0
    for d in range(documents):
        for image in [sheets[d]] + [letter_page(rng, d * per_document + i) for i in range(per_document)]:
            if len(jpegs) >= pages:
                break
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=75, dpi=(DPI, DPI))
            jpegs.append(buffer.getvalue())
            content += image is not sheets[d]
    path.write_bytes(img2pdf.convert(jpegs))
    return content


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0,):
        sys.stderr.write(proc.stderr[-2000:])
    return elapsed, proc.returncode


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def peak_rss_kib(cmd: list[str]) -> tuple[int, int, int]:
    """Run `cmd`; return the peak resident set of its process (VmHWM), the peak of the summed resident sets of
    its whole process tree (sampled every 50 ms), and its exit code."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = tree_peak = 0

    def poll() -> None:
        nonlocal peak, tree_peak
        while proc.poll() is None:
            peak = max(peak, _status_kib(proc.pid, "VmHWM:"))
            tree_peak = max(tree_peak, sum(_status_kib(p, "VmRSS:") for p in [proc.pid, *descendants(proc.pid)]))
            time.sleep(0.05)

    thread = threading.Thread(target=poll)
    thread.start()
    proc.wait()
    thread.join()
    return peak, tree_peak, proc.returncode


def journal_counts(archive: Path) -> tuple[int, int, int]:
    """(pages archived, pages not yet OCR'd, pages in all) from a running dsd's journal; zeros before it exists."""
    import sqlite3

    journal = archive / ".dsd" / "journal.sqlite"
    if not journal.exists():
        return 0, 0, 0
    try:
        db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=1)
        try:
            rows = dict(db.execute("SELECT state, COALESCE(SUM(pages), 0) FROM documents GROUP BY state"))
        finally:
            db.close()
    except sqlite3.Error:
        return 0, 0, 0
    return rows.get("packaged", 0), rows.get("planned", 0), sum(rows.values())


def timed_run(cmd: list[str], archive: Path) -> tuple[float, int, list[tuple[float, int, int, int]]]:
    """Run `cmd`, sampling the journal every 0.25 s: (seconds, exit code, [(t, archived, not OCR'd, total)])."""
    samples: list[tuple[float, int, int, int]] = []
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's dsd, also for `python -m dsd_cli`
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    stderr: list[str] = []
    reader = threading.Thread(target=lambda: stderr.append(proc.stderr.read() if proc.stderr else ""))
    reader.start()
    while proc.poll() is None:
        samples.append((time.perf_counter() - start, *journal_counts(archive)))
        time.sleep(0.25)
    elapsed = time.perf_counter() - start
    reader.join()
    samples.append((elapsed, *journal_counts(archive)))
    if proc.returncode:
        sys.stderr.write("".join(stderr)[-2000:])
    return elapsed, proc.returncode, samples


def streaming_figures(samples: list[tuple[float, int, int, int]]) -> tuple[float, float]:
    """(seconds until the first pages were archived, seconds until no page was left to OCR)."""
    first = next((t for t, archived, _, _ in samples if archived), float("nan"))
    ocr_done = next((t for t, _, left, total in samples if total and not left), float("nan"))
    return first, ocr_done


def start_dask(tmp: Path, workers: int, bin_dir: Path) -> tuple[str, list[subprocess.Popen]]:
    """A scheduler and `workers` single-threaded workers on this machine, each worker in its own empty folder."""
    scheduler_file = tmp / "scheduler.json"
    # The settings of docs/operations.md's systemd units: Dask's profiler and fast monitors cost CPU the OCR needs.
    env = {**os.environ, "PYTHONPATH": str(REPO), "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0",
           "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False", "DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL": "1s",
           "DASK_DISTRIBUTED__SCHEDULER__WORK_STEALING": "False",
           "DASK_DISTRIBUTED__WORKER__MEMORY__MONITOR_INTERVAL": "1s",
           "DASK_DISTRIBUTED__ADMIN__SYSTEM_MONITOR__INTERVAL": "2s"}
    procs = [subprocess.Popen([str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(scheduler_file)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)]
    while not scheduler_file.exists():
        time.sleep(0.1)
    import json

    address = json.loads(scheduler_file.read_text())["address"]
    for n in range(workers):
        folder = tmp / f"worker-{n}"
        folder.mkdir()
        procs.append(subprocess.Popen([str(bin_dir / "dask"), "worker", address, "--nthreads", "1",
                                       "--no-dashboard"], cwd=folder, env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, start_new_session=True))
    from distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(workers, timeout=120)
    return address, procs


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a live process and its children that ended have used (/proc/PID/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def cluster_cpu(procs: list[subprocess.Popen]) -> dict[int, float]:
    """CPU seconds so far of every process of the Dask cluster: scheduler, workers (nanny and worker) and the dsd
    helper processes that run the OCR on the workers."""
    pids = [p.pid for p in procs]
    return {pid: _cpu_seconds(pid) for pid in [*pids, *(d for pid in pids for d in descendants(pid))]}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cluster_benchmark(pages: int, workers: int, tmp: Path, bin_dir: Path, repeat: int) -> None:
    import signal

    batch = tmp / "batch.pdf"
    content = make_batch(pages, batch, per_document=2)
    print(f"batch: {pages} pages ({content} content pages, {pages - content} dossiers), {workers} worker "
          f"processes, best of {repeat} alternating rounds; load average before: {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} cores")
    results: dict[str, tuple[float, int, list[tuple[float, int, int, int]], float]] = {}
    cpu: dict[str, float] = {}
    address, procs = start_dask(tmp, workers, bin_dir)
    try:
        for _ in range(repeat):
            for name, extra in (("local pool", []), ("dask", ["--cluster", address])):
                archive = tmp / f"archive-{name.split()[0]}"
                cmd = [sys.executable, "-m", "dsd_cli", "run", str(batch), "--archive", str(archive), "--workers",
                       str(workers), "--quiet", "--log-format", "plain", *extra]
                cluster_before, children_before = cluster_cpu(procs), _children_cpu()
                outcome = (*timed_run(cmd, archive), os.getloadavg()[0])
                cluster_after = cluster_cpu(procs)
                # The local run's workers are dsd's children; the Dask run's OCR is on the cluster's processes.
                used = _children_cpu() - children_before + sum(
                    cluster_after[pid] - cluster_before.get(pid, 0.0) for pid in cluster_after)
                if name not in results or outcome[0] < results[name][0]:
                    results[name], cpu[name] = outcome, used
                shutil.rmtree(archive, ignore_errors=True)
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    print(f"{'executor':<12} {'seconds':>8} {'pages/s':>8} {'CPU s':>7} {'first archived':>15} {'all OCR done':>13} "
          f"{'load after':>10}")
    for name, (seconds, code, samples, load) in results.items():
        first, ocr_done = streaming_figures(samples)
        print(f"{name:<12} {seconds:>8.1f} {pages / seconds:>8.2f} {cpu[name]:>7.1f} {first:>14.1f}s "
              f"{ocr_done:>12.1f}s {load:>10.2f}   (exit {code})")
    local, dask = results["local pool"][0], results["dask"][0]
    print(f"Dask overhead: {(dask / local - 1) * 100:+.1f} % of the time (target <= 5 %), "
          f"{(cpu['dask'] / cpu['local pool'] - 1) * 100:+.1f} % of the CPU (every process of the run, the cluster's "
          f"included)")
    for name, (seconds, _, samples, _) in results.items():
        total = max(s[3] for s in samples) or 1
        marks = []
        for tenth in range(1, 11):
            t = seconds * tenth / 10
            archived = max((a for ts, a, _, _ in samples if ts <= t), default=0)
            marks.append(f"{archived * 100 // total:>3}%")
        print(f"pages archived at 10 %, 20 %, ... 100 % of the {name} run's time: {' '.join(marks)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rss", default="", help="comma-separated batch sizes for the memory measurement")
    parser.add_argument("--cluster", action="store_true", help="local pool vs Dask on this machine, and streaming")
    parser.add_argument("--repeat", type=int, default=1, help="with --cluster: rounds of both runs (best of)")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="dsd-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if args.cluster:
            cluster_benchmark(args.pages, args.workers, tmp, bin_dir, args.repeat)
            return
        if args.rss:
            print(f"{'pages':>7} {'peak RSS of dsd (MiB)':>22} {'peak RSS of its process tree (MiB)':>36}")
            results = {}
            for size in (int(s) for s in args.rss.split(",")):
                batch = tmp / f"batch-{size}.pdf"
                make_batch(size, batch)
                archive = tmp / f"archive-{size}"
                peak, tree_peak, code = peak_rss_kib([str(bin_dir / "dsd"), "run", str(batch), "--archive",
                                                      str(archive), "--workers", str(args.workers), "--no-sign",
                                                      "--quiet", "--log-format", "plain"])
                results[size] = (peak, tree_peak)
                print(f"{size:>7} {peak / 1024:>22.1f} {tree_peak / 1024:>36.1f}   (exit {code})")
                shutil.rmtree(archive, ignore_errors=True)
                batch.unlink()
            sizes = sorted(results)
            if len(sizes) >= 2:
                big, small = results[sizes[-1]], results[sizes[0]]
                print(f"ratio {sizes[-1]}/{sizes[0]} pages: dsd {big[0] / small[0]:.2f}, process tree "
                      f"{big[1] / small[1]:.2f} (target <= 1.5)")
            return
        batch = tmp / "batch.pdf"
        content = make_batch(args.pages, batch)
        print(f"batch: {args.pages} pages ({content} content pages), {args.workers} workers")
        base = [str(bin_dir / "ocrmypdf"), "--jobs", str(args.workers), "--output-type", "pdfa", "-l", "nld+fra",
                "--quiet"]
        t_ocr, code_ocr = timed([*base, str(batch), str(tmp / "ocrmypdf-out.pdf")])
        # The default profile also straightens and turns pages (--deskew --rotate-pages): the same work, timed.
        t_same, code_same = timed([*base, "--deskew", "--rotate-pages", str(batch), str(tmp / "ocrmypdf-2.pdf")])
        archive = tmp / "archive"
        t_dsd, code_dsd = timed([str(bin_dir / "dsd"), "run", str(batch), "--archive", str(archive),
                                 "--workers", str(args.workers), "--quiet", "--log-format", "plain"])
        shutil.rmtree(archive, ignore_errors=True)
        plain_profile = tmp / "plain-ocr.toml"
        plain_profile.write_text(no_preprocessing(Path(load_profile().source).read_text(encoding="utf-8")),
                                 encoding="utf-8")
        t_dsd_plain, code_dsd_plain = timed([str(bin_dir / "dsd"), "run", str(batch), "--archive", str(archive),
                                             "--workers", str(args.workers), "--profile", str(plain_profile),
                                             "--quiet", "--log-format", "plain"])
        print(f"{'tool':<34} {'seconds':>8} {'pages/s':>8}")
        print(f"{'ocrmypdf --jobs N --output-type pdfa':<34} {t_ocr:>8.1f} {args.pages / t_ocr:>8.2f}"
              f"   (exit {code_ocr})")
        print(f"{'ocrmypdf ... --deskew --rotate-pages':<34} {t_same:>8.1f} {args.pages / t_same:>8.2f}"
              f"   (exit {code_same})")
        print(f"{'dsd run --workers N (all stages)':<34} {t_dsd:>8.1f} {args.pages / t_dsd:>8.2f}"
              f"   (exit {code_dsd})")
        print(f"{'dsd run, OCR without preprocessing':<34} {t_dsd_plain:>8.1f} {args.pages / t_dsd_plain:>8.2f}"
              f"   (exit {code_dsd_plain})")
        print(f"like with like (target >= 0.9): dsd / ocrmypdf, both with the profile's preprocessing: "
              f"{t_same / t_dsd:.2f}; both without: {t_ocr / t_dsd_plain:.2f}")
        print(f"cost of the default profile's preprocessing: dsd / plain ocrmypdf {t_ocr / t_dsd:.2f}")


def no_preprocessing(profile_toml: str) -> str:
    """The profile with rotate_pages and deskew switched off (the OCR work of plain OCRmyPDF)."""
    lines = []
    for line in profile_toml.splitlines():
        key = line.split("=")[0].strip()
        lines.append(f"{key} = false" if key in ("rotate_pages", "deskew") else line)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
