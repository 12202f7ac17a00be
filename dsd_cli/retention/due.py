"""Which dossiers are due for disposition on a date: the draft of a destruction request.

A dossier is due when bag-info.txt gives a Disposition-Due-Date on or before the date, it is not under legal hold
and it has not been disposed of already (no Disposal-Date). The list is grouped by disposition (V destroy,
S sample, B transfer/keep) and competence (federal dossiers need the State Archives' approval, Flemish ones the
Flemish archive inspection's). Dossiers without a due date are counted by why (`undated_dossiers`): still open,
not in the register, under legal hold, kept permanently, … — `dsd retention update` applies a newer register.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass
from pathlib import Path

from dsd_cli.archive.bagio import read_bag_info
from dsd_cli.archive.dossiers import DossierSummary, list_dossiers
from dsd_cli.archive.retention import UNDATED_REASONS, undated_reason
from dsd_cli.archive.session import require_archive
from dsd_cli.errors import UsageError
from dsd_cli.i18n import DEFAULT_LANGUAGE, Catalog, competence_label

DISPOSITION_ORDER = {"V": 0, "S": 1, "B": 2}
CSV_COLUMNS = ("dossier", "bag", "rule", "disposition", "competence", "due_date", "documents", "bytes", "selected")
"""The columns of a due list, as `DueDossier` and `dsd retention dispose --list` name them."""
CSV_HEADERS = {
    "nl": ("dossier", "map", "regel", "bestemming", "bevoegdheid", "vervaldatum", "documenten", "bytes",
           "geselecteerd"),
    "fr": ("dossier", "répertoire", "règle", "sort final", "compétence", "échéance", "documents", "octets",
           "sélectionné"),
}
"""The header line of a due list people read, in the list's language (dsd_cli.i18n.LANGUAGES)."""
UNDATED_WORDS = Catalog({
    "summary": {"nl": "{total} dossier(s) zonder vervaldatum: {reasons}",
                "fr": "{total} dossier(s) sans échéance : {reasons}"},
    "legal-hold": {"nl": "onder juridische blokkering", "fr": "sous blocage juridique"},
    "permanent": {"nl": "blijvend te bewaren", "fr": "à conserver définitivement"},
    "open": {"nl": "nog open (niet afgesloten in het register)",
             "fr": "encore ouvert(s) (non clôturé(s) dans le registre)"},
    "not-in-register": {"nl": "niet in het register", "fr": "absent(s) du registre"},
    "no-opening-date": {"nl": "zonder openingsdatum in het register",
                        "fr": "sans date d'ouverture dans le registre"},
    "unknown-dates": {"nl": "de data van de documenten zijn onbekend", "fr": "dates des documents inconnues"},
    "other": {"nl": "andere reden (zie hun Retention-Note-regels)",
              "fr": "autre motif (voir leurs lignes Retention-Note)"},
})
"""Why dossiers have no due date, by UNDATED_REASONS code, as the due list says it at its end."""


def csv_column_key(header: str) -> str:
    """The column a header names, in any language of CSV_HEADERS or as CSV_COLUMNS ('geselecteerd' -> 'selected')."""
    name = header.strip().lower()
    for headers in CSV_HEADERS.values():
        if name in headers:
            return CSV_COLUMNS[headers.index(name)]
    return name


@dataclass(frozen=True)
class DueDossier:
    """One line of a due list (and of a destruction request)."""

    dossier: str
    bag: str
    """The bag's folder name inside the archive."""
    rule: str
    disposition: str
    competence: str
    due_date: str
    documents: int
    bytes: int

    @property
    def group(self) -> tuple[str, str]:
        return self.disposition, self.competence


def parse_day(value: str, what: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{what} {value!r} is not an ISO date (YYYY-MM-DD)") from None


def _payload_bytes(oxum: str) -> int:
    octets, _, _count = oxum.partition(".")
    return int(octets) if octets.isdigit() else 0


def due_dossiers(archive: Path, on: dt.date | None = None) -> list[DueDossier]:
    """Dossiers due on or before `on` (default today), ordered by disposition, competence, due date, dossier."""
    on = on or dt.date.today()
    require_archive(archive)
    found: list[DueDossier] = []
    for summary in list_dossiers(archive):
        info = read_bag_info(summary.bag)
        first = {k: v[0] for k, v in info.items() if v}
        if summary.legal_hold or first.get("Disposal-Date") or not summary.due_date:
            continue
        try:
            due = dt.date.fromisoformat(summary.due_date)
        except ValueError:
            continue  # `dsd verify` reports a malformed date; it is never treated as due
        if due > on:
            continue
        found.append(DueDossier(dossier=summary.dossier, bag=summary.bag.name, rule=first.get("Retention-Rule-Id", ""),
                                disposition=summary.disposition, competence=first.get("Competence", ""),
                                due_date=summary.due_date, documents=summary.documents,
                                bytes=_payload_bytes(first.get("Payload-Oxum", ""))))
    found.sort(key=lambda d: (DISPOSITION_ORDER.get(d.disposition, 9), d.competence, d.due_date, d.dossier))
    return found


def undated_dossiers(archive: Path, summaries: list[DossierSummary] | None = None) -> dict[str, list[str]]:
    """Dossiers that have no due date (and are not disposed of), by reason code (UNDATED_REASONS), in order."""
    found: dict[str, list[str]] = {}
    for summary in list_dossiers(archive) if summaries is None else summaries:
        if summary.due_date or summary.disposal_date:
            continue
        info = read_bag_info(summary.bag)
        reason = undated_reason(summary.legal_hold, (info.get("Retention-Period") or [""])[0],
                                info.get("Retention-Note", []))
        found.setdefault(reason, []).append(summary.dossier)
    return {code: found[code] for code in [*UNDATED_REASONS, "other"] if code in found}


def undated_text(undated: dict[str, list[str]], lang: str = DEFAULT_LANGUAGE) -> str:
    """'5 dossier(s) zonder vervaldatum: 3 nog open (…), 2 niet in het register', in the list's language ('' when
    there are none). A reason code a newer dsd writes is shown as it is."""
    total = sum(len(v) for v in undated.values())
    if not total:
        return ""
    parts = [f"{len(v)} {UNDATED_WORDS(code, lang) if code in UNDATED_WORDS else code}" for code, v in undated.items()]
    return UNDATED_WORDS("summary", lang, total=total, reasons=", ".join(parts))


def grouped(items: list[DueDossier]) -> dict[tuple[str, str], list[DueDossier]]:
    groups: dict[tuple[str, str], list[DueDossier]] = {}
    for item in items:
        groups.setdefault(item.group, []).append(item)
    return groups


def due_as_dicts(items: list[DueDossier]) -> list[dict[str, object]]:
    return [asdict(item) for item in items]


def due_csv(items: list[DueDossier], lang: str = "nl") -> str:
    """The due list as CSV with headers in `lang`. `selected` is left empty: for S (sample) dossiers the archivist
    writes `ja`/`oui`/`yes` (kept as part of the sample) or `nee`/`non`/`no` (may be destroyed) before the list goes
    to `dsd retention dispose`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADERS[lang])
    for d in items:
        writer.writerow([d.dossier, d.bag, d.rule, d.disposition, competence_label(d.competence, lang, short=True),
                         d.due_date, d.documents, d.bytes, ""])
    return out.getvalue()
