"""The `dsd` Typer application and its single error boundary.

Commands register themselves from their own modules (COMMAND_MODULES); only the module of the command being run is
imported, so start-up stays short. Every outcome passes through `main`: a `DsdError` becomes a message on stderr
and its documented exit code (docs/exit-codes.md), a command-line mistake exit code 2, Ctrl-C and SIGTERM 130, and
anything else is a bug: exit 70 with a traceback that never shows local variables (they may hold passphrases).
With `--json`, stdout gets exactly one JSON object in every case: the command's result, or
`{"ok": false, "error": {"code": N, "reason": "...", "message": "..."}}`.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from dsd_cli import __version__
from dsd_cli.cli.output import err_console, json_result, message_line, write_json
from dsd_cli.errors import DsdError, ExitCode

# A module registers the command of its own name (and may register more: OTHER_COMMANDS).
COMMAND_MODULES = (
    "sheets",
    "labels",
    "split",
    "ocr",
    "qa",
    "sign",
    "keys",
    "package",
    "show",
    "inventory",
    "verify",
    "run",
    "status",
    "stats",
    "watch",
    "doctor",
    "timestamp",
    "retention",
    "hold",
    "export",
    "scan",
    "index",
    "search",
    "duplicates",
)
OTHER_COMMANDS = {"decrypt": "export"}

EXIT_CODES_EPILOG = """\b
Exit codes (docs/exit-codes.md):
  0  OK              everything asked was done, every check passed
  1  PROBLEMS_FOUND  the command ran to the end and found problems
  2  USAGE           the command line was wrong
  3  PARTIAL         a batch finished, some input was quarantined or left unassigned
  4  BAD_INPUT       an input could not be used at all (missing, corrupt, encrypted)
  5  CONFIG          a profile, configuration or register file is invalid
  6  MISSING_TOOL    a program, library or language pack is missing (see dsd doctor)
  7  SIGNING         signing or timestamping failed
  8  LOCKED          another dsd process holds the archive
  9  ARCHIVE         the archive is not usable for this command
  10 NOTHING_CHECKED a checking command found nothing to check
  11 CLUSTER         the Dask scheduler of --cluster could not be reached or went away; run it again to resume
  70 INTERNAL        a bug in dsd
  130 INTERRUPTED    stopped by Ctrl-C or SIGTERM; run the same command again to resume
