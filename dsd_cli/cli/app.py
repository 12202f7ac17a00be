"""The `dsd` Typer application and its single error boundary.

Commands register themselves from their own modules (listed in COMMAND_MODULES). Every `DsdError` becomes a short
message on stderr and its documented exit code (docs/exit-codes.md); anything else is a bug: exit 70 with a
traceback that never shows local variables (they may hold passphrases).
"""

from __future__ import annotations

import importlib
import logging
import signal
import sys
import threading
from typing import Annotated

import typer

from dsd_cli import __version__
from dsd_cli.cli.output import err_console
from dsd_cli.errors import DsdError, ExitCode

COMMAND_MODULES = (
    "sheets",
    "split",
    "ocr",
    "sign",
    "keys",
    "package",
    "show",
    "verify",
    "run",
    "status",
    "watch",
    "doctor",
    "timestamp",
    "retention",
    "hold",
    "export",
    "scan",
)

app = typer.Typer(
    name="dsd",
    help="Turn scanned social-welfare dossiers into a verified, signed PDF/A BagIt archive.\n\n"
    "Quick start: dsd run samples/scans --archive ./archive && dsd verify ./archive",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"dsd {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """dsd — scanned dossiers to a trustworthy archive."""


for _name in COMMAND_MODULES:
    importlib.import_module(f"dsd_cli.cli.cmd_{_name}").register(app)


def report_error(exc: DsdError) -> int:
    err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False)
    if exc.hint:
        err_console.print(f"[dim]hint:[/] {exc.hint}", highlight=False)
    return int(exc.exit_code)


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app and map errors to exit codes."""
    # pyHanko logs a traceback for every untrusted certificate; dsd reports those findings itself.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    # SIGTERM (systemd stop, kill) ends a run like Ctrl-C: workers stopped, journal closed, exit code 130.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        code = app(args=argv, standalone_mode=False)
    except DsdError as exc:
        sys.exit(report_error(exc))
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("[bold red]interrupted[/]")
        sys.exit(int(ExitCode.INTERRUPTED))
    except KeyboardInterrupt:
        err_console.print("[bold red]interrupted[/] — run the same command again to resume")
        sys.exit(int(ExitCode.INTERRUPTED))
    except Exception as exc:  # usage errors carry their own exit code (2)
        show = getattr(exc, "show", None)
        if callable(show) and isinstance(getattr(exc, "exit_code", None), int):
            show()
            sys.exit(exc.exit_code)
        err_console.print_exception(show_locals=False)
        err_console.print("[bold red]internal error[/] — this is a bug in dsd; please report it with the output above")
        sys.exit(int(ExitCode.INTERNAL))
    # In non-standalone mode a `typer.Exit(n)` inside a command comes back as the return value; Typer turns
    # Ctrl-C into 130 the same way.
    if code == ExitCode.INTERRUPTED:
        err_console.print("[bold red]interrupted[/] — run the same command again to resume")
    sys.exit(code if isinstance(code, int) else 0)
