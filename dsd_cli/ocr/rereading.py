"""A second reading, by the right language's model, of words read by the model of another language.

Tesseract reads a text line with the model that read the line before, and tries its other languages only when a
word falls below a fixed certainty (a parameter of the models' own dictionaries that the API cannot set). A model
that lacks a letter of the other language reads such a word wrong with confidence: Dutch has no 'ç' or 'œ' ("reçu"
comes out "recu" or "regu"), French no 'ö'. So the Dutch model goes on reading the first lines of a French
paragraph that follows Dutch text; on worn 150 dpi pages, where a faint cedilla barely lowers its certainty, these
were every word dsd missed.

After the page's one recognition pass: on each line that the offline language detector (`quality`) finds to be in
another of the configured languages, the words that the reading model did not find in its dictionary are read
again by that language's model alone, each on a crop of the image Tesseract saw (the word's width, the line's
height, as Tesseract crops a word for its line recognizer); the reading with the higher confidence wins. Words in
the dictionary, and lines in the reading model's own language, are left alone: a few words on a bilingual page,
some milliseconds each. The hOCR is patched in place (text, confidence, language of those words; boxes kept).
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PIL import Image

MIN_LETTERS = 12
"""Letters a line needs for the language detector to be trusted with it."""
MIN_SCORE = 0.5
"""The detector's probability below which a line's language is left undecided."""


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float
    box: tuple[int, int, int, int]
    """left, top, right, bottom in pixels of the image Tesseract saw."""
    line_box: tuple[int, int, int, int]
    language: str
    """The language whose model read the word (a Tesseract code)."""
    in_dictionary: bool
    line: int


def _text(word: Any, level: int) -> str:
    try:
        return word.GetUTF8Text(level) or ""
    except RuntimeError:  # tesserocr's way of saying that an element holds no text (a page without words)
        return ""


def recognised_words(api: Any) -> list[Word]:
    """The words of the last recognition, in reading order (the order of the hOCR's ocrx_word elements)."""
    from tesserocr import RIL, iterate_level

    iterator = api.GetIterator()
    if iterator is None:
        return []
    words: list[Word] = []
    line, line_box = -1, (0, 0, 0, 0)
    for word in iterate_level(iterator, RIL.WORD):
        if word.IsAtBeginningOf(RIL.TEXTLINE) or line < 0:
            line += 1
            line_box = word.BoundingBox(RIL.TEXTLINE) or line_box
        text = _text(word, RIL.WORD)
        box = word.BoundingBox(RIL.WORD)
        if not text.strip() or box is None:
            continue  # Tesseract's hOCR leaves out empty words too
        words.append(Word(text=text, confidence=word.Confidence(RIL.WORD), box=box, line_box=line_box,
                          language=word.WordRecognitionLanguage() or "", in_dictionary=word.WordIsFromDictionary(),
                          line=line))
    return words


def line_texts(words: Sequence[Word]) -> list[str]:
    lines: dict[int, list[str]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word.text)
    return [" ".join(texts) for _, texts in sorted(lines.items())]


def _line_language(text: str, languages: Sequence[str]) -> str:
    """The configured language the detector finds the line in, or '' when it cannot tell."""
    from dsd_cli.ocr.quality import detect_language

    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return ""
    code, score = detect_language(text)
    return code if score >= MIN_SCORE and code in languages else ""


class Rereader:
    """One single-language Tesseract per configured language, loaded once, reading single words."""

    def __init__(self, folder: Path, languages: Sequence[str]) -> None:
        import tesserocr

        self.languages = tuple(languages)
        self.readers = {lang: tesserocr.PyTessBaseAPI(path=str(folder), lang=lang, psm=tesserocr.PSM.SINGLE_WORD)
                        for lang in self.languages} if len(self.languages) > 1 else {}

    def reread(self, image: Image.Image, dpi: float, words: Sequence[Word], deadline: float) -> list[Word]:
        """`words`, with those that another language's model reads with more confidence replaced by its reading."""
        if not self.readers:
            return list(words)
        by_line: dict[int, list[int]] = {}
        for index, word in enumerate(words):
            by_line.setdefault(word.line, []).append(index)
        result = list(words)
        for indices in by_line.values():
            language = _line_language(" ".join(words[i].text for i in indices), self.languages)
            if not language:
                continue
            for i in indices:
                word = words[i]
                if word.language == language or word.in_dictionary or not any(c.isalpha() for c in word.text):
                    continue
                if time.monotonic() >= deadline:
                    return result
                better = self._read(language, image, dpi, word)
                if better is not None and better.confidence > word.confidence:
                    result[i] = better
        return result

    def _read(self, language: str, image: Image.Image, dpi: float, word: Word) -> Word | None:
        from tesserocr import RIL, iterate_level

        left, _, right, _ = word.box
        _, top, _, bottom = word.line_box
        top, bottom = min(top, word.box[1]), max(bottom, word.box[3])
        pad = max(3, (bottom - top) // 6)
        box = (max(0, left - pad), max(0, top - pad), min(image.width, right + pad), min(image.height, bottom + pad))
        reader = self.readers[language]
        reader.SetImage(image.crop(box))
        reader.SetSourceResolution(round(dpi))
        if not reader.Recognize():
            return None
        iterator = reader.GetIterator()
        if iterator is None:
            return None
        found = [(_text(w, RIL.WORD), w.Confidence(RIL.WORD), w.WordIsFromDictionary())
                 for w in iterate_level(iterator, RIL.WORD)]
        found = [f for f in found if f[0].strip()]
        if len(found) != 1:  # split or lost: the first reading's box would no longer fit it
            return None
        text, confidence, in_dictionary = found[0]
        return replace(word, text=text, confidence=confidence, language=language, in_dictionary=in_dictionary)


_WORD = re.compile(r"<span class='ocrx_word'([^>]*)>(.*?)</span>", re.S)
_WCONF = re.compile(r"x_wconf \d+")
_LANG = re.compile(r" lang='[^']*'")


def patch_hocr(hocr: str, before: Sequence[Word], after: Sequence[Word]) -> str:
    """Tesseract's hOCR of the page with the words that changed between `before` and `after` rewritten."""
    changed = {i for i, (old, new) in enumerate(zip(before, after, strict=True)) if old != new}
    if not changed:
        return hocr
    counter = iter(range(len(before)))

    def rewrite(match: re.Match[str]) -> str:
        index = next(counter, -1)
        if index not in changed or html.unescape(re.sub(r"<[^>]+>", "", match.group(2))) != before[index].text:
            return match.group(0)  # not the word we think it is: leave Tesseract's own
        word = after[index]
        attributes = _LANG.sub("", _WCONF.sub(f"x_wconf {int(word.confidence)}", match.group(1)))
        return (f"<span class='ocrx_word'{attributes} lang='{word.language}'>"
                f"{html.escape(word.text, quote=True)}</span>")

    return _WORD.sub(rewrite, hocr)
