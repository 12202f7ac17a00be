"""Building a new version of a dossier bag: the one place a bag's files are written.

Every change of a bag — documents added (packaging), a legal hold placed or lifted, retention recomputed from the
register, documents destroyed (disposal), timestamps renewed — is a `VersionChange` built here the same way:

1. the live bag was read and checked (`read_bag_state`: tag files against the tag manifests, payload against every
   manifest — a damaged bag is never extended, a new version would re-certify the damage);
2. the complete new bag is built in ARCHIVE/.dsd/staging/NAME.<random>.new: unchanged payload hard-linked (never
   rewritten), new files copied and hashed again after the copy, the previous manifests and bag-info kept in
   versions/vNNNN/, then record, METS, bag-info and manifests; every file and folder is fsynced;
3. `publish` swaps it with the live bag in one atomic step (bagio.publish).

Callers do not use this module directly: `ArchiveSession.write_version` (session.py) runs these steps and records
the new version in the archive inventory and the audit log.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dsd_cli.archive import bagio
from dsd_cli.archive.baginfo import human_size
from dsd_cli.archive.layout import ArchiveLayout
from dsd_cli.archive.mets import build_mets
from dsd_cli.archive.record import DOCUMENTS_JSON, METS_XML, BagRecord, load_record
from dsd_cli.archive.retention import DossierRetention
from dsd_cli.errors import ArchiveError, ConfigError, InputError
from dsd_cli.fsutil import atomic_copy, atomic_write_bytes, atomic_write_text, file_digests, sha256_file
from dsd_cli.profiles import Profile, load_profile
from dsd_cli.safepaths import dossier_path, validate_dossier

InfoFields = list[tuple[str, str]]
"""bag-info.txt as ordered (label, value) pairs; labels may repeat (Retention-Note)."""

PREFERRED_TAG_MANIFEST = "tagmanifest-sha256.txt"


@dataclass(frozen=True)
class BagState:
    """A dossier bag as read (and checked) before a new version is made of it."""

    dossier: str
    bag: Path
    record: BagRecord
    fields: InfoFields
    payload: Mapping[str, Mapping[str, str]] | None = None
    """Payload path -> digests, checked against every manifest; None until checked."""

    def first(self, label: str) -> str:
        return next((v for k, v in self.fields if k == label), "")


@dataclass(frozen=True)
class VersionChange:
    """What a new version is: its record and bag-info, and the payload it adds, removes or replaces.

    The record's version must be one more than the live bag's (0 for a new bag); a document added or replaced must
    have its SHA-256 in the record: the copy is hashed again and refused when it differs."""

    kind: str
    """packaging (new bag), addition, duplicate, retention-update, legal-hold, legal-hold-lifted, disposal,
    timestamp-renewal, re-archived."""
    record: BagRecord
    fields: InfoFields
    add: Mapping[str, Path] = field(default_factory=dict)
    """New payload path -> the file to copy in."""
    remove: tuple[str, ...] = ()
    replace: Mapping[str, Path] = field(default_factory=dict)
    """Payload path -> file with its new content (copied in; the live file is not touched)."""


@dataclass(frozen=True)
class StagedVersion:
    """A complete new bag version in staging, not yet in place."""

    dossier: str
    bag: Path
    staged: Path
    version: int
    previous_version: int
    tagmanifest: str
    tagmanifest_sha256: str


def info_fields(bag: Path) -> InfoFields:
    """bag-info.txt in file order, one pair per line (continuation lines joined)."""
    return [(k, v) for k, values in bagio.read_bag_info(bag).items() for v in values]


def set_field(fields: InfoFields, label: str, value: str, *, after: str = "") -> InfoFields:
    """Replace the first `label` (dropping repeats), or insert it after `after` (or at the end)."""
    result: InfoFields = []
    done = False
    for key, old in fields:
        if key == label:
            if not done:
                result.append((label, value))
                done = True
            continue
        result.append((key, old))
    if not done:
        index = next((i + 1 for i, (k, _) in enumerate(result) if k == after), len(result))
        result.insert(index, (label, value))
    return result


def tag_manifest_digest(bag: Path) -> tuple[str, str]:
    """(name, SHA-256 of its bytes) of the bag's tag manifest that pins its version: tagmanifest-sha256.txt, or
    the first other one. The tag manifest lists every tag file, so this digest identifies the whole version.
    ('', '') when the bag has none."""
    names = sorted(p.name for p in bag.glob("tagmanifest-*.txt") if p.is_file() and not p.is_symlink())
    if not names:
        return "", ""
    name = PREFERRED_TAG_MANIFEST if PREFERRED_TAG_MANIFEST in names else names[0]
    return name, sha256_file(bag / name)


def read_bag_state(layout: ArchiveLayout, dossier: str, *, hash_payload: bool = True) -> BagState | None:
    """The dossier's live bag, checked; None when the archive has no bag for it.

    Repairs what a crash left first (an interrupted swap, staging leftovers). Raises ArchiveError for a folder that
    is not a dsd bag, a record of another dossier, or tag files (with `hash_payload`, payload) that do not match
    the manifests."""
    dossier = validate_dossier(dossier)
    bag = dossier_path(layout.root, dossier)
    bagio.recover_interrupted_publish(bag, layout.staging / f"{bag.name}.old")
    bagio.clean_staging(layout.staging, bag.name)
    if not bag.exists():
        return None
    if not bag.is_dir() or bag.is_symlink() or not (bag / "bagit.txt").is_file() or load_record(bag) is None:
        raise ArchiveError(f"{bag} exists but is not a dsd dossier bag; dsd will not change it")
    bagio.check_tag_files(bag)  # documents.json is trusted only once it matches the tag manifests
    record = load_record(bag)
    assert record is not None
    if record.dossier != dossier:
        raise ArchiveError(f"{bag.name} holds dossier {record.dossier!r}, not {dossier!r}")
    payload = bagio.checked_payload_digests(bag, ("sha256", "sha512")) if hash_payload else None
    return BagState(dossier=dossier, bag=bag, record=record, fields=info_fields(bag), payload=payload)


def bag_profile(state: BagState, profile: Profile | None) -> Profile:
    """`profile`, or the profile the bag names (DSD-Profile)."""
    if profile is not None:
        return profile
    try:
        return load_profile(state.first("DSD-Profile") or None)
    except ConfigError as exc:
        raise ConfigError(f"{state.bag.name}: its profile {state.first('DSD-Profile')!r} cannot be loaded "
                          f"({exc.message})", hint="give the profile with --profile") from None


def retention_from_fields(fields: InfoFields, profile: Profile) -> DossierRetention:
    """The dossier's retention as bag-info.txt states it (for METS), with the rules looked up in `profile`."""
    first: dict[str, str] = {}
    for key, value in fields:
        first.setdefault(key, value)

    def day(label: str) -> dt.date | None:
        value = first.get(label, "")
        return dt.date.fromisoformat(value) if value else None

    return DossierRetention(
        rules=tuple(profile.rule(r) for r in first.get("Retention-Rule-Id", "").split()),
        period=first.get("Retention-Period", ""), trigger=first.get("Retention-Trigger", ""),
        trigger_date=day("Retention-Trigger-Date"), disposition=first.get("Disposition", ""),
        competence=first.get("Competence", ""), due_date=day("Disposition-Due-Date"),
        legal_hold=first.get("Legal-Hold") == "yes",
        notes=tuple(v for k, v in fields if k == "Retention-Note"))


