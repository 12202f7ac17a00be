"""Map names that come from outside (dossier numbers, document types) to safe, reversible folder names.

A dossier number is data typed by a person or read from a QR code: `SD/2019/0456`, `../../etc`, `CON`, or a name in
NFD. It must never choose where dsd writes. `dossier_folder_name` keeps letters, digits, `-` and `_`, and writes
every other byte of the UTF-8 form as `~XX`, so the mapping is injective (two dossier numbers never share a
folder), reversible (`dossier_from_folder_name`) and safe on Linux, macOS and Windows file systems.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from dsd_cli.errors import UnsafePathError

_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
MAX_DOSSIER_LENGTH = 120


def normalise_dossier(dossier: str) -> str:
    """The canonical form of a dossier number: NFC, surrounding white space removed."""
    return unicodedata.normalize("NFC", dossier).strip()


def validate_dossier(dossier: str) -> str:
    """Return the canonical dossier number, or raise UnsafePathError for one dsd refuses to store."""
    canonical = normalise_dossier(dossier)
    if not canonical:
        raise UnsafePathError("empty dossier number")
    if len(canonical) > MAX_DOSSIER_LENGTH:
        raise UnsafePathError(f"dossier number longer than {MAX_DOSSIER_LENGTH} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in canonical):
        raise UnsafePathError("dossier number contains control characters")
    return canonical


def dossier_folder_name(dossier: str) -> str:
    """The folder name of a dossier inside the archive, e.g. `SD/2019/0456` -> `SD~2F2019~2F0456`."""
    canonical = validate_dossier(dossier)
    out: list[str] = []
    for ch in canonical:
        if ch in _SAFE:
            out.append(ch)
        else:
            out.extend(f"~{b:02X}" for b in ch.encode("utf-8"))
    name = "".join(out)
    if name.split("~")[0].upper() in _WINDOWS_RESERVED or name.upper() in _WINDOWS_RESERVED:
        name = f"~{ord(name[0]):02X}{name[1:]}"
    return name


def dossier_from_folder_name(name: str) -> str:
    """Inverse of `dossier_folder_name`. Raises UnsafePathError for a name dsd would not have written."""
    raw = bytearray()
    i = 0
    while i < len(name):
        ch = name[i]
        if ch == "~":
            try:
                raw.append(int(name[i + 1 : i + 3], 16))
            except ValueError:
                raise UnsafePathError(f"not a dsd dossier folder name: {name!r}") from None
            i += 3
        elif ch in _SAFE:
            raw.extend(ch.encode("ascii"))
            i += 1
        else:
            raise UnsafePathError(f"not a dsd dossier folder name: {name!r}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UnsafePathError(f"not a dsd dossier folder name: {name!r}") from None


def child_path(root: Path, *parts: str) -> Path:
    """`root / parts`, refusing any part that is absolute, contains a separator or `..`, or escapes root."""
    for part in parts:
        if not part or part in (".", "..") or "/" in part or "\\" in part or "\x00" in part:
            raise UnsafePathError(f"unsafe path component {part!r}")
    candidate = root.joinpath(*parts)
    root_resolved = root.resolve()
    resolved = candidate.resolve()
    if resolved != root_resolved and root_resolved not in resolved.parents:
        raise UnsafePathError(f"path {candidate} leads outside {root}")
    return candidate


def dossier_path(archive: Path, dossier: str) -> Path:
    """The bag folder of a dossier: always a direct child of the archive folder."""
    return child_path(archive, dossier_folder_name(dossier))


def safe_file_stem(text: str, limit: int = 60) -> str:
    """A short, readable file-name stem for a document type or label (not reversible; used with a sequence)."""
    stem = "".join(ch if ch in _SAFE else "-" for ch in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(ch))
    stem = "-".join(filter(None, stem.split("-")))[:limit]
    return stem or "document"
