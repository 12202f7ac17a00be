"""`dsd scan`: empty a scanner's document feeder into one batch that dsd can trust.

scanimage runs in batch mode in a hidden folder beside the batch's final place (`.NAME.XXXX.partial`: `dsd watch`
ignores dot-names). Each page scanimage reports complete is fsynced and checksummed at once, and the scan record
(`scan-record.json`: device, SANE backend and version, settings, operator, times, every page's SHA-256) is rewritten
after it, so even a cut-off scan leaves a folder that says what it holds. At the end the record gets its outcome,
the folder is fsynced and renamed into place in one step: a watcher sees the whole batch or nothing.

An empty feeder ends a batch normally. A jam, an open cover, a device error or Ctrl-C (SIGINT/SIGTERM) ends it
early: every page already complete is kept and published, the half-scanned page is dropped, and the outcome says
what happened. scanimage runs in its own session, so a Ctrl-C reaches dsd, which asks scanimage to cancel the
scanner properly (SIGINT) and waits for it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import queue
import re
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PIL import Image

from dsd_cli import __version__
from dsd_cli.errors import DsdError, ExitCode, InputError, PartialResult, UsageError
from dsd_cli.fsutil import CHUNK, atomic_write_text, fsync_dir
from dsd_cli.progress import NullProgress, ProgressReporter
from dsd_cli.scan.sane_options import (
    DeviceSettings,
    ScanSettings,
    check_extra_names,
    choose_settings,
    choose_source,
)
from dsd_cli.scan.sane_scanimage import (
    SaneDevice,
    SaneVersion,
    device_error,
    find_device,
    image_format,
    read_options,
    sane_version,
    scanimage,
    tool_words,
)
from dsd_cli.scan.scan_record import OUTCOMES, RECORD_JSON, PageRecord, ScanRecord

log = logging.getLogger("dsd.scan")

PARTIAL_SUFFIX = ".partial"
CANCEL_TIMEOUT = 60.0
EXIT_GRACE = 5.0
"""Seconds scanimage is given to exit once it has said its batch ended."""
"""Seconds scanimage gets to stop the scanner after a Ctrl-C before it is killed."""
_SANE_STATUS = {2: "cancelled-at-device", 3: "device-busy", 6: "jammed", 7: "feeder-empty", 8: "cover-open",
                9: "device-error", 10: "device-error", 11: "access-denied"}
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class ScanInterrupted(DsdError):
    """Ctrl-C or SIGTERM during a scan: the pages already scanned are kept (see the message)."""

    exit_code = ExitCode.INTERRUPTED


@dataclass(frozen=True)
class ScanRequest:
    device: str
    settings: ScanSettings
    target: Path
    """The batch folder to create (`-o`), or the inbox to create it in (`into_inbox`)."""
    into_inbox: bool = False
    operator: str = ""
    max_pages: int | None = None
    """Stop after this many page images (both sides count in duplex); None: until the feeder is empty."""


@dataclass(frozen=True)
class PreparedScan:
    """A request checked against the device: what scanimage will be told."""

    request: ScanRequest
    device: SaneDevice
    version: SaneVersion
    device_settings: DeviceSettings
    image_format: str

    def to_dict(self) -> dict[str, Any]:
        return {"device": self.device.to_dict(), "sane_version": self.version.frontend,
                "backend_version": self.version.backend, "settings": _settings_dict(self.request.settings),
                "device_options": self.device_settings.as_dict(), "format": self.image_format}


@dataclass(frozen=True)
class ScanResult:
    batch: Path | None
    """The published batch folder; None when nothing was scanned."""
    record: ScanRecord
    leftovers: tuple[Path, ...] = ()
    """Hidden folders of earlier scans that were cut off (the process was killed): kept for a person."""
    tool_message: str = ""
    stop_requested: bool = False
    """Ctrl-C or SIGTERM came during the scan (also when the feeder ran empty before scanimage had stopped)."""

    @property
    def pages(self) -> int:
        return len(self.record.pages or ())

    @property
    def outcome(self) -> str:
        return self.record.outcome

    @property
    def complete(self) -> bool:
        return self.outcome in ("complete", "feeder-empty")

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.complete, "batch": str(self.batch) if self.batch else None, "pages": self.pages,
                "outcome": self.outcome, "message": self.record.message, "scanimage": self.tool_message,
                "record": self.record.to_dict(), "leftovers": [str(p) for p in self.leftovers]}


def _settings_dict(settings: ScanSettings) -> dict[str, Any]:
    return {"source": settings.source, "duplex": settings.duplex, "mode": settings.mode, "dpi": settings.dpi,
            "device_options": dict(settings.extra)}


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def check_operator(operator: str) -> str:
    operator = operator.strip()
    if not operator or len(operator) > 100 or any(ord(ch) < 32 for ch in operator):
        raise UsageError("--operator: give a short name (at most 100 characters, no control characters)")
    return operator


def prepare_scan(request: ScanRequest) -> PreparedScan:
    """Check the request against the device before anything is written. Raises UsageError for what the device
    cannot do, InputError for a device that cannot be opened, MissingToolError without scanimage."""
    scanimage()
    settings = request.settings
    if settings.source == "flatbed" and request.max_pages not in (None, 1):
        raise UsageError("the flatbed scans one page per batch; use the document feeder (--source adf) for more")
    if request.max_pages is not None and request.max_pages < 1:
        raise UsageError("--pages must be 1 or more")
    version = sane_version()
    device = find_device(request.device)
    check_extra_names(settings)
    first = read_options(request.device)
    for name, _ in settings.extra:
        if name not in first.options:  # options may become active later, but never appear from nothing
            raise UsageError(f"device {request.device} has no option {name!r}",
                             hint=f"list its options with: scanimage -d '{request.device}' -A")
    source = choose_source(first, settings)
    # The second listing is made with the source and the extra options set: they can change what else is offered.
    listing = read_options(request.device, [*source.arguments(), *DeviceSettings(settings.extra).arguments()])
    chosen = choose_settings(listing, settings, source)
    return PreparedScan(request=request, device=device, version=version, device_settings=chosen,
                        image_format=image_format(version))


# Where the batch goes -----------------------------------------------------------------------------------------

def _final_path(request: ScanRequest, started: dt.datetime) -> Path:
    if request.into_inbox:
        if request.target.exists() and not request.target.is_dir():
            raise InputError(f"{request.target} is not a folder", reason="not-a-folder")
        return request.target / f"scan-{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
    target = request.target
    if target.name.startswith("."):
        raise UsageError(f"{target}: a batch folder name must not start with a dot (dsd watch would ignore it)")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target} already exists and is not an empty folder",
                         hint="give a new folder with -o, or an inbox with --inbox")
    return target


def cut_off_scans(folder: Path) -> tuple[Path, ...]:
    """Hidden batch folders left by scans whose process was killed (they hold a scan record of what they have)."""
    if not folder.is_dir():
        return ()
    return tuple(sorted(p for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(PARTIAL_SUFFIX)
                        and p.is_dir() and (p / RECORD_JSON).is_file()))


def _page_record(path: Path) -> PageRecord:
    """Checksum and fsync a page scanimage finished, and note what the image says of itself."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
        os.fsync(handle.fileno())
    width = height = None
    dpi: float | None = None
    mode = ""
    try:
        with Image.open(path) as image:
            width, height, mode = image.width, image.height, image.mode
            found = image.info.get("dpi")
            dpi = round(float(found[0]), 1) if found else None
    except (OSError, ValueError, TypeError, IndexError):
        pass  # the page is kept as scanned; ingest decides whether it can be used
    return PageRecord(file=path.name, sha256=digest.hexdigest(), size=path.stat().st_size, scanned=now_iso(),
                      width=width, height=height, dpi=dpi, image_mode=mode)


