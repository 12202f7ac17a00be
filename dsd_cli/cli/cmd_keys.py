"""`dsd keys`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds `dsd keys` to the app."""
