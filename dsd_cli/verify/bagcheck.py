"""A BagIt validator (RFC 8493 and the 0.93-0.97 drafts) that an auditor can rely on.

It never opens a manifest or fetch path that leaves the bag (`..`, absolute, `~user`, drive letters, UNC, NUL,
symbolic links out of the bag): such entries are reported and not followed. Every file is read once, all of its
algorithms at once (hashing.py). After a recoverable finding (a malformed declaration line, a bad manifest line) it
goes on, so one run names every problem of a bag. Findings are errors (the bag is not valid) or warnings (valid,
but worth a look), each with a stable check name documented in docs/verification.md.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dsd_cli.findings import Problem
from dsd_cli.verify.bagparse import Checker, read_bag_info, read_declaration, read_fetch, read_manifests
from dsd_cli.verify.hashing import hash_many

SYSTEM_FILES = {".ds_store", "thumbs.db", "desktop.ini", "._.ds_store"}


@dataclass
class BagResult:
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    """Payload files present and listed."""
    bytes: int = 0
    version: str = ""
    """The declared BagIt version; '' when the declaration could not be read at all."""
    payload: list[str] = field(default_factory=list)
    """Payload paths (relative to the bag) that exist and passed their checksums (all present ones with fast)."""
    manifest_sha256: dict[str, str] = field(default_factory=dict)
    info: dict[str, list[str]] = field(default_factory=dict)
    """bag-info.txt: label -> values in file order (labels may repeat)."""
    payload_algorithms: tuple[str, ...] = ()
    """Algorithms of the readable payload manifests."""
    tag_listed: dict[str, set[str]] = field(default_factory=dict)
    """Tag manifest algorithm -> the tag files it lists."""
    fetch: bool = False
    """The bag has a fetch.txt."""
    tag_files: list[str] = field(default_factory=list)
    """Regular files outside data/, except the tag manifests themselves."""


def check_bag(bag: Path, label: str, *, fast: bool = False, workers: int | None = None,
              on_bytes: Callable[[int], None] | None = None,
              files: tuple[dict[str, int], list[str]] | None = None) -> BagResult:
    """Validate one bag. `files` is its inventory() when the caller already took it (to size the progress bar)."""
    result = BagResult()
    c = Checker(label, result.problems)
    declared = read_declaration(bag, c)
    if declared is None:
        return result
    version, encoding = declared
    result.version = f"{version[0]}.{version[1]}"
    result.info = read_bag_info(bag, encoding, c)
    fetched = read_fetch(bag, encoding, version, c)

    payload = read_manifests(bag, "manifest", encoding, version, c)
    tags = read_manifests(bag, "tagmanifest", encoding, version, c)
    result.payload_algorithms = tuple(sorted(payload))
    result.tag_listed = {alg: set(entries) for alg, entries in tags.items()}
    result.fetch = os.path.lexists(bag / "fetch.txt")
    if not payload:
        if not any(p.check == "bagit.unknown-algorithm" for p in result.problems):
            c.error("", "bagit.no-manifest", "the bag has no payload manifest")
        return result

    sizes, links = files if files is not None else inventory(bag)
    result.tag_files = sorted(r for r in sizes if not r.startswith(("data/", "tagmanifest-")))
    targets: dict[str, str] = {}
    on_disk = _payload_on_disk(bag, sizes, links, targets, c)
    listed = set().union(*(set(e) for e in payload.values()))
    for rel in sorted(on_disk - listed):
        c.error(rel, "bagit.unexpected-file", "file in the payload is not in any manifest")
    for alg, entries in payload.items():
        for rel in sorted((on_disk & listed) - set(entries)):
            c.error(rel, "bagit.manifest-incomplete", f"file is missing from manifest-{alg}.txt")
    _collisions(sorted(on_disk), c)
    missing_system = _missing(listed - on_disk, on_disk, payload, fetched, c)

    present = sorted(listed & on_disk)
    result.files, result.bytes = len(present), sum(sizes[rel] for rel in present)
    _check_oxum(result.info, len(on_disk), sum(sizes[r] for r in on_disk), c, missing_system)
    result.manifest_sha256 = dict(payload.get("sha256", {}))
    if fast:
        result.payload = present
        return result

    jobs: dict[str, set[str]] = defaultdict(set)
    for alg, entries in payload.items():
        for rel in entries:
            if rel in on_disk:
                jobs[rel].add(alg)
    for alg, entries in tags.items():
        for rel in entries:
            if rel in sizes:
                jobs[rel].add(alg)
            else:
                c.error(rel, "bagit.missing-tag-file", f"listed in tagmanifest-{alg}.txt but missing")
    digests = hash_many(str(bag), dict(jobs), sizes, workers, on_bytes, targets)
    bad = _compare(payload, "manifest", digests, c) | _compare(tags, "tagmanifest", digests, c)
    result.payload = [r for r in present if r not in bad]
    return result


def _compare(group: dict[str, dict[str, str]], prefix: str, digests: dict[str, dict[str, str] | OSError],
             c: Checker) -> set[str]:
    """Report every digest that differs (per algorithm, so manifests that disagree both show); the bad paths."""
    bad: set[str] = set()
    check = "bagit.checksum" if prefix == "manifest" else "bagit.tag-checksum"
    for alg, entries in group.items():
        for rel, expected in entries.items():
            got = digests.get(rel)
            if got is None:
                continue
            if isinstance(got, OSError):
                if rel not in bad:
                    c.error(rel, "bagit.unreadable", f"cannot read: {got.strerror}")
                bad.add(rel)
            elif got[alg] != expected.lower():
                agree = [a for a, e in group.items() if a != alg and rel in e and got[a] == e[rel].lower()]
                note = f" (while {prefix}-{agree[0]}.txt matches: the manifests disagree)" if agree else ""
                c.error(rel, check, f"{alg} checksum differs from {prefix}-{alg}.txt{note}")
                bad.add(rel)
    return bad


def _missing(absent: set[str], on_disk: set[str], payload: dict[str, dict[str, str]], fetched: set[str],
             c: Checker) -> int:
    """Report listed files that are not there; the number of missing operating-system files (a warning only)."""
    folded = {unicodedata.normalize("NFC", r).casefold(): r for r in on_disk}
    missing_system = 0
    for rel in sorted(absent):
        name = rel.rsplit("/", 1)[-1].lower()
        twin = folded.get(unicodedata.normalize("NFC", rel).casefold())
        if twin is not None and all(e.get(rel, "").lower() == e.get(twin, "").lower() for e in payload.values()):
            # Made on a case-insensitive or normalising file system: two entries, one file, same content.
            c.warn(rel, "bagit.case-collision", f"listed twice; on disk only as {twin!r} (same checksum)")
        elif twin is not None and not any(twin in e for e in payload.values()):
            c.error(rel, "bagit.name-mismatch", f"on disk only as {twin!r}, which differs by case or Unicode "
                                                "normalisation: the name was changed (e.g. by a copy through "
                                                "another file system)")
        elif rel in fetched:
            c.warn(rel, "bagit.fetch-pending", "listed in fetch.txt and not fetched yet")
        elif name in SYSTEM_FILES:
            missing_system += 1
            c.warn(rel, "bagit.system-file-missing", "operating-system file listed but missing")
        else:
            c.error(rel, "bagit.missing-file", "listed in the manifest but missing")
    return missing_system


def _check_oxum(info: dict[str, list[str]], count: int, size: int, c: Checker, missing_system: int = 0) -> None:
    values = info.get("Payload-Oxum", [])
    if not values:
        return
    if len(set(values)) > 1:
        c.error("bag-info.txt", "bagit.payload-oxum", "Payload-Oxum is given more than once, with different values")
    match = re.fullmatch(r"(\d+)\.(\d+)", values[0])
    if not match:
        c.error("bag-info.txt", "bagit.payload-oxum", f"Payload-Oxum {values[0]!r} is not OCTETS.COUNT")
    elif missing_system and (int(match[1]), int(match[2])) == (size, count + missing_system):
        c.warn("bag-info.txt", "bagit.payload-oxum", "Payload-Oxum counts operating-system files that are missing")
    elif (int(match[1]), int(match[2])) != (size, count):
        c.error("bag-info.txt", "bagit.payload-oxum",
                f"Payload-Oxum says {match[1]} bytes in {match[2]} files; the payload has {size} in {count}")


def inventory(bag: Path) -> tuple[dict[str, int], list[str]]:
    """Every regular file of the bag (relative path -> size), and the symbolic links, with one stat per file.

    Symbolic links to folders are listed, never descended into. os.scandir gives each entry's type without a
    system call and its path without Python string joins (20,000-file bags).
    """
    files: dict[str, int] = {}
    links: list[str] = []
    pending = [(str(bag), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_symlink():
                    links.append(prefix + entry.name)
                elif entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.is_file(follow_symlinks=False):
                    files[prefix + entry.name] = entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
    return files, links


def _payload_on_disk(bag: Path, files: dict[str, int], links: list[str], targets: dict[str, str],
                     c: Checker) -> set[str]:
    """Payload files on disk. A symbolic link is followed only when it stays inside the bag (recorded in
    `targets`); one leading out is reported and never opened."""
    data = bag / "data"
    if os.path.islink(data):
        c.error("data", "bagit.path-escape", "the payload folder data/ is a symbolic link; not followed")
        return set()
    if not data.is_dir():
        c.error("data", "bagit.no-payload-folder", "the bag has no data/ folder")
        return set()
    found = {rel for rel in files if rel.startswith("data/")}
    root = bag.resolve()
    for rel in links:
        if not rel.startswith("data/"):
            continue
        target = (bag / rel).resolve()
        if not target.is_relative_to(root):
            c.error(rel, "bagit.path-escape", "symbolic link pointing outside the bag; not followed")
        elif target.is_file():
            c.warn(rel, "bagit.symlink", "payload file is a symbolic link inside the bag")
            found.add(rel)
            files[rel] = target.stat().st_size
            targets[rel] = str(target)
    return found


def _collisions(paths: list[str], c: Checker) -> None:
    seen: dict[str, str] = {}
    for rel in paths:
        key = rel.lower() if rel.isascii() else unicodedata.normalize("NFC", rel).casefold()
        if key in seen:
            c.warn(rel, "bagit.case-collision", f"differs from {seen[key]!r} only by case or normalisation: "
                                                "the bag cannot be copied to Windows or macOS intact")
        else:
            seen[key] = rel
