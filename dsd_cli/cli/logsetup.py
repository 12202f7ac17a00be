"""Logging for scan servers: Rich on a terminal, plain lines or JSON lines (`--log-format json`) otherwise."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Annotated

import typer

from dsd_cli.cli.output import err_console
from dsd_cli.errors import UsageError

LogFormatOption = Annotated[
    str, typer.Option("--log-format", metavar="auto|plain|json",
                      help="auto (Rich on a terminal, plain otherwise), plain or json.", envvar="DSD_LOG_FORMAT")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Only warnings and errors; no progress bars.")]
VerboseOption = Annotated[int, typer.Option("--verbose", "-v", count=True, help="More detail (-vv for debug).")]

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        return json.dumps(entry, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD)
        from dsd_cli.i18n import local_time

        stamp = local_time(record.created, seconds=True)
        return f"{stamp} {record.levelname:<7} {record.getMessage()}" + (f" {extra}" if extra else "")


def setup_logging(log_format: str = "auto", quiet: bool = False, verbose: int = 0) -> str:
    """Configure the 'dsd' logger; returns the effective format ('rich', 'plain' or 'json')."""
    if log_format not in ("auto", "plain", "json"):
        raise UsageError(f"--log-format: {log_format!r} is not one of auto, plain, json")
    effective = log_format
    if log_format == "auto":
        effective = "rich" if sys.stderr.isatty() else "plain"
    handler: logging.Handler
    if effective == "rich":
        from rich.logging import RichHandler

        handler = RichHandler(console=err_console.get(), show_path=False, markup=False)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter() if effective == "json" else PlainFormatter())
    root = logging.getLogger("dsd")
    root.handlers[:] = [handler]
    root.propagate = False
    root.setLevel(logging.WARNING if quiet else logging.DEBUG if verbose > 1 else logging.INFO)
    return effective
