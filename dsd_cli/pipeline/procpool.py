"""A pool of dsd worker processes that knows which task a dead worker was running.

Each worker is a fresh Python process (`python -c ... worker_main`) that runs one task at a time, read from its stdin
as a pickled (function, arguments) frame; the result goes back on its stdout. A thread per worker feeds it from a
shared queue, so a worker never waits for the caller between tasks. When a worker dies (SIGKILL, a crash in a C
library, the OOM killer), its thread knows the task it held: the task is tried again on a new worker up to
`crash_retries` times, then its future fails with `WorkerCrashed`, and the other tasks are not affected.

Workers end with the process that started them: they ask the kernel for SIGTERM when their parent dies
(PR_SET_PDEATHSIG) and end their whole process tree on SIGTERM. They start with SIGINT and SIGTERM blocked (the
feeding threads block them), so a Ctrl-C can never catch one half-started; they ignore SIGINT afterwards: the
caller stops them (`abort`).

The pool uses `subprocess`, not `multiprocessing`, so that it also works inside a daemonic process such as a Dask
worker (see cluster.py).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import signal
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from pathlib import Path
from typing import IO, Any

from dsd_cli.tools.warm_fork import descendants, die_with_parent, kill_tree

_FRAME = struct.Struct("!Q")
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from dsd_cli.pipeline.procpool import worker_main; worker_main()"


class WorkerCrashed(Exception):
    """The worker process running a task died, as often as the pool allows."""


def write_frame(stream: IO[bytes], data: bytes) -> None:
    stream.write(_FRAME.pack(len(data)))
    stream.write(data)
    stream.flush()


def read_frame(stream: IO[bytes]) -> bytes:
    head = stream.read(_FRAME.size)
    if len(head) < _FRAME.size:
        raise EOFError
    (size,) = _FRAME.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return data


def _dumps(obj: Any) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def _loads(data: bytes) -> Any:
    return pickle.loads(data)  # noqa: S301 - frames come from dsd's own parent or child process


def _how_it_ended(code: int | None) -> str:
    if code is None:
        return "stopped answering"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-code).name}"
        return f"was killed by signal {-code}"
    return f"exited with code {code}"


class ProcessPool:
    """`workers` worker processes, started on first use; `submit` returns a Future of the function's value."""

    def __init__(self, workers: int, *, crash_retries: int = 2) -> None:
        self.size = max(1, workers)
        self.crash_retries = crash_retries
        self._queue: queue.Queue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...], int] | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._procs: dict[int, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()
        self._aborted = threading.Event()

    def __enter__(self) -> ProcessPool:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc is None:
            self.close()
        else:
            self.abort()

    def warm(self) -> None:
        """Start every worker now (they import the OCR engine meanwhile), not when the first tasks come."""
        self._start_threads(eager=True)

    def _start_threads(self, eager: bool) -> None:
        if self._aborted.is_set():
            raise RuntimeError("the pool was stopped")
        with self._lock:
            if self._threads:
                return
            for slot in range(self.size):
                thread = threading.Thread(target=self._serve, args=(slot, eager), name=f"dsd-worker-{slot + 1}",
                                          daemon=True)
                thread.start()
                self._threads.append(thread)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        self._start_threads(eager=False)
        future: Future[Any] = Future()
        self._queue.put((future, fn, args, 0))
        return future

    def pids(self) -> list[int]:
        with self._lock:
            return [p.pid for p in self._procs.values() if p.poll() is None]

    def close(self) -> None:
        """Let the workers finish what they hold, then end them."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()

    def abort(self) -> None:
        """Stop now: queued tasks are dropped, workers killed with everything they started."""
        self._aborted.set()
        with self._lock:
            procs = list(self._procs.values())
        for proc in procs:
            kill_tree(proc.pid)
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=10)
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                _drop(item[0])

    # in the feeding threads ----------------------------------------------------------------------------------
    def _start(self, slot: int) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen([sys.executable, "-c", _BOOT, _PACKAGE_ROOT, str(os.getpid())],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)
        with self._lock:
            self._procs[slot] = proc
        return proc

    def _serve(self, slot: int, eager: bool) -> None:
        # Blocked here, so the workers this thread starts begin with them blocked; the main thread handles them.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        proc: subprocess.Popen[bytes] | None = self._start(slot) if eager else None
        try:
            while True:
                item = self._queue.get()
                if item is None or self._aborted.is_set():
                    if item is not None:
                        _drop(item[0])
                    return
                future, fn, args, crashes = item
                if crashes == 0 and not future.set_running_or_notify_cancel():
                    continue  # cancelled while it waited
                try:
                    command = _dumps((fn, args))
                except Exception as exc:  # not picklable: a bug in the caller, reported to it
                    future.set_exception(exc)
                    continue
                if proc is None:
                    proc = self._start(slot)
                if self._aborted.is_set():  # stopped while this worker was being started
                    kill_tree(proc.pid)
                    _drop(future)
                    return
                assert proc.stdin is not None and proc.stdout is not None
                try:
                    write_frame(proc.stdin, command)
                    reply = read_frame(proc.stdout)
                except (EOFError, OSError):
                    if self._aborted.is_set():
                        _drop(future)
                        return
                    kill_tree(proc.pid)
                    ended = _how_it_ended(proc.wait())
                    proc = None
                    if crashes < self.crash_retries:
                        self._queue.put((future, fn, args, crashes + 1))
                    else:
                        future.set_exception(WorkerCrashed(f"the worker process {ended} while running it, "
                                                           f"{crashes + 1} time(s)"))
                    continue
                try:
                    status, value = _loads(reply)
                except Exception as exc:  # e.g. a result class this process cannot import
                    future.set_exception(exc)
                    continue
                if status == "ok":
                    future.set_result(value)
                else:
                    future.set_exception(value)
        finally:
            if proc is not None:
                _end(proc)
            with self._lock:
                self._procs.pop(slot, None)


def _drop(future: Future[Any]) -> None:
    """A task the pool will not run (any more): cancelled if it had not started, else failed as cancelled."""
    if not future.cancel() and not future.done():
        future.set_exception(CancelledError("the pool was stopped"))


def _end(proc: subprocess.Popen[bytes]) -> None:
    """Close a worker's stdin (it exits at once when idle) and reap it; kill it if it does not go."""
    with contextlib.suppress(OSError):
        assert proc.stdin is not None
        proc.stdin.close()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        kill_tree(proc.pid)
        proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


# in the worker process -------------------------------------------------------------------------------------------
def _end_with_tree(signum: int, frame: object) -> None:
    """SIGTERM (or the parent's death): end everything this worker started, then the worker itself."""
    for pid in descendants(os.getpid()):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    os._exit(128 + signum)


def worker_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _portable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else a RuntimeError with its type and message."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def worker_main() -> None:
    parent = int(sys.argv[-1])
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _end_with_tree)
    die_with_parent(signal.SIGTERM, parent)
    # The protocol gets its own descriptors; whatever a library prints goes to stderr, never into a frame.
    commands = os.fdopen(os.dup(0), "rb")
    results = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    from dsd_cli.pipeline.scratch import sweep_stale_scratch
    from dsd_cli.pipeline.workers import init_worker

    init_worker()
    sweep_stale_scratch()
    while True:
        try:
            command = read_frame(commands)
        except EOFError:
            return
        try:
            fn, args = _loads(command)
            reply = _dumps(("ok", fn(*args)))
        except Exception as exc:  # a bug in the task (or a result that cannot be pickled): the caller re-raises it
            reply = _dumps(("error", _portable(exc)))
        write_frame(results, reply)