With --json, stdout holds one JSON object, also on failure:
  {"ok": false, "error": {"code": N, "reason": "...", "message": "..."}}"""


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"dsd {__version__}")
        raise typer.Exit(0)


def build_app(modules: Sequence[str] = COMMAND_MODULES) -> typer.Typer:
    """The `dsd` application with the commands of `modules`."""
    app = typer.Typer(
        name="dsd",
        help="Turn scanned social-welfare dossiers into a verified, signed PDF/A BagIt archive.\n\n"
        "Quick start: dsd run samples/scans --archive ./archive && dsd verify ./archive\n\n"
        "Run `dsd COMMAND --help` for a command's options and examples.",
        epilog=EXIT_CODES_EPILOG,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,  # help text is shown as written: no markup, and no Rich import for --help
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def _root(
        version: Annotated[
            bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version.")
        ] = False,
    ) -> None:
        """dsd — scanned dossiers to a trustworthy archive."""

    for name in modules:
        # __import__, not importlib.import_module: `python -X importtime` sees (and measures) these imports.
        __import__(f"dsd_cli.cli.cmd_{name}", fromlist=["register"]).register(app)
    return app


def keep_examples(text: str | None) -> str | None:
    """Help text with its indented paragraphs (examples, tables) kept as written: Click rewraps every paragraph
    not marked with its no-rewrap marker (a line holding only \\b)."""
    if not text:
        return text
    paragraphs = text.split("\n\n")
    return "\n\n".join(f"\b\n{p}" if p.startswith("  ") and not p.startswith("\b") else p for p in paragraphs)


def _tidy_help(command: Any) -> None:
    """Examples stay on their lines, and arguments are shown by their word (SCAN), not a Python type."""
    command.help = keep_examples(command.help)
    command.epilog = keep_examples(getattr(command, "epilog", None))
    for param in command.params:
        if getattr(param, "param_type_name", "") == "argument":
            param.display_type_rich = lambda ctx=None: None
    for child in getattr(command, "commands", {}).values():
        _tidy_help(child)


def _command_modules(args: Sequence[str]) -> Sequence[str]:
    """Only the module of the command named on the command line; every module when it is not known (help)."""
    name = next((a for a in args if not a.startswith("-")), None)
    if name in COMMAND_MODULES:
        return (name,)
    if name in OTHER_COMMANDS:
        return (OTHER_COMMANDS[name],)
    return COMMAND_MODULES


def _wants_json(args: Sequence[str]) -> bool:
    options = args[: args.index("--")] if "--" in args else args
    return "--json" in options and not any(a in ("-h", "--help") for a in options)


def report_error(exc: DsdError) -> int:
    """The message (and hint) of a DsdError on stderr, printed literally; returns its exit code."""
    _print_error(exc.message, exc.hint)
    return int(exc.exit_code)


def _print_error(message: str, hint: str | None = None) -> None:
    try:
        message_line("error:", "bold red", f" {message}")
        if hint:
            message_line("hint:", "dim", f" {hint}")
    except Exception:  # the error report itself must never fail: plain text then
        sys.stderr.write(f"error: {message}\n" + (f"hint: {hint}\n" if hint else ""))


def _print_styled(text: str, style: str, rest: str = "") -> None:
    try:
        message_line(text, style, rest)
    except Exception:
        sys.stderr.write(text + rest + "\n")


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _error(code: int, message: str, reason: str | None = None, hint: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "reason": reason or ExitCode(code).reason, "message": message}
    if hint:
        error["hint"] = hint
    return error


def _invoke(args: list[str]) -> tuple[int, dict[str, Any] | None]:
    """Run the command; (exit code, error object or None). Nothing escapes from here."""
    from typer._click import exceptions as click_exceptions  # Typer brings its own Click

    try:
        command = typer.main.get_command(build_app(_command_modules(args)))
        _tidy_help(command)
        code = command.main(args=args, prog_name="dsd", standalone_mode=False)
    except DsdError as exc:
        code = report_error(exc)
        return code, _error(code, exc.message, getattr(exc, "reason", None), exc.hint)
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.Abort:
        _print_styled("interrupted", "bold red", " — run the same command again to resume")
        return int(ExitCode.INTERRUPTED), _error(ExitCode.INTERRUPTED, "interrupted")
    except KeyboardInterrupt:
        _print_styled("interrupted", "bold red", " — run the same command again to resume")
        return int(ExitCode.INTERRUPTED), _error(ExitCode.INTERRUPTED, "interrupted")
    except click_exceptions.ClickException as exc:  # the command line was wrong (unknown option, missing value)
        try:
            exc.show()
        except Exception:
            sys.stderr.write(f"error: {exc.format_message()}\n")
        if isinstance(exc, click_exceptions.NoArgsIsHelpError):
            message = "no command given; see the help above"
        else:
            message = exc.format_message()
        return int(ExitCode.USAGE), _error(ExitCode.USAGE, message)
    except SystemExit as exc:  # a library ended the process itself
        code = exc.code if isinstance(exc.code, int) else int(ExitCode.INTERNAL)
        if code == 0:
            return 0, None
        return code, _error(code, f"stopped with exit code {code}", "error")
    except Exception as exc:
        try:
            err_console.print_exception(show_locals=False)
        except Exception:
            import traceback

            traceback.print_exc()
        _print_styled("internal error", "bold red",
                      " — this is a bug in dsd; please report it with the output above")
        return int(ExitCode.INTERNAL), _error(ExitCode.INTERNAL, f"{type(exc).__name__}: {exc}")
    # In non-standalone mode a `typer.Exit(n)` inside a command comes back as the return value.
    code = code if isinstance(code, int) else 0
    if code == ExitCode.INTERRUPTED:
        _print_styled("interrupted", "bold red", " — run the same command again to resume")
        return code, _error(code, "interrupted")
    if code == 0:
        return 0, None
    try:
        reason = ExitCode(code).reason
    except ValueError:
        reason = "error"
    return code, _error(code, f"exit code {code}", reason)


def _json_outcome(code: int, error: dict[str, Any] | None) -> dict[str, Any]:
    result = json_result.take() or {}
    ok = code == 0 and result.get("ok", True) is not False
    outcome = {"ok": ok, **{k: v for k, v in result.items() if k != "ok"}}
    if error is not None:
        outcome["error"] = error
    return outcome


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the command, map every outcome to its exit code (and JSON object)."""
    args = list(sys.argv[1:] if argv is None else argv)
    # SIGTERM (systemd stop, kill) ends a run like Ctrl-C: workers stopped, journal closed, exit code 130.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    json_result.take()  # a result left over from an earlier call in this process is not ours
    code, error = _invoke(args)
    if _wants_json(args):
        try:
            write_json(_json_outcome(code, error))
        except Exception as exc:  # stdout closed or full: the exit code still tells the story
            sys.stderr.write(f"error: the JSON result could not be written ({exc})\n")
    else:
        json_result.take()
    sys.exit(code)
