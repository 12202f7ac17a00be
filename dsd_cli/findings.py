"""What a verification found: each finding (`Problem`) and the verdict over the paths checked (`VerifyReport`).

Kept apart from the pipeline's data objects (models.py) so that `dsd verify` of a bag creates only the classes it
uses: each dataclass costs start-up time when its module is imported. `Dictable`, the JSON-friendly `to_dict()` of
every data object, is here because this is the module both import.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


def jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


class Dictable:
    def to_dict(self) -> dict[str, Any]:
        return jsonable(asdict(self))  # type: ignore[call-overload]


CHECKED_COUNTS = ("bags", "files", "bytes", "pdfs", "signatures", "audit_logs", "inventories", "inventoried_dossiers",
                  "index_disposals")
"""What a verification counts (VerifyReport.checked), in the order a person reads them."""


def ordered_counts(checked: dict[str, int]) -> list[tuple[str, int]]:
    """`checked` in the order of CHECKED_COUNTS (any other key after them)."""
    rank = {key: i for i, key in enumerate(CHECKED_COUNTS)}
    return sorted(checked.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


@dataclass(frozen=True)
class Problem(Dictable):
    """One finding of a check. `severity` is 'error' (fails verification) or 'warning'."""

    path: str
    check: str
    message: str
    severity: str = "error"
    bag: str = ""


@dataclass
class VerifyReport(Dictable):
    """The verdict of `dsd verify` over one or more paths."""

    ok: bool
    problems: list[Problem] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)
    """Counts of what was checked, by the keys of CHECKED_COUNTS."""
    details: dict[str, Any] = field(default_factory=dict)
