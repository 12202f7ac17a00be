"""Low-level BagIt 1.0 writing and reading: manifests, bag-info, and the atomic swap of a bag folder.

Bags are always built in a staging folder and then put in place with one rename (or an atomic exchange of the
old and new folder, renameat2 RENAME_EXCHANGE, on Linux): a reader or a crash sees the old bag or the new one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from dsd_cli.errors import ArchiveError
from dsd_cli.fsutil import atomic_write_text, file_digests, fsync_dir

BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def encode_manifest_path(rel: str) -> str:
    """RFC 8493 §2.1.3: percent-encode CR, LF and %."""
    return rel.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def decode_manifest_path(encoded: str) -> str:
    return encoded.replace("%0A", "\n").replace("%0a", "\n").replace("%0D", "\r").replace("%0d", "\r") \
        .replace("%25", "%")


def write_manifests(bag: Path, files: Iterable[str], algorithms: Sequence[str], prefix: str,
                    known: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, dict[str, str]]:
    """Write `<prefix>-<alg>.txt` for `files` (paths relative to the bag), hashing each file once.

    `known` holds digests already computed (and checked) for some files, so they are not read again.
    Returns every file's digests.
    """
    lines: dict[str, list[str]] = {alg: [] for alg in algorithms}
    result: dict[str, dict[str, str]] = {}
    for rel in sorted(files):
        digests = dict((known or {}).get(rel, {}))
        if not all(alg in digests for alg in algorithms):
            digests = file_digests(bag / rel, tuple(algorithms))
        result[rel] = digests
        for alg in algorithms:
            lines[alg].append(f"{digests[alg]}  {encode_manifest_path(rel)}\n")
    for alg in algorithms:
        atomic_write_text(bag / f"{prefix}-{alg}.txt", "".join(lines[alg]))
    return result


def read_manifest(path: Path) -> dict[str, str]:
    """A manifest as relative path -> digest. Raises ArchiveError for lines dsd would not have written:
    paths that are absolute, contain `..` or a backslash, or appear twice."""
    entries: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{path.name}: cannot read ({exc})") from None
    for number, line in enumerate(text.splitlines(), start=1):
        digest, sep, encoded = line.partition("  ")
        if not sep:
            digest, sep, encoded = line.partition(" ")
        rel = decode_manifest_path(encoded.strip())
        parts = rel.split("/")
        if not sep or not digest or not rel or rel.startswith("/") or "\\" in rel or "\x00" in rel \
                or any(part in ("", ".", "..") for part in parts):
            raise ArchiveError(f"{path.name}, line {number}: not a safe manifest entry")
        if rel in entries:
            raise ArchiveError(f"{path.name}, line {number}: {rel} is listed twice")
        entries[rel] = digest.lower()
    return entries


def _listed_algorithms(bag: Path, prefix: str) -> list[str]:
    return sorted(p.name[len(prefix) + 1 : -4] for p in bag.glob(f"{prefix}-*.txt")
                  if p.name[len(prefix) + 1 : -4] in hashlib.algorithms_guaranteed)


def _files_under(bag: Path, top: str) -> set[str]:
    found: set[str] = set()
    for path in (bag / top).rglob("*") if (bag / top).is_dir() else ():
        if path.is_symlink():
            raise ArchiveError(f"{path.relative_to(bag)}: a symbolic link inside the bag")
        if path.is_file():
            found.add(path.relative_to(bag).as_posix())
    return found


def check_tag_files(bag: Path) -> None:
    """Check every tag file against the bag's tag manifests before dsd trusts them to build a new version."""
    algorithms = _listed_algorithms(bag, "tagmanifest")
    if not algorithms:
        raise ArchiveError(f"{bag.name}: the bag has no tag manifest")
    on_disk = set(tag_files(bag))
    for alg in algorithms:
        listed = read_manifest(bag / f"tagmanifest-{alg}.txt")
        unlisted = sorted(on_disk - set(listed))
        if unlisted:
            raise ArchiveError(f"{bag.name}: tag file {unlisted[0]} is not in tagmanifest-{alg}.txt")
        for rel, digest in listed.items():
            path = bag / rel
            if path.is_symlink() or not path.is_file():
                raise ArchiveError(f"{bag.name}: tag file {rel} is missing")
            if file_digests(path, (alg,))[alg] != digest:
                raise ArchiveError(f"{bag.name}: tag file {rel} does not match tagmanifest-{alg}.txt")


def checked_payload_digests(bag: Path, algorithms: Sequence[str]) -> dict[str, dict[str, str]]:
    """Hash the bag's payload once (with `algorithms` and those of its manifests) and check it against every
    manifest. A damaged bag is never extended: a new version would otherwise re-certify the damage."""
    listed_algorithms = _listed_algorithms(bag, "manifest")
    if not listed_algorithms:
        raise ArchiveError(f"{bag.name}: the bag has no payload manifest")
    manifests = {alg: read_manifest(bag / f"manifest-{alg}.txt") for alg in listed_algorithms}
    on_disk = _files_under(bag, "data")
    every = tuple(dict.fromkeys([*algorithms, *listed_algorithms]))
    digests = {rel: file_digests(bag / rel, every) for rel in sorted(on_disk)}
    for alg, listed in manifests.items():
        if set(listed) != on_disk:
            odd = sorted(set(listed) ^ on_disk)[0]
            state = "missing from the payload" if odd in listed else "not in the manifest"
            raise ArchiveError(f"{bag.name}: {odd} is {state} (manifest-{alg}.txt)",
                               hint="run `dsd verify` on the archive; dsd does not add to a damaged bag")
        for rel, digest in listed.items():
            if digests[rel][alg] != digest:
                raise ArchiveError(f"{bag.name}: {rel} does not match manifest-{alg}.txt",
                                   hint="run `dsd verify` on the archive; dsd does not add to a damaged bag")
    return digests


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
    import ctypes  # renameat2 has no wrapper in os; ctypes costs start-up time that verification does not need
    import ctypes.util

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
    """Put the complete bag `staged` at `target`, replacing an existing bag atomically where the OS allows.

    Both folders' entries are fsynced before the old version is deleted, so after a power cut the archive holds
    the old bag or the new one, and a leftover old copy in staging (removed by `clean_staging`).
    """
    if not target.exists():
        os.rename(staged, target)
        fsync_dir(target.parent)
        fsync_dir(staged.parent)
    elif _exchange(staged, target):
        fsync_dir(target.parent)
        fsync_dir(staged.parent)
        shutil.rmtree(staged)  # now holds the old version
    else:
        # Fallback: two renames; `recover_interrupted_publish` repairs a crash between them.
        os.rename(target, trash)
        os.rename(staged, target)
        fsync_dir(target.parent)
        fsync_dir(staged.parent)
        shutil.rmtree(trash)


def recover_interrupted_publish(target: Path, trash: Path) -> None:
    """After a crash between the two renames of the fallback path, put the old version back."""
    if not target.exists() and trash.exists():
        os.rename(trash, target)
        fsync_dir(target.parent)
    elif trash.exists():
        with contextlib.suppress(OSError):
            shutil.rmtree(trash)


def clean_staging(staging: Path, bag_name: str) -> None:
    """Remove what a crashed run left in staging for this bag: half-built versions, or an old version that was
    swapped out but not yet deleted. The live bag is never in staging, so this loses nothing."""
    if not staging.is_dir():
        return
    for leftover in staging.glob(f"{bag_name}.*.new"):
        shutil.rmtree(leftover, ignore_errors=True)
