"""`dsd sheets`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds `dsd sheets` to the app."""
