"""`dsd show`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds `dsd show` to the app."""
