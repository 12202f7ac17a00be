"""Dask distributed as dsd's executor: OCR on the worker processes of several machines, nothing else there.

The coordinator (`dsd run --cluster ADDRESS`) connects a `distributed.Client` to a scheduler that the operator runs
(`dask scheduler`), with workers started by Dask's own command from dsd's environment (`dask worker ADDRESS
--nthreads 1`). Each document goes out as one task, `client.submit(run_in_helper, ocr_task, <image PDF bytes,
[ocr] and [qa] settings>, key=..., pure=False)`, and comes back through `as_completed`. Workers need dsd installed,
no access to the archive: they get bytes and return bytes (with the per-page quality records); the journal,
splitting, signing (the key never leaves the coordinator), packaging and verification stay on the coordinator, which
checks every result as it checks local ones.

Faults: the scheduler re-runs the tasks of a worker that dies elsewhere; a task that was running on
`distributed.scheduler.allowed-failures` + 1 dying workers ends as KilledWorker, which the coordinator quarantines as
`worker-crashed`. On the worker, the task runs in a helper process of dsd's own (procpool.py): Dask's worker is
multi-threaded, where forking per document (the tesseract engine with its models loaded, or OCRmyPDF) would not be
safe, and a crash of the helper is counted and retried there (`crash_retries`) without taking the Dask worker down.
The scheduler keeps nothing across a restart: when it goes away the run stops (ClusterError, exit 11) and the next
run resumes from the journal.

Security: Dask's comms are unauthenticated without TLS. dsd refuses plain tcp:// to anything but loopback unless
told (`--insecure-cluster`), and tls:// needs the cluster CA and a client certificate (distributed.security).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dsd_cli import __version__
from dsd_cli.errors import ClusterError, ConfigError, MissingToolError
from dsd_cli.pipeline.executors import Completed
from dsd_cli.pipeline.procpool import ProcessPool, WorkerCrashed
from dsd_cli.profiles import ClusterSettings, OcrSettings, Profile

log = logging.getLogger("dsd.cluster")

CONNECT_TIMEOUT_SECONDS = 20
OCR_TOOLS = ("tesseract", "gs", "qpdf", "ocrmypdf", "pikepdf")


# addresses and security ------------------------------------------------------------------------------------------
def split_address(address: str) -> tuple[str, str, int]:
    """('tls', host, port) of a scheduler address; ConfigError for anything but tcp:// or tls:// host:port."""
    parts = urlsplit(address)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or port is None or parts.path not in ("", "/"):
        raise ConfigError(f"{address!r} is not a Dask scheduler address",
                          hint="use tls://host:8786 (or tcp://127.0.0.1:8786 on this machine)")
    return parts.scheme, parts.hostname, port


def is_loopback(host: str) -> bool:
    """True when every address `host` resolves to is a loopback address (127.0.0.0/8, ::1)."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in infos)


def check_address(address: str, *, insecure: bool, warn: Callable[[str], None]) -> str:
    """Refuse plain tcp:// to anything but loopback unless `insecure`; then warn. Returns the scheme."""
    scheme, host, _ = split_address(address)
    if scheme == "tcp" and not is_loopback(host):
        if not insecure:
            raise ConfigError(f"refusing plain tcp:// to {host}: scans would cross the network unencrypted and "
                              "anyone who can reach the scheduler could take or send work",
                              hint="use tls:// with certificates (docs/operations.md), or --insecure-cluster "
                                   "on a network you trust")
        warn(f"--insecure-cluster: scans travel to {host} unencrypted and the scheduler accepts anyone — use "
             "tls:// for personal data")
    return scheme


def _profile_path(profile: Profile, value: str) -> str:
    path = Path(value).expanduser()
    if not path.is_absolute() and profile.source is not None:
        path = profile.source.parent / path
    return str(path)


