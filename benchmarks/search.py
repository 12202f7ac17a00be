"""Search and duplicate finding at archive scale: dsd's index against `grep` over text sidecars and SQLite FTS5.

    .venv/bin/python benchmarks/search.py                   # 100,000 generated pages
    .venv/bin/python benchmarks/search.py --pages 20000     # a quick look

The pages are generated OCMW letters in Dutch (about 70 %) and French: an organisation header, a recipient with
name, address, national register number and account, one of 15 templates filled in with amounts and dates, a
few sentences of its own, and OCR noise: letters confused (c/e, rn/m, l/1, ...) or lost in 2 % of the words
(6 % in a rescan), words merged or split, and one digit in 2,000 misread. Register numbers and IBANs pass their
mod-97 checks, as real ones always do (so a misread digit in one makes it fail the check, which dsd uses). A
labelled part measures duplicate finding: letters scanned again (positives: heavier noise, a stamp with or without
a date in 40 %, the first or last line lost in 20 %) and letters from the same template that differ only in the
name, only the date or only the amount (hard negatives, with the very same own sentences). A rescan in which OCR
misread a digit of a number without a check (an amount, a date that is still a date, a reference, a phone number)
cannot be told from another letter with another number there, and is rejected by design; the recall is also shown
without the rescans with a misread digit.

Measured: indexing (pages/s on one core — the indexing process is pinned to one CPU and Tantivy's writer gets
one thread —, size on disk, peak RSS of the indexing process), query latency p50/p95 for word, phrase, fuzzy and
filtered queries (in-process, snippets included, 20 hits), the same queries with `grep -rliF` over one text
sidecar per document and with SQLite FTS5 (unicode61, diacritics removed, snippets), text-layer extraction from
PDFs (the step before indexing when dsd reads bags), the purge after a disposal, and `dsd duplicates` over all
pages with precision and recall on the labelled pairs. Targets: indexing >= 1,000 pages/s, p95 <= 50 ms,
duplicates precision >= 0.99 and recall >= 0.95. Times are shown as CPU time of the process (what the work
costs, little changed by other load) and as wall time (what it took on the day); the machine's load is printed
before and after.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from dsd_cli.search.store import IndexedPage

# ---------------------------------------------------------------------------------------------------------- corpus
ROOTS = ["Peet", "Jans", "Maes", "Jacob", "Mert", "Wil", "Claes", "Goos", "Wout", "Smet", "Dam", "Meul", "Hermans",
         "Bos", "Aert", "Cools", "Lamb", "Pauw", "Ver", "Stev", "Hoof", "Wyn", "Bracke", "Desm", "Lauw", "Geer",
         "Thys", "Laer", "Baet", "Dewa", "Mol", "Roels", "Coppe", "Verh", "Segh", "Dub", "Lemai", "Durand", "Leroy",
         "Moreau", "Simon", "Laurent", "Lefe", "Mich", "Garc", "Bern", "Rous", "Vinc", "Fourn", "Morel", "Giraud",
         "El Amr", "Ben Ali", "Yilm", "Kaya", "Nowak", "Kowal", "Popes", "Diall", "Traor"]
ENDS = ["", "ers", "ens", "s", "mans", "aert", "ckx", "oort", "ier", "in", "ard", "i", "ou", "ek", "escu", "o"]
PREFIXES = ["", "", "", "Van ", "De ", "Vanden", "Le ", "Du "]
FIRST = ["Anna", "Jan", "Els", "Karim", "Fatima", "Luc", "Marie", "Pieter", "Sofie", "Ahmed", "Nathalie", "Tom",
         "Inge", "Mohamed", "Julie", "Bart", "Sarah", "Ali", "Lieve", "Pierre", "Chantal", "Youssef", "Hilde", "Koen"]
CITIES = [("9000", "Gent"), ("2000", "Antwerpen"), ("1000", "Brussel"), ("3000", "Leuven"), ("8000", "Brugge"),
          ("9300", "Aalst"), ("2800", "Mechelen"), ("3500", "Hasselt"), ("1070", "Anderlecht"), ("1080", "Molenbeek"),
          ("9100", "Sint-Niklaas"), ("8500", "Kortrijk"), ("2300", "Turnhout"), ("1030", "Schaarbeek")]
STREETS = ["Kerkstraat", "Stationsstraat", "Molenstraat", "Nieuwstraat", "Schoolstraat", "Dorpsstraat", "Beekstraat",
           "Kapelstraat", "Lindenlaan", "Rue de la Loi", "Rue Haute", "Chaussée de Gand", "Avenue Louise"]
MONTHS = {"nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
                 "november", "december"],
          "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                 "novembre", "décembre"]}
HEADER = {"nl": "Sociaal Huis Voorbeeldstad Marktplein 1 9999 Voorbeeldstad telefoon 09 123 45 67",
          "fr": "Maison sociale de Voorbeeldstad Place du Marché 1 9999 Voorbeeldstad téléphone 09 123 45 67"}
TEMPLATES = {
    "nl": [
        ["Het bijzonder comité heeft op {date} beslist u een leefloon toe te kennen van {amount} euro per maand.",
         "Dit bedrag wordt maandelijks gestort op rekening {iban}.",
         "Tegen deze beslissing kunt u beroep aantekenen bij de arbeidsrechtbank binnen drie maanden."],
        ["Wij stellen vast dat u van {date} tot {date2} een bedrag van {amount} euro te veel hebt ontvangen.",
         "Gelieve dit terug te storten op rekening {iban} met vermelding van rijksregisternummer {nrn}.",
         "Een afbetalingsplan is mogelijk na afspraak met uw maatschappelijk werker."],
        ["Wij nodigen u uit voor een gesprek op {date} om {hour} uur in ons kantoor.",
         "Breng uw identiteitskaart en de bewijzen van uw inkomsten mee.",
         "Kan u niet komen, verwittig ons dan minstens een dag vooraf."],
        ["Uw aanvraag voor een huurwaarborg van {amount} euro werd op {date} goedgekeurd.",
         "Het bedrag wordt rechtstreeks gestort op de rekening {iban} van de verhuurder.",
         "U betaalt de waarborg maandelijks terug volgens het afbetalingsplan."],
        ["Wij ontvingen uw energiefactuur van {amount} euro voor de periode tot {date}.",
         "Het Sociaal Huis neemt een deel van deze factuur ten laste.",
         "Het saldo betaalt u zelf aan uw energieleverancier."],
        ["Uw schuldbemiddeling werd op {date} opgestart met een budget van {amount} euro per maand.",
         "Alle schuldeisers worden schriftelijk op de hoogte gebracht.",
         "Wijzigingen in uw inkomsten meldt u onmiddellijk aan uw schuldbemiddelaar."],
        ["Wij kennen u een medische kaart toe die geldig is tot {date}.",
         "Met deze kaart betaalt de apotheker uw geneesmiddelen tot {amount} euro per maand.",
         "Toon de kaart bij elk bezoek aan de huisarts of de apotheek."],
        ["Hierbij bevestigen wij dat u sinds {date} een leefloon ontvangt van {amount} euro.",
         "Dit attest wordt afgeleverd om voor te leggen aan de huisvestingsmaatschappij.",
         "Het attest is drie maanden geldig."],
        ["Uw aanvraag voor de stookoliepremie werd op {date} goedgekeurd.",
         "Wij storten {amount} euro op rekening {iban}.",
         "Bewaar de factuur van uw leverancier bij uw documenten."],
        ["Wij hebben uw dossier op {date} herzien.",
         "Vanaf {date2} bedraagt uw steun {amount} euro per maand.",
         "De reden van deze herziening leest u in de bijlage."],
    ],
    "fr": [
        ["Le comité spécial a décidé le {date} de vous octroyer un revenu d'intégration de {amount} euros par mois.",
         "Ce montant sera versé chaque mois sur le compte {iban}.",
         "Vous pouvez introduire un recours auprès du tribunal du travail dans les trois mois."],
        ["Nous constatons que vous avez perçu du {date} au {date2} un montant de {amount} euros en trop.",
         "Veuillez rembourser ce montant sur le compte {iban} en mentionnant le numéro national {nrn}.",
         "Un plan de remboursement est possible après rendez-vous avec votre assistant social."],
        ["Nous vous invitons à un entretien le {date} à {hour} heures dans nos bureaux.",
         "Veuillez apporter votre carte d'identité et les preuves de vos revenus.",
         "Si vous ne pouvez pas venir, prévenez-nous au moins un jour à l'avance."],
        ["Votre demande de garantie locative de {amount} euros a été acceptée le {date}.",
         "Le montant sera versé directement sur le compte {iban} du propriétaire.",
         "Vous remboursez la garantie chaque mois selon le plan convenu."],
        ["Nous vous accordons une carte médicale valable jusqu'au {date}.",
         "Avec cette carte, le pharmacien délivre vos médicaments jusqu'à {amount} euros par mois.",
         "Présentez la carte à chaque visite chez le médecin ou le pharmacien."],
    ],
}
OWN = {"nl": ["Tijdens het huisbezoek bleek dat {a} nog niet {b} werd.", "De {a} van uw {b} moet nog worden bezorgd.",
              "Uw {a} meldde ons dat de {b} sinds vorige maand gewijzigd is.",
              "Wij vragen u de {a} en het {b} binnen veertien dagen te bezorgen.",
              "Volgens het verslag van {a} is de {b} voorlopig voldoende."],
       "fr": ["Lors de la visite à domicile, il est apparu que {a} n'était pas encore {b}.",
              "Le {a} de votre {b} doit encore nous être transmis.",
              "Votre {a} nous a signalé que le {b} a changé depuis le mois dernier.",
              "Nous vous demandons de transmettre le {a} et le {b} dans les quinze jours."]}
SYLLABLES = ["ka", "ver", "ant", "ool", "ing", "hui", "sta", "ment", "con", "tra", "ber", "loon", "wer", "schap", "tie",
             "pre", "mie", "do", "ssier", "kos", "ten", "be", "wijs", "la", "ge", "hu", "ur", "pro", "jet", "plan"]
CONFUSIONS = {"e": "c", "c": "e", "l": "1", "i": "l", "o": "0", "n": "m", "h": "b", "a": "o", "u": "n", "t": "f",
              "rn": "m", "m": "rn", "d": "cl", "s": "5"}


class People:
    """Recipients. Their register numbers and IBANs pass their checks, as every real one does (an OCR misread of
    one then fails it, which dsd's comparison uses: dsd_cli.search.numbers)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def register_number(self) -> str:
        r = self.rng
        year = r.randint(1940, 2007)
        base = f"{year % 100:02d}{r.randint(1, 12):02d}{r.randint(1, 28):02d}{r.randint(1, 997):03d}"
        check = 97 - (int(base) + (2_000_000_000 if year >= 2000 else 0)) % 97
        return f"{base[0:2]}.{base[2:4]}.{base[4:6]}-{base[6:9]}.{check:02d}"

    def iban(self) -> str:
        """A Belgian IBAN: bank code and account (10 digits), their mod-97 check, then the IBAN's own check."""
        account = f"{self.rng.randint(0, 9_999_999_999):010d}"
        national = int(account) % 97 or 97
        bban = f"{account}{national:02d}"
        check = 98 - int(bban + "111400") % 97  # B = 11, E = 14, check digits 00
        compact = f"BE{check:02d}{bban}"
        return " ".join(compact[i:i + 4] for i in range(0, 16, 4))

    def person(self) -> dict[str, str]:
        r = self.rng
        postcode, city = r.choice(CITIES)
        return {"name": f"{r.choice(FIRST)} {r.choice(PREFIXES)}{r.choice(ROOTS)}{r.choice(ENDS)}",
                "address": f"{r.choice(STREETS)} {r.randint(1, 240)} {postcode} {city}",
                "nrn": self.register_number(), "iban": self.iban(),
                "lang": "nl" if r.random() < 0.7 else "fr"}


def _date(rng: random.Random, lang: str) -> str:
    return f"{rng.randint(1, 28)} {rng.choice(MONTHS[lang])} {rng.randint(2015, 2026)}"


def _amount(rng: random.Random) -> str:
    euros = rng.randint(20, 2400)
    return f"{euros // 1000}.{euros % 1000:03d},{rng.randint(0, 99):02d}" if euros >= 1000 else \
        f"{euros},{rng.randint(0, 99):02d}"


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def letter_fields(rng: random.Random, person: dict[str, str], dossier: str) -> dict[str, Any]:
    lang = person["lang"]
    own = [rng.choice(OWN[lang]).format(a=_word(rng), b=_word(rng)) for _ in range(rng.randint(6, 14))]
    return {"template": rng.randrange(len(TEMPLATES[lang])), "date": _date(rng, lang), "date2": _date(rng, lang),
            "amount": _amount(rng), "hour": f"{rng.randint(8, 16)}.{rng.choice(['00', '30'])}", "own": own,
            "sent": _date(rng, lang), "dossier": dossier}


def letter_text(person: dict[str, str], fields: dict[str, Any]) -> str:
    lang = person["lang"]
    body = [s.format(date=fields["date"], date2=fields["date2"], amount=fields["amount"], iban=person["iban"],
                     nrn=person["nrn"], hour=fields["hour"]) for s in TEMPLATES[lang][fields["template"]]]
    greeting = f"Geachte {person['name']}," if lang == "nl" else f"Madame, Monsieur {person['name']},"
    closing = "Met vriendelijke groeten, de maatschappelijk werker" if lang == "nl" else \
        "Veuillez agréer nos salutations distinguées, l'assistant social"
    reference = ("Ons kenmerk" if lang == "nl" else "Notre référence") + f" {fields['dossier']}"
    return "\n".join([HEADER[lang], person["name"], person["address"], f"Voorbeeldstad, {fields['sent']}", reference,
                      greeting, *body, *fields["own"], closing])


MISREAD_DIGITS: list[int] = [0]
"""How many digits `ocr_noise` changed so far (a duplicate whose digits differ where no check shows the misread
cannot be told from another letter: the strict comparison rejects it by design)."""


def ocr_noise(text: str, rng: random.Random, rate: float, *, digit_errors: float = 0.0005) -> str:
    """What OCR makes of a printed letter: letters confused or lost (in `rate` of the words), words merged or
    split, and, far more rarely (as with Tesseract on print), a digit misread."""
    out = []
    for word in text.split(" "):
        roll = rng.random()
        letters = [i for i, ch in enumerate(word) if ch.isalpha()]
        if roll < rate and len(letters) > 2:
            i = rng.choice(letters[:-1])
            pair = word[i:i + 2]
            if pair in CONFUSIONS:
                word = word[:i] + CONFUSIONS[pair] + word[i + 2:]
            elif word[i] in CONFUSIONS:
                word = word[:i] + CONFUSIONS[word[i]] + word[i + 1:]
            else:
                word = word[:i] + word[i + 1:]
        elif roll < rate * 1.3 and out:
            out[-1] += word  # two words read as one
            continue
        elif roll < rate * 1.5 and len(word) > 5:
            cut = rng.randrange(2, len(word) - 2)
            word = word[:cut] + " " + word[cut:]
        digits = [i for i, ch in enumerate(word) if ch.isdigit()]
        if digits and rng.random() < digit_errors * len(digits):
            i = rng.choice(digits)
            word = word[:i] + str((int(word[i]) + 3) % 10) + word[i + 1:]
            MISREAD_DIGITS[0] += 1
        out.append(word)
    return " ".join(out)


def rescan(text: str, rng: random.Random) -> str:
    """The same letter scanned again: more noise, maybe a stamp, maybe the first or last line lost at an edge."""
    lines = text.split("\n")
    if rng.random() < 0.2:
        lines = lines[1:] if rng.random() < 0.5 else lines[:-1]
    if rng.random() < 0.4:
        lines.insert(rng.randrange(len(lines)), rng.choice(["ONTVANGEN 16 MAART 2026", "KOPIE", "REÇU LE 3/4/2026",
                                                            "GESCAND 2026-05-02"]))
    return ocr_noise("\n".join(lines), rng, 0.06)


Pairs = set[frozenset[tuple[str, str]]]


def generate(pages: int, seed: int, labelled: int) -> tuple[list[dict[str, Any]], Pairs, Pairs]:
    """Pages (dicts of IndexedPage fields), the labelled duplicate pairs (document keys), and those of them in
    which OCR misread a digit on either page."""
    rng = random.Random(seed)
    people = People(rng)
    out: list[dict[str, Any]] = []
    positives: Pairs = set()
    misread: Pairs = set()
    dossier_no = 0
    while len(out) < pages - 4 * labelled:
        dossier_no += 1
        dossier = f"SD/{2015 + dossier_no % 12}/{dossier_no:05d}"
        person = people.person()
        for n in range(1, rng.randint(2, 9)):
            fields = letter_fields(rng, person, dossier)
            doc = f"doc-{n:04d}"
            clean = letter_text(person, fields)
            doc_type = rng.choice(["beslissing", "briefwisseling", "aanvraag", "inkomen", "energie", "medisch"])
            for page in range(1, rng.choice([1, 1, 1, 2, 3]) + 1):
                text = clean if page == 1 else "\n".join(fields["own"] + [HEADER[person["lang"]]])
                before = MISREAD_DIGITS[0]
                text = ocr_noise(text, rng, 0.02)
                out.append({"dossier": dossier, "document": doc, "doc_type": doc_type, "page": page,
                            "text": text, "misread": MISREAD_DIGITS[0] > before, "lang": person["lang"],
                            "clean": clean,
                            "person": person, "fields": fields,
                            "date": f"20{rng.randint(15, 26)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"})
    del out[pages - 4 * labelled:]
    singles = [p for p in out if p["page"] == 1]
    chosen = rng.sample(singles, 2 * labelled)
    extra = 0
    for n, base in enumerate(chosen):
        extra += 1
        if n < labelled:  # a second scan of the same letter, in another dossier or the same one
            where = base["dossier"] if rng.random() < 0.5 else rng.choice(singles)["dossier"]
            doc = f"doc-r{extra:05d}"
            before = MISREAD_DIGITS[0]
            out.append({**base, "dossier": where, "document": doc, "text": rescan(base["clean"], rng)})
            pair = frozenset({(base["dossier"], base["document"]), (where, doc)})
            positives.add(pair)
            if MISREAD_DIGITS[0] > before or base.get("misread"):
                misread.add(pair)
            continue
        for what in ("name", "date", "amount"):  # the same letter filled in otherwise: not a duplicate
            person, fields = dict(base["person"]), dict(base["fields"])
            if what == "name":
                while person["name"] == base["person"]["name"]:
                    person["name"] = people.person()["name"]
            elif what == "date":
                while fields["date"] == base["fields"]["date"]:
                    fields["date"] = _date(rng, person["lang"])
            elif "{amount}" in "".join(TEMPLATES[person["lang"]][fields["template"]]):
                while fields["amount"] == base["fields"]["amount"]:
                    fields["amount"] = _amount(rng)
            else:  # a template without an amount: the letter's own date, then
                while fields["sent"] == base["fields"]["sent"]:
                    fields["sent"] = _date(rng, person["lang"])
            clean = letter_text(person, fields)
            out.append({**base, "document": f"doc-t{extra:05d}{what[0]}", "text": ocr_noise(clean, rng, 0.02),
                        "clean": clean})
    return out, positives, misread


def indexed(page: dict[str, Any], language: Callable[[str, Any], Any]) -> IndexedPage:
    return IndexedPage(dossier=page["dossier"], document=page["document"], path=f"data/documents/{page['document']}"
                       ".pdf", doc_type=page["doc_type"], bag_version=1, page=page["page"], text=page["text"],
                       language=language(page["text"], None), document_date=page["date"], scan_date=page["date"],
                       sha256=f"{hash((page['dossier'], page['document'])) & (2**64 - 1):016x}")


# ------------------------------------------------------------------------------------------------------ measuring
def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[max(0, round(0.95 * len(ordered)) - 1)] * 1000


class Clock:
    """Wall time and this process's CPU time (all its threads) of what runs inside `with`. On a shared, loaded
    machine the CPU time is what the work costs; the wall time is what it cost today."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def timed_runs(items: list[Any], run: Callable[[Any], None]) -> dict[str, tuple[float, float]]:
    walls, cpus = [], []
    for item in items:
        with Clock() as clock:
            run(item)
        walls.append(clock.wall)
        cpus.append(clock.cpu)
    return {"wall": percentiles(walls), "cpu": percentiles(cpus)}


def _index_child(corpus: str, archive: str, queue: Any) -> None:
    """Index the corpus in a process of its own, on one CPU: its time and peak RSS are the indexing's alone."""
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from dsd_cli.search.language import page_language
    from dsd_cli.search.sync import index_pages

    detection = [0.0]

    def language(text: str, quality: Any) -> Any:
        started = time.thread_time()  # this thread only: Tantivy's writer thread runs meanwhile
        found = page_language(text, quality)
        detection[0] += time.thread_time() - started
        return found

    def pages() -> Iterator[IndexedPage]:
        with open(corpus, encoding="utf-8") as handle:
            for line in handle:
                yield indexed(json.loads(line), language)

    with Clock() as clock:
        count = index_pages(Path(archive), pages())
    queue.put({"pages": count, "seconds": clock.wall, "cpu": clock.cpu, "detection_cpu": detection[0],
               "rss_mb": rss_mb()})


def queries(corpus: list[dict[str, Any]], rng: random.Random, n: int) -> dict[str, list[dict[str, Any]]]:
    words = [w for p in rng.sample(corpus, 400) for w in p["text"].split() if w.isalpha() and len(w) >= 5]
    names = [p["person"]["name"].split()[-1] for p in rng.sample(corpus, 200)]

    def typo(word: str) -> str:
        i = rng.randrange(1, len(word) - 1)
        return word[:i] + ("x" if word[i] != "x" else "y") + word[i + 1:]

    def phrase() -> str:
        text = rng.choice(corpus)["clean"].split()
        i = rng.randrange(len(text) - 2)
        return '"' + " ".join(w.strip(".,") for w in text[i:i + 2]) + '"'

    dossiers = [p["dossier"] for p in rng.sample(corpus, n)]
    return {
        "word": [{"query": rng.choice(words)} for _ in range(n)],
        "word --exact": [{"query": rng.choice(words), "fuzzy": False} for _ in range(n)],
        "name": [{"query": rng.choice(names)} for _ in range(n)],
        "phrase": [{"query": phrase()} for _ in range(n)],
        "fuzzy (1 error)": [{"query": typo(rng.choice([w for w in words if len(w) >= 6]))} for _ in range(n)],
        "filtered": [rng.choice([{"query": rng.choice(words), "dossier": d},
                                 {"query": rng.choice(words), "doc_type": "beslissing", "lang": "nl"},
                                 {"query": rng.choice(words), "date_from": "2018-01-01", "date_to": "2020-12-31"}])
                     for d in dossiers],
    }


def bench_dsd(archive: Path, kinds: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, tuple[float, float]]]:
    import datetime as dt

    from dsd_cli.search.searching import SearchIndex, SearchRequest

    index = SearchIndex.open(archive)
    index.search(SearchRequest("leefloon"))  # warm up

    def run(item: dict[str, Any]) -> None:
        index.search(SearchRequest(**{k: dt.date.fromisoformat(v) if k.startswith("date_") else v
                                      for k, v in item.items()}))

    return {kind: timed_runs(items, run) for kind, items in kinds.items()}