# Running scanimage --------------------------------------------------------------------------------------------

@contextlib.contextmanager
def _stops_deferred(caught: list[int]) -> Iterator[None]:
    """While the batch is being finished, Ctrl-C and SIGTERM are noted, not acted on: the batch is published (or
    cleaned up) whole, then the stop is reported."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, lambda signum, frame: caught.append(signum)) for s in _STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _pump(stream: Any, lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


class _Scanimage:
    """One scanimage process in batch mode, its completed pages as they come, and a proper stop."""

    def __init__(self, command: list[str], work: Path) -> None:
        self.process = subprocess.Popen(command, cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, errors="replace",
                                        env={**os.environ, "LC_ALL": "C"}, start_new_session=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.errors: list[str] = []
        self.stopped = False
        self.batch_ended: float | None = None
        """When scanimage said "Batch terminated": its work is done, only its exit is left."""
        self.hung_at_exit = False
        threading.Thread(target=_pump, args=(self.process.stdout, self.lines), daemon=True).start()
        self._stderr = threading.Thread(target=self._collect_errors, daemon=True)
        self._stderr.start()

    def _collect_errors(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            if line.startswith("Batch terminated"):
                self.batch_ended = time.monotonic()
            if len(self.errors) < 200:
                self.errors.append(line.rstrip("\n"))

    def pages(self, caught: list[int]) -> Iterator[str]:
        """The names of completed pages as scanimage reports them, until it ends. A stop noted in `caught`
        asks it to cancel; if it has not ended CANCEL_TIMEOUT seconds later, it is killed."""
        deadline: float | None = None
        while True:
            if caught and not self.stopped:
                self.stop()
            if self.stopped and deadline is None:
                deadline = time.monotonic() + CANCEL_TIMEOUT
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if deadline is not None and time.monotonic() > deadline:
                    self.kill()
                elif self.batch_ended is not None and time.monotonic() - self.batch_ended > EXIT_GRACE \
                        and self.process.poll() is None:
                    # Some backends (SANE's test backend among them) now and then never return from closing the
                    # device: every page is already written, so the process is ended instead of waited for.
                    log.warning("scanimage did not exit after its batch ended; it was stopped",
                                extra={"seconds": EXIT_GRACE})
                    self.hung_at_exit = True
                    self.kill()
                continue
            if line is None:
                return
            yield line

    def stop(self) -> None:
        """Ask scanimage to cancel the scan (it stops the scanner and drops the half-read page)."""
        self.stopped = True
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGINT)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()

    def wait(self, timeout: float) -> int:
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.process.wait()
        self._stderr.join(timeout=5)
        if self.hung_at_exit:
            return self.reported_status()
        return code

    def reported_status(self) -> int:
        """The SANE status scanimage reported for its last page (its exit code, had it exited)."""
        for line in reversed(self.errors):
            if found := re.search(r"scanner status = (\d+)", line):
                return int(found.group(1))
        return 0

    def message(self) -> str:
        return tool_words("\n".join(line for line in self.errors
                                    if not re.match(r"(Scanning|Scanned) (page|infinity)|Batch terminated", line)))


def _outcome(code: int, stopped: bool, stderr: str) -> str:
    if stopped:
        return "interrupted"
    if "out of documents" in stderr.lower() and code in (0, 7):
        return "feeder-empty"
    if code == 0:
        return "complete"
    return _SANE_STATUS.get(code, "failed")


def _base_record(prepared: PreparedScan, operator: str, started: str) -> ScanRecord:
    request, device, version = prepared.request, prepared.device, prepared.version
    return ScanRecord(
        device=device.name, device_vendor=device.vendor, device_model=device.model, device_type=device.type,
        backend=device.backend, backend_version=version.backend, software=version.tool,
        source=request.settings.source, duplex=request.settings.duplex, mode=request.settings.mode,
        dpi=request.settings.dpi, device_options=prepared.device_settings.values, operator=operator,
        station=socket.gethostname(), started=started, outcome="scanning", made_by=f"dsd {__version__}", pages=())


def scan_batch(prepared: PreparedScan, progress: ProgressReporter | None = None) -> ScanResult:
    """Scan one batch and publish it. The result's outcome says how the scan ended; `scan_error` turns an early
    end into the error to report. Raises (publishing nothing) when not a single page was scanned."""
    progress = progress or NullProgress()
    request = prepared.request
    started_at = dt.datetime.now(dt.UTC)
    final = _final_path(request, started_at)
    final.parent.mkdir(parents=True, exist_ok=True)
    leftovers = cut_off_scans(final.parent)
    work = final.parent / f".{final.name}.{secrets.token_hex(4)}{PARTIAL_SUFFIX}"
    work.mkdir(mode=0o750)
    record = _base_record(prepared, request.operator, started_at.isoformat(timespec="seconds"))
    atomic_write_text(work / RECORD_JSON, record.to_json())
    extension = "png" if prepared.image_format == "png" else "tif"
    command = [scanimage(), "-d", request.device, *prepared.device_settings.arguments(),
               f"--format={prepared.image_format}", f"--batch=page-%04d.{extension}", "--batch-print"]
    if request.settings.source == "flatbed":
        command.append("--batch-count=1")
    elif request.max_pages:
        command.append(f"--batch-count={request.max_pages}")
    log.info("scan started", extra={"device": request.device, "source": request.settings.source,
                                    "mode": request.settings.mode, "dpi": request.settings.dpi})
    pages: list[PageRecord] = []
    caught: list[int] = []
    progress.start("scan", request.max_pages, "pages")
    # Ctrl-C and SIGTERM are noted, never raised in the middle of a page's bookkeeping: a stop asks scanimage to
    # cancel, the pages it completes until it has stopped still count, and the batch is published whole.
    with _stops_deferred(caught):
        process = _Scanimage(command, work)
        try:
            for name in process.pages(caught):
                page_file = work / name
                if "/" in name or not page_file.is_file():
                    continue  # scanimage prints only its own page names; anything else is not a page
                pages.append(_page_record(page_file))
                record = replace(record, pages=tuple(pages))
                atomic_write_text(work / RECORD_JSON, record.to_json())
                progress.advance("scan")
                log.debug("page scanned", extra={"page": len(pages)})
        except BaseException:
            process.stop()  # dsd itself failed: the scanner must not keep feeding
            process.wait(CANCEL_TIMEOUT)
            raise
        finally:
            progress.finish("scan")
        code = process.wait(CANCEL_TIMEOUT)
        message = process.message()
        if code < 0 and not process.stopped:
            message = "; ".join(x for x in (message, f"scanimage was ended by {signal.Signals(-code).name}") if x)
        outcome = _outcome(code, process.stopped, message)
        record = replace(record, ended=now_iso(), outcome=outcome,
                         message=_describe(outcome, len(pages), message))
        for leftover in work.glob("*.part"):
            leftover.unlink()  # the page being scanned when it stopped: never complete
        if not pages:
            shutil.rmtree(work, ignore_errors=True)
        else:
            atomic_write_text(work / RECORD_JSON, record.to_json())
            fsync_dir(work)
            _publish(work, final)
    log.info("scan finished", extra={"device": request.device, "pages": len(pages), "outcome": outcome})
    result = ScanResult(batch=final if pages else None, record=record, leftovers=leftovers, tool_message=message,
                        stop_requested=bool(caught))
    if not pages:
        raise nothing_scanned(result, code)
    return result


def _publish(work: Path, final: Path) -> None:
    try:
        os.rename(work, final)  # replaces `final` only when it is an empty folder
    except OSError as exc:
        raise InputError(f"the batch could not be put in place as {final} ({exc.strerror}); its pages are kept in "
                         f"{work}", reason="publish-failed") from None
    fsync_dir(final.parent)


def _describe(outcome: str, pages: int, tool_message: str) -> str:
    what = OUTCOMES.get(outcome, outcome)
    text = f"{what}; {pages} page(s) scanned"
    if tool_message and outcome not in ("complete", "feeder-empty", "interrupted"):
        text += f" (scanimage: {tool_message})"
    return text


def nothing_scanned(result: ScanResult, code: int) -> DsdError:
    """The error when a scan ended before its first page was complete (nothing is published)."""
    outcome = result.outcome
    if outcome == "interrupted" or result.stop_requested:
        return ScanInterrupted("stopped before the first page was complete: nothing was scanned")
    if outcome == "feeder-empty":
        return InputError("the document feeder is empty: nothing was scanned", reason="feeder-empty",
                          hint="put the pages in the feeder and scan again")
    if outcome == "failed" and code == 1:
        return device_error(result.record.device, result.tool_message)
    return InputError(f"the scanner stopped before the first page: {OUTCOMES.get(outcome, outcome)} "
                      f"(scanimage: {result.tool_message or 'no message'}); nothing was scanned", reason=outcome)


def scan_error(result: ScanResult) -> DsdError | None:
    """The error for a published batch whose scan ended early (its pages are kept), None for a full batch."""
    where = f"the {result.pages} page(s) scanned are kept in {result.batch}"
    if result.complete:
        return ScanInterrupted(f"stopped by Ctrl-C once the scan was complete; {where}") \
            if result.stop_requested else None
    if result.outcome == "interrupted":
        return ScanInterrupted(f"stopped by Ctrl-C after {result.pages} page(s); {where}",
                               hint="scan the remaining pages as a new batch, starting with the separator sheet "
                                    "of the document they belong to")
    return PartialResult(f"the scanner stopped: {result.record.message}; {where}",
                         hint="fix the scanner, then scan the remaining pages as a new batch, starting with the "
                              "separator sheet of the document they belong to")
