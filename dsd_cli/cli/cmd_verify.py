"""`dsd verify`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds `dsd verify` to the app."""
