"""Which documents an export holds: by dossier, document type, date range or a reproducible sample of dossiers.

Criteria combine: a document is selected when it meets every criterion given; a sample draws N dossiers among
those with at least one matching document. Dates are the document's own date
when known, otherwise its scan date.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsd_cli.archive.dossiers import dossier_details, list_dossiers
from dsd_cli.archive.record import DocumentEntry, parse_date
from dsd_cli.errors import ArchiveError, UsageError
from dsd_cli.i18n import Catalog
from dsd_cli.safepaths import validate_dossier

WORDS = Catalog({
    "dossiers": {"nl": "dossiers {dossiers}", "fr": "dossiers {dossiers}"},
    "types": {"nl": "documenttypes {types}", "fr": "types de document {types}"},
    "dated": {"nl": "gedateerd van {since} tot {until}", "fr": "datés du {since} au {until}"},
    "sample": {"nl": "een steekproef van {n} dossier(s) met startwaarde {seed}",
               "fr": "un échantillon de {n} dossier(s) avec la valeur de départ {seed}"},
    "open": {"nl": "…", "fr": "…"},
})
"""The selection as the index of an export says it to people (`Criteria.for_people`)."""


@dataclass(frozen=True)
class Criteria:
    dossiers: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    sample: int | None = None
    seed: int | None = None

    def check(self) -> None:
        if not (self.dossiers or self.types or self.since or self.until or self.sample is not None):
            raise UsageError("say what to export: --dossier, --type, --since/--until or --sample")
        if self.sample is not None and (self.sample < 1 or self.seed is None):
            raise UsageError("--sample needs a positive number of dossiers and --seed (so it can be repeated)")
        if self.since and self.until and self.since > self.until:
            raise UsageError("--since is after --until")

    def as_dict(self) -> dict[str, Any]:
        return {"dossiers": list(self.dossiers), "types": list(self.types),
                "since": self.since.isoformat() if self.since else "",
                "until": self.until.isoformat() if self.until else "",
                "sample": self.sample, "seed": self.seed}

    def describe(self) -> str:
        """The selection in English words, for bag-info, provenance and messages (`for_people`: the index's)."""
        parts = []
        if self.dossiers:
            parts.append("dossiers " + " ".join(self.dossiers))
        if self.types:
            parts.append("types " + " ".join(self.types))
        if self.since or self.until:
            parts.append(f"dated {self.since or '…'} to {self.until or '…'}")
        if self.sample is not None:
            parts.append(f"a sample of {self.sample} dossier(s) with seed {self.seed}")
        return "; ".join(parts)

    def for_people(self, lang: str) -> str:
        """The selection in the words of the index people read, in `lang` (nl, fr)."""
        parts = []
        if self.dossiers:
            parts.append(WORDS("dossiers", lang, dossiers=" ".join(self.dossiers)))
        if self.types:
            parts.append(WORDS("types", lang, types=" ".join(self.types)))
        if self.since or self.until:
            open_end = WORDS("open", lang)
            parts.append(WORDS("dated", lang, since=self.since or open_end, until=self.until or open_end))
        if self.sample is not None:
            parts.append(WORDS("sample", lang, n=self.sample, seed=self.seed))
        return "; ".join(parts)


@dataclass(frozen=True)
class SelectedDossier:
    dossier: str
    bag: Path
    version: int
    documents: list[DocumentEntry] = field(default_factory=list)


def document_day(doc: DocumentEntry) -> dt.date | None:
    return parse_date(doc.document_date) or parse_date(doc.scan_date)


def _matches(doc: DocumentEntry, criteria: Criteria) -> bool:
    if criteria.types and doc.doc_type not in criteria.types:
        return False
    if not (criteria.since or criteria.until):
        return True
    day = document_day(doc)
    return day is not None and not (criteria.since and day < criteria.since) \
        and not (criteria.until and day > criteria.until)


def select_documents(archive: Path, criteria: Criteria) -> list[SelectedDossier]:
    """The selected documents, grouped by dossier (ordered by bag folder). UsageError when nothing matches,
    ArchiveError for a named dossier that is not in the archive."""
    criteria.check()
    if criteria.dossiers:
        wanted = [validate_dossier(d) for d in criteria.dossiers]
        candidates = [(d.dossier, d.bag) for d in (dossier_details(archive, w) for w in wanted)]
    else:
        candidates = [(s.dossier, s.bag) for s in list_dossiers(archive)]
    candidates = sorted(dict(candidates).items(), key=lambda c: c[1].name)
    matching: list[SelectedDossier] = []
    for dossier, _bag in candidates:
        details = dossier_details(archive, dossier)
        docs = [doc for doc in details.documents if _matches(doc, criteria)]
        if docs:
            matching.append(SelectedDossier(details.dossier, details.bag, details.version, docs))
    selected = matching
    if criteria.sample is not None:
        if criteria.sample > len(matching):
            raise UsageError(f"--sample {criteria.sample}: only {len(matching)} dossier(s) have matching documents")
        drawn = random.Random(criteria.seed).sample(matching, criteria.sample)  # noqa: S311 - repeatable
        selected = sorted(drawn, key=lambda s: s.bag.name)
    if not selected:
        raise UsageError(f"no document matches ({criteria.describe()})")
    if any(not s.bag.resolve().is_relative_to(archive.resolve()) for s in selected):
        raise ArchiveError("a selected bag lies outside the archive")
    return selected
