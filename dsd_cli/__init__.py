"""dsd: turn archived paper social-welfare dossiers into a trustworthy digital archive.

The library is organised as stages with plain data objects between them (see `dsd_cli.models` and
docs/data-flow.md); the `dsd` command (`dsd_cli.cli`) only parses arguments, calls these stages and renders results.
"""

# The one place the version is written: pyproject.toml reads it from here (and reading package metadata at import
# would cost every command start-up time).
__version__ = "0.1.0"

__all__ = ["__version__"]
