"""`dsd run --cluster` on real Dask processes on 127.0.0.1: a `dask scheduler` and `dask worker` processes started
with Dask's own command, each worker in an empty folder of its own, never told where the archive is."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pikepdf
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from dsd_cli.errors import ExitCode
from dsd_cli.ocr import extract_text
from tests.pipeline.conftest import assert_every_page_accounted_for, run_json
from tests.pipeline.dask_cluster import DaskCluster, make_tls_files, start_cluster
from tests.pipeline.synthetic import scanner_pdf

SPY = Path(__file__).with_name("dask_spy.py")
SIX_DOCUMENTS = [("SD/2026/0101", "aanvraag", ["Aanvraag leefloon Janssens"]),
                 ("SD/2026/0101", "inkomen", ["Loonbrief december"]),
                 ("SD/2026/0102", "briefwisseling", ["Lettre de Madame Lambert"]),
                 ("SD/2026/0102", "energie", ["Factuur Fluvius januari"]),
                 ("SD/2026/0103", "huisvesting", ["Huurcontract sociale woning"]),
                 ("SD/2026/0103", "medisch", ["Medisch attest dokter Peeters"])]


def own_address() -> str:
    """This machine's address on its network (not loopback): where a packet to another host would come from."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the route
        return probe.getsockname()[0]


@pytest.fixture(scope="module")
def shared_cluster(tmp_path_factory):
    """Listening on every interface (so also on this machine's network address), with the task spy."""
    root = tmp_path_factory.mktemp("shared-cluster")
    cluster = start_cluster(root, host="0.0.0.0", preload=SPY, env={"DSD_TEST_SPY_DIR": str(root / "spy")})
    yield cluster
    cluster.stop()


@pytest.fixture
def cluster(tmp_path):
    started: list[DaskCluster] = []

    def start(**kwargs) -> DaskCluster:
        started.append(start_cluster(tmp_path / f"cluster-{len(started) + 1}", **kwargs))
        return started[-1]

    yield start
    for c in started:
        c.stop()


