"""One small archive made by `dsd run` from real OCR, shared by the search and duplicate tests (copied by tests
that change it). Its dossiers:

  SD/2026/0101  aanvraag        a Dutch decision ("aanvragen", and "betalimg": a word with an OCR error)
  SD/2026/0102  briefwisseling  a French letter ("lettre recommandée"), closed long ago: due for disposal
  SD/2026/0103  beslissing      letter L (clean scan) and letter L again (stamped, noisy): a duplicate at intake
  SD/2026/0104  beslissing      letter L scanned once more (other resolution, skewed, photocopied)
  SD/2026/0105  beslissing      three template letters: same text, other name and amount
  SD/2026/0106  beslissing      two more of them
  SD/2026/0107  inkomen         the very same scan as SD/2026/0101's page (an exact duplicate)
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_dsd
from tests.pipeline.conftest import run_json
from tests.search.letters import letter, noisy, other_resolution, photocopied, scan, scanner_pdf, skewed, stamped

DECISION = ["Beslissing over uw dossier",
            "Uw aanvragen werden op 3 maart 2026 onderzocht door het",
            "bijzonder comité voor de sociale dienst van de gemeente.",
            "De betalimg van de toelage volgt binnen de veertien dagen.",
            "Met vriendelijke groeten, de maatschappelijk werker"]
FRENCH = ["Madame Dubois,",
          "nous vous adressons cette lettre recommandée au sujet",
          "de vos allocations familiales. Les décisions du comité",
          "vous seront communiquées par le service social.",
          "Veuillez agréer nos salutations distinguées."]
LETTER_L = ["Betreft: terugvordering van steun",
            "Geachte mevrouw Vermeulen,",
            "Wij stellen vast dat u van 1 januari tot 31 maart 2026",
            "een bedrag van 2.345,67 euro te veel hebt ontvangen.",
            "Gelieve dit terug te storten op rekening BE68 5390 0754 7034",
            "met vermelding van uw rijksregisternummer 85.07.12-123.45.",
            "Een afbetalingsplan is mogelijk na afspraak met uw",
            "maatschappelijk werker van het Sociaal Huis."]
TEMPLATE = ["Geachte heer {name},",
            "Het bijzonder comité heeft op 12 februari 2026 beslist",
            "u een leefloon toe te kennen van {amount} euro per maand.",
            "Dit bedrag wordt maandelijks gestort op rekening",
            "BE71 0961 2345 6769. Tegen deze beslissing kunt u beroep",
            "aantekenen bij de arbeidsrechtbank binnen drie maanden.",
            "Met vriendelijke groeten, de maatschappelijk werker"]
TEMPLATE_FILLS = [("Peeters", "1.263,17"), ("Janssens", "1.412,50"), ("Maes", "987,34"), ("Jacobs", "1.100,00"),
                  ("Mertens", "1.236,71")]
REGISTER = """dossier,client,team,opened,closed,legal_hold
SD/2026/0101,,Team Inkomen,2026-01-05,,no
SD/2026/0102,,Team Inkomen,2001-03-01,2009-12-31,no
SD/2026/0103,,Team Inkomen,2026-01-05,,no
SD/2026/0104,,Team Inkomen,2026-01-05,,no
SD/2026/0105,,Team Inkomen,2026-01-05,,no
SD/2026/0106,,Team Inkomen,2026-01-05,,no
SD/2026/0107,,Team Inkomen,2026-01-05,,no
"""


@dataclass(frozen=True)
class BuiltArchive:
    archive: Path
    register: Path
    summary: dict[str, Any]
    """The JSON summary `dsd run` printed."""


def _template(name: str, amount: str) -> list[str]:
    return [line.format(name=name, amount=amount) for line in TEMPLATE]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, unsigned_profile: Path) -> BuiltArchive:
    root = tmp_path_factory.mktemp("search-archive")
    decision = letter(DECISION)
    clean_l = letter(LETTER_L)
    templates = [letter(_template(*fill)) for fill in TEMPLATE_FILLS]
    scanner_pdf(root / "batch.pdf", [
        ("SD/2026/0101", "aanvraag", [decision]),
        ("SD/2026/0102", "briefwisseling", [letter(FRENCH)]),
        ("SD/2026/0103", "beslissing", [scan(clean_l, skewed)]),
        ("SD/2026/0103", "beslissing", [scan(clean_l, stamped, noisy)]),
        ("SD/2026/0104", "beslissing", [scan(clean_l, other_resolution, lambda p: skewed(p, -0.8), photocopied)]),
        *(("SD/2026/0105", "beslissing", [page]) for page in templates[:3]),
        *(("SD/2026/0106", "beslissing", [page]) for page in templates[3:]),
        ("SD/2026/0107", "inkomen", [decision]),
    ])
    register = root / "register.csv"
    register.write_text(REGISTER, encoding="utf-8")
    archive = root / "archive"
    result = run_dsd("run", root / "batch.pdf", "--archive", archive, "--register", register, "--no-sign",
                     "--profile", unsigned_profile, "--workers", "2", "--json")
    assert result.code == 0, result.stderr
    return BuiltArchive(archive, register, run_json(result))


@pytest.fixture
def archive_copy(built: BuiltArchive, tmp_path: Path) -> Path:
    copy = tmp_path / "archive"
    shutil.copytree(built.archive, copy, symlinks=True)
    return copy


def search_json(archive: Path, query: str, **options: Any) -> dict[str, Any]:
    """What `dsd search QUERY --json` prints, through the same library call (a command costs a second or two)."""
    from dsd_cli.search.searching import SearchRequest, search_archive

    return search_archive(archive, SearchRequest(query, **options)).to_dict()


def hit_keys(found: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [(h["dossier"], h["document"], h["page"]) for h in found["hits"]]
