"""Reading a bag's tag files as RFC 8493 (and the 0.93-0.97 drafts) define them: the declaration, bag-info,
manifests and fetch.txt, with every malformed line, unsafe path and encoding problem reported by name.

Nothing here opens a payload file; a path that would leave the bag is reported and dropped, never returned.
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from pathlib import Path

from dsd_cli.findings import Problem

ALGORITHMS = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}
"""Algorithms dsd can check, with the length of their hex digest."""
VERSIONS = ((0, 93), (0, 94), (0, 95), (0, 96), (0, 97), (1, 0))
MAX_DECLARATION = 4096
_LINE_END = re.compile(r"\r\n|\r|\n")
_STRICT_DECLARATION = re.compile(r"BagIt-Version: (?P<major>\d+)\.(?P<minor>\d+)(?:\r\n|\r|\n)"
                                 r"Tag-File-Character-Encoding: (?P<encoding>[^\s][^\r\n]*?)(?:\r\n|\r|\n)?")
_MANIFEST_LINE = re.compile(r"(?P<digest>[0-9A-Fa-f]+)[ \t]+(?P<path>.+)")
_PLAIN = re.compile(r"(?![A-Za-z]:)[A-Za-z0-9_.-][^\x00\\]*\Z")
"""Starts with a plain character (not a drive letter), and holds neither NUL nor backslash."""
_PERCENT = re.compile(r"%(0[AaDd]|25)")
_PERCENT_CHARS = {"0a": "\n", "0d": "\r", "25": "%"}


class Checker:
    """Collects one bag's problems; paths are given relative to the bag and reported with the bag's label."""

    def __init__(self, label: str, problems: list[Problem]) -> None:
        self.label, self.problems = label, problems

    def error(self, path: str, check: str, message: str) -> None:
        self.problems.append(Problem(self._p(path), check, message, "error", self.label))

    def warn(self, path: str, check: str, message: str) -> None:
        self.problems.append(Problem(self._p(path), check, message, "warning", self.label))

    def _p(self, path: str) -> str:
        return f"{self.label}/{path}" if path else self.label


def unsafe_reason(rel: str) -> str:
    """Why a path from a manifest or fetch.txt must not be followed ('' when it stays inside the bag)."""
    if _PLAIN.match(rel) and ".." not in rel:
        return ""  # the common case, decided without splitting (20,000-line manifests)
    if "\x00" in rel:
        return "contains a NUL byte"
    if rel.startswith(("/", "\\")):
        return "absolute or UNC path"
    if rel.startswith("~"):
        return "home-relative path (~user)"
    if re.match(r"[A-Za-z]:", rel):
        return "drive-letter path"
    if ".." in re.split(r"[/\\]", rel):
        return "path goes up out of its folder ('..')"
    return ""


def _decode_path(raw: str, version: tuple[int, int]) -> str:
    """RFC 8493 §2.1.3: only %0A, %0D and %25 are encoded, decoded in one pass (so '%250A' stays '%0A')."""
    if version < (1, 0):
        return raw
    return _PERCENT.sub(lambda m: _PERCENT_CHARS[m[1].lower()], raw)


def _lines(text: str) -> list[str]:
    """Lines ended by LF, CR or CRLF only (str.splitlines also splits on U+2028, U+0085, ... that names may hold)."""
    lines = text.split("\n") if "\r" not in text else _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _tag_file(bag: Path, name: str, c: Checker) -> Path | None:
    """The tag file to read, or None when absent or a symbolic link out of the bag (reported, never read)."""
    path = bag / name
    if os.path.islink(path):
        if not path.resolve().is_relative_to(bag.resolve()):
            c.error(name, "bagit.path-escape", "tag file is a symbolic link out of the bag; not followed")
            return None
    return path if path.is_file() else None


def _read_text(path: Path, name: str, encoding: str, c: Checker) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        c.error(name, "bagit.unreadable", f"cannot read: {exc.strerror}")
        return None
    if data.startswith(codecs.BOM_UTF8) and codecs.lookup(encoding).name == "utf-8":
        c.warn(name, "bagit.bom", "tag file starts with a byte order mark")
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        c.error(name, "bagit.encoding", f"{name} is not valid {encoding}")
        return None
    return text[1:] if text.startswith("\ufeff") else text


def read_declaration(bag: Path, c: Checker) -> tuple[tuple[int, int], str] | None:
    """(version, tag file encoding) from bagit.txt, or None when validation cannot go on."""
    path = _tag_file(bag, "bagit.txt", c)
    if path is None:
        c.error("bagit.txt", "bagit.declaration", "bagit.txt is missing: this is not a bag")
        return None
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_DECLARATION + 1)
    except OSError as exc:
        c.error("bagit.txt", "bagit.unreadable", f"cannot read: {exc.strerror}")
        return None
    if len(raw) > MAX_DECLARATION:
        c.error("bagit.txt", "bagit.declaration", f"bagit.txt is longer than {MAX_DECLARATION} bytes: not a "
                "declaration")
        return None
    if raw.startswith(codecs.BOM_UTF8):
        c.error("bagit.txt", "bagit.declaration", "bagit.txt starts with a byte order mark (RFC 8493 forbids it)")
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        c.error("bagit.txt", "bagit.declaration", "bagit.txt is not UTF-8")
        return None
    match = _STRICT_DECLARATION.fullmatch(text)
    if match:
        version, encoding = (int(match["major"]), int(match["minor"])), match["encoding"]
    else:
        # Lenient reading, only to go on and find the bag's other problems; the bag is already invalid.
        fields = {}
        for line in _lines(text):
            key, sep, value = line.partition(":")
            if sep:
                fields[key.strip()] = value.strip()
        number = re.fullmatch(r"(\d+)\.(\d+)", fields.get("BagIt-Version", ""))
        if not number or not fields.get("Tag-File-Character-Encoding"):
            c.error("bagit.txt", "bagit.declaration",
                    "bagit.txt must hold 'BagIt-Version: M.N' and 'Tag-File-Character-Encoding: ENC'")
            return None
        c.error("bagit.txt", "bagit.declaration", "bagit.txt is not exactly two lines 'BagIt-Version: M.N' and "
                "'Tag-File-Character-Encoding: ENC' (one space after each colon, nothing else)")
        version, encoding = (int(number[1]), int(number[2])), fields["Tag-File-Character-Encoding"]
    if version not in VERSIONS:
        c.error("bagit.txt", "bagit.declaration", f"unknown BagIt version {version[0]}.{version[1]}")
        return None
    try:
        codecs.lookup(encoding)
    except LookupError:
        c.error("bagit.txt", "bagit.declaration", f"unknown tag file encoding {encoding!r}")
        return None
    return version, encoding


def read_bag_info(bag: Path, encoding: str, c: Checker) -> dict[str, list[str]]:
    path = _tag_file(bag, "bag-info.txt", c)
    text = _read_text(path, "bag-info.txt", encoding, c) if path is not None else None
    if text is None:
        return {}
    info: dict[str, list[str]] = {}
    last = None
    for n, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        if line[0] in " \t" and last is not None:
            info[last][-1] += " " + line.strip()
        elif ":" in line and line.split(":", 1)[0].strip():
            key, value = line.split(":", 1)
            last = key.strip()
            info.setdefault(last, []).append(value.strip())
        else:
            c.error("bag-info.txt", "bagit.malformed-line", f"line {n} is not 'Label: value'")
    return info


def read_manifests(bag: Path, prefix: str, encoding: str, version: tuple[int, int], c: Checker
                    ) -> dict[str, dict[str, str]]:
    """algorithm -> {path: digest} for every readable manifest (or tag manifest) of the bag."""
    found: dict[str, dict[str, str]] = {}
    for name in sorted(os.listdir(bag)):
        if not (name.startswith(prefix + "-") and name.endswith(".txt")):
            continue
        alg = name[len(prefix) + 1:-4]
        if alg not in ALGORITHMS:
            c.error(name, "bagit.unknown-algorithm", f"unsupported checksum algorithm {alg!r}")
            continue
        path = _tag_file(bag, name, c)
        text = _read_text(path, name, encoding, c) if path is not None else None
        if text is not None:
            found[alg] = _parse_manifest(text, name, alg, version, c, payload=prefix == "manifest")
    return found


def _parse_manifest(text: str, name: str, alg: str, version: tuple[int, int], c: Checker, *,
                    payload: bool) -> dict[str, str]:
    entries: dict[str, str] = {}
    normalised: dict[str, str] = {}
    length = ALGORITHMS[alg]
    match_line = _MANIFEST_LINE.fullmatch
    plain = _PLAIN.match
    decode = version >= (1, 0)
    for n, line in enumerate(_lines(text), start=1):
        match = match_line(line)
        if not match or len(match[1]) != length:
            if line.strip():
                c.error(name, "bagit.malformed-line", f"line {n} is not '{alg.upper()}-CHECKSUM PATH'")
            continue
        digest, rel = match[1].lower(), match[2]
        if rel[0] == "*":
            c.warn(name, "bagit.md5sum-format", f"line {n}: '*' binary marker of md5sum tools")
            rel = rel[1:]
        if decode and "%" in rel:
            rel = _decode_path(rel, version)
        if not (plain(rel) and ".." not in rel):  # the common case is decided without a call
            reason = unsafe_reason(rel)
            if reason:
                c.error(name, "bagit.path-escape", f"line {n}: {rel!r}: {reason}; not followed")
                continue
        if rel.startswith("./"):
            c.warn(name, "bagit.relative-path", f"line {n}: path starts with './'")
            while rel.startswith("./"):
                rel = rel[2:]
        if payload and not rel.startswith("data/"):
            c.error(name, "bagit.path-outside-payload", f"line {n}: {rel!r} is not under data/")
            continue
        if rel in entries:
            if entries[rel] != digest:
                c.error(rel, "bagit.duplicate-entry", f"listed twice in {name} with different checksums")
            elif version >= (1, 0):
                c.error(rel, "bagit.duplicate-entry", f"listed twice in {name} (RFC 8493 forbids it)")
            else:
                c.warn(rel, "bagit.duplicate-entry", f"listed twice in {name} (same checksum)")
            continue
        nfc = rel if rel.isascii() else unicodedata.normalize("NFC", rel)
        if nfc in normalised and normalised[nfc] != rel:
            c.warn(rel, "bagit.normalization-twin", f"listed in {name} under two Unicode normalisations")
        normalised[nfc] = rel
        entries[rel] = digest
    return entries


def read_fetch(bag: Path, encoding: str, version: tuple[int, int], c: Checker) -> set[str]:
    path = _tag_file(bag, "fetch.txt", c)
    text = _read_text(path, "fetch.txt", encoding, c) if path is not None else None
    if text is None:
        return set()
    paths = set()
    for n, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        parts = line.split(None, 2)
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
