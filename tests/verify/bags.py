"""Build small BagIt bags by hand (no bagit-python), so each test controls every byte; and re-hash them the way a
careful attacker would after a change."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path


def encode(rel: str, version: str) -> str:
    if version != "1.0":
        return rel
    return rel.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def write_manifests(bag: Path, files: dict[str, bytes], algorithms: tuple[str, ...], version: str = "1.0",
                    prefix: str = "manifest") -> None:
    for alg in algorithms:
        lines = "".join(f"{hashlib.new(alg, data).hexdigest()}  {encode(rel, version)}\n"
                        for rel, data in sorted(files.items()))
        (bag / f"{prefix}-{alg}.txt").write_bytes(lines.encode("utf-8"))


def make_bag(bag: Path, payload: dict[str, bytes], *, algorithms: tuple[str, ...] = ("sha256", "sha512"),
             version: str = "1.0", info: dict[str, str] | None = None, tag_manifests: bool = True) -> Path:
    """A complete bag: bagit.txt, bag-info.txt with Payload-Oxum, payload manifests and tag manifests."""
    bag.mkdir(parents=True)
    for rel, data in payload.items():
        target = bag / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (bag / "data").mkdir(exist_ok=True)
    (bag / "bagit.txt").write_bytes(f"BagIt-Version: {version}\nTag-File-Character-Encoding: UTF-8\n".encode())
    fields = {"Source-Organization": "Test", "Bagging-Date": "2026-01-02",
              "Payload-Oxum": f"{sum(len(d) for d in payload.values())}.{len(payload)}", **(info or {})}
    (bag / "bag-info.txt").write_bytes("".join(f"{k}: {v}\n" for k, v in fields.items()).encode())
    write_manifests(bag, payload, algorithms, version)
    if tag_manifests:
        retag(bag, algorithms)
    return bag


def retag(bag: Path, algorithms: tuple[str, ...] = ("sha256", "sha512")) -> None:
    tags = {p.relative_to(bag).as_posix(): p.read_bytes() for p in sorted(bag.rglob("*"))
            if p.is_file() and not p.is_symlink() and not p.relative_to(bag).as_posix().startswith("data/")
            and not p.name.startswith("tagmanifest-")}
    write_manifests(bag, tags, algorithms, prefix="tagmanifest")


def rehash(bag: Path) -> None:
    """What a careful attacker does after changing a bag: recompute Payload-Oxum, every manifest and tag manifest."""
    payload = {p.relative_to(bag).as_posix(): p.read_bytes() for p in sorted((bag / "data").rglob("*"))
               if p.is_file()}
    info = bag / "bag-info.txt"
    info.write_text(re.sub(r"Payload-Oxum: .*", f"Payload-Oxum: {sum(len(d) for d in payload.values())}."
                                                 f"{len(payload)}", info.read_text()))
    algorithms = tuple(sorted(p.name[len("manifest-"):-4] for p in bag.glob("manifest-*.txt")))
    write_manifests(bag, payload, algorithms)
    tag_algorithms = tuple(sorted(p.name[len("tagmanifest-"):-4] for p in bag.glob("tagmanifest-*.txt")))
    if tag_algorithms:
        retag(bag, tag_algorithms)