def _stage_existing(bag: Path, staged: Path, previous_version: int) -> None:
    """Copy the live bag's state into `staged`: payload as hard links (never rewritten), tag files as copies,
    and the previous manifests and bag-info into versions/vNNNN/. The top-level manifests and tag manifests are
    not copied: the new version writes its own (possibly with other algorithms), none may be left stale."""
    for path in sorted(bag.rglob("*")):
        rel = path.relative_to(bag)
        if not path.is_file() or (len(rel.parts) == 1 and rel.name.startswith(("manifest-", "tagmanifest-"))):
            continue
        (staged / rel).parent.mkdir(parents=True, exist_ok=True)
        if rel.parts[0] == "data":
            try:
                os.link(path, staged / rel)
            except OSError:
                shutil.copy2(path, staged / rel)
        else:
            shutil.copy2(path, staged / rel)
    kept = staged / "versions" / f"v{previous_version:04d}"
    kept.mkdir(parents=True, exist_ok=True)
    for name in ["bag-info.txt", *sorted(p.name for p in bag.glob("manifest-*.txt"))]:
        shutil.copy2(bag / name, kept / name)


def _copy_checked(source: Path, target: Path, expected_sha256: str, algorithms: tuple[str, ...]) -> dict[str, str]:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()  # a hard link to the live file: unlink, never write through it
    atomic_copy(source, target)
    digests = file_digests(target, tuple(dict.fromkeys(("sha256", *algorithms))))
    if digests["sha256"] != expected_sha256:
        raise InputError(f"{source.name}: the file changed while it was being archived", reason="changed-during-copy")
    return digests


