"""Generated scan pages with known text and word positions, for the OCR benchmark and the OCR tests.

Each page is a letter in Dutch and French set in DejaVu Serif, drawn word by word so that the box of every word is
known, then degraded like an archive scan: worn (yellowed, low contrast, blur, grain, a slight skew), speckled
(a grainy copy of a copy), turned by a quarter, skewed, bilevel (Group 4), colour. `encode` writes it the way a
scanner would (JPEG, PNG, Group 4 TIFF) so that the scanner's bytes can be compared with the archived ones.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
DUTCH = ("Geachte mevrouw, geachte heer, wij hebben uw aanvraag voor een leefloon goed ontvangen. Het sociaal "
         "onderzoek werd afgerond en het bijzonder comité voor de sociale dienst heeft uw dossier besproken tijdens "
         "de vergadering van dinsdag. U ontvangt binnen veertien dagen een schriftelijke beslissing met de "
         "motivering en de mogelijkheden om beroep aan te tekenen bij de arbeidsrechtbank. Gelieve bij elk contact "
         "het dossiernummer te vermelden en uw identiteitskaart mee te brengen naar het sociaal huis.")
FRENCH = ("Madame, Monsieur, nous avons bien reçu votre demande de revenu d'intégration. L'enquête sociale est "
          "terminée et le comité spécial du service social a examiné votre dossier lors de sa réunion de mardi. "
          "Vous recevrez une décision écrite et motivée dans les quatorze jours, avec les possibilités de recours "
          "auprès du tribunal du travail. Veuillez mentionner le numéro de dossier lors de chaque contact.")


@dataclass
class Page:
    image: Image.Image
    dpi: int
    words: list[str]
    boxes: list[tuple[float, float, float, float]]
    """Each word's box in pixels of the upright, unskewed page (left, top, right, bottom)."""
    turned: int = 0
    """Degrees the page was turned counter-clockwise (so it needs a clockwise turn of this to be upright)."""
    skew: float = 0.0
    """Degrees the page was rotated counter-clockwise (about its centre) after drawing."""