def require_distributed() -> None:
    try:
        import distributed  # noqa: F401 - only whether it is there
    except ImportError:
        raise MissingToolError("--cluster needs Dask distributed, which is not installed",
                               hint="pip install distributed (dsd declares it; reinstall dsd)") from None


def cluster_security(profile: Profile) -> Any:
    """A distributed.security.Security for tls:// from the profile's [cluster] files, else from Dask's own
    settings (DASK_DISTRIBUTED__COMM__TLS__CA_FILE, ...__CLIENT__CERT, ...__CLIENT__KEY)."""
    import dask.config
    from distributed.security import Security

    s: ClusterSettings = profile.cluster
    ca = _profile_path(profile, s.tls_ca_file) if s.tls_ca_file else dask.config.get("distributed.comm.tls.ca-file")
    cert = (_profile_path(profile, s.tls_cert_file) if s.tls_cert_file
            else dask.config.get("distributed.comm.tls.client.cert"))
    key = (_profile_path(profile, s.tls_key_file) if s.tls_key_file
           else dask.config.get("distributed.comm.tls.client.key"))
    missing = [name for name, value in (("CA certificate", ca), ("client certificate", cert), ("client key", key))
               if not value]
    if missing:
        raise ConfigError(f"tls:// needs the cluster's {', '.join(missing)}",
                          hint="set tls_ca_file, tls_cert_file and tls_key_file in the profile's [cluster] "
                               "(docs/operations.md shows how to make them)")
    for path in (ca, cert, key):
        if not Path(path).is_file():
            raise ConfigError(f"TLS file not found: {path}")
    return Security(tls_ca_file=ca, tls_client_cert=cert, tls_client_key=key, require_encryption=True)


# on the worker ---------------------------------------------------------------------------------------------------
class Sealed:
    """Task arguments whose repr shows nothing of them (Dask logs the arguments of a task that fails)."""

    __slots__ = ("args",)

    def __init__(self, args: tuple[Any, ...]) -> None:
        self.args = args

    def __getstate__(self) -> tuple[Any, ...]:
        return self.args

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.args = state

    def __repr__(self) -> str:
        return f"<{len(self.args)} sealed argument(s)>"


_helper: ProcessPool | None = None
_helper_lock = threading.Lock()


def _helper_pool(crash_retries: int) -> ProcessPool:
    """This Dask worker's dsd helper processes (one per Dask thread), made on first use."""
    global _helper
    with _helper_lock:
        if _helper is None:
            threads = 1
            try:
                from distributed import get_worker

                threads = get_worker().state.nthreads
            except (ImportError, ValueError, AttributeError):
                pass
            # Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536 for the worker's own memory; in the
            # OCR helpers it makes glibc hand image buffers back and fault them in again for every page.
            os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)
            _helper = ProcessPool(threads, crash_retries=crash_retries)
        return _helper


def warm_helper(crash_retries: int) -> None:
    """Run on each worker when the coordinator connects: start its helpers, which import the OCR engine meanwhile."""
    _helper_pool(crash_retries).warm()


def run_in_helper(fn: Callable[..., Any], sealed: Sealed, crash_retries: int) -> tuple[str, Any]:
    """On a Dask worker: run `fn` in this worker's dsd helper process. ('ok', value), or ('crashed', why) when the
    helper died running it more than `crash_retries` times (each time a fresh helper takes it again)."""
    try:
        return "ok", _helper_pool(crash_retries).submit(fn, *sealed.args).result()
    except WorkerCrashed as exc:
        return "crashed", str(exc)


def worker_facts(settings: OcrSettings) -> dict[str, str]:
    """Run on each worker when the coordinator connects: its dsd version, and what it lacks to OCR with the
    profile's engine, if anything."""
    from dsd_cli.tools.versions import require_ocr_engine, require_tools

    problem = ""
    try:
        require_tools(OCR_TOOLS, settings.languages)
        require_ocr_engine(settings)
    except MissingToolError as exc:
        problem = exc.message
    return {"dsd": __version__, "host": socket.gethostname(), "problem": problem}


