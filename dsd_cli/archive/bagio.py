"""Low-level BagIt 1.0 writing and reading: manifests, bag-info, and the atomic swap of a bag folder.

Bags are always built in a staging folder and then put in place with one rename (or an atomic exchange of the
old and new folder, renameat2 RENAME_EXCHANGE, on Linux): a reader or a crash sees the old bag or the new one.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

from dsd_cli.fsutil import atomic_write_text, file_digests, fsync_dir

BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def encode_manifest_path(rel: str) -> str:
    """RFC 8493 §2.1.3: percent-encode CR, LF and %."""
    return rel.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def write_manifests(bag: Path, files: Iterable[str], algorithms: Sequence[str], prefix: str) -> None:
    """Write `<prefix>-<alg>.txt` for `files` (paths relative to the bag), hashing each file once."""
    lines: dict[str, list[str]] = {alg: [] for alg in algorithms}
    for rel in sorted(files):
        digests = file_digests(bag / rel, tuple(algorithms))
        for alg in algorithms:
            lines[alg].append(f"{digests[alg]}  {encode_manifest_path(rel)}\n")
    for alg in algorithms:
        atomic_write_text(bag / f"{prefix}-{alg}.txt", "".join(lines[alg]))


def write_bag_info(bag: Path, fields: Sequence[tuple[str, str]]) -> None:
    lines = []
    for key, value in fields:
        clean = " ".join(str(value).split())  # one line per field: no newlines from outside data
        lines.append(f"{key}: {clean}\n")
    atomic_write_text(bag / "bag-info.txt", "".join(lines))


def read_bag_info(bag: Path) -> dict[str, list[str]]:
    """bag-info.txt as label -> values (labels may repeat; continuation lines are joined)."""
    info: dict[str, list[str]] = {}
    path = bag / "bag-info.txt"
    if not path.is_file():
        return info
    last: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line[:1] in (" ", "\t") and last is not None:
            info[last][-1] += " " + line.strip()
            continue
        if ":" not in line:
            continue
        key, value = line.split(":", 1)
        last = key.strip()
        info.setdefault(last, []).append(value.strip())
    return info


def tag_files(bag: Path) -> list[str]:
    """Every file outside data/ except the tag manifests themselves, relative to the bag."""
    result = []
    for path in sorted(bag.rglob("*")):
        rel = path.relative_to(bag).as_posix()
        if path.is_file() and not rel.startswith("data/") and not rel.startswith("tagmanifest-"):
            result.append(rel)
    return result


def fsync_tree(root: Path) -> None:
    for folder, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(folder))


def _exchange(a: Path, b: Path) -> bool:
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def publish(staged: Path, target: Path, trash: Path) -> None:
    """Put the complete bag `staged` at `target`, replacing an existing bag atomically where the OS allows."""
    if not target.exists():
        os.rename(staged, target)
    elif _exchange(staged, target):
        shutil.rmtree(staged)  # now holds the old version
    else:
        # Fallback: two renames; `recover_interrupted_publish` repairs a crash between them.
        os.rename(target, trash)
        os.rename(staged, target)
        shutil.rmtree(trash)
    fsync_dir(target.parent)


def recover_interrupted_publish(target: Path, trash: Path) -> None:
    """After a crash between the two renames of the fallback path, put the old version back."""
    if not target.exists() and trash.exists():
        os.rename(trash, target)
    elif trash.exists():
        with contextlib.suppress(OSError):
            shutil.rmtree(trash)
