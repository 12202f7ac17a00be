"""Serialise an export bag (zip or tar) and encrypt it for one or more age recipients; decrypt on the other side.

Every output file is written to a temporary file beside it and renamed only when complete: a failure (a wrong
key, a flipped byte, a truncated file — age authenticates every chunk) leaves nothing behind. With encryption the
unencrypted bag and archive file exist only in a private (0700) temporary folder that is removed afterwards.
"""

from __future__ import annotations

import contextlib
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyrage
from pyrage import x25519

from dsd_cli.errors import InputError, UsageError
from dsd_cli.fsutil import atomic_path

FORMATS = ("zip", "tar")


def _files(bag: Path) -> list[Path]:
    return sorted(p for p in bag.rglob("*") if p.is_file() and not p.is_symlink())


def serialise(bag: Path, target: Path, fmt: str) -> Path:
    """Write `bag` as a zip or tar file whose single top folder is the bag's folder name."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}: choose zip or tar")
    if target.exists():
        raise UsageError(f"{target} already exists; dsd does not overwrite an export")
    with atomic_path(target) as tmp:
        if fmt == "zip":
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                for path in _files(bag):
                    zf.write(path, f"{bag.name}/{path.relative_to(bag).as_posix()}")
        else:
            with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tf:
                for path in _files(bag):
                    info = tf.gettarinfo(str(path), f"{bag.name}/{path.relative_to(bag).as_posix()}")
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    with open(path, "rb") as handle:
                        tf.addfile(info, handle)
    return target


def parse_recipients(values: Sequence[str]) -> list[x25519.Recipient]:
    recipients = []
    for value in values:
        try:
            recipients.append(x25519.Recipient.from_str(value.strip()))
        except pyrage.RecipientError as exc:
            raise UsageError(f"{value[:12]}…: not an age public key (age1…): {exc}") from None
    if not recipients:
        raise UsageError("--encrypt-to needs an age public key (age1…)")
    return recipients


def read_identities(path: Path) -> list[x25519.Identity]:
    """The age identities (AGE-SECRET-KEY-1…) of a key file as `age-keygen` writes it; comments are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the key file ({exc})", reason="unreadable") from None
    identities = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(x25519.Identity.from_str(line))
        except pyrage.IdentityError:
            raise InputError(f"{path}: a line is not an age secret key", reason="bad-key") from None
    if not identities:
        raise InputError(f"{path}: no age secret key in the file", reason="bad-key")
    return identities


def encrypt(source: Path, target: Path, recipients: Sequence[x25519.Recipient]) -> Path:
    if target.exists():
        raise UsageError(f"{target} already exists; dsd does not overwrite an export")
    with atomic_path(target) as tmp:
        try:
            pyrage.encrypt_file(str(source), str(tmp), list(recipients))
        except (pyrage.EncryptError, OSError) as exc:
            raise InputError(f"{source.name}: encryption failed ({exc})", reason="encrypt-failed") from None
    return target


def decrypt(source: Path, target: Path, identity_file: Path) -> Path:
    """Decrypt an age file to `target`. InputError, and no `target`, for a wrong key or a damaged file."""
    identities = read_identities(identity_file)
    if not source.is_file():
        raise InputError(f"{source}: no such file", reason="missing")
    if target.exists():
        raise UsageError(f"{target} already exists; dsd does not overwrite it")
    with atomic_path(target) as tmp:
        try:
            pyrage.decrypt_file(str(source), str(tmp), identities)
        except pyrage.DecryptError as exc:
            raise InputError(f"{source.name}: cannot decrypt ({exc}): not for this key, or not an age file",
                             reason="decrypt-failed") from None
        except OSError as exc:
            raise InputError(f"{source.name}: cannot decrypt ({exc}): the file is damaged or truncated",
                             reason="decrypt-failed") from None
    return target


@contextlib.contextmanager
def private_folder(near: Path) -> Iterator[Path]:
    """A 0700 temporary folder beside `near`, removed afterwards (it holds unencrypted documents)."""
    near.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{near.name}.", suffix=".work", dir=near.parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