# on the coordinator ----------------------------------------------------------------------------------------------
def _quiet_dask_logs() -> None:
    """Dask's own loggers print tracebacks for a lost connection; dsd says it once, clearly (ClusterError)."""
    for name in ("distributed", "distributed.client", "distributed.comm", "distributed.core", "tornado"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


class DaskExecutor:
    """The worker processes of a Dask cluster, reached through its scheduler at `address`."""

    runs_here = False

    def __init__(self, address: str, *, security: Any = None, crash_retries: int = 2, resources: str = "",
                 ocr: OcrSettings | None = None, warn: Callable[[str], None] | None = None,
                 connect_timeout: float = CONNECT_TIMEOUT_SECONDS) -> None:
        self.address = address
        self.description = f"dask {address}"
        self.security = security
        self.crash_retries = crash_retries
        self.resources = _parse_resources(resources)
        self.ocr = ocr or OcrSettings()
        self.warn = warn or log.warning
        self.connect_timeout = connect_timeout
        self.client: Any = None
        self._futures: dict[str, Any] = {}
        self._completed: Any = None
        self._submitted = 0
        self._threads = 0
        self._threads_checked = 0.0

    def __enter__(self) -> DaskExecutor:
        import dask.config
        from distributed import Client, as_completed

        _quiet_dask_logs()
        # A document's scans travel inside its task; a big dossier is no reason for a warning about graph sizes.
        # The client's event loop needs no 20 ms tick (a diagnostic of blocked loops): CPU the OCR workers need
        # when the coordinator shares a machine with them.
        dask.config.set({"distributed.admin.large-graph-warning-threshold": "4GiB",
                         "distributed.admin.tick.interval": "1s"})
        try:
            self.client = Client(self.address, security=self.security, timeout=self.connect_timeout,
                                 set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {self.address}: {_short(exc)}",
                               hint="is `dask scheduler` running there, and do the TLS certificates match?") \
                from None
        self._completed = as_completed(loop=self.client.loop)
        try:
            self._check_workers()
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc is not None:
            self.abort()
        self._close()

    def _close(self) -> None:
        if self.client is not None:
            try:
                self.client.close(timeout=10)
            except Exception:  # the scheduler is gone: nothing left to close cleanly
                log.debug("closing the Dask client failed", exc_info=True)
            self.client = None

    def _check_workers(self) -> None:
        facts = self.client.run(worker_facts, self.ocr, on_error="return")
        if not facts:
            self.warn(f"no Dask workers are connected to {self.address} yet; documents wait for them")
        for address, fact in facts.items():
            if isinstance(fact, BaseException):
                raise ClusterError(f"Dask worker {address} cannot run dsd: {_short(fact)}",
                                   hint="install dsd in the workers' environment (the same version)")
            if fact["problem"]:
                raise MissingToolError(f"Dask worker {address} ({fact['host']}): {fact['problem']}")
            if fact["dsd"] != __version__:
                self.warn(f"Dask worker {address} runs dsd {fact['dsd']}, this coordinator dsd {__version__}")

    def _alive(self) -> None:
        if self.client is None or self.client.status != "running":
            raise ClusterError(f"lost the connection to the Dask scheduler at {self.address}",
                               hint="work finished so far is archived; run the same command again once the "
                                    "scheduler is back")

    def capacity(self) -> int:
        now = time.monotonic()
        if now - self._threads_checked > 5:
            self._alive()
            try:
                self._threads = sum(self.client.nthreads().values())
            except (OSError, TimeoutError):
                self._alive()
            self._threads_checked = now
        return max(2, 2 * self._threads)

    def jobs_per_task(self, remaining: int) -> int:
        return 1  # a worker machine runs as many single-threaded workers as it has cores

    def warm_up(self) -> None:
        try:
            self.client.run(warm_helper, self.crash_retries, on_error="return")
        except (OSError, TimeoutError):
            self._alive()

    def submit(self, key: str, fn: Callable[..., Any], *args: Any) -> None:
        self._alive()
        self._submitted += 1
        future = self.client.submit(run_in_helper, fn, Sealed(args), self.crash_retries, key=key, pure=False,
                                    priority=-self._submitted, resources=self.resources or None)
        self._futures[key] = future
        self._completed.add(future)

    def wait(self, timeout: float) -> list[Completed]:
        if not self._futures:
            return []
        deadline = time.monotonic() + timeout
        while not self._completed.has_ready():
            self._alive()
            if time.monotonic() >= deadline:
                return []
            time.sleep(0.05)
        results = []
        for future in self._completed.next_batch(block=False):
            key = future.key
            self._futures.pop(key, None)
            results.append(self._collect(key, future))
            future.release()
        return results

    def _collect(self, key: str, future: Any) -> Completed:
        from distributed.scheduler import KilledWorker

        if future.status == "finished":
            try:
                status, value = future.result(timeout=60)
            except (OSError, TimeoutError):
                self._alive()
                raise ClusterError(f"could not fetch a result from the Dask cluster at {self.address}") from None
            return Completed(key, value=value) if status == "ok" else Completed(key, crashed=value)
        if future.status == "error":
            exc = future.exception()
            if isinstance(exc, KilledWorker):
                return Completed(key, crashed=f"{exc.allowed_failures + 1} Dask workers died while running it")
            raise ClusterError(f"a Dask worker could not run dsd's OCR task: {_short(exc)}",
                               hint="are dsd and its tools installed in the workers' environment?")
        self._alive()  # cancelled without us asking: the scheduler went away
        raise ClusterError(f"the Dask scheduler at {self.address} dropped dsd's tasks (it restarted or lost them)",
                           hint="run the same command again: finished work is archived and is not redone")

    def workers(self) -> list[dict[str, Any]]:
        if self.client is None or self.client.status != "running":
            return []
        try:
            info = self.client.scheduler_info()
        except (OSError, TimeoutError):
            return []
        return [{"name": str(w.get("name", address)), "address": address, "host": w.get("host", ""),
                 "nthreads": w.get("nthreads", 0)}
                for address, w in sorted(info.get("workers", {}).items())]

    def abort(self) -> None:
        futures = list(self._futures.values())
        self._futures.clear()
        if futures and self.client is not None and self.client.status == "running":
            try:
                self.client.cancel(futures)
            except Exception:  # stopping anyway; the scheduler forgets tasks nobody holds
                log.debug("cancelling the cluster's tasks failed", exc_info=True)


def _parse_resources(text: str) -> dict[str, float]:
    resources = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, amount = part.partition("=")
        try:
            resources[name.strip()] = float(amount)
        except ValueError:
            raise ConfigError(f"cluster.resources: {part!r} is not NAME=AMOUNT (e.g. OCR=1)") from None
    return resources


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


def open_executor(profile: Profile, *, cluster: str | None, workers: int, insecure: bool = False,
                  warn: Callable[[str], None] | None = None) -> Any:
    """The executor a command asked for: a DaskExecutor for `cluster` (or the profile's [cluster] address), else
    the local pool. Checks the address and the TLS settings before anything connects."""
    from dsd_cli.pipeline.executors import LocalExecutor

    address = cluster or profile.cluster.address
    if not address:
        return LocalExecutor(workers, crash_retries=profile.cluster.crash_retries)
    scheme = check_address(address, insecure=insecure, warn=warn or log.warning)
    require_distributed()
    security = cluster_security(profile) if scheme == "tls" else None
    return DaskExecutor(address, security=security, crash_retries=profile.cluster.crash_retries,
                        resources=profile.cluster.resources, ocr=profile.ocr, warn=warn)
