"""Where dsd keeps its own files inside an archive folder (besides one bag folder per dossier)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

STATE_DIR = ".dsd"
QUARANTINE_DIR = "quarantine"
AUDIT_DIR = "audit"
RESERVED_NAMES = frozenset({STATE_DIR, QUARANTINE_DIR, AUDIT_DIR})
AUDIT_LOG = "audit-log.jsonl"
INVENTORY = "inventory.json"
STAGING = Path(STATE_DIR) / "staging"


@dataclass(frozen=True)
class ArchiveLayout:
    root: Path

    @property
    def state(self) -> Path:
        return self.root / STATE_DIR

    @property
    def journal(self) -> Path:
        return self.state / "journal.sqlite"

    @property
    def lock(self) -> Path:
        return self.state / "lock"

    @property
    def work(self) -> Path:
        """Intermediate files of unfinished documents (image PDFs, OCR output, signed copies)."""
        return self.state / "work"

    @property
    def staging(self) -> Path:
        """Bag versions being built, before they are swapped into place."""
        return self.root / STAGING

    @property
    def pending_change(self) -> Path:
        """The inventory change of a bag version being published (removed once it is recorded)."""
        return self.state / "inventory.pending.json"

    @property
    def quarantine(self) -> Path:
        return self.root / QUARANTINE_DIR

    @property
    def audit_dir(self) -> Path:
        return self.root / AUDIT_DIR

    @property
    def audit_log(self) -> Path:
        return self.audit_dir / AUDIT_LOG

    @property
    def inventory(self) -> Path:
        """Every dossier ever packaged: its current bag version and tag manifest digest (see inventory.py)."""
        return self.audit_dir / INVENTORY

    def ensure(self) -> None:
        for folder in (self.root, self.state, self.work, self.audit_dir):
            folder.mkdir(parents=True, exist_ok=True)
        # The journal and work files hold personal data: keep them from other local users.
        self.state.chmod(0o700)


def has_archive_state(path: Path) -> bool:
    """An archive folder dsd works in (its state folder is there), not a single bag: where `dsd verify` records
    its verdicts. (archive.session.is_dsd_archive also accepts a folder that only holds dossier bags.)"""
    return path.is_dir() and ArchiveLayout(path).state.is_dir() and not (path / "bagit.txt").exists()