def build_version(layout: ArchiveLayout, state: BagState | None, change: VersionChange, profile: Profile,
                  now: dt.datetime) -> StagedVersion:
    """Build the bag version `change` describes in staging (nothing is in place yet; `discard` removes it)."""
    record = change.record
    dossier = state.dossier if state else validate_dossier(record.dossier)
    bag = state.bag if state else dossier_path(layout.root, dossier)
    previous = state.record.version if state else 0
    if record.dossier != dossier or (record.version != previous + 1 and state is not None):
        raise ArchiveError(f"{bag.name}: a new version must follow version {previous} of dossier {dossier}")
    if state is None and bag.exists():
        raise ArchiveError(f"{bag} already exists")
    algorithms = tuple(profile.archive.checksums)
    if state is not None and state.payload is None:
        state = BagState(state.dossier, state.bag, state.record, state.fields,
                         bagio.checked_payload_digests(state.bag, algorithms))
    live = dict(state.payload or {}) if state else {}
    if any(rel not in live for rel in [*change.remove, *change.replace]):
        raise ArchiveError(f"{bag.name}: asked to remove or replace a file that is not in the payload")
    if any(rel in live for rel in change.add):
        raise ArchiveError(f"{bag.name}: asked to add a file that is already in the payload")
    expected = {d.path: d.sha256 for d in record.documents}
    if any(rel not in expected for rel in [*change.add, *change.replace]):
        raise ArchiveError(f"{bag.name}: a file to store has no document entry in the record")
    payload = {rel: dict(d) for rel, d in live.items() if rel not in change.remove}
    layout.staging.mkdir(parents=True, exist_ok=True)
    staged = layout.staging / f"{bag.name}.{secrets.token_hex(4)}.new"
    try:
        staged.mkdir()
        if state is not None:
            _stage_existing(state.bag, staged, previous)
        for rel in change.remove:
            (staged / rel).unlink()
        for rel, source in [*change.replace.items(), *change.add.items()]:
            payload[rel] = _copy_checked(source, staged / rel, expected[rel], algorithms)
        (staged / "data").mkdir(exist_ok=True)
        size = sum((staged / rel).stat().st_size for rel in payload)
        fields = set_field(change.fields, "DSD-Bag-Version", str(record.version))
        fields = set_field(fields, "Bagging-Date", now.date().isoformat())
        fields = set_field(fields, "Payload-Oxum", f"{size}.{len(payload)}")
        fields = set_field(fields, "Bag-Size", human_size(size))
        stamp = now.isoformat(timespec="seconds")
        atomic_write_text(staged / "bagit.txt", bagio.BAGIT_TXT)
        atomic_write_text(staged / DOCUMENTS_JSON, record.to_json())
        atomic_write_bytes(staged / METS_XML, build_mets(dossier, record, profile,
                                                         retention_from_fields(fields, profile), stamp))
        bagio.write_bag_info(staged, fields)
        known = {rel: d for rel, d in payload.items() if all(a in d for a in algorithms)}
        bagio.write_manifests(staged, sorted(payload), algorithms, "manifest", known=known)
        bagio.write_manifests(staged, bagio.tag_files(staged), algorithms, "tagmanifest")
        bagio.fsync_tree(staged)
        name, digest = tag_manifest_digest(staged)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return StagedVersion(dossier=dossier, bag=bag, staged=staged, version=record.version, previous_version=previous,
                         tagmanifest=name, tagmanifest_sha256=digest)


def publish(layout: ArchiveLayout, version: StagedVersion) -> None:
    """Put a staged version in place of the live bag, atomically (see bagio.publish)."""
    try:
        bagio.publish(version.staged, version.bag, layout.staging / f"{version.bag.name}.old")
    except BaseException:
        discard(version)
        raise


def discard(version: StagedVersion) -> None:
    shutil.rmtree(version.staged, ignore_errors=True)
