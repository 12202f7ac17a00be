"""A new version of a dossier bag that changes its state rather than adding documents.

Legal holds and disposal change bag-info.txt, the record (metadata/documents.json) and METS; disposal also
empties the payload, and timestamp renewal replaces documents by their renewed (incrementally updated) files.
Such a version is built exactly like one that adds documents: the whole new bag in ARCHIVE/.dsd/staging/
(unchanged payload hard-linked), checked before, fsynced, and swapped in atomically; the
previous manifests and bag-info stay in versions/vNNNN/. A damaged bag is never rewritten.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsd_cli.archive import bagio
from dsd_cli.archive.baginfo import human_size
from dsd_cli.archive.mets import build_mets
from dsd_cli.archive.package import STAGING, _stage_existing
from dsd_cli.archive.record import DOCUMENTS_JSON, METS_XML, load_record, packaging_event
from dsd_cli.archive.retention import DossierRetention
from dsd_cli.errors import ArchiveError, ConfigError
from dsd_cli.fsutil import atomic_copy, atomic_write_bytes, atomic_write_text, file_digests
from dsd_cli.profiles import Profile, load_profile
from dsd_cli.safepaths import dossier_path, validate_dossier

InfoFields = list[tuple[str, str]]


@dataclass(frozen=True)
class BagState:
    """A dossier bag as read (and checked) before a new version is made of it."""

    dossier: str
    bag: Path
    record: dict[str, Any]
    fields: InfoFields
    """bag-info.txt as ordered (label, value) pairs."""
    payload: dict[str, dict[str, str]]
    """Payload path -> digests, checked against every manifest."""

    def first(self, label: str) -> str:
        return next((v for k, v in self.fields if k == label), "")


@dataclass(frozen=True)
class Change:
    """What a change does to a bag: its new bag-info and record, the payload it removes, the payload it replaces."""

    fields: InfoFields
    record: dict[str, Any]
    remove: tuple[str, ...] = ()
    replace: Mapping[str, Path] = field(default_factory=dict)
    """Payload path -> file with its new content (copied into the new version; the live bag is not touched)."""


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


def read_state(archive: Path, dossier: str) -> BagState:
    """Read and check a dossier bag: tag files against the tag manifests, payload against every manifest."""
    dossier = validate_dossier(dossier)
    bag = dossier_path(archive, dossier)
    staging_root = archive / STAGING
    bagio.recover_interrupted_publish(bag, staging_root / f"{bag.name}.old")
    bagio.clean_staging(staging_root, bag.name)
    if not bag.is_dir() or not (bag / "bagit.txt").is_file():
        raise ArchiveError(f"dossier {dossier!r} is not in the archive {archive}")
    if load_record(bag) is None:
        raise ArchiveError(f"{bag} is not a dsd dossier bag; dsd will not change it")
    bagio.check_tag_files(bag)
    record = load_record(bag)
    assert record is not None
    if record.get("dossier") != dossier:
        raise ArchiveError(f"{bag.name} holds dossier {record.get('dossier')!r}, not {dossier!r}")
    fields = info_fields(bag)
    payload = bagio.checked_payload_digests(bag, ("sha256", "sha512"))
    return BagState(dossier=dossier, bag=bag, record=record, fields=fields, payload=payload)


def bag_profile(state: BagState, profile: Profile | None) -> Profile:
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


def next_version(record: dict[str, Any], stamp: str, agent: str, event: dict[str, Any],
                 **version_facts: Any) -> dict[str, Any]:
    """The record of the next bag version, with `event` (a PREMIS event of the bag) appended."""
    version = record["version"] + 1
    entry = {"version": version, "date": stamp, "agent": agent, "added": [], "duplicates": [], **version_facts}
    return {**record, "version": version, "bag_events": [*record["bag_events"], event],
            "versions": [*record["versions"], entry]}


def bag_event(stamp: str, agent: str, kind: str, detail: str) -> dict[str, Any]:
    return packaging_event(stamp, agent, detail, kind)


def write_version(archive: Path, state: BagState, change: Callable[[BagState], Change],
                  profile: Profile | None = None, *, now: dt.datetime | None = None) -> int:
    """Build and publish the next version of `state.bag` as `change` describes it; returns the new version.

    Nothing is published when anything fails: the staging copy is removed and the live bag is untouched.
    """
    now = now or dt.datetime.now(dt.UTC)
    stamp = now.isoformat(timespec="seconds")
    profile = bag_profile(state, profile)
    result = change(state)
    record = result.record
    algorithms = tuple(profile.archive.checksums)
    payload = {rel: d for rel, d in state.payload.items() if rel not in result.remove and rel not in result.replace}
    if any(rel not in state.payload for rel in [*result.remove, *result.replace]):
        raise ArchiveError(f"{state.bag.name}: asked to remove or replace a file that is not in the payload")
    size = sum(int(state.bag.joinpath(rel).stat().st_size) for rel in payload) \
        + sum(new.stat().st_size for new in result.replace.values())
    fields = set_field(result.fields, "DSD-Bag-Version", str(record["version"]))
    fields = set_field(fields, "Bagging-Date", now.date().isoformat())
    fields = set_field(fields, "Payload-Oxum", f"{size}.{len(payload) + len(result.replace)}")
    fields = set_field(fields, "Bag-Size", human_size(size))
    retention = retention_from_fields(fields, profile)
    staging_root = archive / STAGING
    staging_root.mkdir(parents=True, exist_ok=True)
    staged = staging_root / f"{state.bag.name}.{secrets.token_hex(4)}.new"
    trash = staging_root / f"{state.bag.name}.old"
    try:
        staged.mkdir()
        _stage_existing(state.bag, staged, state.record["version"])
        for rel in result.remove:
            (staged / rel).unlink()
        for rel, new in result.replace.items():
            (staged / rel).unlink()  # a hard link to the live file: unlink, never write through it
            atomic_copy(new, staged / rel)
            payload[rel] = file_digests(staged / rel, algorithms)
        for old in [*staged.glob("manifest-*.txt"), *staged.glob("tagmanifest-*.txt")]:
            old.unlink()
        (staged / "data").mkdir(exist_ok=True)
        atomic_write_text(staged / DOCUMENTS_JSON, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        atomic_write_bytes(staged / METS_XML, build_mets(state.dossier, record, profile, retention, stamp))
        bagio.write_bag_info(staged, fields)
        known = {rel: d for rel, d in payload.items() if all(a in d for a in algorithms)}
        bagio.write_manifests(staged, sorted(payload), algorithms, "manifest", known=known)
        bagio.write_manifests(staged, bagio.tag_files(staged), algorithms, "tagmanifest")
        bagio.fsync_tree(staged)
        bagio.publish(staged, state.bag, trash)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return int(record["version"])
