"""Checks of the paths given on the command line, with the exit codes of docs/exit-codes.md.

Typer's own `exists=True` would end with its usage code 2; a missing input file is exit code 4 (BAD_INPUT) and a
missing archive exit code 9 (ARCHIVE), the same from every command.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from dsd_cli.errors import ArchiveError, InputError

if TYPE_CHECKING:
    from dsd_cli.register import Register


def input_file(path: Path, what: str = "file") -> Path:
    """An existing, readable file to read from (exit code 4 otherwise)."""
    if not path.exists():
        raise InputError(f"{path}: no such {what}", reason="missing")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a {what}", reason="unsupported")
    return path


def input_files(paths: Iterable[Path], what: str = "file") -> list[Path]:
    return [input_file(p, what) for p in paths]


def input_path(path: Path) -> Path:
    """An existing file or folder to read from (exit code 4 otherwise)."""
    if not path.exists() and not path.is_symlink():
        raise InputError(f"{path}: no such file or folder", reason="missing")
    return path


def output_folder_of(path: Path) -> Path:
    """A file to write: its folder must exist (exit code 4 otherwise)."""
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: no such folder to write {path.name} into", reason="missing")
    return path


@contextlib.contextmanager
def writing_report(path: Path) -> Iterator[None]:
    """Around writing a report for people: a file that cannot be written is exit code 4, with the system's words."""
    try:
        yield
    except OSError as exc:
        raise InputError(f"{path}: the report cannot be written ({exc.strerror or exc})", reason="unwritable") from None


def existing_archive(path: Path) -> Path:
    """An archive folder dsd made, which a command reads or changes (exit code 9 otherwise: a missing folder, a
    file, or a folder that is not a dsd archive, such as an empty backup mount)."""
    from dsd_cli.archive.session import NOT_AN_ARCHIVE_HINT, require_archive

    if not path.exists():
        raise ArchiveError(f"{path}: the archive folder does not exist", hint=NOT_AN_ARCHIVE_HINT)
    if not path.is_dir():
        raise ArchiveError(f"{path} is not a dsd archive (it is a file)", hint=NOT_AN_ARCHIVE_HINT)
    require_archive(path)
    return path


def register_file(path: Path | None) -> Register | None:
    """The dossier register given with --register, read (exit code 4 when missing, 5 when invalid)."""
    if path is None:
        return None
    from dsd_cli.register import load_register

    return load_register(input_file(path, "register file"))
