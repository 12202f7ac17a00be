"""Shared CLI output: stderr for messages and progress, stdout for results and JSON.

Every value from outside (file names, reasons, register cells, tool messages) is printed literally: messages go out
with markup off, table cells and styled lines are `rich.text.Text`. A command hands its JSON result to
`print_json`; the error boundary (`dsd_cli.cli.app`) writes it once at the end with `ok` and, when the command
failed, the `error` object, so stdout holds exactly one JSON object whatever happens.

The consoles are made on first use: importing this module must not import Rich (start-up time).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


class LazyConsole:
    """A Rich Console created when first used; attribute access goes to it, `get()` returns it."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    def get(self) -> Console:
        if self._console is None:
            from rich.console import Console

            class _Console(Console):
                def on_broken_pipe(self) -> None:
                    # A reader that stopped reading (`dsd show | head`) is not a failure of the command: the rest
                    # of its output goes nowhere and its exit code still says how it ended.
                    import os

                    os.dup2(os.open(os.devnull, os.O_WRONLY), (sys.stderr if self.stderr else sys.stdout).fileno())
                    self.quiet = True

            self._console = _Console(stderr=self._stderr)
        return self._console

    @property
    def created(self) -> bool:
        return self._console is not None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)


err_console = LazyConsole(stderr=True)
out_console = LazyConsole(stderr=False)

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout (also on failure).")]
ProfileOption = Annotated[
    str | None,
    typer.Option("--profile", "-p", metavar="NAME|FILE", help="Profile name (shipped) or path to a profile TOML file.",
                 envvar="DSD_PROFILE", show_envvar=True),
]

class _JsonResult:
    """The JSON result of the running command, written by the error boundary."""

    def __init__(self) -> None:
        self.data: dict[str, Any] | None = None

    def set(self, data: dict[str, Any]) -> None:
        if not isinstance(data, dict):
            raise TypeError("a JSON result is one object (a dict); wrap lists in an object")
        if self.data is not None:
            raise RuntimeError("a command has one JSON result")
        self.data = data

    def take(self) -> dict[str, Any] | None:
        data, self.data = self.data, None
        return data


json_result = _JsonResult()


def print_json(data: dict[str, Any]) -> None:
    """The command's JSON result: one object, written on stdout when the command ends (see module docstring)."""
    json_result.set(data)


def write_json(data: dict[str, Any]) -> None:
    """Write one JSON object to stdout now (UTF-8 as is, not escaped)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def styled(*parts: str | tuple[str, str]) -> Text:
    """A line of literal text; (text, style) pairs are styled. Nothing in it is read as markup."""
    from rich.text import Text

    return Text.assemble(*parts)


def lit(value: object) -> Text:
    """One literal table cell."""
    from rich.text import Text

    return Text("" if value is None else str(value))


def plain_stderr() -> bool:
    """Messages to a pipe or a file go out as plain text without loading Rich (most of a failed command's start-up
    time); Rich would write the same characters there, unless told to colour them anyway."""
    import os

    forced = os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE") == "1"
    return not err_console.created and not forced and not sys.stderr.isatty()


def message_line(label: str, style: str, text: str) -> None:
    """'label text' on stderr, the label styled, the text literal."""
    if plain_stderr():
        sys.stderr.write(f"{label}{text}\n")
        sys.stderr.flush()
    else:
        err_console.print(styled((label, style), text), highlight=False)


def warn(message: str) -> None:
    message_line("warning:", "bold yellow", f" {message}")


def info(message: str) -> None:
    err_console.print(message, markup=False, highlight=False)


def result_line(message: str | Text) -> None:
    """A line of a command's human result on stdout, printed literally."""
    out_console.print(message, markup=False, highlight=False)


def counted(amount: int, one: str, many: str | None = None) -> str:
    """'1 warning', '2 warnings', '0 warnings' (`many` when the plural is not `one` + 's')."""
    return f"{amount} {one if amount == 1 else many or one + 's'}"


def human_size(size: float, bytes_word: str = "bytes") -> str:
    """'1.2 MB': decimal units, as disks and networks count; `bytes_word` for small sizes ('octets' in French)."""
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:.0f} {bytes_word}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size} bytes"  # pragma: no cover - the loop always returns


def human_duration(seconds: float) -> str:
    """'0.4 s', '12 s', '3 min 05 s', '2 h 01 min'."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
