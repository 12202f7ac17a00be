"""Documents for people in Dutch (the default) or French; times for people and for machines.

A module with words for people keeps them in a `Catalog`: every entry has every language of LANGUAGES, which is
checked when the catalog is made, so a missing translation fails at import (and in the tests), never in front of a
reader. People read local Belgian time (`local_time`); machines read UTC ISO 8601 (`utc_iso`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from dsd_cli.errors import UsageError

LANGUAGES = ("nl", "fr")
DEFAULT_LANGUAGE = "nl"
LOCAL_ZONE = "Europe/Brussels"


def check_language(lang: str, option: str = "--lang") -> str:
    """`lang` when dsd writes documents in it; a UsageError (exit code 2) otherwise."""
    if lang not in LANGUAGES:
        raise UsageError(f"{option}: {lang!r} is not one of {', '.join(LANGUAGES)}")
    return lang


def document_language(lang: str | None, profile_language: str) -> str:
    """The language of a document: the one asked for (`--lang`), else the organisation's (profile)."""
    return check_language(lang) if lang else check_language(profile_language, "organization.language")


class Catalog:
    """Phrases by key, each in every language; `{name}` fields are filled by keyword."""

    def __init__(self, entries: Mapping[str, Mapping[str, str]]) -> None:
        for key, texts in entries.items():
            missing = [lang for lang in LANGUAGES if not texts.get(lang)]
            if missing:
                raise ValueError(f"phrase {key!r} has no {', '.join(missing)} text")
        self._entries = entries

    def __call__(self, key: str, lang: str, **values: object) -> str:
        text = self._entries[key][lang]
        return text.format(**values) if values else text

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def keys(self) -> list[str]:
        return list(self._entries)


WORDS = Catalog({
    "disposition.V": {"nl": "vernietigen", "fr": "détruire"},
    "disposition.S": {"nl": "selectie (steekproef bewaren)", "fr": "sélection (conserver un échantillon)"},
    "disposition.B": {"nl": "bewaren (overbrengen)", "fr": "conserver (transférer)"},
    "competence.federal": {"nl": "federaal (toelating van het Rijksarchief)",
                           "fr": "fédéral (autorisation des Archives de l'État)"},
    "competence.flemish": {"nl": "Vlaams (toelating van de Vlaamse archiefinspectie)",
                           "fr": "flamand (autorisation de l'inspection flamande des archives)"},
    "competence.short.federal": {"nl": "federaal", "fr": "fédéral"},
    "competence.short.flemish": {"nl": "Vlaams", "fr": "flamand"},
    "yes": {"nl": "ja", "fr": "oui"},
    "no": {"nl": "nee", "fr": "non"},
    "none": {"nl": "geen", "fr": "aucun"},
    # page languages, by the Tesseract / ISO 639-2 codes dsd records
    "language.nld": {"nl": "Nederlands", "fr": "néerlandais"},
    "language.fra": {"nl": "Frans", "fr": "français"},
    "language.eng": {"nl": "Engels", "fr": "anglais"},
    "language.deu": {"nl": "Duits", "fr": "allemand"},
    "language.und": {"nl": "onbepaald", "fr": "indéterminée"},
})
PAGE_LANGUAGES = ("nld", "fra", "eng", "deu", "und")


def disposition_label(code: str, lang: str) -> str:
    """'V' -> 'vernietigen' / 'détruire'; an unknown code as it is."""
    key = f"disposition.{code}"
    return WORDS(key, lang) if key in WORDS else code


def language_label(code: str, lang: str) -> str:
    """'fra' -> 'Frans' / 'français'; an unknown code as it is."""
    key = f"language.{code}"
    return WORDS(key, lang) if key in WORDS else code


def competence_label(competence: str, lang: str, *, short: bool = False) -> str:
    """'federal' -> 'federaal (toelating van het Rijksarchief)', or with `short` 'federaal'."""
    key = f"competence.short.{competence}" if short else f"competence.{competence}"
    return WORDS(key, lang) if key in WORDS else competence


def _zone() -> dt.tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(LOCAL_ZONE)
    except ZoneInfoNotFoundError:  # no time zone database: say the offset rather than guess a wrong zone
        return dt.UTC


def _moment(value: dt.datetime | float) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromtimestamp(value, dt.UTC)


def local_time(value: dt.datetime | float, *, seconds: bool = False) -> str:
    """A moment as people in Belgium read it: '2026-02-01 10:00' (Europe/Brussels). Naive datetimes are UTC."""
    moment = _moment(value).astimezone(_zone())
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def local_time_with_zone(value: dt.datetime | float, *, seconds: bool = False) -> str:
    """'2026-02-01 10:00 CET' (with `seconds` '2026-02-01 10:00:05 CET') — for documents that may be read far from
    Brussels."""
    moment = _moment(value).astimezone(_zone())
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")


def moment_for_people(value: dt.datetime | float | str) -> str:
    """When a document was made, for its readers and for the record: '2026-02-01 10:00 CET (UTC
    2026-02-01T09:00:00+00:00)'. An ISO 8601 string is read; any other text is shown as it is."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return f"{local_time_with_zone(value)} (UTC {utc_iso(value)})"


def decimal(value: object) -> str:
    """A measured figure as Dutch and French write it: 95,4 and -0,04 (a decimal comma, every digit kept)."""
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


def with_colon(label: str, lang: str) -> str:
    """'Periode:' / 'Période :' — French sets a (narrow no-break) space before a colon."""
    return f"{label}\u202f:" if lang == "fr" else f"{label}:"


def utc_iso(value: dt.datetime | float | None) -> str | None:
    """A moment for machines: ISO 8601 in UTC, to the second ('2026-02-01T09:00:00+00:00'); None stays None."""
    if value is None:
        return None
    return _moment(value).astimezone(dt.UTC).isoformat(timespec="seconds")
