"""The search index follows an archive session: every bag version the session writes reaches the index.

    with ArchiveSession.open(archive) as session, following_index(session) as follower:
        ...                                  # session.write_version(...) as often as needed
    follower.update                          # what the index did (warnings included)

The follower listens to the session (`BagVersionWritten`) and collects the dossiers that changed; `flush` brings
the index up to date for them in one go, still under the session's archive lock — one commit and at most one purge
of disposed content per operation rather than one per dossier. The context flushes on leaving, also when the
operation fails half way: what was written is durable, so it is indexed (or, for a disposal, removed) all the same.
This module imports nothing heavy: the index code is loaded only when a bag changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dsd_cli.archive.session import ArchiveSession, BagVersionWritten
    from dsd_cli.search.sync import IndexUpdate


@dataclass
class IndexFollower:
    """Collects the bag versions of one session and applies them to the index on `flush`."""

    archive: Path
    create: bool = False
    """Build the index when the archive has none (`dsd run`, `dsd package`); otherwise an archive without an
    index stays without one."""
    stored: dict[str, list[str]] = field(default_factory=dict)
    """Dossier -> payload paths stored since the last flush."""
    pending: set[str] = field(default_factory=set)
    updates: list[IndexUpdate] = field(default_factory=list)

    def __call__(self, written: BagVersionWritten) -> None:
        self.pending.add(written.dossier)
        if written.added:
            self.stored.setdefault(written.dossier, []).extend(written.added)

    def flush(self) -> IndexUpdate | None:
        """Bring the index up to date for the dossiers changed since the last flush (None: nothing to do, or no
        index and not `create`). Never raises: see `bags_changed`."""
        if not self.pending:
            return None
        from dsd_cli.search.sync import bags_changed

        dossiers, self.pending = sorted(self.pending), set()
        update = bags_changed(self.archive, dossiers, create=self.create)
        if update is not None:
            self.updates.append(update)
        return update

    @property
    def warnings(self) -> list[str]:
        return [w for u in self.updates for w in u.warnings]


@contextmanager
def following_index(session: ArchiveSession, *, create: bool = False) -> Iterator[IndexFollower]:
    """Keep the archive's search index current with every bag version `session` writes in this block."""
    follower = IndexFollower(session.root, create=create)
    session.listen(follower)
    try:
        yield follower
    finally:
        follower.flush()