def letter(dpi: int = 300, seed: int = 1, paragraphs: int = 3, width_in: float = 8.27, height_in: float = 11.69,
           colour: bool = False) -> Page:
    """An A4 letter (or a smaller sheet) with paragraphs alternating Dutch and French."""
    rng = random.Random(seed)
    w, h = round(width_in * dpi), round(height_in * dpi)
    tone = rng.randint(244, 252)
    page = Image.new("RGB" if colour else "L", (w, h), (tone, tone - 3, tone - 12) if colour else tone)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, round(dpi * 0.15))
    ink = (20, 30, 90) if colour else 20
    if colour:  # a coloured letterhead and a stamp, as municipal letters have
        draw.rectangle((0, 0, w, round(dpi * 0.5)), fill=(30, 90, 160))
        draw.ellipse((w - round(dpi * 2.2), h - round(dpi * 2.4), w - round(dpi * 0.6), h - round(dpi * 0.8)),
                     outline=(200, 40, 40), width=max(2, dpi // 40))
    margin, line_h = round(dpi * 0.9), round(dpi * 0.24)
    space = draw.textlength(" ", font=font)
    words, boxes = [], []
    y = round(dpi * 1.3)
    for number in range(paragraphs):
        x = margin
        for word in (DUTCH if (number + seed) % 2 == 0 else FRENCH).split():
            width = draw.textlength(word, font=font)
            if x + width > w - margin:
                x, y = margin, y + line_h
            if y + line_h > h - margin:
                break
            draw.text((x, y), word, font=font, fill=ink)
            left, top, right, bottom = draw.textbbox((x, y), word, font=font)
            words.append(word)
            boxes.append((left, top, right, bottom))
            x += width + space
        y += 2 * line_h
    return Page(page, dpi, words, boxes)


def grain(image: Image.Image, sigma: float, seed: int) -> Image.Image:
    pixels = np.asarray(image, dtype=np.float32)
    pixels = pixels + np.random.default_rng(seed).normal(0, sigma, pixels.shape).astype(np.float32)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def rotated(page: Page, degrees: float, fill: int = 250) -> Page:
    """Turned counter-clockwise: a quarter turn keeps every pixel, other angles resample (a skewed scan)."""
    quarter = degrees % 90 == 0
    image = page.image.rotate(degrees, expand=quarter, fillcolor=fill if page.image.mode == "L" else (fill,) * 3,
                              resample=Image.Resampling.NEAREST if quarter else Image.Resampling.BICUBIC)
    return Page(image, page.dpi, page.words, page.boxes, turned=page.turned + (int(degrees) if quarter else 0),
                skew=page.skew + (0.0 if quarter else degrees))


def worn(page: Page, seed: int = 1) -> Page:
    """Yellowed, low contrast, blurred, grainy and slightly skewed: an old copy in a dossier."""
    rng = random.Random(seed)
    skewed = rotated(page, rng.choice([-1, 1]) * rng.uniform(0.8, 2.0))
    grey = skewed.image.filter(ImageFilter.GaussianBlur(0.9 * page.dpi / 300)).point(lambda v: int(85 + v * 0.58))
    skewed.image = grain(grey, 9, seed)
    return skewed


def speckled(page: Page, seed: int = 1) -> Page:
    """A copy of a copy: heavy grain and dark specks (fed raw to Tesseract, such a page takes tens of seconds)."""
    rng = np.random.default_rng(seed)
    grey = page.image.filter(ImageFilter.GaussianBlur(1.6 * page.dpi / 300)).point(lambda v: int(70 + v * 0.6))
    pixels = np.asarray(grain(grey, 42, seed)).copy()
    specks = rng.random(pixels.shape) < 0.02
    pixels[specks] = rng.integers(0, 90, int(specks.sum()))
    return Page(Image.fromarray(pixels), page.dpi, page.words, page.boxes, page.turned, page.skew)


def bilevel(page: Page) -> Page:
    return Page(page.image.convert("L").point(lambda v: 255 if v > 140 else 0).convert("1"), page.dpi, page.words,
                page.boxes, page.turned, page.skew)


def encode(page: Page, kind: str, quality: int = 80) -> bytes:
    """The page as a scanner writes it: 'jpeg', 'png' or 'g4' (a Group 4 TIFF)."""
    buffer = io.BytesIO()
    if kind == "jpeg":
        page.image.save(buffer, "JPEG", quality=quality, dpi=(page.dpi, page.dpi))
    elif kind == "png":
        page.image.save(buffer, "PNG", dpi=(page.dpi, page.dpi))
    elif kind == "g4":
        image = page.image if page.image.mode == "1" else bilevel(page).image
        image.save(buffer, "TIFF", compression="group4", dpi=(page.dpi, page.dpi))
    else:
        raise ValueError(kind)
    return buffer.getvalue()


def word_box_on_scan(page: Page, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """Where a word drawn at `box` is on the (skewed) scan: the bounding box of its rotated corners, in pixels."""
    w, h = page.image.size
    cx, cy = w / 2, h / 2
    angle = math.radians(page.skew)
    corners = [(box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])]
    xs, ys = [], []
    for x, y in corners:
        dx, dy = x - cx, y - cy  # PIL turns counter-clockwise on screen: y points down
        xs.append(cx + dx * math.cos(angle) + dy * math.sin(angle))
        ys.append(cy - dx * math.sin(angle) + dy * math.cos(angle))
    return min(xs), min(ys), max(xs), max(ys)


def normalise(word: str) -> str:
    return word.strip(".,;:!?()«»\"'").lower()


def word_recall(truth: list[str], found_text: str) -> float:
    """Share of the known words (as a multiset) found in the recognised text."""
    from collections import Counter

    found = Counter(normalise(w) for w in found_text.split())
    hit = 0
    for word in (normalise(w) for w in truth):
        if found[word] > 0:
            found[word] -= 1
            hit += 1
    return hit / len(truth) if truth else 1.0


CLASSES: dict[str, Callable[..., tuple[Page, str]]] = {
    "clean-300": lambda s, **k: (letter(300, s, **k), "jpeg"),
    "worn-150": lambda s, **k: (worn(letter(150, s, **k), s), "jpeg"),
    "worn-300": lambda s, **k: (worn(letter(300, s, **k), s), "jpeg"),
    "speckled-300": lambda s, **k: (speckled(letter(300, s, **k), s), "jpeg"),
    "rotated-300": lambda s, **k: (rotated(letter(300, s, **k), (90, 180, 270)[s % 3]), "jpeg"),
    "skewed-300": lambda s, **k: (rotated(letter(300, s, **k), (-1) ** s * (2.5 + s % 3)), "jpeg"),
    "g4-300": lambda s, **k: (bilevel(letter(300, s, **k)), "g4"),
    "colour-300": lambda s, **k: (letter(300, s, colour=True, **k), "jpeg"),
}
"""Page classes of the benchmark: a page (with its truth) and how the scanner encodes it, by seed (and the sheet
size and paragraphs of `letter`)."""