def fts_query(item: dict[str, Any]) -> tuple[str, list[Any]]:
    text = item["query"]
    match = text if text.startswith('"') else '"' + text.replace('"', "") + '"'
    sql = "SELECT dossier, document, page, snippet(pages, 5, '[', ']', '…', 12) FROM pages WHERE pages MATCH ?"
    args: list[Any] = [match]
    if "dossier" in item:
        sql += " AND dossier = ?"
        args.append(item["dossier"])
    if "doc_type" in item:
        sql += " AND type = ? AND lang = ?"
        args += [item["doc_type"], item["lang"]]
    if "date_from" in item:
        sql += " AND day BETWEEN ? AND ?"
        args += [item["date_from"], item["date_to"]]
    return sql + " ORDER BY rank LIMIT 20", args


def bench_fts(db_path: Path, kinds: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, tuple[float, float]]]:
    db = sqlite3.connect(db_path)

    def run(item: dict[str, Any]) -> None:
        sql, args = fts_query(item)
        db.execute(sql, args).fetchall()

    results = {kind: timed_runs(items, run) for kind, items in kinds.items() if not kind.startswith("fuzzy")}
    db.close()  # FTS5 has no fuzzy matching
    return results


def bench_grep(sidecars: Path, kinds: dict[str, list[dict[str, Any]]], n: int) -> dict[str, tuple[float, float]]:
    """Wall-time percentiles of `grep -rliF` (file names only: no snippets, no ranking, no stemming)."""
    from dsd_cli.safepaths import dossier_folder_name

    results = {}
    for kind in ("word", "phrase", "filtered"):
        times = []
        for item in kinds[kind][:n]:
            where = sidecars / dossier_folder_name(item["dossier"]) if "dossier" in item else sidecars
            started = time.perf_counter()
            subprocess.run(["grep", "-rliF", item["query"].strip('"'), str(where)], capture_output=True, check=False)
            times.append(time.perf_counter() - started)
        results[kind] = percentiles(times)
    return results


