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
    """Counts of what was checked: bags, files, bytes, signatures, pdfs."""
    details: dict[str, Any] = field(default_factory=dict)
