"""OCR benchmark: dsd's engines against the Tesseract limit and OCRmyPDF, per page class, in the same run.

    .venv/bin/python benchmarks/ocr.py                  # 4 pages per class, a few minutes on 2 cores
    .venv/bin/python benchmarks/ocr.py --pages 2 --a5 --classes clean-300,speckled-300 --no-run
    .venv/bin/python benchmarks/ocr.py --pages 16 --seed 17 --classes worn-150 --rows ocrmypdf+ --no-run

Generates pages of known text (benchmarks/ocrpages.py): clean 300 dpi, worn 150 and 300 dpi, speckled, turned by
a quarter or a half, skewed, Group 4 bilevel and colour JPEG, each written as a scanner writes it and assembled
into image PDFs as `dsd run` does (documents of two pages). Then, per class, with one worker per core:
  limit        the `tesseract` command (nld+fra, hOCR, OMP_THREAD_LIMIT=1), one process per page, on each page
               rasterised beforehand (pdfium) to a greyscale PNG at its own resolution
  ocrmypdf     `ocrmypdf -l nld+fra --output-type pdfa -j N` on each document
  ocrmypdf+    the same with --deskew --rotate-pages
  dsd-tess     dsd's tesseract engine (default profile: orientation and skew on), workers kept between documents
  dsd-omp      dsd's ocrmypdf engine
and prints pages/s, the ratio to the limit, word recall against the known text (from the text layer, or the
hOCR for the limit) and the peak memory of one worker (proportional set size of its process tree). Finally
`dsd run` end to end (split, OCR, sign with the demo key, package, verify) over all classes, with separator
sheets, against the limit.
Targets (default profile): dsd-tess >= 0.8 x limit on every class and >= 3 x ocrmypdf+ overall, no class more
than 2 x a clean page, dsd run >= 0.7 x limit, recall on worn-150 >= ocrmypdf's with --deskew and >= 0.995 on
clean-300, turned pages upright.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import img2pdf
import pypdfium2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.ocrpages import CLASSES, encode, word_recall
from dsd_cli.models import PageRef
from dsd_cli.scan.assemble import write_pages_pdf
from dsd_cli.tools.warm_fork import descendants

LANGUAGES = "nld+fra"


@dataclass
class Sample:
    name: str
    documents: list[Path]
    pngs: list[Path]
    truths: list[list[str]]
    """Known words per page, in document order."""
    turned: list[int]


@dataclass
class Row:
    seconds: float
    recall: float
    rss_mib: float
    extra: dict[str, float] = field(default_factory=dict)


def _rss_kib(pid: int) -> int:
    """Proportional set size: a forked OCR child shares the worker's loaded models, counted once."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeSampler:
    """Peak memory (PSS) of one worker (a child of this process, with everything under it), sampled."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            for child in _children(me):
                self.peak = max(self.peak, sum(_rss_kib(p) for p in [child, *descendants(child)]))
            time.sleep(0.05)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(c) for c in task.read_text().split()]
        except (OSError, ValueError):
            pass
    return found


def build(name: str, make: Callable[..., tuple], pages: int, work: Path, size: dict, first_seed: int = 1
          ) -> Sample:
    folder = work / name
    folder.mkdir(parents=True)
    documents, pngs, truths, turned = [], [], [], []
    files: list[Path] = []
    dpi = 300
    for seed in range(first_seed, first_seed + pages):
        page, kind = make(seed, **size)
        dpi = page.dpi
        path = folder / f"{seed:03d}.{ {'jpeg': 'jpg', 'png': 'png', 'g4': 'tif'}[kind]}"
        path.write_bytes(encode(page, kind))
        files.append(path)
        truths.append(page.words)
        turned.append(page.turned % 360)
    for start in range(0, len(files), 2):
        pdf = folder / f"doc-{start // 2 + 1:03d}.pdf"
        write_pages_pdf([PageRef(source=f, index=0) for f in files[start:start + 2]], pdf)
        documents.append(pdf)
    for doc in documents:  # the limit's input: each page rasterised to greyscale PNG at its own resolution
        pdf = pypdfium2.PdfDocument(str(doc))
        for index in range(len(pdf)):
            page = pdf[index]
            png = folder / f"{doc.stem}-{index + 1}.png"
            page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L").save(png, dpi=(dpi, dpi))
            pngs.append(png)
        pdf.close()
    return Sample(name, documents, pngs, truths, turned)


def _hocr_words(path: Path) -> str:
    from lxml import html

    tree = html.fromstring(path.read_bytes())
    return " ".join(w.text_content() for w in tree.xpath("//*[@class='ocrx_word']"))


def run_limit(sample: Sample, cores: int, timeout: float) -> Row:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    stopped = []

    def one(png: Path) -> str:
        base = png.with_suffix("")
        try:
            subprocess.run(["tesseract", str(png), str(base), "-l", LANGUAGES, "hocr"], env=env, check=True,
                           capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:  # a pathological page: counted at the timeout, so the limit is flattered
            stopped.append(png)
            return ""
        return _hocr_words(base.with_suffix(".hocr"))

    with TreeSampler() as sampler:
        start = time.perf_counter()
        with ThreadPoolExecutor(cores) as pool:
            texts = list(pool.map(one, sample.pngs))
        seconds = time.perf_counter() - start
    recall = sum(word_recall(t, x) for t, x in zip(sample.truths, texts, strict=True)) / len(texts)
    return Row(seconds, recall, sampler.peak / 1024, {"pages stopped at the timeout": len(stopped)}
               if stopped else {})


def _pdf_texts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")


def _recall(sample: Sample, outputs: list[Path]) -> float:
    texts = []
    for source, pdf in zip(sample.documents, outputs, strict=True):
        with pypdfium2.PdfDocument(str(source)) as doc:
            count = len(doc)
        texts += _pdf_texts(pdf)[:count]
    return sum(word_recall(t, x) for t, x in zip(sample.truths, texts, strict=False)) / len(sample.truths)


def run_ocrmypdf(sample: Sample, cores: int, extra: list[str], work: Path) -> Row:
    outputs = [work / f"{sample.name}-{d.stem}-omp{len(extra)}.pdf" for d in sample.documents]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with TreeSampler() as sampler:
        start = time.perf_counter()
        for doc, out in zip(sample.documents, outputs, strict=True):
            subprocess.run([sys.executable, "-m", "ocrmypdf", "-l", LANGUAGES, "--output-type", "pdfa",
                            "-j", str(cores), "--quiet", *extra, str(doc), str(out)], env=env, check=True)
        seconds = time.perf_counter() - start
    return Row(seconds, _recall(sample, outputs), sampler.peak / 1024 / cores)


def _dsd_ocr(src: str, dst: str, engine: str) -> dict:
    """In a worker: OCR one document with the default profile's settings and the given engine."""
    from dsd_cli.ocr import ocr_document
    from dsd_cli.profiles import load_profile

    profile = load_profile()
    result = ocr_document(Path(src), Path(dst), replace(profile.ocr, engine=engine), profile.qa)
    return {"orientation": [r["orientation"] for r in result.quality]}