def bench_extraction(folder: Path, pages: int = 300) -> tuple[float, float]:
    """Pages per second read from PDF text layers with an image per page, as the archive's PDF/A hold them."""
    import io

    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from dsd_cli.search.pages import pdf_pages

    buffer = io.BytesIO()
    Image.new("L", (827, 580), 240).save(buffer, "JPEG")
    image = ImageReader(io.BytesIO(buffer.getvalue()))
    pdf = folder / "extraction.pdf"
    drawing = canvas.Canvas(str(pdf))
    for n in range(pages):
        drawing.drawImage(image, 0, 400, 595, 420)
        for line in range(30):
            drawing.drawString(50, 780 - line * 24, f"regel {line} van pagina {n}: het bijzonder comité besliste")
        drawing.showPage()
    drawing.save()
    with Clock() as clock:
        assert len(pdf_pages(pdf)) == pages
    return pages / clock.wall, pages / clock.cpu


def duplicates_quality(report: Any, positives: set[frozenset[tuple[str, str]]]) -> tuple[float, float, int]:
    predicted: set[frozenset[tuple[str, str]]] = set()
    for group in report.groups:
        if group.kind != "near":
            continue
        keys = [(m.dossier, m.document) for m in group.documents]
        predicted |= {frozenset({a, b}) for i, a in enumerate(keys) for b in keys[i + 1:]}
    true = len(predicted & positives)
    return true / max(1, len(predicted)), true / max(1, len(positives)), len(predicted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="per kind")
    parser.add_argument("--labelled", type=int, default=1000, help="rescanned letters (and as many template trios)")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} / {os.getloadavg()[1]:.1f} / "
          f"{os.getloadavg()[2]:.1f} at the start")
    with tempfile.TemporaryDirectory(prefix="dsd-search-bench-") as work_dir:
        work = Path(work_dir)
        started = time.perf_counter()
        corpus, positives, misread = generate(args.pages, args.seed, args.labelled)
        corpus_file = work / "corpus.jsonl"
        with open(corpus_file, "w", encoding="utf-8") as handle:
            for page in corpus:
                handle.write(json.dumps({k: v for k, v in page.items()
                                         if k not in ("person", "fields", "clean", "misread")},
                                        ensure_ascii=False) + "\n")
        print(f"generated {len(corpus):,} pages ({sum(len(p['text']) for p in corpus) / 1e6:.0f} MB of text, "
              f"{sum(len(p['text']) for p in corpus) / len(corpus):,.0f} characters a page, "
              f"{len(positives)} labelled rescans, {args.labelled * 3} template look-alikes) in "
              f"{time.perf_counter() - started:.0f} s")

        archive = work / "archive"
        archive.mkdir()
        queue = multiprocessing.get_context("spawn").Queue()
        child = multiprocessing.get_context("spawn").Process(target=_index_child,
                                                             args=(str(corpus_file), str(archive), queue))
        child.start()
        stats = queue.get()
        child.join()
        size = du(archive / ".dsd" / "index")
        per_cpu = stats["pages"] / stats["cpu"]
        without = stats["pages"] / max(1e-9, stats["cpu"] - stats["detection_cpu"])
        print(f"\nindexing (dsd, pinned to one core, the writer with one thread): {stats['pages']:,} pages in "
              f"{stats['seconds']:.0f} s wall = {stats['pages'] / stats['seconds']:,.0f} pages/s today; "
              f"{per_cpu:,.0f} pages per CPU-second with language detection, {without:,.0f} with the language "
              f"from the OCR quality record (target >= 1,000 pages/s); index {size / 1e6:.0f} MB "
              f"({size / stats['pages']:.0f} B/page); peak RSS {stats['rss_mb']:.0f} MB")
        wall_rate, cpu_rate = bench_extraction(work)
        print(f"text-layer extraction from PDFs (pdfium, one image per page): {cpu_rate:,.0f} pages per CPU-second "
              f"({wall_rate:,.0f} pages/s today)")

        fts = work / "fts.sqlite"
        db = sqlite3.connect(fts)
        db.execute("CREATE VIRTUAL TABLE pages USING fts5(dossier UNINDEXED, document UNINDEXED, page UNINDEXED, "
                   "type UNINDEXED, lang UNINDEXED, text, day UNINDEXED, tokenize='unicode61 remove_diacritics 2')")
        with Clock() as clock, db:
            db.executemany("INSERT INTO pages VALUES (?, ?, ?, ?, ?, ?, ?)",
                           ((p["dossier"], p["document"], p["page"], p["doc_type"], p["lang"], p["text"], p["date"])
                            for p in corpus))
        db.close()
        print(f"indexing (SQLite FTS5, no stemming, no language): {len(corpus) / clock.cpu:,.0f} pages per "
              f"CPU-second ({len(corpus) / clock.wall:,.0f} pages/s today); {fts.stat().st_size / 1e6:.0f} MB")
        from dsd_cli.safepaths import dossier_folder_name

        sidecars = work / "sidecars"
        by_doc: dict[tuple[str, str], list[str]] = {}
        for p in corpus:
            by_doc.setdefault((p["dossier"], p["document"]), []).append(p["text"])
        for (dossier, doc), texts in by_doc.items():
            folder = sidecars / dossier_folder_name(dossier)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{doc}.txt").write_text("\f".join(texts), encoding="utf-8")
        print(f"text sidecars for grep: {len(by_doc):,} files, {du(sidecars) / 1e6:.0f} MB")

        kinds = queries(corpus, random.Random(args.seed + 1), args.queries)
        ours = bench_dsd(archive, kinds)
        theirs = bench_fts(fts, kinds)
        grep = bench_grep(sidecars, kinds, 10)
        print(f"\nquery latency in ms, p50 / p95, CPU time (wall time today) — {args.queries} queries per kind; "
              "dsd: 20 hits with snippets and the total count; FTS5: 20 rows with snippets; grep: 10 queries, file "
              "names only, wall time")
        print(f"{'kind':<17}{'dsd':>26}{'SQLite FTS5':>26}{'grep -rliF':>14}")
        for kind, ours_kind in ours.items():
            cell = "{:.1f} / {:.1f} ({:.0f} / {:.0f})".format(*ours_kind["cpu"], *ours_kind["wall"])
            fts_cell = "{:.1f} / {:.1f} ({:.0f} / {:.0f})".format(*theirs[kind]["cpu"], *theirs[kind]["wall"]) \
                if kind in theirs else "no fuzzy"
            grep_cell = "{:.0f} / {:.0f}".format(*grep[kind]) if kind in grep else ""
            print(f"{kind:<17}{cell:>26}{fts_cell:>26}{grep_cell:>14}")
        worst = max(k["cpu"][1] for k in ours.values())
        print(f"dsd p95 CPU time, worst kind: {worst:.1f} ms (target <= 50 ms)")

        from dsd_cli.search.duplicates import archive_duplicates
        from dsd_cli.search.sync import purge_index

        with Clock() as clock:
            report = archive_duplicates(archive)
        precision, recall, predicted = duplicates_quality(report, positives)
        _, recall_read, _ = duplicates_quality(report, positives - misread)
        print(f"\nduplicates (dsd): {len(corpus):,} pages in {clock.cpu:.0f} CPU-seconds ({clock.wall:.0f} s today; "
              f"reading the index included), {report.candidates:,} LSH candidate pairs, {report.confirmed:,} "
              f"confirmed, {len(report.groups)} groups")
        print(f"labelled pairs: precision {precision:.4f} (target >= 0.99), recall {recall:.4f} (target >= 0.95); "
              f"{predicted} pairs predicted, {len(positives)} true; {len(misread)} of these with a digit misread "
              f"by OCR on either page (found only where the number fails a check: register number, IBAN, "
              f"date), recall on the others {recall_read:.4f}")

        with Clock() as clock:
            purge_index(archive)
        print(f"\npurge after a disposal (the index rewritten without deleted pages): {clock.cpu:.0f} CPU-seconds "
              f"({clock.wall:.0f} s today) for {len(corpus):,} pages")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} / {os.getloadavg()[1]:.1f} / {os.getloadavg()[2]:.1f}; "
          f"peak RSS of this process {rss_mb():.0f} MB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
