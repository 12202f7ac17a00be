"""`dsd split`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds `dsd split` to the app."""
