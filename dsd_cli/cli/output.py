"""Shared CLI output: one stderr Console for messages and progress, stdout for results and JSON."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console

err_console = Console(stderr=True)
out_console = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="Print a machine-readable JSON result on stdout.")]
ProfileOption = Annotated[
    str | None,
    typer.Option("--profile", "-p", help="Profile name (shipped) or path to a profile TOML file.",
                 envvar="DSD_PROFILE", show_envvar=True),
]

ClusterOption = Annotated[
    str | None, typer.Option("--cluster", envvar="DSD_CLUSTER", show_envvar=True,
                             help="Dask scheduler to OCR on: tls://host:8786 (tcp:// on this machine only). "
                                  "Default: the profile's [cluster] address, else this machine's processes.")]
InsecureClusterOption = Annotated[
    bool, typer.Option("--insecure-cluster", help="Allow plain tcp:// to another machine (unencrypted, "
                                                  "unauthenticated: a trusted network only).")]


def print_json(data: Any) -> None:
    """Write JSON to stdout (UTF-8, not escaped), one document per call."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def warn(message: str) -> None:
    err_console.print(f"[bold yellow]warning:[/] {message}", highlight=False)


def info(message: str) -> None:
    err_console.print(message, highlight=False)
