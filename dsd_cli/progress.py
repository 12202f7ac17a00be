"""The progress interface the library reports to. Only the CLI knows about Rich; tests and scripts pass nothing."""

from __future__ import annotations

from typing import Protocol


class ProgressReporter(Protocol):
    def start(self, stage: str, total: float | None, unit: str = "pages") -> None:
        """A stage begins; `total` is None when unknown. `unit` names what is counted ('bytes' for byte stages)."""

    def advance(self, stage: str, amount: float = 1) -> None:
        """Some work of `stage` is done now."""

    def skip(self, stage: str, amount: float = 1) -> None:
        """Some work of `stage` was already done by an earlier run (a resume): it counts as done, not as speed."""

    def finish(self, stage: str) -> None:
        """The stage is over."""


class NullProgress:
    """Reports nothing."""

    def start(self, stage: str, total: float | None, unit: str = "pages") -> None:
        pass

    def advance(self, stage: str, amount: float = 1) -> None:
        pass

    def skip(self, stage: str, amount: float = 1) -> None:
        pass

    def finish(self, stage: str) -> None:
        pass
