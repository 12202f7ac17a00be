"""Run OCRmyPDF's command line in a fork of a process that has already imported it.

Starting `python -m ocrmypdf` costs about a second of imports per document (OCRmyPDF, pikepdf's PDF/A code, fpdf2,
fontTools, pypdfium2, numpy), as much as OCR of a page. dsd's OCR workers import all that once (`warm_up`) and
fork a child per document that runs OCRmyPDF's own command-line entry point with the same arguments, so exit codes,
messages and behaviour are those of the command. The child is still a separate process, as with `subprocess`:
a crash or a runaway Ghostscript ends only the child, and the timeout kills the child and every process under it.
The child stays in the worker's process group, so a kill of the group reaches it; on Ctrl-C, dsd run's parent
ends the workers' process trees itself (its workers ignore SIGINT). The child also dies with the worker (Linux
parent-death signal): a worker killed outright never leaves an OCRmyPDF run behind.

Forking is only safe in a single-threaded process; anywhere else the caller uses a subprocess (`can_fork`).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import importlib
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

# What an OCRmyPDF run imports after `ocrmypdf.__main__` (OCRmyPDF 17). A name that a later version no longer has
# is skipped: that costs start-up time, never correctness.
WARM_MODULES = (
    "ocrmypdf.__main__", "ocrmypdf.builtin_plugins.concurrency", "ocrmypdf.builtin_plugins.default_filters",
    "ocrmypdf.builtin_plugins.ghostscript", "ocrmypdf.builtin_plugins.optimize", "ocrmypdf.builtin_plugins.pypdfium",
    "ocrmypdf.builtin_plugins.tesseract_ocr", "ocrmypdf.builtin_plugins.null_ocr", "ocrmypdf.fpdf_renderer",
    "ocrmypdf.font", "ocrmypdf.optimize", "ocrmypdf._exec.ghostscript", "ocrmypdf._exec.tesseract",
    "pikepdf.pdfa", "fpdf", "fontTools.ttLib", "uharfbuzz", "pypdfium2", "numpy", "lxml.etree",
)
EXIT_OTHER_ERROR = 15
"""OCRmyPDF's exit code for an unexpected error (ocrmypdf.exceptions.ExitCode.other_error)."""


def warm_up() -> None:
    """Import OCRmyPDF and what its runs import; meant as a worker-process initializer."""
    for name in WARM_MODULES:
        with contextlib.suppress(Exception):
            importlib.import_module(name)


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def descendants(pid: int) -> list[int]:
    """Every process under `pid` (Linux /proc), children first."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError, ValueError):
                kids = [int(c) for c in task.read_text().split()]
                found += kids
                todo += kids
    return found


_PR_SET_PDEATHSIG = 1


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def die_with_parent(signum: int, parent: int) -> None:
    """Have the kernel send `signum` to this process when its parent ends (Linux prctl PR_SET_PDEATHSIG), and
    send it now when `parent` has already ended (then this process was re-parented before it could ask)."""
    try:
        _libc().prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent ends its children itself when it can
        pass
    if os.getppid() != parent:
        os.kill(os.getpid(), signum)


def kill_tree(pid: int) -> None:
    """SIGKILL `pid` and every process under it."""
    for victim in [*descendants(pid), pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)


def _child(args: Sequence[str], env: Mapping[str, str], stderr_fd: int, parent: int) -> None:
    """In the forked child: run OCRmyPDF's CLI entry point and exit with its code. Never returns."""
    code = EXIT_OTHER_ERROR
    try:
        die_with_parent(signal.SIGKILL, parent)
        os.environ.update(env)
        os.dup2(stderr_fd, 2)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        from ocrmypdf.__main__ import run

        result = run(list(args))
        code = int(result) if result is not None else 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else EXIT_OTHER_ERROR
    except BaseException:  # report it like the command would, then exit: never back into the worker's code
        with contextlib.suppress(Exception):
            traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os._exit(code)


def _wait_or_kill(pid: int, timeout: float, *, poll: float) -> int | None:
    """The wait status of child `pid`, or None when it ran past `timeout` seconds (then it and everything it
    started are killed and reaped)."""
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            kill_tree(pid)
            os.waitpid(pid, 0)
            return None
        time.sleep(poll)


def run_forked(args: Sequence[str], env: Mapping[str, str], timeout: float) -> tuple[int, str] | None:
    """Run `ocrmypdf ARGS` in a forked child; (exit code, stderr), or None when it ran longer than `timeout`
    (then the child and everything it started are killed). A negative code is the signal that ended the child."""
    with tempfile.TemporaryFile() as err:
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            _child(args, env, err.fileno(), parent)
        status = _wait_or_kill(pid, timeout, poll=0.05)
        if status is None:
            return None
        err.seek(0)
        return os.waitstatus_to_exitcode(status), err.read().decode("utf-8", "replace")


def call_forked(fn: Callable[[], Any], timeout: float) -> tuple[str, Any] | None:
    """Run `fn()` in a forked child of this (single-threaded) process and hand back its outcome.

    ('ok', value) or ('error', exception) as `fn` returned or raised (both picklable), ('crashed', signal number
    or exit code) when the child died without answering, None when it ran past `timeout` seconds (then it and
    everything it started are killed). The child has everything this process has loaded (Tesseract's models)
    without loading it again, a crash in native code ends only the child, and the child dies with this process."""
    parent = os.getpid()
    with tempfile.TemporaryFile() as answer:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                die_with_parent(signal.SIGKILL, parent)  # a worker killed outright leaves no OCR child behind
                os.dup2(os.open(os.devnull, os.O_RDWR), 0)
                try:
                    outcome: tuple[str, Any] = ("ok", fn())
                except Exception as exc:  # handed to the parent, which decides (keyword-only fields kept)
                    outcome = ("error", (type(exc), str(exc.args[0]) if exc.args else "", dict(vars(exc))))
                try:
                    pickle.dump(outcome, answer)
                except Exception as exc:  # an unpicklable exception: its text is still worth having
                    answer.seek(0)
                    answer.truncate()
                    pickle.dump(("error", (RuntimeError, f"unpicklable outcome: {exc}", {})), answer)
                answer.flush()
            except BaseException:
                code = EXIT_OTHER_ERROR
            finally:
                os._exit(code)
        status = _wait_or_kill(pid, timeout, poll=0.02)
        if status is None:
            return None
        answer.seek(0)
        try:
            kind, value = pickle.load(answer)  # noqa: S301 - written by our own child a moment ago
        except (EOFError, pickle.UnpicklingError):
            return "crashed", os.waitstatus_to_exitcode(status)
        if kind == "error" and isinstance(value, tuple):
            cls, message, state = value
            exc = cls.__new__(cls)
            Exception.__init__(exc, message)
            exc.__dict__.update(state)
            value = exc
        return kind, value
