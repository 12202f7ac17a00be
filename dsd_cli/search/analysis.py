"""How page text becomes index terms, and the same for a query, so that both sides always agree.

Three analyzers, the chain Paperless-ngx settled on: words (letters and digits) → at most 40 characters →
lowercase → accents folded to ASCII (`é` → `e`, `ß` → `ss`) → a Snowball stemmer (Dutch or French; none for the
folded field). Identifiers (national register numbers, IBANs, dossier numbers) need nothing of their own: their
digits are words, so a query looks for them in order, whatever punctuation the letter put between them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

FOLD = "dsd_fold"
DUTCH = "dsd_nl"
FRENCH = "dsd_fr"
LANGUAGES = ("nl", "fr")
"""The languages with a stemmed field, as ISO 639-1 codes (Tesseract's nld and fra)."""
STEMMER = {"nl": "dutch", "fr": "french"}
ANALYZER = {"nl": DUTCH, "fr": FRENCH}
MAX_TOKEN = 40

WORD = re.compile(r"[^\W_]+")
"""A word as the simple tokenizer sees it: letters and digits."""
_IBAN_COMPACT = re.compile(r"[a-z]{2}\d{2}[a-z0-9]{8,30}")
_SPECIAL_FOLDS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "ı": "i",
                                "þ": "th", "ð": "d", "’": "'"})


def analyzer(language: str | None) -> Any:
    """A Tantivy text analyzer: folded words, stemmed in `language` ('nl', 'fr') or not at all (None)."""
    import tantivy

    builder = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
               .filter(tantivy.Filter.remove_long(MAX_TOKEN))
               .filter(tantivy.Filter.lowercase())
               .filter(tantivy.Filter.ascii_fold()))
    if language:
        builder = builder.filter(tantivy.Filter.stemmer(STEMMER[language]))
    return builder.build()


@functools.cache
def analyzers() -> dict[str, Any]:
    """Every analyzer by the name the schema gives it (built once per process)."""
    return {FOLD: analyzer(None), DUTCH: analyzer("nl"), FRENCH: analyzer("fr")}


def register_analyzers(index: Any) -> None:
    """An opened or created Tantivy index must know the analyzers before it indexes or parses anything."""
    for name, text_analyzer in analyzers().items():
        index.register_tokenizer(name, text_analyzer)


def terms(text: str, name: str = FOLD) -> list[str]:
    """The index terms of `text` under analyzer `name` (what a query must contain to match)."""
    return list(analyzers()[name].analyze(text))


def fold(word: str) -> str:
    """Lowercase and accents removed, as the analyzers do (for highlighting; Tantivy does the indexing)."""
    word = word.lower()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word.translate(_SPECIAL_FOLDS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> Iterator[re.Match[str]]:
    """The words of `text` as the simple tokenizer splits them (letters and digits), with their positions."""
    return WORD.finditer(text)


def compact_identifier(value: str) -> str:
    """The one form an identifier is indexed and searched in: letters and digits only, upper case."""
    return "".join(ch for ch in value if ch.isalnum()).upper()


def identifier_forms(word: str) -> list[list[str]]:
    """The term sequences an identifier may appear as in a page: as typed, compact, and for a national register
    number or an IBAN typed without punctuation, in its usual groups (`85071212345` → 85 07 12 123 45)."""
    compact = compact_identifier(word).lower()
    forms = [terms(word, FOLD), [compact]]
    if compact.isdigit() and len(compact) == 11:
        forms.append([compact[0:2], compact[2:4], compact[4:6], compact[6:9], compact[9:11]])
    if _IBAN_COMPACT.fullmatch(compact):
        forms.append([compact[i:i + 4] for i in range(0, len(compact), 4)])
    unique: list[list[str]] = []
    for form in forms:
        if form and form not in unique:
            unique.append(form)
    return unique


def looks_like_identifier(word: str) -> bool:
    """A query word such as `SD/2024/0001`, `85.07.12-123.45`, `85071212345` or `BE68539007547034`: digits
    joined by punctuation, or a long run of digits (and letters)."""
    if not any(ch.isdigit() for ch in word):
        return False
    return any(not ch.isalnum() for ch in word) or len(word) >= 8
