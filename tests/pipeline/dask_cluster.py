"""Real Dask processes for the cluster tests: a `dask scheduler` and `dask worker` processes, started with Dask's own
command from dsd's environment, each worker in an empty working folder of its own with no path to any archive.

PYTHONPATH points at this checkout, which is how dsd is "installed" for the workers here. Every process gets its
own session, so a test can kill a whole worker (nanny, worker and dsd's helper: a machine switched off)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import REPO

DASK = Path(sys.executable).parent / "dask"
SCHEDULER_ENV = {
    # A task that was running on two dying workers is given up (KilledWorker): quick to test.
    "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
    # One task per worker thread at a time: a worker's death then blames only the task it was running.
    "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0",
}


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    node_cert: Path
    node_key: Path
    client_cert: Path
    client_key: Path

    def args(self) -> list[str]:
        return ["--tls-ca-file", str(self.ca), "--tls-cert", str(self.node_cert), "--tls-key", str(self.node_key)]


@dataclass
class DaskCluster:
    root: Path
    address: str
    scheduler: subprocess.Popen
    tls: TlsFiles | None = None
    workers: list[subprocess.Popen] = field(default_factory=list)
    worker_dirs: list[Path] = field(default_factory=list)

    def start_worker(self) -> subprocess.Popen:
        n = len(self.workers) + 1
        cwd = self.root / f"worker-{n}"
        tmp = self.root / f"worker-{n}-tmp"
        cwd.mkdir()
        tmp.mkdir()
        env = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(tmp)}
        log = open(self.root / f"worker-{n}.log", "wb")
        cmd = [str(DASK), "worker", self.address, "--nthreads", "1", "--name", f"w{n}", "--no-dashboard",
               *(self.tls.args() if self.tls else [])]
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.workers.append(proc)
        self.worker_dirs.append(tmp)
        return proc

    def wait_for_workers(self, count: int, timeout: float = 90) -> None:
        from distributed import Client

        security = None
        if self.tls:
            from distributed.security import Security

            security = Security(tls_ca_file=str(self.tls.ca), tls_client_cert=str(self.tls.client_cert),
                                tls_client_key=str(self.tls.client_key), require_encryption=True)
        with Client(self.address, security=security, timeout=30) as client:
            client.wait_for_workers(count, timeout=timeout)

    def kill_worker(self, index: int) -> None:
        """SIGKILL a whole worker: nanny, worker process and dsd's helper under it."""
        _killpg(self.workers[index])

    def kill_scheduler(self) -> None:
        _killpg(self.scheduler)

    def stop(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            _killpg(proc)

    def log(self, name: str) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _killpg(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def start_cluster(root: Path, *, workers: int = 2, host: str = "127.0.0.1", port: int = 0,
                  tls: TlsFiles | None = None, preload: Path | None = None,
                  env: dict[str, str] | None = None) -> DaskCluster:
    root.mkdir(parents=True, exist_ok=True)
    scheduler_file = root / f"scheduler-{time.monotonic_ns()}.json"
    cmd = [str(DASK), "scheduler", "--host", host, "--port", str(port), "--no-dashboard", "--scheduler-file",
           str(scheduler_file)]
    if tls:
        cmd += ["--protocol", "tls", *tls.args()]
    if preload:
        cmd += ["--preload", str(preload)]
    log = open(root / "scheduler.log", "ab")
    proc = subprocess.Popen(cmd, cwd=root, env={**os.environ, "PYTHONPATH": str(REPO), **SCHEDULER_ENV,
                                                **(env or {})},
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while not scheduler_file.exists() and time.monotonic() < deadline:
        assert proc.poll() is None, (root / "scheduler.log").read_text()
        time.sleep(0.1)
    address = json.loads(scheduler_file.read_text())["address"]
    cluster = DaskCluster(root=root, address=address, scheduler=proc, tls=tls)
    for _ in range(workers):
        cluster.start_worker()
    if workers:
        cluster.wait_for_workers(workers)
    return cluster


def make_tls_files(folder: Path) -> TlsFiles:
    """A test CA, one certificate for the scheduler and the workers, and one for dsd (the client)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> Path:
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        path.chmod(0o600)
        return path

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (x509.CertificateBuilder().subject_name(name("dsd test cluster CA")).issuer_name(name("dsd test "
               "cluster CA")).public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .sign(ca_key, hashes.SHA256()))
    (folder / "ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))

    def issue(cn: str, stem: str) -> tuple[Path, Path]:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(ca_cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                            x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                               critical=False)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                      ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
                .sign(ca_key, hashes.SHA256()))
        cert_path = folder / f"{stem}.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cert_path, write_key(key, folder / f"{stem}.key")

    node_cert, node_key = issue("dsd-node", "node")
    client_cert, client_key = issue("dsd-coordinator", "client")
    return TlsFiles(ca=folder / "ca.pem", node_cert=node_cert, node_key=node_key, client_cert=client_cert,
                    client_key=client_key)
