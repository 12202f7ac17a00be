"""A BagIt validator (RFC 8493 and the 0.9x drafts) that an auditor can rely on.

It never follows a manifest or fetch path that leaves the bag (`..`, absolute, `~user`, drive letters, UNC, NUL,
symlinks out): such entries are reported and not opened. Every file is read once, all algorithms at once.
Findings are errors (the bag is not valid) or warnings (valid, but worth a look), each with a stable check name.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dsd_cli.models import Problem
from dsd_cli.verify.hashing import hash_many

ALGORITHMS = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
SYSTEM_FILES = {".ds_store", "thumbs.db", "desktop.ini", "._.ds_store"}
_DECLARATION = re.compile(r"^BagIt-Version: (?P<major>\d+)\.(?P<minor>\d+)\r?\n"
                          r"Tag-File-Character-Encoding: (?P<encoding>[^\r\n]+?)\r?\n?$")
_ESCAPE = re.compile(r"(^[/\\])|(^~)|(^[A-Za-z]:)|(\x00)")


@dataclass
class BagResult:
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    version: str = ""
    payload: list[str] = field(default_factory=list)
    """Payload paths (relative to the bag) that exist and passed their checksums."""
    manifest_sha256: dict[str, str] = field(default_factory=dict)
    info: dict[str, list[str]] = field(default_factory=dict)


class _Checker:
    def __init__(self, bag: Path, label: str, result: BagResult) -> None:
        self.bag, self.label, self.result = bag, label, result

    def error(self, path: str, check: str, message: str) -> None:
        self.result.problems.append(Problem(self._p(path), check, message, "error", self.label))

    def warn(self, path: str, check: str, message: str) -> None:
        self.result.problems.append(Problem(self._p(path), check, message, "warning", self.label))

    def _p(self, path: str) -> str:
        return f"{self.label}/{path}" if path else self.label


def unsafe_reason(rel: str) -> str:
    """Why a path from a manifest or fetch.txt must not be followed ('' when it is safe)."""
    if _ESCAPE.search(rel) or rel.startswith("\\\\"):
        return "absolute, home-relative, drive or UNC path"
    parts = re.split(r"[/\\]", rel)
    if ".." in parts:
        return "path goes up out of the bag ('..')"
    return ""


def _decode_path(raw: str, version: tuple[int, int]) -> str:
    if version >= (1, 0):
        raw = re.sub(r"%0[Aa]", "\n", raw)
        raw = re.sub(r"%0[Dd]", "\r", raw)
        raw = raw.replace("%25", "%")
    return raw


def _read_text(path: Path, encoding: str) -> str:
    data = path.read_bytes()
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


def check_bag(bag: Path, label: str, *, fast: bool = False, workers: int | None = None,
              on_bytes: Callable[[int], None] | None = None,
              files: tuple[dict[str, int], list[str]] | None = None) -> BagResult:
    result = BagResult()
    c = _Checker(bag, label, result)
    declaration = bag / "bagit.txt"
    if not declaration.is_file():
        c.error("bagit.txt", "bagit.declaration", "bagit.txt is missing: this is not a bag")
        return result
    raw = declaration.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        c.error("bagit.txt", "bagit.declaration", "bagit.txt starts with a byte order mark")
        return result
    try:
        match = _DECLARATION.match(raw.decode("utf-8"))
    except UnicodeDecodeError:
        match = None
    if not match:
        c.error("bagit.txt", "bagit.declaration",
                "bagit.txt must be exactly 'BagIt-Version: M.N' and 'Tag-File-Character-Encoding: ENC'")
        return result
    version = (int(match["major"]), int(match["minor"]))
    result.version = f"{version[0]}.{version[1]}"
    if version not in ((0, 93), (0, 94), (0, 95), (0, 96), (0, 97), (1, 0)):
        c.error("bagit.txt", "bagit.declaration", f"unknown BagIt version {result.version}")
        return result
    encoding = match["encoding"].strip()
    try:
        codecs.lookup(encoding)
    except LookupError:
        c.error("bagit.txt", "bagit.declaration", f"unknown tag file encoding {encoding!r}")
        return result

    result.info = _read_bag_info(bag, encoding, c)
    payload_manifests = sorted(bag.glob("manifest-*.txt"))
    if not payload_manifests:
        c.error("", "bagit.no-manifest", "the bag has no payload manifest")
        return result
    fetched = _read_fetch(bag, encoding, version, c)

    # manifests: algorithm -> {path: digest}
    payload: dict[str, dict[str, str]] = {}
    for manifest in payload_manifests:
        alg = manifest.name[len("manifest-"):-len(".txt")]
        entries = _read_manifest(manifest, alg, encoding, version, c, payload=True)
        if entries is not None:
            payload[alg] = entries
    tags: dict[str, dict[str, str]] = {}
    for manifest in sorted(bag.glob("tagmanifest-*.txt")):
        alg = manifest.name[len("tagmanifest-"):-len(".txt")]
        entries = _read_manifest(manifest, alg, encoding, version, c, payload=False)
        if entries is not None:
            tags[alg] = entries
    if not payload:
        return result

    sizes, links = files if files is not None else inventory(bag)
    on_disk = _payload_on_disk(bag, sizes, links, c)
    listed = set().union(*(set(e) for e in payload.values()))
    for rel in sorted(on_disk - listed):
        c.error(rel, "bagit.unexpected-file", "file in the payload is not in any manifest")
    for alg, entries in payload.items():
        for rel in sorted((on_disk & listed) - set(entries)):
            c.error(rel, "bagit.manifest-incomplete", f"file is missing from manifest-{alg}.txt")
    _collisions(sorted(on_disk), c)
    folded = {unicodedata.normalize("NFC", r).casefold(): r for r in on_disk}
    missing_system = 0
    for rel in sorted(listed - on_disk):
        name = rel.rsplit("/", 1)[-1].lower()
        twin = folded.get(unicodedata.normalize("NFC", rel).casefold())
        if twin is not None and all(e.get(rel, "").lower() == e.get(twin, "").lower() for e in payload.values()):
            # Made on a case-insensitive or normalising file system: two entries, one file, same content.
            c.warn(rel, "bagit.case-collision", f"listed twice; on disk only as {twin!r} (same checksum)")
        elif rel in fetched:
            c.warn(rel, "bagit.fetch-pending", "listed in fetch.txt and not fetched yet")
        elif name in SYSTEM_FILES:
            missing_system += 1
            c.warn(rel, "bagit.system-file-missing", "operating-system file listed but missing")
        else:
            c.error(rel, "bagit.missing-file", "listed in the manifest but missing")

    present = sorted(listed & on_disk)
    result.files, result.bytes = len(present), sum(sizes[rel] for rel in present)
    _check_oxum(result.info, len(on_disk), sum(sizes[r] for r in on_disk), c, missing_system)
    result.manifest_sha256 = dict(payload.get("sha256", {}))
    if fast:
        result.payload = [r for r in present]
        return result

    jobs: dict[Path, set[str]] = defaultdict(set)
    for alg, entries in payload.items():
        for rel in entries:
            if rel in on_disk:
                jobs[bag / rel].add(alg)
    tag_present = {}
    for alg, entries in tags.items():
        for rel in entries:
            target = bag / rel
            if rel in sizes:
                jobs[target].add(alg)
                tag_present[rel] = True
            else:
                c.error(rel, "bagit.missing-tag-file", f"listed in tagmanifest-{alg}.txt but missing")
    digests = hash_many(dict(jobs), workers, on_bytes, {bag / rel: size for rel, size in sizes.items()})
    bad: set[str] = set()
    for group, manifest_prefix in ((payload, "manifest"), (tags, "tagmanifest")):
        for alg, entries in group.items():
            for rel, expected in entries.items():
                got = digests.get(bag / rel)
                if got is None:
                    continue
                if isinstance(got, OSError):
                    c.error(rel, "bagit.unreadable", f"cannot read: {got.strerror}")
                    bad.add(rel)
                elif got[alg] != expected.lower():
                    check = "bagit.checksum" if manifest_prefix == "manifest" else "bagit.tag-checksum"
                    c.error(rel, check, f"{alg} checksum differs from {manifest_prefix}-{alg}.txt")
                    bad.add(rel)
    result.payload = [r for r in present if r not in bad]
    return result


def _read_bag_info(bag: Path, encoding: str, c: _Checker) -> dict[str, list[str]]:
    path = bag / "bag-info.txt"
    if not path.is_file():
        return {}
    try:
        text = _read_text(path, encoding)
    except (UnicodeDecodeError, OSError):
        c.error("bag-info.txt", "bagit.encoding", f"bag-info.txt is not valid {encoding}")
        return {}
    info: dict[str, list[str]] = {}
    last = None
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line[0] in " \t" and last is not None:
            info[last][-1] += " " + line.strip()
        elif ":" in line:
            key, value = line.split(":", 1)
            last = key.strip()
            info.setdefault(last, []).append(value.strip())
        else:
            c.error("bag-info.txt", "bagit.malformed-line", f"line {n} is not 'Label: value'")
    return info


def _check_oxum(info: dict[str, list[str]], count: int, size: int, c: _Checker, missing_system: int = 0) -> None:
    values = info.get("Payload-Oxum", [])
    if not values:
        return
    match = re.fullmatch(r"(\d+)\.(\d+)", values[0])
    if not match:
        c.error("bag-info.txt", "bagit.payload-oxum", f"Payload-Oxum {values[0]!r} is not OCTETS.COUNT")
    elif missing_system and (int(match[1]), int(match[2])) == (size, count + missing_system):
        c.warn("bag-info.txt", "bagit.payload-oxum", "Payload-Oxum counts operating-system files that are missing")
    elif (int(match[1]), int(match[2])) != (size, count):
        c.error("bag-info.txt", "bagit.payload-oxum",
                f"Payload-Oxum says {match[1]} bytes in {match[2]} files; the payload has {size} in {count}")


def _read_manifest(manifest: Path, alg: str, encoding: str, version: tuple[int, int], c: _Checker, *,
                   payload: bool) -> dict[str, str] | None:
    name = manifest.name
    if alg.lower() not in ALGORITHMS:
        c.error(name, "bagit.unknown-algorithm", f"unsupported checksum algorithm {alg!r}")
        return None
    try:
        text = _read_text(manifest, encoding)
    except (UnicodeDecodeError, OSError):
        c.error(name, "bagit.encoding", f"{name} is not valid {encoding}")
        return None
    entries: dict[str, str] = {}
    normalised: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.strip("\r").split(None, 1) if line.strip() else []
        if len(parts) != 2 or not re.fullmatch(r"[0-9A-Fa-f]+", parts[0]):
            c.error(name, "bagit.malformed-line", f"line {n} is not 'CHECKSUM PATH'")
            continue
        digest, rel = parts[0], parts[1].rstrip("\r")
        if rel.startswith("*"):
            c.warn(name, "bagit.md5sum-format", f"line {n}: '*' binary marker of md5sum tools")
            rel = rel[1:]
        rel = _decode_path(rel, version)
        reason = unsafe_reason(rel)
        if reason:
            c.error(name, "bagit.path-escape", f"line {n}: {rel!r}: {reason}; not followed")
            continue
        if rel.startswith("./"):
            c.warn(name, "bagit.relative-path", f"line {n}: path starts with './'")
            rel = rel[2:]
        if payload and not rel.startswith("data/"):
            c.error(name, "bagit.path-outside-payload", f"line {n}: {rel!r} is not under data/")
            continue
        if rel in entries:
            if entries[rel].lower() != digest.lower():
                c.error(rel, "bagit.duplicate-entry", f"listed twice in {name} with different checksums")
            elif version >= (1, 0):
                c.error(rel, "bagit.duplicate-entry", f"listed twice in {name}")
            else:
                c.warn(rel, "bagit.duplicate-entry", f"listed twice in {name} (same checksum)")
            continue
        nfc = unicodedata.normalize("NFC", rel)
        if nfc in normalised and normalised[nfc] != rel:
            c.warn(rel, "bagit.normalization-twin", f"listed in {name} under two Unicode normalisations")
        normalised[nfc] = rel
        entries[rel] = digest
    return entries


def _read_fetch(bag: Path, encoding: str, version: tuple[int, int], c: _Checker) -> set[str]:
    path = bag / "fetch.txt"
    if not path.is_file():
        return set()
    paths = set()
    try:
        text = _read_text(path, encoding)
    except (UnicodeDecodeError, OSError):
        c.error("fetch.txt", "bagit.encoding", f"fetch.txt is not valid {encoding}")
        return paths
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.strip().split(None, 2)
        if len(parts) != 3 or not (parts[1] == "-" or parts[1].isdigit()):
            c.error("fetch.txt", "bagit.malformed-line", f"line {n} is not 'URL LENGTH PATH'")
            continue
        rel = _decode_path(parts[2], version)
        reason = unsafe_reason(rel)
        if reason:
            c.error("fetch.txt", "bagit.path-escape", f"line {n}: {rel!r}: {reason}; not followed")
            continue
        if not rel.startswith("data/"):
            c.error("fetch.txt", "bagit.path-outside-payload", f"line {n}: {rel!r} is not under data/")
            continue
        paths.add(rel)
    return paths


def inventory(bag: Path) -> tuple[dict[str, int], list[str]]:
    """Every regular file of the bag (relative path -> size), and the symbolic links, with one stat per entry."""
    files: dict[str, int] = {}
    links: list[str] = []
    root = str(bag)
    for folder, dirs, names in os.walk(root):
        rel_folder = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if rel_folder == "." else rel_folder + "/"
        for name in names + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            full = os.path.join(folder, name)
            if os.path.islink(full):
                links.append(prefix + name)
                continue
            try:
                st = os.stat(full)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                files[prefix + name] = st.st_size
    return files, links


def _payload_on_disk(bag: Path, files: dict[str, int], links: list[str], c: _Checker) -> set[str]:
    if not (bag / "data").is_dir():
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
            found.add(rel)
            files[rel] = target.stat().st_size
    return found


def _collisions(paths: list[str], c: _Checker) -> None:
    seen: dict[str, str] = {}
    for rel in paths:
        key = unicodedata.normalize("NFC", rel).casefold()
        if key in seen:
            c.warn(rel, "bagit.case-collision", f"differs from {seen[key]!r} only by case or normalisation: "
                                                "the bag cannot be copied to Windows or macOS intact")
        else:
            seen[key] = rel
