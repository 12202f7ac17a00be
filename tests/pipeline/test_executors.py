"""The executor seam's parts on real processes: the worker pool and its crash accounting, parent-death, temp folder
sweeping, the journal's local-disk rule, cluster address checks, and streaming order."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import CancelledError
from pathlib import Path

import pytest

from dsd_cli.errors import ArchiveError, ConfigError
from dsd_cli.pipeline.cluster import Sealed, check_address, is_loopback, split_address
from dsd_cli.pipeline.executors import LocalExecutor
from dsd_cli.pipeline.localdisk import filesystem_of, require_local_journal
from dsd_cli.pipeline.procpool import ProcessPool, WorkerCrashed
from dsd_cli.pipeline.scratch import PREFIX, sweep_stale_scratch
from tests.conftest import REPO
from tests.pipeline import tasks
from tests.pipeline.synthetic import scanner_pdf

MOUNTS = """\
/dev/vda / ext4 rw,relatime 0 0
tmpfs /tmp tmpfs rw 0 0
nas:/export/archief /srv/archive nfs4 rw,vers=4.2 0 0
//nas/scans /mnt/scan\\040server cifs rw 0 0
/dev/vdb /srv/archive/local ext4 rw 0 0
"""


def test_the_journal_must_not_live_on_a_network_file_system(tmp_path: Path):
    assert filesystem_of(Path("/srv/archive/.dsd"), MOUNTS) == ("nfs4", "/srv/archive")
    assert filesystem_of(Path("/srv/archive/local/.dsd"), MOUNTS) == ("ext4", "/srv/archive/local")
    assert filesystem_of(Path("/mnt/scan server/x"), MOUNTS) == ("cifs", "/mnt/scan server")
    assert filesystem_of(Path("/srv/archived"), MOUNTS) == ("ext4", "/"), "a prefix of a name is not a parent"
    with pytest.raises(ArchiveError, match="network file system \\(nfs4 at /srv/archive\\)"):
        require_local_journal(Path("/srv/archive/.dsd"), MOUNTS)
    with pytest.raises(ArchiveError, match="cifs"):
        require_local_journal(Path("/mnt/scan server/archive/.dsd"), MOUNTS)
    require_local_journal(Path("/srv/archive/local/.dsd"), MOUNTS)
    require_local_journal(tmp_path)  # this machine's real mount table: the test folder is local


def test_a_dead_worker_costs_only_its_own_task_and_is_given_up_after_the_retries(tmp_path: Path):
    log = tmp_path / "attempts"
    with ProcessPool(2, crash_retries=2) as pool:
        crashing = pool.submit(tasks.crash_once_per_call, str(log))
        fine = [pool.submit(tasks.square, n) for n in range(6)]
        assert [f.result(timeout=120) for f in fine] == [n * n for n in range(6)]
        with pytest.raises(WorkerCrashed, match="killed by SIGKILL while running it, 3 time"):
            crashing.result(timeout=120)
        buggy = pool.submit(tasks.raise_value_error)
        with pytest.raises(ValueError, match="a bug in a task"):
            buggy.result(timeout=60)
        assert pool.submit(tasks.square, 7).result(timeout=60) == 49, "the pool goes on after a crash"
    attempts = log.read_text().split()
    assert len(attempts) == 3 and len(set(attempts)) == 3, "each attempt in a fresh worker process"


def test_abort_stops_queued_work_and_kills_the_workers():
    pool = ProcessPool(1, crash_retries=0)
    running = pool.submit(tasks.slow_square, 2, 60)
    queued = pool.submit(tasks.square, 3)
    deadline = time.monotonic() + 60
    while not pool.pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    (pid,) = pool.pids()
    time.sleep(1)  # the worker has taken the slow task
    pool.abort()
    assert queued.cancelled()
    with pytest.raises(CancelledError):
        running.result(timeout=10)
    time.sleep(0.2)
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split(")")[1][:3]


def test_workers_die_with_their_parent_even_by_sigkill(tmp_path: Path):
    """A coordinator killed outright: its pool's workers notice (parent-death signal) and end themselves."""
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from dsd_cli.pipeline.procpool import ProcessPool
        from tests.pipeline import tasks
        pool = ProcessPool(2)
        futures = [pool.submit(tasks.slow_square, n, 120) for n in range(2)]
        while len(pool.pids()) < 2:
            time.sleep(0.05)
        print(*pool.pids(), flush=True)
        time.sleep(600)
    """))
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    workers = [int(p) for p in parent.stdout.readline().split()]
    assert len(workers) == 2
    time.sleep(2)  # past their start-up: they are at work
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        alive = [p for p in workers if Path(f"/proc/{p}").exists()
                 and Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
        time.sleep(0.1)
    assert alive == [], "no worker outlives its parent"


def test_a_worker_killed_outright_leaves_no_engine_child(tmp_path: Path):
    """The tesseract engine OCRs each document in a fork of the worker: a worker killed by SIGKILL (by a person,
    the OOM killer or a poisoned page) takes that child with it."""
    flag = tmp_path / "child"
    with ProcessPool(1, crash_retries=0) as pool:
        future = pool.submit(tasks.forked_child_then_wait, str(flag))
        deadline = time.monotonic() + 60
        while not (flag.is_file() and flag.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        child = int(flag.read_text())
        (worker,) = pool.pids()
        os.kill(worker, signal.SIGKILL)
        with pytest.raises(WorkerCrashed):
            future.result(timeout=60)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{child}").exists(), "the engine's child died with its worker"


def test_stale_temp_folders_are_swept_and_live_ones_kept(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # for the worker process
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # for this one, which has read TMPDIR already
    flag = tmp_path / "flag"
    with ProcessPool(1, crash_retries=0) as pool, pytest.raises(WorkerCrashed):
        pool.submit(tasks.scratch_then_die, str(flag)).result(timeout=60)
    stale = Path(flag.read_text())
    assert stale.is_dir() and stale.name.startswith(PREFIX)
    from dsd_cli.pipeline.scratch import task_scratch

    with task_scratch() as live:  # held by this process: in use
        assert live.parent == tmp_path
        assert sweep_stale_scratch(tmp_path) == 1
        assert live.is_dir() and not stale.exists()
    assert not live.exists()


def test_the_local_executor_reports_crashes_as_completed_tasks(tmp_path: Path):
    with LocalExecutor(2, crash_retries=0) as executor:
        executor.submit("bad", tasks.crash_once_per_call, str(tmp_path / "log"))
        executor.submit("good", tasks.square, 5)
        results = {}
        deadline = time.monotonic() + 120
        while len(results) < 2 and time.monotonic() < deadline:
            results.update({c.key: c for c in executor.wait(1.0)})
    assert results["good"].value == 25 and not results["good"].crashed
    assert "killed by SIGKILL" in results["bad"].crashed


def test_cluster_addresses_and_the_plain_tcp_rule():
    assert split_address("tls://scheduler.ocmw.local:8786") == ("tls", "scheduler.ocmw.local", 8786)
    for bad in ("scheduler:8786", "tcp://host", "ucx://host:8786", "tls://:8786", "tcp://host:port"):
        with pytest.raises(ConfigError):
            split_address(bad)
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("192.0.2.10") and not is_loopback("no-such-host.invalid")
    warnings: list[str] = []
    assert check_address("tcp://127.0.0.1:8786", insecure=False, warn=warnings.append) == "tcp"
    assert check_address("tls://192.0.2.10:8786", insecure=False, warn=warnings.append) == "tls"
    assert warnings == []
    with pytest.raises(ConfigError, match="refusing plain tcp://"):
        check_address("tcp://192.0.2.10:8786", insecure=False, warn=warnings.append)
    check_address("tcp://192.0.2.10:8786", insecure=True, warn=warnings.append)
    assert len(warnings) == 1 and "unencrypted" in warnings[0]
    assert repr(Sealed((b"%PDF-1.7 page images", "settings"))) == "<2 sealed argument(s)>"


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, float]] = []

    def start(self, stage: str, total: float | None, unit: str = "pages") -> None:
        self.events.append(("start", stage, total or 0))

    def advance(self, stage: str, amount: float = 1) -> None:
        self.events.append(("advance", stage, amount))

    def finish(self, stage: str) -> None:
        self.events.append(("finish", stage, 0))


def test_each_dossier_is_archived_as_soon_as_its_documents_are_ready(tmp_path: Path):
    from dsd_cli.pipeline.run import RunOptions, run_pipeline
    from dsd_cli.profiles import load_profile

    scans = tmp_path / "scans"
    scans.mkdir()
    scanner_pdf(scans / "batch.pdf", [("SD/2026/0501", "aanvraag", ["Aanvraag"]),
                                      ("SD/2026/0502", "energie", ["Factuur"]),
                                      ("SD/2026/0503", "medisch", ["Attest"])])
    recorder = Recorder()
    report = run_pipeline(RunOptions(inputs=(scans,), archive=tmp_path / "archive", profile=load_profile(),
                                     sign=False, workers=1, verify=False), progress=recorder)
    assert report.documents_archived == 3
    steps = [(kind, stage) for kind, stage, _ in recorder.events if kind == "advance" and stage in ("ocr", "package")]
    assert steps == [("advance", "ocr"), ("advance", "package")] * 3, "OCR one, archive it, OCR the next, ..."
    assert any(stage.startswith("ocr@") for _, stage, _ in recorder.events), "a progress row per worker"


def test_the_profile_names_the_cluster(tmp_path: Path):
    from dsd_cli.profiles import PROFILES_DIR, load_profile

    base = (PROFILES_DIR / "vlaanderen-ocmw.toml").read_text(encoding="utf-8")
    good = tmp_path / "good.toml"
    good.write_text(base + '\n[cluster]\naddress = "tls://coordinator.ocmw.local:8786"\nresources = "OCR=1"\n',
                    encoding="utf-8")
    cluster = load_profile(good).cluster
    assert cluster.address == "tls://coordinator.ocmw.local:8786" and cluster.crash_retries == 2
    for bad, message in (('address = "coordinator:8786"', "cluster.address"),
                         ("crash_retries = -1", "cluster.crash_retries"), ('adress = "tls://x:1"', "cluster.adress")):
        path = tmp_path / "bad.toml"
        path.write_text(base + f"\n[cluster]\n{bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            load_profile(path)


def _pdf(pages: int, pdfa_part: str = "") -> bytes:
    import io

    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    if pdfa_part:
        with pdf.open_metadata() as meta:
            meta["pdfaid:part"] = pdfa_part
            meta["pdfaid:conformance"] = "B"
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def test_the_coordinator_checks_every_ocr_result_before_trusting_it(tmp_path: Path):
    from dsd_cli.errors import ToolFailedError
    from dsd_cli.fsutil import sha256_bytes
    from dsd_cli.pipeline.results import accept_ocr_result
    from dsd_cli.pipeline.workers import OcrOutcome

    def outcome(data: bytes, digest: str | None = None) -> OcrOutcome:
        return OcrOutcome(ok=True, pdf=data, sha256=digest or sha256_bytes(data))

    good = _pdf(2, "2")
    target = tmp_path / "0001.ocr.pdf"
    assert accept_ocr_result(outcome(good), pages=2, output_type="pdfa-2", target=target) == sha256_bytes(good)
    assert target.read_bytes() == good
    for result, pages, reason in ((outcome(good, "0" * 64), 2, "result-damaged"),
                                  (outcome(good), 3, "page-count-changed"),
                                  (outcome(_pdf(2)), 2, "pdfa-failed"),
                                  (outcome(_pdf(2, "1")), 2, "pdfa-failed"),
                                  (outcome(b"%PDF-1.7 not really"), 2, "pdfa-failed")):
        bad = tmp_path / f"{reason}-{pages}.pdf"
        with pytest.raises(ToolFailedError) as info:
            accept_ocr_result(result, pages=pages, output_type="pdfa-2", target=bad)
        assert info.value.reason == reason
        assert not bad.exists(), "nothing is left for the journal to point at"
    assert repr(outcome(good)).startswith("OcrOutcome(ok=True, bytes="), "no document bytes in a log"
