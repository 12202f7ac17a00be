"""The one place where dsd's exit codes and its exception tree are defined.

Every error dsd raises on purpose is a `DsdError` subclass that carries its exit code; the CLI's single error
boundary (`dsd_cli.cli.app`) turns it into a message and that code. `docs/exit-codes.md` documents each code.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Stable process exit codes. Never renumber: scripts on scan servers depend on them."""

    OK = 0
    """Everything asked was done, and every check passed."""
    PROBLEMS_FOUND = 1
    """The command ran to the end and found problems (verification failures, retention conflicts)."""
    USAGE = 2
    """The command line was wrong (unknown option, missing argument). Also Click's own code for this."""
    PARTIAL = 3
    """A batch finished, but some input was quarantined or left unassigned: see the report."""
    BAD_INPUT = 4
    """An input file or folder could not be used at all (missing, empty, corrupt, encrypted, unsupported)."""
    CONFIG = 5
    """A profile, configuration or register file is invalid."""
    MISSING_TOOL = 6
    """An external program, library or language pack that dsd needs is not installed."""
    SIGNING = 7
    """Signing or timestamping failed (key, passphrase, token, certificate, TSA)."""
    LOCKED = 8
    """Another dsd process holds the archive's lock."""
    ARCHIVE = 9
    """The archive is not usable for this command (not a dsd archive, unknown dossier, write failure)."""
    NOTHING_CHECKED = 10
    """A checking command found nothing to check (no bag and no PDF): it cannot say "all well"."""
    INTERNAL = 70
    """A bug in dsd (an unexpected exception). Please report it with the log."""
    INTERRUPTED = 130
    """Stopped by Ctrl-C or SIGTERM; a later `dsd run` resumes the work."""

    @property
    def reason(self) -> str:
        """The code's name as JSON error objects give it when an error has no reason of its own: 'bad-input'."""
        return self.name.lower().replace("_", "-")


class DsdError(Exception):
    """Base of every error dsd raises on purpose. `exit_code` says how the process ends."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(DsdError):
    exit_code = ExitCode.USAGE


class InputError(DsdError):
    """An input file cannot be used. Batch stages catch this per file and quarantine the file."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, *, reason: str = "unreadable", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        #: short machine-readable reason used for quarantine folders and JSON reports
        self.reason = reason


class ConfigError(DsdError):
    exit_code = ExitCode.CONFIG


class MissingToolError(DsdError):
    exit_code = ExitCode.MISSING_TOOL


class ToolFailedError(DsdError):
    """An external tool (Tesseract, Ghostscript, qpdf, ...) failed on one input."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, *, tool: str, reason: str = "tool-failed", hint: str | None = None):
        super().__init__(message, hint=hint)
        self.tool = tool
        self.reason = reason


class SigningError(DsdError):
    exit_code = ExitCode.SIGNING


class LockedError(DsdError):
    exit_code = ExitCode.LOCKED


class ArchiveError(DsdError):
    exit_code = ExitCode.ARCHIVE


class UnsafePathError(ArchiveError):
    """A name from outside (dossier number, manifest entry) would lead outside its folder."""


class PartialResult(DsdError):
    """Raised by batch commands at the very end when some input was quarantined or left unassigned."""

    exit_code = ExitCode.PARTIAL


class ProblemsFound(DsdError):
    """Raised by checking commands when they ran to the end and found problems."""

    exit_code = ExitCode.PROBLEMS_FOUND


class NothingChecked(DsdError):
    """Raised by checking commands that found nothing to check (`dsd verify` on an empty folder)."""

    exit_code = ExitCode.NOTHING_CHECKED


def parser_message(exc: BaseException | str, path: object = None) -> str:
    """A third-party parser's own words for `exc` (qpdf, pyHanko, lxml; or a warning it gave as text), for messages
    at a module's edge: a bare Python error (ValueError, AssertionError, ...) keeps its name in front, and the file
    path a parser puts in front of its message (qpdf does) is dropped, so the message reads the same wherever the
    file lies."""
    text = str(exc).strip()
    name = type(exc).__name__
    if not text:
        return f"{name} (the parser gave no message)"
    if path is not None:
        full = str(path)
        for prefix in (full, full.rsplit("/", 1)[-1]):
            text = text.replace(f"{prefix} (", "(").replace(f"{prefix}: ", "").replace(prefix, "the file")
    return f"{name}: {text}" if type(exc).__module__ == "builtins" and not isinstance(exc, str) else text
