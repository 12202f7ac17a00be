"""Progress bars and progress log lines: one rate in the stage's own unit, over the work this run did, and an ETA
that is the remaining work at that rate; a finished stage says how long it took and how fast it went."""

from __future__ import annotations

import io
import logging
import re

from rich.console import Console

from dsd_cli.cli.progressbar import LogProgress, RichProgress, StageClock


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _bars(clock: Clock) -> RichProgress:
    console = Console(file=io.StringIO(), width=120, force_terminal=False, no_color=True)
    return RichProgress(console=console, now=clock)


def test_a_resumed_stage_rates_only_this_runs_work():
    clock = StageClock(total=1000, unit="pages", started=0.0)
    clock.done = clock.skipped = 900.0  # an earlier run's pages
    assert clock.rate(5.0) is None and clock.eta(5.0) is None
    clock.done += 10
    assert clock.rate(5.0) == 2.0 and clock.eta(5.0) == 45.0


def test_page_stages_show_pages_per_second_and_an_eta_that_agrees():
    now = Clock()
    bars = _bars(now)
    bars.start("ocr", 120, "pages")
    bars.skip("ocr", 60)
    now.t += 30
    bars.advance("ocr", 15)
    line = bars.line("ocr")
    assert "75/120 pages" in line and "B/s" not in line and "bytes" not in line
    rate = float(re.search(r"([\d.]+) pages/s", line).group(1))
    assert rate == 0.5, line  # 15 pages in 30 s; the 60 skipped pages are not speed
    eta = re.search(r"ETA (\d+) min (\d+) s", line)
    assert eta and int(eta.group(1)) * 60 + int(eta.group(2)) == round((120 - 75) / rate), line


def test_byte_stages_show_human_sizes_and_a_byte_rate():
    now = Clock()
    bars = _bars(now)
    bars.start("verify", 3_000_000_000, "bytes")
    now.t += 10
    bars.advance("verify", 1_500_000_000)
    line = bars.line("verify")
    assert "1.5 GB/3.0 GB" in line and "150.0 MB/s" in line and "ETA 10 s" in line, line
    bars.start("pdfs", 40, "files")
    now.t += 2
    bars.advance("pdfs", 4)
    assert "MB/s" not in bars.line("pdfs") and "2.00 files/s" in bars.line("pdfs")


def test_a_finished_stage_shows_its_time_and_throughput():
    now = Clock()
    bars = _bars(now)
    bars.start("package", None, "dossiers")
    now.t += 75
    bars.advance("package", 150)
    bars.finish("package")
    now.t += 600  # the summary does not change once the stage is done
    line = bars.line("package")
    assert "150/150 dossiers" in line and "done in 1 min 15 s, 2.00 dossiers/s" in line, line


def test_log_lines_carry_the_same_rate_and_eta(caplog):
    now = Clock()
    progress = LogProgress(now=now)
    with caplog.at_level(logging.INFO, logger="dsd.progress"):
        progress.start("split", 100, "pages")
        progress.skip("split", 50)
        now.t += 10
        progress.advance("split", 20)
        now.t += 10
        progress.finish("split")
    lines = [r for r in caplog.records if r.getMessage() == "progress"]
    assert lines[-1].rate == 2.0 and lines[-1].eta_seconds == 15 and lines[-1].unit == "pages"
    (done,) = [r for r in caplog.records if r.getMessage() == "stage finished"]
    assert done.seconds == 20 and done.rate == 1.0 and done.done == 70
