"""dsd: turn archived paper social-welfare dossiers into a trustworthy digital archive.

The library is organised as stages with plain data objects between them (see `dsd_cli.models` and
docs/data-flow.md); the `dsd` command (`dsd_cli.cli`) only parses arguments, calls these stages and renders results.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dsd_cli")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
