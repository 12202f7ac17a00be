"""A record of each `dsd verify ARCHIVE`: per bag, whether it passed, so the key figures can say when each bag was
last verified and with what result.

The verdicts go to ARCHIVE/audit/verifications/<time>-<random>.json (bag folder names and verdicts only: no file
names, no findings), and the hash-chained audit log gets an `archive-verified` entry with that file's SHA-256. A
record is believed only when its audit entry names it and the checksum matches, so editing a record in place or
dropping one in the folder does not change the figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dsd_cli import __version__
from dsd_cli.archive.layout import AUDIT_DIR, ArchiveLayout, has_archive_state
from dsd_cli.errors import LockedError
from dsd_cli.findings import VerifyReport
from dsd_cli.fsutil import atomic_write_text

VERIFICATIONS_DIR = "verifications"
ACTION = "archive-verified"
RECORD_FORMAT = 1
OK, WARNINGS, FAILED = "ok", "warnings", "failed"
VERDICTS = (OK, WARNINGS, FAILED)


@dataclass(frozen=True)
class Verification:
    time: str
    """ISO date-time (UTC) the verification finished."""
    level: str
    """`full` (checksums, signatures, PDF/A, profile rules), `fixity` (`--fixity-only`: checksums and
    completeness) or `fast` (presence and Payload-Oxum only)."""
    verdicts: dict[str, str]
    """Bag folder name -> ok, warnings or failed."""


def bag_verdicts(report: VerifyReport, archive: Path) -> dict[str, str]:
    """The verdict of each bag of `archive` in a report (a report may cover several archives)."""
    mine = {b["bag"] for b in report.details.get("bags", []) if Path(b["path"]).parent == archive}
    verdicts = dict.fromkeys(mine, OK)
    for problem in report.problems:
        if problem.bag in verdicts:
            if problem.severity == "error":
                verdicts[problem.bag] = FAILED
            elif verdicts[problem.bag] == OK:
                verdicts[problem.bag] = WARNINGS
    for bag in report.details.get("bags", []):
        if bag["bag"] in verdicts and not bag.get("ok", True):
            verdicts[bag["bag"]] = FAILED
    return dict(sorted(verdicts.items()))


def record_verification(archive: Path, report: VerifyReport, *, level: str = "full",
                        now: dt.datetime | None = None) -> Path:
    """Write the verdicts of a `dsd verify` of `archive` and their audit entry, under the archive lock.

    Raises LockedError while another dsd process works on the archive (its audit log has one writer at a time)
    and OSError when the archive cannot be written (a read-only copy)."""
    import secrets  # the lock and the audit log only when an archive folder was verified

    from dsd_cli.archive.lock import archive_lock
    from dsd_cli.audit import append_audit

    layout = ArchiveLayout(archive)
    moment = now or dt.datetime.now(dt.UTC)
    stamp = moment.isoformat(timespec="seconds")
    verdicts = bag_verdicts(report, archive)
    body = {"format": RECORD_FORMAT, "time": stamp, "level": level, "dsd": __version__, "bags": verdicts}
    text = json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    with archive_lock(layout.lock):
        folder = layout.audit_log.parent / VERIFICATIONS_DIR
        folder.mkdir(parents=True, exist_ok=True)
        # Microseconds in the name: records of verifications in the same second still sort oldest first.
        name = moment.isoformat(timespec="microseconds").replace(":", "-")
        target = folder / f"{name}-{secrets.token_hex(3)}.json"
        atomic_write_text(target, text)
        append_audit(layout.audit_log, ACTION, detail={
            "record": f"{VERIFICATIONS_DIR}/{target.name}", "sha256": hashlib.sha256(text.encode()).hexdigest(),
            "level": body["level"], "bags": len(verdicts),
            "failed": sum(v == FAILED for v in verdicts.values())})
    return target


def record_archive_verifications(paths: Sequence[Path], report: VerifyReport, *, level: str) -> list[str]:
    """Record the verdicts for each dsd archive folder among `paths` (`dsd verify`'s hook). Returns a warning per
    archive whose verdicts could not be recorded; the verification itself stands either way."""
    warnings = []
    for path in paths:
        if not has_archive_state(path):
            continue
        try:
            record_verification(path, report, level=level)
        except LockedError as exc:
            warnings.append(f"{path}: the verdicts were not recorded for `dsd stats` ({exc.message})")
        except OSError as exc:
            warnings.append(f"{path}: the verdicts were not recorded for `dsd stats` ({exc.strerror or exc})")
    return warnings


@dataclass(frozen=True)
class VerificationLog:
    verifications: list[Verification]
    """Confirmed records, oldest first."""
    unconfirmed: int
    """Audit entries whose record is missing, unreadable or does not match its checksum."""


def read_verifications(archive: Path) -> VerificationLog:
    """Every verification the audit log confirms. The log is scanned for the action's name first: it holds an
    entry per packaged dossier, and only a few of them are verifications."""
    layout = ArchiveLayout(archive)
    if not layout.audit_log.is_file():
        return VerificationLog([], 0)
    found: list[Verification] = []
    unconfirmed = 0
    audit_dir = archive / AUDIT_DIR
    with open(layout.audit_log, "rb") as handle:
        for line in handle:
            if ACTION.encode() not in line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a damaged audit log is `dsd verify`'s finding (audit.malformed)
            if not isinstance(entry, dict) or entry.get("action") != ACTION:
                continue
            detail = entry.get("detail") or {}
            record = _confirmed(audit_dir, str(detail.get("record", "")), str(detail.get("sha256", "")))
            if record is None:
                unconfirmed += 1
            else:
                found.append(record)
    return VerificationLog(found, unconfirmed)


def _confirmed(audit_dir: Path, name: str, sha256: str) -> Verification | None:
    parts = name.split("/")
    if len(parts) != 2 or parts[0] != VERIFICATIONS_DIR or parts[1].startswith(".") or not sha256:
        return None
    try:
        data = (audit_dir / VERIFICATIONS_DIR / parts[1]).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            return None
        body = json.loads(data)
    except (OSError, ValueError):
        return None
    bags = body.get("bags") if isinstance(body, dict) else None
    if not isinstance(bags, dict):
        return None
    verdicts = {str(k): v for k, v in bags.items() if v in VERDICTS}
    return Verification(time=str(body.get("time", "")), level=str(body.get("level", "")), verdicts=verdicts)
