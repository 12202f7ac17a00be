"""The scan record: how a batch was scanned (device, settings, operator, times) and the checksum of every page.

`dsd scan` writes it as `scan-record.json` into every batch it makes. A batch made by other scanning software can
carry the same fields in a `scan-record.toml` (or `.json`) beside its files. `dsd run` reads the record of each
folder, checks the listed checksums against the files at ingest and puts device, settings and operator into every
document's capture event (PREMIS). The format is documented in docs/scanning.md; a record with an unknown key, a
wrong type or an impossible value is refused with ScanRecordError (a ConfigError, exit code 5).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsd_cli.errors import ConfigError
from dsd_cli.scan.bounds import MAX_PAGES

RECORD_JSON = "scan-record.json"
RECORD_TOML = "scan-record.toml"
RECORD_NAMES = (RECORD_JSON, RECORD_TOML)
FORMAT = 1
MAX_RECORD_BYTES = 8 * 1024 * 1024
MAX_TEXT = 500

SOURCES = ("adf", "flatbed")
MODES = ("gray", "color", "lineart")
OUTCOMES = {
    "complete": "the requested pages were scanned",
    "feeder-empty": "the document feeder ran empty",
    "interrupted": "stopped by Ctrl-C or SIGTERM",
    "jammed": "the document feeder jammed",
    "cover-open": "the scanner cover is open",
    "device-busy": "the device is busy",
    "cancelled-at-device": "cancelled at the scanner",
    "access-denied": "access to the device was denied",
    "device-error": "the device reported an error",
    "failed": "scanimage failed",
    "scanning": "the scan was cut off (the process ended before it could finish the batch)",
}


class ScanRecordError(ConfigError):
    """A scan record that dsd cannot trust: unreadable, or not in the documented format."""


@dataclass(frozen=True)
class PageRecord:
    """One scanned page file."""

    file: str
    """The file's name in the batch folder (a plain name, never a path)."""
    sha256: str
    size: int | None = None
    scanned: str = ""
    """ISO date-time the page was complete."""
    width: int | None = None
    height: int | None = None
    dpi: float | None = None
    """The resolution written in the image file."""
    image_mode: str = ""
    """Pillow's name for the image's pixels: '1', 'L', 'RGB', ..."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "sha256": self.sha256}
        for key in ("size", "scanned", "width", "height", "dpi", "image_mode"):
            value = getattr(self, key)
            if value not in (None, ""):
                out[key] = value
        return out


@dataclass(frozen=True)
class ScanRecord:
    """How a batch was scanned. Only `device` is required; what is not known stays empty."""

    device: str
    """The SANE device name, or the scanner's make and model."""
    device_vendor: str = ""
    device_model: str = ""
    device_type: str = ""
    backend: str = ""
    """The SANE backend (`fujitsu`, `test`), or empty."""
    backend_version: str = ""
    software: str = ""
    """The scanning program and its version (`scanimage 1.1.1`, `PaperStream Capture 3.2`)."""
    source: str = ""
    """'adf' or 'flatbed'."""
    duplex: bool | None = None
    mode: str = ""
    """'gray', 'color' or 'lineart'."""
    dpi: int | None = None
    device_options: tuple[tuple[str, str], ...] = ()
    """The device's own option values as they were set (`source` = `ADF Duplex`, ...)."""
    operator: str = ""
    """Who scanned: a login name."""
    station: str = ""
    """The computer the scanner was attached to."""
    started: str = ""
    ended: str = ""
    outcome: str = ""
    """One of OUTCOMES, for batches made by `dsd scan`."""
    message: str = ""
    made_by: str = ""
    """The program that wrote the record (`dsd 0.1.0`)."""
    pages: tuple[PageRecord, ...] | None = None
    """Every page file with its checksum, or None when the record lists no files."""
    path: Path | None = field(default=None, compare=False)
    """Where the record was read from."""

    def page(self, file_name: str) -> PageRecord | None:
        return next((p for p in self.pages or () if p.file == file_name), None)

    def covers(self, file_name: str) -> bool:
        """Whether the record speaks of this file: it lists it, or it lists no files (all of the folder)."""
        return self.pages is None or self.page(file_name) is not None

    def settings(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("source", "duplex", "mode", "dpi"):
            value = getattr(self, key)
            if value not in (None, ""):
                out[key] = value
        return out

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scan_record": FORMAT}
        for key in ("made_by", "device", "device_vendor", "device_model", "device_type", "backend",
                    "backend_version", "software", "source", "duplex", "mode", "dpi"):
            value = getattr(self, key)
            if value not in (None, ""):
                out[key] = value
        if self.device_options:
            out["device_options"] = dict(self.device_options)
        for key in ("operator", "station", "started", "ended", "outcome", "message"):
            value = getattr(self, key)
            if value:
                out[key] = value
        if self.pages is not None:
            out["pages"] = [p.to_dict() for p in self.pages]
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def describe(self) -> str:
        """One line for people: the device and its settings."""
        device = " ".join(x for x in (self.device_vendor, self.device_model) if x)
        parts = [f"{device} ({self.device})" if device else self.device]
        if self.backend:
            parts.append(f"SANE backend {self.backend} {self.backend_version}".strip())
        if self.source:
            parts.append("document feeder" if self.source == "adf" else "flatbed")
        if self.duplex is not None:
            parts.append("duplex" if self.duplex else "simplex")
        if self.mode:
            parts.append(self.mode)
        if self.dpi:
            parts.append(f"{self.dpi} dpi")
        return ", ".join(parts)

    def capture(self, file_name: str) -> dict[str, Any]:
        """What a capture event records of this scan for one scanned file (`event["scan"]`)."""
        out: dict[str, Any] = {"device": self.device}
        for key in ("device_vendor", "device_model", "backend", "backend_version", "software"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        out.update(self.settings())
        if self.device_options:
            out["device_options"] = dict(self.device_options)
        for key in ("operator", "station", "started", "ended", "outcome"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        page = self.page(file_name)
        if page is not None and page.dpi:
            out["image_dpi"] = page.dpi
        if self.path is not None:
            out["record"] = self.path.name
        return out


# Reading and checking -------------------------------------------------------------------------------------------

_KEYS = {f for f in ScanRecord.__dataclass_fields__ if f != "path"} | {"scan_record"}
_PAGE_KEYS = set(PageRecord.__dataclass_fields__)
_SHA256 = re.compile(r"[0-9a-f]{64}")


class _Checker:
    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, message: str) -> ScanRecordError:
        return ScanRecordError(f"{self.origin}: {message}", hint="the scan record format is in docs/scanning.md")

    def text(self, data: Mapping[str, Any], key: str, *, required: bool = False) -> str:
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail(f"{key!r} is missing")
            return ""
        if not isinstance(value, str):
            raise self.fail(f"{key!r} must be text, not {type(value).__name__}")
        if len(value) > MAX_TEXT or any(ord(ch) < 32 and ch not in "\t" for ch in value):
            raise self.fail(f"{key!r} is too long or holds control characters")
        if required and not value.strip():
            raise self.fail(f"{key!r} is empty")
        return value.strip()

    def choice(self, data: Mapping[str, Any], key: str, choices: Mapping[str, Any] | tuple[str, ...]) -> str:
        value = self.text(data, key)
        if value and value not in choices:
            raise self.fail(f"{key!r} must be one of {', '.join(choices)}, not {value!r}")
        return value

    def integer(self, data: Mapping[str, Any], key: str, low: int, high: int) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise self.fail(f"{key!r} must be a whole number from {low} to {high}, not {value!r}")
        return value

    def number(self, data: Mapping[str, Any], key: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value < 100_000:
            raise self.fail(f"{key!r} must be a positive number, not {value!r}")
        return float(value)

    def boolean(self, data: Mapping[str, Any], key: str) -> bool | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise self.fail(f"{key!r} must be true or false, not {value!r}")
        return value

    def moment(self, data: Mapping[str, Any], key: str) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if isinstance(value, dt.datetime | dt.date):  # TOML's own date-times
            return value.isoformat()
        text = self.text(data, key)
        try:
            return dt.datetime.fromisoformat(text).isoformat()
        except ValueError:
            raise self.fail(f"{key!r} must be an ISO date-time like 2026-11-24T10:15:00+01:00, not {text!r}") from None

    def keys(self, data: Mapping[str, Any], allowed: set[str], where: str) -> None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise self.fail(f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}{where} "
                            f"(known: {', '.join(sorted(allowed))})")


def _file_name(check: _Checker, value: str, n: int) -> str:
    if not value or value in (".", "..") or "/" in value or "\\" in value or value.startswith(".") \
            or len(value.encode("utf-8")) > 255:
        raise check.fail(f"pages[{n}]: {value!r} is not a plain file name")
    return value


def _page(check: _Checker, data: Any, n: int) -> PageRecord:
    if not isinstance(data, Mapping):
        raise check.fail(f"pages[{n}] must be a table with 'file' and 'sha256'")
    check.keys(data, _PAGE_KEYS, f" in pages[{n}]")
    sha = check.text(data, "sha256", required=True).lower()
    if not _SHA256.fullmatch(sha):
        raise check.fail(f"pages[{n}]: 'sha256' must be 64 hexadecimal digits")
    return PageRecord(file=_file_name(check, check.text(data, "file", required=True), n), sha256=sha,
                      size=check.integer(data, "size", 0, 2**53), scanned=check.moment(data, "scanned"),
                      width=check.integer(data, "width", 1, 1_000_000),
                      height=check.integer(data, "height", 1, 1_000_000), dpi=check.number(data, "dpi"),
                      image_mode=check.text(data, "image_mode"))


def record_from_mapping(data: Any, origin: str, path: Path | None = None) -> ScanRecord:
    """Check a parsed record (JSON object or TOML table) field by field. Raises ScanRecordError."""
    check = _Checker(origin)
    if not isinstance(data, Mapping):
        raise check.fail("a scan record is a table of fields")
    check.keys(data, _KEYS, "")
    version = data.get("scan_record", FORMAT)
    if version != FORMAT or isinstance(version, bool):
        raise check.fail(f"'scan_record' is the format version and must be {FORMAT}, not {version!r}")
    options = data.get("device_options", {})
    if not isinstance(options, Mapping) or not all(isinstance(k, str) and isinstance(v, str | int | float | bool)
                                                     for k, v in options.items()):
        raise check.fail("'device_options' must be a table of option names and values")
    for key, value in options.items():
        if not re.fullmatch(r"[A-Za-z0-9][\w-]{0,80}", key) or any(ord(ch) < 32 for ch in str(value)) \
                or len(str(value)) > MAX_TEXT:
            raise check.fail(f"device_options: {key!r} is not an option name with a printable value")
    pages_data = data.get("pages")
    pages: tuple[PageRecord, ...] | None = None
    if pages_data is not None:
        if not isinstance(pages_data, list) or len(pages_data) > MAX_PAGES:
            raise check.fail(f"'pages' must be a list of at most {MAX_PAGES} pages")
        pages = tuple(_page(check, p, n) for n, p in enumerate(pages_data, start=1))
        names = [p.file for p in pages]
        if len(set(names)) != len(names):
            raise check.fail("'pages' lists a file more than once")
    return ScanRecord(
        device=check.text(data, "device", required=True), device_vendor=check.text(data, "device_vendor"),
        device_model=check.text(data, "device_model"), device_type=check.text(data, "device_type"),
        backend=check.text(data, "backend"), backend_version=check.text(data, "backend_version"),
        software=check.text(data, "software"), source=check.choice(data, "source", SOURCES),
        duplex=check.boolean(data, "duplex"), mode=check.choice(data, "mode", MODES),
        dpi=check.integer(data, "dpi", 10, 9600),
        device_options=tuple((str(k), _option_text(v)) for k, v in options.items()),
        operator=check.text(data, "operator"), station=check.text(data, "station"),
        started=check.moment(data, "started"), ended=check.moment(data, "ended"),
        outcome=check.choice(data, "outcome", OUTCOMES), message=check.text(data, "message"),
        made_by=check.text(data, "made_by"), pages=pages, path=path)


def _option_text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"the key {next(k for k in keys if keys.count(k) > 1)!r} appears twice")
    return dict(pairs)


def read_record(path: Path) -> ScanRecord:
    """Read and check one record file (JSON or TOML by its name)."""
    try:
        size = path.stat().st_size
        if size > MAX_RECORD_BYTES:
            raise ScanRecordError(f"{path}: a scan record of {size} bytes is not plausible")
        raw = path.read_bytes()
    except OSError as exc:
        raise ScanRecordError(f"{path}: cannot read the scan record: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text,
                                                                               object_pairs_hook=_no_duplicate_keys)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise ScanRecordError(f"{path}: not a readable scan record: {exc}",
                              hint="the scan record format is in docs/scanning.md") from None
    return record_from_mapping(data, str(path), path)


def find_record(folder: Path) -> ScanRecord | None:
    """The scan record of a folder of scanner files, None when it has none."""
    found = [folder / name for name in RECORD_NAMES if (folder / name).is_file()]
    if len(found) > 1:
        raise ScanRecordError(f"{folder}: both {RECORD_JSON} and {RECORD_TOML}; keep one scan record per folder")
    for name in RECORD_NAMES:
        candidate = folder / name
        if candidate.exists() and not candidate.is_file():
            raise ScanRecordError(f"{candidate}: a scan record must be a regular file")
    return read_record(found[0]) if found else None

