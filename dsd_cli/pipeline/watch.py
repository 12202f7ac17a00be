"""`dsd watch`: a hot folder for scan servers.

A scanner writes files into the inbox over seconds or minutes. A file (or a sub-folder of page images) is taken
only after its size and modification time have not changed for `settle_seconds`, so half-written scans are never
read. Each settled item goes through the same resumable pipeline as `dsd run`; afterwards the source moves to
`done/` when all its pages are archived, or to `held/` when something was quarantined or left unassigned (the
archive's quarantine has a copy and the reason), or to `held/` at once when its scan record is invalid. watchdog
wakes the loop early on file-system events; a periodic scan catches what events miss (network shares). Hidden
names (`.name`) are never taken: `dsd scan` writes its batches hidden and renames them when complete.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from dsd_cli.archive.session import require_archive
from dsd_cli.errors import ClusterError, DsdError, InputError
from dsd_cli.pipeline.executors import Executor
from dsd_cli.pipeline.run import RunOptions, RunReport, run_pipeline
from dsd_cli.scan.scan_record import ScanRecordError

log = logging.getLogger("dsd.watch")

IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".filepart", ".lock")
DONE, HELD = "done", "held"


@dataclass(frozen=True)
class WatchResult:
    source: Path
    moved_to: Path
    report: RunReport | None
    error: str = ""


def _signature(path: Path) -> tuple[int, float] | None:
    """(total size, newest mtime) of a file or a folder's files; None when it vanished."""
    try:
        if path.is_file():
            st = path.stat()
            return st.st_size, st.st_mtime
        size, newest = 0, path.stat().st_mtime
        for child in path.rglob("*"):
            if child.is_file():
                st = child.stat()
                size += st.st_size
                newest = max(newest, st.st_mtime)
        return size, newest
    except OSError:
        return None


def _candidates(inbox: Path) -> list[Path]:
    items = []
    for child in sorted(inbox.iterdir()):
        if child.name in (DONE, HELD) or child.name.startswith((".", "~$")):
            continue
        if child.is_file() and child.name.lower().endswith(IGNORED_SUFFIXES):
            continue
        items.append(child)
    return items


def _move_aside(source: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / source.name
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{source.stem}-{n}{source.suffix}"
    shutil.move(str(source), target)
    return target


class _Wake(FileSystemEventHandler):
    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.event.set()


def watch_inbox(inbox: Path, template: RunOptions, *, settle_seconds: float = 10.0, poll_seconds: float = 2.0,
                max_items: int | None = None, timeout: float | None = None, stop: threading.Event | None = None,
                on_result: Callable[[WatchResult], None] | None = None,
                executor: Executor | None = None) -> list[WatchResult]:
    """Process settled items of `inbox` until `stop` is set, `max_items` are done or `timeout` seconds passed.
    Every item's run uses `executor` (entered by the caller; default: a local pool per item).

    InputError when the inbox is not a folder (a mount that is not there must not look like an empty inbox),
    ArchiveError when the archive is not a dsd archive (`dsd run --archive DIR` makes an empty one)."""
    if not inbox.is_dir():
        raise InputError(f"{inbox}: the inbox folder does not exist", reason="missing",
                         hint="create it, or check that the scanner's share is mounted")
    require_archive(template.archive)
    stop = stop or threading.Event()
    wake = threading.Event()
    observer = Observer()
    observer.schedule(_Wake(wake), str(inbox), recursive=True)
    observer.start()
    seen: dict[Path, tuple[tuple[int, float], float]] = {}
    results: list[WatchResult] = []
    deadline = time.monotonic() + timeout if timeout else None
    try:
        while not stop.is_set():
            now = time.monotonic()
            if deadline and now > deadline:
                break
            for item in _candidates(inbox):
                sig = _signature(item)
                if sig is None:
                    seen.pop(item, None)
                    continue
                previous = seen.get(item)
                if previous is None or previous[0] != sig:
                    seen[item] = (sig, now)
                    continue
                if now - previous[1] < settle_seconds:
                    continue
                seen.pop(item, None)
                result = _process(item, inbox, template, executor)
                results.append(result)
                if on_result:
                    on_result(result)
                if max_items is not None and len(results) >= max_items:
                    return results
            wake.wait(poll_seconds)
            wake.clear()
    finally:
        observer.stop()
        observer.join(timeout=5)
    return results


def _process(item: Path, inbox: Path, template: RunOptions, executor: Executor | None) -> WatchResult:
    log.info("processing", extra={"item": item.name})
    try:
        report = run_pipeline(dataclasses.replace(template, inputs=(item,)), executor=executor)
    except ClusterError:
        raise  # without its cluster the watcher cannot go on; the item stays in the inbox for the next start
    except ScanRecordError as exc:
        # The item's own scan record is wrong: trying again will not help, a person must look at it.
        log.error("bad scan record", extra={"item": item.name, "error": exc.message})
        return WatchResult(source=item, moved_to=_move_aside(item, inbox / HELD), report=None, error=exc.message)
    except DsdError as exc:
        # The whole run failed (e.g. the archive is locked): leave the item for the next attempt.
        log.error("run failed", extra={"item": item.name, "error": exc.message})
        return WatchResult(source=item, moved_to=item, report=None, error=exc.message)
    folder = HELD if report.partial or report.verify_ok is False else DONE
    moved = _move_aside(item, inbox / folder)
    log.info("processed", extra={"item": item.name, "moved_to": f"{folder}/{moved.name}",
                                 "documents": report.documents_archived})
    return WatchResult(source=item, moved_to=moved, report=report)
