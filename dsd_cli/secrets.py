"""Where passphrases and PINs come from: an environment variable, a file, or a prompt — never the command line.

The prompt is a callable so that tests and services can supply secrets without a terminal.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from dsd_cli.errors import ConfigError

Prompter = Callable[[str], str]


def terminal_prompt(question: str) -> str:
    if not sys.stdin.isatty():
        raise ConfigError(f"{question}: no terminal to ask on",
                          hint="set the environment variable or pass a file holding the secret")
    return getpass.getpass(f"{question}: ")


def read_secret(*, env_var: str, file: Path | None, question: str,
                prompter: Prompter | None = terminal_prompt, required: bool = True) -> bytes | None:
    """Return the secret from `file`, else `env_var`, else the prompter. Trailing newlines of a file are removed."""
    if file is not None:
        try:
            return file.read_bytes().rstrip(b"\r\n")
        except OSError as exc:
            raise ConfigError(f"cannot read secret file {file}: {exc.strerror}") from None
    value = os.environ.get(env_var)
    if value is not None:
        return value.encode("utf-8")
    if prompter is not None:
        return prompter(question).encode("utf-8")
    if required:
        raise ConfigError(f"{question}: not given", hint=f"set {env_var} or pass a file")
    return None
