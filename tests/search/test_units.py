"""The parts of search and duplicate finding that need no OCR: query language, analysis, language, snippets,
the strict page comparison and the numbers it checks, and the audit log's lock."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from dsd_cli.audit import append_audit, verify_audit_log
from dsd_cli.errors import UsageError
from dsd_cli.search.analysis import DUTCH, FRENCH, identifier_forms, terms
from dsd_cli.search.compare import compare_texts
from dsd_cli.search.language import detect, page_language
from dsd_cli.search.numbers import iban_valid, misread_spans, nrn_valid
from dsd_cli.search.ocrwords import Continued, Misread, tokens
from dsd_cli.search.query import And, Not, Or, Phrase, Word, parse
from dsd_cli.search.snippets import within_edits

LETTER = ("Geachte mevrouw Vermeulen, wij stellen vast dat u van 1 januari tot 31 maart 2026 een bedrag van "
          "2.345,67 euro te veel hebt ontvangen. Gelieve dit terug te storten op rekening BE68 5390 0754 7034 met "
          "vermelding van uw rijksregisternummer 85.07.12-123.90. Een afbetalingsplan is mogelijk na afspraak "
          "met uw maatschappelijk werker van het Sociaal Huis.")


def test_query_language_precedence_and_errors():
    assert parse("a b OR c") == Or((And((Word("a"), Word("b"))), Word("c")))
    assert parse('-"x y" aanvra* leeflon~2 NOT (p OR q)') == And((
        Not(Phrase("x y")), Word("aanvra", prefix=True), Word("leeflon", fuzzy=2), Not(Or((Word("p"), Word("q"))))))
    assert parse("and or not") == And((Word("and"), Word("or"), Word("not"))), "lower case: ordinary words"
    for bad in ("", "(a", "a)", '"open', "a AND", "OR a", "x " * 70):
        with pytest.raises(UsageError):
            parse(bad)


def test_analysis_folds_stems_and_finds_identifiers():
    assert terms("aanvragen", DUTCH) == terms("aanvraag", DUTCH)
    assert terms("décisions", FRENCH) == terms("décision", FRENCH) == terms("DECISION", FRENCH)
    assert identifier_forms("85.07.12-123.45") == [["85", "07", "12", "123", "45"], ["85071212345"]]
    assert identifier_forms("85071212345") == [["85071212345"], ["85", "07", "12", "123", "45"]]
    assert identifier_forms("BE68539007547034") == [["be68539007547034"], ["be68", "5390", "0754", "7034"]]


def test_page_language_from_the_quality_record_or_detected():
    stated = page_language("whatever", {"language": "fra", "languages": {"fra": 0.7, "nld": 0.3}})
    assert (stated.primary, stated.stemmed, stated.source) == ("fr", ("nl", "fr"), "quality")
    assert page_language(LETTER, None).stemmed == ("nl",)
    assert detect("Madame, nous vous adressons cette lettre recommandée au sujet de vos allocations").primary == "fr"
    assert detect("12 34 56").stemmed == ("nl", "fr"), "too little text: both stemmers"


def test_edit_distance_as_the_index_counts_it():
    assert within_edits("betallng", "betaling", 1) and within_edits("leefloon", "leeflono", 1)  # a transposition
    assert not within_edits("peeters", "janssens", 2)


def _ocr_noise(text: str) -> str:
    """What a second scan reads differently: a few letters, merged words, a stamp."""
    return (text.replace("mevrouw", "mevr0uw").replace("afbetalingsplan", "afbetaIingsplan")
            .replace("Sociaal Huis", "SociaalHuis") + " ONTVANGEN 16-03-2026")


def test_the_same_letter_read_twice_is_a_duplicate_a_template_letter_is_not():
    assert compare_texts(LETTER, _ocr_noise(LETTER)).same
    for other in (LETTER.replace("Vermeulen", "Claes"),  # another name
                  LETTER.replace("2.345,67", "2.354,67"),  # another amount
                  LETTER.replace("31 maart", "30 april"),  # another date
                  LETTER.replace("BE68 5390 0754 7034", "BE71 0961 2345 6769"),  # another account
                  LETTER.replace("85.07.12-123.90", "91.02.03-456.21")):  # another person's
        verdict = compare_texts(LETTER, _ocr_noise(other))
        assert not verdict.same, other
        assert verdict.similarity > 0.8, "as similar as a rescan, and still another letter"


def test_register_numbers_ibans_and_dates_that_cannot_be_right():
    assert nrn_valid("85071212390") and nrn_valid("01020312345"), "born before 2000, and from 2000 on"
    assert not nrn_valid("85071215390") and not nrn_valid("8507121239")
    assert iban_valid("BE68 5390 0754 7034") and iban_valid("NL91ABNA0417164300")
    assert not iban_valid("BE68 5390 0784 7034")
    text = ("rekening be68 5390 0784 7034, nummer 85.07.12-123.90, op 31 maart 5026, op 3/14/2026 en 2026-05-02; "
            "nummer 85071215390")
    assert [text[a:b] for a, b in misread_spans(text)] == ["85071215390", "68 5390 0784 7034", "5026", "14"]


def test_tokens_keep_numbers_whole_and_mark_the_misread():
    words = tokens("Bedrag 2.345,67 euro\n12 mei, rekening BE68 5390 0784 7034 en 5eptember 2O24")
    assert words == ["bedrag", "2", "345", "67", "euro", "12", "mei", "rekening", "be", "68", "5390", "0784", "7034",
                     "en", "september", "2024"]
    assert [type(w) is Continued for w in words[1:6]] == [False, True, True, False, False], "a line ends a number"
    assert all(isinstance(w, Misread) for w in words[9:13]) and not isinstance(words[5], Misread)


def test_a_misread_digit_of_a_checked_number_is_the_ocr_a_valid_other_number_is_another_letter():
    misread_nrn = LETTER.replace("85.07.12-123.90", "85.07.12-153.90")
    misread_iban = LETTER.replace("BE68 5390 0754 7034", "BE68 5390 0784 7034")
    assert not nrn_valid("85071215390") and not iban_valid("BE68 5390 0784 7034")
    assert compare_texts(LETTER, _ocr_noise(misread_nrn)).same
    assert compare_texts(misread_iban, _ocr_noise(LETTER)).same
    other_person = LETTER.replace("85.07.12-123.90", "85.07.12-125.88")
    assert nrn_valid("85071212588")
    assert not compare_texts(LETTER, _ocr_noise(other_person)).same, "another valid number: another person"
    assert not compare_texts(misread_nrn, _ocr_noise(other_person)).same, "two digits from a misread one"
    assert not compare_texts(misread_iban, LETTER.replace("2.345,67", "2.345,97")).same, "amounts have no check"
    impossible = LETTER.replace("31 maart 2026", "31 maart 5026")
    assert compare_texts(LETTER, _ocr_noise(impossible)).same, "no letter of 5026: a misread year"
    assert not compare_texts(LETTER, _ocr_noise(LETTER.replace("31 maart 2026", "31 maart 2029"))).same


def test_a_stamp_a_lost_line_and_glued_words_do_not_break_a_duplicate_numbers_stay_whole():
    header = "Sociaal Huis Voorbeeldstad Marktplein 1 9999 Voorbeeldstad telefoon 09 123 45 67\n"
    original = header + LETTER
    stamped = original.replace("7034 met", "7034\nONTVANGEN 16 MAART 2026\nmet")
    assert compare_texts(original, stamped).same, "the stamp's date is no number of the letter"
    glued = original.replace("7034 met", "7034 ONTVANGEN 16 MAART 2026et")
    assert compare_texts(original, glued).same, "a stamp glued to a word, a letter of it lost"
    lost_header = LETTER.replace("Geachte", "Geachle", 1)
    assert compare_texts(original, lost_header).same, "the top line lost at the edge, the next word misread"
    assert compare_texts(original, "ONTVANGEN 16 MAART 2026\n" + LETTER).same, "a stamp where the line was lost"
    each_lost_one = (original.replace("bedrag", "bedag"), stamped.replace("bedrag", "edrag"))
    assert compare_texts(*each_lost_one).same, "a letter lost in each scan, not the same one"
    berns = original.replace("Vermeulen", "Van Berns")
    assert not compare_texts(berns, berns.replace("Van Berns", "VandenGarcin")).same, "a name that begins alike"
    karim = original.replace("mevrouw Vermeulen", "Karim Vermeulen")
    assert not compare_texts(karim, karim.replace("Karim", "Marie")).same, "two letters changed: another name"
    assert not compare_texts(stamped, original.replace("2.345,67", "12.345,67")).same, "a number one digit longer"
    assert not compare_texts(stamped, original.replace("2.345,67", "345,67")).same
    assert not compare_texts(stamped, original.replace("2.345,67", "2.345")).same
    assert not compare_texts(stamped, original.replace("Vermeulen", "Claes")).same


def _append_many(log: Path, n: int) -> None:
    for i in range(n):
        append_audit(log, "search", detail={"i": i})


def test_audit_appends_from_several_processes_keep_the_chain(tmp_path: Path):
    log = tmp_path / "audit" / "audit-log.jsonl"
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_append_many, args=(log, 25)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert len(log.read_text().splitlines()) == 100
    assert verify_audit_log(log) == []