def _warm(engine: str) -> int:
    """Load the engine in a worker (as its first document would) and stay a moment, so each worker gets one."""
    from dsd_cli.profiles import load_profile

    if engine == "tesseract":
        from dsd_cli.ocr.tesseract_engine import engine_for

        engine_for(load_profile().ocr)
    time.sleep(1.0)
    return os.getpid()


def run_dsd_engine(samples: list[Sample], cores: int, engine: str, work: Path) -> dict[str, Row]:
    import multiprocessing

    from dsd_cli.pipeline.workers import init_worker

    rows = {}
    with ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("spawn"), initializer=init_worker) as pool:
        list(pool.map(_warm, [engine] * cores))
        for sample in samples:
            outputs = [work / f"{sample.name}-{d.stem}-{engine}.pdf" for d in sample.documents]
            with TreeSampler() as sampler:
                start = time.perf_counter()
                found = list(pool.map(_dsd_ocr, [str(d) for d in sample.documents], [str(o) for o in outputs],
                                      [engine] * len(outputs)))
                seconds = time.perf_counter() - start
            orientations = [o for f in found for o in f["orientation"]]
            upright = (sum(1 for got, want in zip(orientations, sample.turned, strict=False) if got == want)
                       / len(sample.turned)) if orientations else float("nan")
            rows[sample.name] = Row(seconds, _recall(sample, outputs), sampler.peak / 1024,
                                    {"orientation right": upright})
    return rows