@pytest.fixture(scope="module")
def six_documents(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("six")
    scanner_pdf(folder / "batch.pdf", SIX_DOCUMENTS)
    return folder


@pytest.fixture(scope="module")
def twelve_documents(tmp_path_factory) -> Path:
    """Six dossiers of two two-page documents: enough OCR left after the first dossier to kill a worker in it."""
    folder = tmp_path_factory.mktemp("twelve")
    scanner_pdf(folder / "batch.pdf", [(f"SD/2026/05{n // 2:02d}", doc_type, [f"{text} {n}", f"Bijlage {n}"])
                                       for n, (_, doc_type, (text,)) in enumerate(SIX_DOCUMENTS * 2)])
    return folder


def loopback(address: str) -> str:
    return "tcp://127.0.0.1:" + address.rsplit(":", 1)[1]


def start_run(*args, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    with open(log, "w") as err:
        return subprocess.Popen([sys.executable, "-m", "dsd_cli", "run", *map(str, args), "--log-format", "plain"],
                                stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True,
                                env={**os.environ, **(env or {})})


def documents_by_state(archive: Path) -> dict[str, int]:
    import sqlite3

    journal = archive / ".dsd" / "journal.sqlite"
    if not journal.exists():
        return {}
    db = sqlite3.connect(journal, timeout=5)
    try:
        return dict(db.execute("SELECT state, COUNT(*) FROM documents GROUP BY state").fetchall())
    except sqlite3.OperationalError:
        return {}
    finally:
        db.close()


def wait_until(condition, timeout: float = 600, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def alive_in_session(session: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[3]) == session:
            found.append(int(stat.parent.name))
    return found


def archive_content(archive: Path) -> dict[str, list[dict]]:
    """What is archived, without what differs between any two runs (checksums of signed files, times)."""
    content = {}
    for bag in sorted(p for p in archive.iterdir() if (p / "bagit.txt").is_file()):
        record = json.loads((bag / "metadata" / "documents.json").read_text(encoding="utf-8"))
        docs = []
        for d in record["documents"]:
            with pikepdf.open(bag / d["path"]) as pdf:
                pages = len(pdf.pages)
            docs.append({"path": d["path"], "doc_type": d["doc_type"], "pages": d["pages"], "pdf_pages": pages,
                         "batch": d["batch"], "sources": d["sources"], "language": d["language"],
                         "retention": (d["retention_rule"], d["retention_period"], d["disposition"]),
                         "events": [(e["type"], e["detail"]) for e in d["events"] if e["type"] != "capture"],
                         "text": " ".join(extract_text(bag / d["path"]).split())})
        content[bag.name] = docs
    return content


# ----------------------------------------------------------------------------------------------------------------
def test_cluster_run_is_the_local_run_and_the_key_never_leaves(dsd, scans: Path, tmp_path: Path, shared_cluster):
    local = tmp_path / "local"
    on_cluster = tmp_path / "cluster"
    first = dsd("run", scans, "--archive", local, "--json", "--workers", "2")
    assert first.code == ExitCode.OK, first.stderr
    second = dsd("run", scans, "--archive", on_cluster, "--json", "--cluster", loopback(shared_cluster.address))
    assert second.code == ExitCode.OK, second.stderr
    report = run_json(second)
    assert report["executor"] == f"dask {loopback(shared_cluster.address)}"
    assert report["pages"] == run_json(first)["pages"] and report["verify"]["ok"] is True
    assert sum(report["pages_by_worker"].values()) == 4
    assert_every_page_accounted_for(on_cluster, 7)
    assert dsd("verify", on_cluster).code == ExitCode.OK
    assert archive_content(on_cluster) == archive_content(local)
    assert "leefloon" in json.dumps(archive_content(on_cluster)).lower()

    # What went to the cluster: the image PDFs and the OCR settings, never the key, its passphrase or the archive.
    tasks = [p.read_bytes() for p in (shared_cluster.root / "spy").glob("*.task")]
    assert len(tasks) >= 3 and all(b"%PDF-" in t for t in tasks), "the spy sees every document's task"
    key_folder = on_cluster / ".dsd" / "demo-key"
    passphrase = (key_folder / "passphrase").read_bytes()
    p12 = (key_folder / "demo-signer.p12").read_bytes()
    private_key = pkcs12.load_key_and_certificates(p12, passphrase)[0]
    key_der = private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    for task in tasks:
        assert passphrase not in task and p12[:64] not in task and key_der[-48:] not in task
        assert str(on_cluster).encode() not in task and b"demo-key" not in task


def test_plain_tcp_to_another_machine_needs_the_insecure_flag(dsd, tmp_path: Path, shared_cluster,
                                                              unsigned_profile: Path):
    batch = tmp_path / "scans"
    batch.mkdir()
    scanner_pdf(batch / "one.pdf", [("SD/2026/0301", "energie", ["Factuur water"])])
    remote = f"tcp://{own_address()}:{shared_cluster.address.rsplit(':', 1)[1]}"
    archive = tmp_path / "archive"
    refused = dsd("run", batch, "--archive", archive, "--no-sign", env={"DSD_CLUSTER": remote})
    assert refused.code == ExitCode.CONFIG, refused.stderr
    assert "refusing plain tcp://" in refused.stderr and "--insecure-cluster" in refused.stderr
    assert not archive.exists(), "refused before anything was done"
    allowed = dsd("run", batch, "--archive", archive, "--cluster", remote, "--no-sign", "--insecure-cluster",
                  "--profile", unsigned_profile, "--json")
    assert allowed.code == ExitCode.OK, allowed.stderr
    assert "unencrypted" in allowed.stderr
    assert run_json(allowed)["pages"]["archived"] == 1


def test_tls_cluster_with_certificates(dsd, tmp_path: Path, cluster, unsigned_profile: Path):
    tls = make_tls_files(tmp_path / "tls")
    c = cluster(workers=1, tls=tls)
    assert c.address.startswith("tls://")
    profile = tmp_path / "tls.toml"
    profile.write_text(unsigned_profile.read_text(encoding="utf-8") + (
        f'\n[cluster]\ntls_ca_file = "{tls.ca}"\ntls_cert_file = "{tls.client_cert}"\n'
        f'tls_key_file = "{tls.client_key}"\n'), encoding="utf-8")
    batch = tmp_path / "scans"
    batch.mkdir()
    scanner_pdf(batch / "one.pdf", [("SD/2026/0401", "aanvraag", ["Aanvraag budgetbeheer"])])
    no_certificates = dsd("run", batch, "--archive", tmp_path / "refused", "--cluster", c.address, "--no-sign")
    assert no_certificates.code == ExitCode.CONFIG and "tls://" in no_certificates.stderr
    result = dsd("run", batch, "--archive", tmp_path / "archive", "--cluster", c.address, "--profile", profile,
                 "--no-sign", "--json")
    assert result.code == ExitCode.OK, result.stderr
    assert run_json(result)["pages"]["archived"] == 1


def test_a_worker_killed_mid_batch_loses_nothing(dsd, twelve_documents: Path, tmp_path: Path, cluster):
    c = cluster(workers=2)
    archive = tmp_path / "archive"
    proc = start_run(twelve_documents, "--archive", archive, "--cluster", c.address, "--json",
                     log=tmp_path / "run.log")
    wait_until(lambda: documents_by_state(archive).get("packaged", 0) >= 1, what="a first dossier archived")
    assert documents_by_state(archive).get("planned", 0) >= 4, "the kill comes in the middle of the batch"
    c.kill_worker(0)  # nanny, worker and helper: the machine is gone
    status = dsd("status", "--archive", archive, "--json")
    running = run_json(status)["run_in_progress"]
    assert running is not None and running["pid"] == proc.pid, "status sees the run going on"
    assert running["executor"] == f"dask {c.address}"
    assert {w["name"] for w in running["workers"]} & {"w1", "w2"}, running["workers"]
    assert run_json(status)["pages"]["archived"] >= 2, "pages are archived while the OCR goes on"
    out, _ = proc.communicate(timeout=900)
    assert proc.returncode == ExitCode.OK, (tmp_path / "run.log").read_text()
    assert json.loads(out)["documents_archived"] == 12
    assert_every_page_accounted_for(archive, 36)
    assert dsd("verify", archive).code == ExitCode.OK


@pytest.mark.parametrize("where", ["cluster", "local"])
def test_coordinator_killed_mid_batch_resumes_and_leaves_no_process(dsd, six_documents: Path, tmp_path: Path,
                                                                   cluster, where):
    archive = tmp_path / "archive"
    temp = tmp_path / "tmp"
    temp.mkdir()
    args = [six_documents, "--archive", archive, "--json", "--workers", "2"]
    if where == "cluster":
        args += ["--cluster", cluster(workers=2).address]
    proc = start_run(*args, log=tmp_path / "run.log", env={"TMPDIR": str(temp)})
    def busy() -> bool:  # a dossier archived, and (locally) a worker at work on the next document
        return documents_by_state(archive).get("packaged", 0) >= 1 and (where != "local"
                                                                        or bool(list(temp.glob("dsd-ocr-*"))))

    wait_until(busy, what="the middle of the batch")
    assert documents_by_state(archive).get("planned", 0) >= 1
    os.kill(proc.pid, signal.SIGKILL)  # the coordinator only: its workers must notice by themselves
    proc.wait()
    deadline = time.monotonic() + 10
    while alive_in_session(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive_in_session(proc.pid) == [], "no worker of the killed run lives on"
    again = dsd("run", *args, env={"TMPDIR": str(temp)})
    assert again.code == ExitCode.OK, again.stderr
    assert_every_page_accounted_for(archive, 12)
    assert dsd("verify", archive).code == ExitCode.OK
    assert not list(temp.glob("dsd-ocr-*")), "the temp folders of the killed workers were swept"


class Poisoner(threading.Thread):
    """Kills whatever process is OCR'ing the three-page document, each time one starts on it: a document that
    makes its worker crash. `target` picks the victim from the pid that owns the task's temp folder."""

    def __init__(self, folders: list[Path], target) -> None:
        super().__init__(daemon=True)
        self.folders, self.target = folders, target
        self.kills = 0
        self.stop = threading.Event()
        self.done: set[Path] = set()

    def run(self) -> None:
        while not self.stop.is_set():
            for folder in self.folders:
                for scratch in folder.glob("dsd-ocr-*"):
                    if scratch in self.done:
                        continue
                    try:
                        with pikepdf.open(scratch / "image.pdf") as pdf:
                            poisoned = len(pdf.pages) == 3
                        owner = int((scratch / ".owner").read_text())
                    except (OSError, ValueError, pikepdf.PdfError):
                        continue  # not written yet, or gone
                    self.done.add(scratch)
                    if poisoned:
                        try:
                            os.kill(self.target(owner), signal.SIGKILL)
                            self.kills += 1
                        except ProcessLookupError:
                            pass
            time.sleep(0.05)


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


@pytest.mark.parametrize("where", ["local", "cluster helper", "cluster worker"])
def test_a_document_that_kills_its_workers_is_quarantined(dsd, tmp_path: Path, cluster, where,
                                                         unsigned_profile: Path):
    batch = tmp_path / "scans"
    batch.mkdir()
    scanner_pdf(batch / "batch.pdf", [("SD/2026/0201", "aanvraag", ["Aanvraag huurwaarborg"]),
                                      ("SD/2026/0202", "medisch", ["Attest 1", "Attest 2", "Attest 3"]),
                                      ("SD/2026/0203", "energie", ["Factuur gas"])])
    profile = tmp_path / "retries.toml"
    profile.write_text(unsigned_profile.read_text(encoding="utf-8") + "\n[cluster]\ncrash_retries = 1\n",
                       encoding="utf-8")
    temp = tmp_path / "tmp"
    temp.mkdir()
    args = [batch, "--archive", tmp_path / "archive", "--profile", profile, "--no-sign", "--json", "--workers", "2"]
    if where == "local":
        folders, target = [temp], (lambda owner: owner)  # the pool's worker process
    else:
        c = cluster(workers=2)
        args += ["--cluster", c.address]
        folders = c.worker_dirs
        # dsd's helper process (retried by the worker), or the Dask worker process above it (KilledWorker).
        target = (lambda owner: owner) if where == "cluster helper" else parent_of
    poisoner = Poisoner(folders, target)
    poisoner.start()
    try:
        result = dsd(*["run", *args], env={"TMPDIR": str(temp)})
    finally:
        poisoner.stop.set()
        poisoner.join()
    assert result.code == ExitCode.PARTIAL, result.stderr
    report = run_json(result)
    assert [(q["reason"], q["pages"]) for q in report["quarantine"]] == [("worker-crashed", 3)]
    assert report["documents_archived"] == 2 and report["pages"]["archived"] == 2
    assert poisoner.kills == 2, "tried once more after the first crash (crash_retries = 1 / allowed-failures = 1)"


def test_the_scheduler_going_away_stops_the_run_and_the_next_run_resumes(dsd, six_documents: Path, tmp_path: Path,
                                                                        cluster):
    c = cluster(workers=2)
    archive = tmp_path / "archive"
    args = [six_documents, "--archive", archive, "--json", "--cluster", c.address]
    proc = start_run(*args, log=tmp_path / "run.log")
    wait_until(lambda: documents_by_state(archive).get("packaged", 0) >= 1, what="a first dossier archived")
    c.stop()  # scheduler and workers: the cluster's machine went off
    proc.communicate(timeout=300)
    log = (tmp_path / "run.log").read_text()
    assert proc.returncode == ExitCode.CLUSTER, log
    assert "Dask scheduler" in log and "Traceback" not in log, log
    port = int(c.address.rsplit(":", 1)[1])
    cluster(workers=2, port=port)  # back at the same address
    again = dsd("run", *args)
    assert again.code == ExitCode.OK, again.stderr
    assert_every_page_accounted_for(archive, 12)
    assert dsd("verify", archive).code == ExitCode.OK
