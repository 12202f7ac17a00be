"""Numbers on a page that cannot be what they look like, so OCR misread them.

A national register number (rijksregisternummer) and an IBAN carry a mod-97 check: every real one passes it, and
a misread digit makes it fail (a single wrong digit always does). A date whose day is above 31, whose month is
above 12 or whose year is outside 1900-2099 is no date a letter of a social-welfare office holds. Such a reading
says nothing about which number was printed — only that it is not the one read — so when two scans disagree in
one digit of it, that is the OCR's doing and not another letter (dsd_cli.search.compare). A number that passes
its check and differs is another number.

The text given here is already lower case without accents, as dsd_cli.search.compare reads it.
"""

from __future__ import annotations

import re

MONTH_NAMES = ("januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
               "janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre")
FIRST_YEAR, LAST_YEAR = 1900, 2099

# Each pattern starts with what it consumes and looks behind after it: the regular expression engine then skips
# quickly to the places a pattern can start (a digit, mostly), which a pattern starting with a look-behind loses.
# A register number as printed (85.07.12-123.45) or typed without punctuation (85071212345).
_NRN = re.compile(r"(\d(?<![\d.\-]\d)\d)\.?(\d\d)\.?(\d\d)[-.]?(\d{3})\.?(\d\d)(?!\d)")
# An IBAN: a country code, two check digits, a group of four that may hold a bank's letters (NL91 ABNA ...), then
# groups of four digits, the last one maybe shorter, spaced or not. Only digits after the first group: a word
# after the number is not taken for a part of it.
_IBAN = re.compile(r"\d(?<=[a-z]{2}\d)(?<![a-z\d][a-z]{2}\d)\d ?[a-z\d]{4}(?: ?\d{4}){1,6}(?: ?\d{1,3})?(?![a-z\d])")
_NAMED_DATE = re.compile(rf"(\d(?<!\d\d)\d?) ?(?:{MONTH_NAMES})(?![a-z]) ?(\d{{4}})?(?!\d)")
_NUMERIC_DATE = re.compile(r"(\d(?<![\d/.\-]\d)\d?)([/.\-])(\d{1,2})\2(\d{4})(?![\d/.\-])")
_ISO_DATE = re.compile(r"(\d(?<![\d\-]\d)\d{3})-(\d\d)-(\d\d)(?![\d\-])")

Span = tuple[int, int]


def nrn_valid(digits: str) -> bool:
    """The check of a national register number: 97 minus the first nine digits modulo 97, the same with a 2
    before them for people born from 2000 on."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    base, check = int(digits[:9]), int(digits[9:])
    return check in (97 - base % 97, 97 - (2_000_000_000 + base) % 97)


def iban_valid(iban: str) -> bool:
    """ISO 13616: the country code and check digits moved to the end, letters as 10..35, modulo 97 is 1."""
    compact = iban.replace(" ", "").upper()
    if len(compact) < 15 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    digits = "".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def _year_ok(year: str | None) -> bool:
    return year is None or FIRST_YEAR <= int(year) <= LAST_YEAR


def misread_spans(text: str) -> list[Span]:
    """Where `text` holds a number that fails its check: a whole register number or IBAN (the check does not say
    which digit is wrong), or the day, month or year of a date that cannot be one."""
    spans: list[Span] = []
    for match in _NRN.finditer(text):
        if not nrn_valid("".join(match.groups())):
            spans.append(match.span())
    for match in _IBAN.finditer(text):  # the match starts at the check digits; the country code is a word
        if not iban_valid(text[match.start() - 2:match.end()]):
            spans.append(match.span())
    for match in _NAMED_DATE.finditer(text):
        if not 1 <= int(match.group(1)) <= 31:
            spans.append(match.span(1))
        if not _year_ok(match.group(2)):
            spans.append(match.span(2))
    for match in _NUMERIC_DATE.finditer(text):
        day, _, month, year = match.groups()
        spans += [match.span(n) for n, ok in ((1, 1 <= int(day) <= 31), (3, 1 <= int(month) <= 12),
                                               (4, _year_ok(year))) if not ok]
    for match in _ISO_DATE.finditer(text):
        year, month, day = match.groups()
        spans += [match.span(n) for n, ok in ((1, _year_ok(year)), (2, 1 <= int(month) <= 12),
                                               (3, 1 <= int(day) <= 31)) if not ok]
    return spans