def run_pipeline(samples: list[Sample], cores: int, work: Path) -> tuple[float, int, int]:
    """`dsd run` over one scanner PDF holding every class's documents behind separator sheets: its seconds, the
    pages it archived and its exit code."""
    from tests.pipeline.synthetic import sheet_image

    parts: list[bytes] = []
    content = 0
    for sample in samples:
        for doc in sample.documents:
            sheet = sheet_image("SD/2026/0500", "briefwisseling")
            buffer = io.BytesIO()
            sheet.save(buffer, "JPEG", quality=85, dpi=(150, 150))
            parts.append(buffer.getvalue())
            pdf = pypdfium2.PdfDocument(str(doc))
            content += len(pdf)
            pdf.close()
    # The scanner file: separator sheets (JPEG) and each document's pages, the pages' own image files.
    import pikepdf

    scan = work / "scan" / "batch.pdf"
    scan.parent.mkdir()
    out = pikepdf.new()
    sheets = iter(parts)
    for sample in samples:
        for doc in sample.documents:
            with pikepdf.open(io.BytesIO(img2pdf.convert(next(sheets)))) as sheet_pdf:
                out.pages.extend(sheet_pdf.pages)
            with pikepdf.open(doc) as pages:
                out.pages.extend(pages.pages)
    out.save(scan)
    archive = work / "archive"
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "dsd_cli", "run", str(scan.parent), "--archive", str(archive),
                           "--workers", str(cores), "--quiet", "--json"], capture_output=True, text=True,
                          check=False, cwd=Path(__file__).resolve().parents[1])
    seconds = time.perf_counter() - start
    report = json.loads(proc.stdout) if proc.stdout.strip() else {}
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-2000:])
    archived = int(report.get("pages", {}).get("archived", 0))
    if archived != content:
        sys.stderr.write(f"dsd run archived {archived} of {content} content pages\n")
    return seconds, archived, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=4, help="pages per class (documents of two pages)")
    parser.add_argument("--classes", default=",".join(CLASSES))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-run", action="store_true", help="skip the dsd run end-to-end measurement")
    parser.add_argument("--no-ocrmypdf", action="store_true", help="skip the OCRmyPDF rows (quicker)")
    parser.add_argument("--seed", type=int, default=1,
                        help="first seed of the generated pages (another seed: other skews, grain and paragraphs)")
    parser.add_argument("--a5", action="store_true", help="A5 sheets with two paragraphs instead of A4 letters")
    parser.add_argument("--rows", default="ocrmypdf,ocrmypdf+,dsd-omp",
                        help="rows besides the limit and dsd-tess (comma-separated; empty for none)")
    parser.add_argument("--limit-timeout", type=float, default=120.0,
                        help="seconds after which the tesseract command is stopped on a page (counted at that)")
    args = parser.parse_args()
    cores = args.workers
    names = [n for n in args.classes.split(",") if n]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="dsd-ocr-bench-") as tmp:
        work = Path(tmp)
        size = {"width_in": 5.83, "height_in": 8.27, "paragraphs": 2} if args.a5 else {}
        samples = [build(name, CLASSES[name], args.pages, work, size, args.seed) for name in names]
        rows = set(args.rows.split(",")) if args.rows and not args.no_ocrmypdf else set()
        limit = {s.name: run_limit(s, cores, args.limit_timeout) for s in samples}
        omp = {s.name: run_ocrmypdf(s, cores, [], work) for s in samples} if "ocrmypdf" in rows else {}
        omp_plus = ({s.name: run_ocrmypdf(s, cores, ["--deskew", "--rotate-pages"], work) for s in samples}
                    if "ocrmypdf+" in rows else {})
        tess = run_dsd_engine(samples, cores, "tesseract", work)
        dsd_omp = run_dsd_engine(samples, cores, "ocrmypdf", work) if "dsd-omp" in rows else {}
        pipeline = None if args.no_run else run_pipeline(samples, cores, work)
        shutil.rmtree(work / "archive", ignore_errors=True)
    load_after = os.getloadavg()

    pages = {s.name: len(s.truths) for s in samples}
    print(f"\nOCR benchmark: {args.pages} {'A5' if args.a5 else 'A4'} pages per class (seeds {args.seed}-"
          f"{args.seed + args.pages - 1}), {cores} workers; load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after (ratios within this run are what count)\n")
    header = f"{'class':<14}{'row':<11}{'pages/s':>9}{'x limit':>9}{'recall':>8}{'RSS/worker MiB':>16}"
    print(header + "  notes")
    totals: dict[str, float] = {}
    for s in samples:
        n = pages[s.name]
        base = n / limit[s.name].seconds
        for label, rows in (("limit", limit), ("ocrmypdf", omp), ("ocrmypdf+", omp_plus), ("dsd-tess", tess),
                            ("dsd-omp", dsd_omp)):
            if s.name not in rows:
                continue
            row = rows[s.name]
            totals[label] = totals.get(label, 0.0) + row.seconds
            rate = n / row.seconds
            notes = "  ".join(f"{k} {v:.2f}" for k, v in row.extra.items())
            print(f"{s.name:<14}{label:<11}{rate:>9.2f}{rate / base:>9.2f}{row.recall:>8.3f}{row.rss_mib:>16.0f}"
                  f"  {notes}")
        print()
    total_pages = sum(pages.values())
    checks = []
    for s in samples:
        ratio = limit[s.name].seconds / tess[s.name].seconds
        checks.append((f"dsd-tess >= 0.8 x limit on {s.name} ({ratio:.2f})", ratio >= 0.8))
    if "ocrmypdf+" in totals:
        overall = totals["ocrmypdf+"] / totals["dsd-tess"]
        checks.append((f"dsd-tess >= 3 x ocrmypdf --deskew --rotate-pages overall ({overall:.2f})", overall >= 3))
    if "worn-150" in tess and "worn-150" in omp_plus:
        checks.append((f"recall on worn-150 >= ocrmypdf+ ({tess['worn-150'].recall:.3f} vs "
                       f"{omp_plus['worn-150'].recall:.3f})", tess["worn-150"].recall >= omp_plus["worn-150"].recall))
    if "clean-300" in tess:
        clean_cost = tess["clean-300"].seconds / pages["clean-300"]
        worst = max(tess, key=lambda name: tess[name].seconds / pages[name])
        factor = tess[worst].seconds / pages[worst] / clean_cost
        checks.append((f"no class costs dsd-tess more than 2 x a clean page ({worst}: {factor:.2f})", factor <= 2))
        checks.append((f"recall on clean-300 >= 0.995 ({tess['clean-300'].recall:.3f})",
                       tess["clean-300"].recall >= 0.995))
    if "rotated-300" in tess:
        right = tess["rotated-300"].extra["orientation right"]
        checks.append((f"turned pages upright ({right:.2f}, recall {tess['rotated-300'].recall:.3f})",
                       right == 1.0 and tess["rotated-300"].recall >= 0.95))
    if pipeline is not None:
        seconds, archived, code = pipeline
        limit_rate = total_pages / sum(r.seconds for r in limit.values())
        ratio = archived / seconds / limit_rate
        # Where the tesseract command gives up on a class (pages it cannot read in time), the all-class limit is
        # slow; the ratio against the limit of the classes it reads is shown beside it.
        readable = [name for name, r in limit.items() if r.recall >= 0.5]
        readable_rate = (sum(pages[n] for n in readable) / sum(limit[n].seconds for n in readable)
                         if readable else limit_rate)
        print(f"dsd run end to end (exit {code}): {archived} content pages in {seconds:.1f} s = "
              f"{archived / seconds:.2f} pages/s, {ratio:.2f} x the limit ({limit_rate:.2f} pages/s), "
              f"{archived / seconds / readable_rate:.2f} x the limit of the classes the command reads "
              f"({readable_rate:.2f} pages/s)")
        checks.append((f"dsd run >= 0.7 x limit ({ratio:.2f}), every page archived, exit 0",
                       ratio >= 0.7 and code == 0 and archived == total_pages))
    print("\n" + "\n".join(f"{'PASS' if ok else 'FAIL'}  {what}" for what, ok in checks))
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
