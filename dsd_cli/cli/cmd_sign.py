"""`dsd sign`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds `dsd sign` to the app."""
