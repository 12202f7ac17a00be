"""An archive for the key figures: scans archived by `dsd run` with a register of names and national register
numbers, dossiers packaged over past days, a legal hold, a disposal, per-page quality records in the shared
contract's shape, two recorded verifications (`dsd verify`), and journal history (batches, runs, backlog,
quarantine, blank pages, separator problems) written into the journal as `dsd run` writes it.

Built once per session; tests that change it work on a copy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dsd_cli.archive import bagio
from dsd_cli.archive.package import package_dossier
from dsd_cli.archive.record import DOCUMENTS_JSON
from dsd_cli.profiles import load_profile
from dsd_cli.register import RegisterEntry
from dsd_cli.retention.dispose import dispose_listed
from dsd_cli.retention.hold import set_legal_hold
from tests.archive.conftest import make_document
from tests.conftest import run_dsd
from tests.pipeline.synthetic import scanner_pdf

PROFILE = load_profile()
TODAY = dt.datetime.now(dt.UTC).date()
BASE = dt.datetime.combine(TODAY - dt.timedelta(days=40), dt.time(9, 0), tzinfo=dt.UTC)
"""The generated history starts 40 days ago (the figures' default period ends today)."""


def nrn(birth: str, serial: str) -> str:
    """A national register number with valid mod-97 check digits (born before 2000)."""
    base = int(birth + serial)
    return f"{birth}{serial}{97 - base % 97:02d}"


# Scans for `dsd run`: a loose page before the first sheet (unassigned), then two documents.
RUN_DOCS = [("SD/2026/0101", "aanvraag", ["Aanvraag leefloon Peeters"]),
            ("SD/2026/0102", "briefwisseling", ["Madame Dubois lettre recommandée"])]
REGISTER = [  # dossier, client, team, opened, closed, legal hold, nrn
    ("SD/2026/0101", "Peeters Jan", "Team Leefloon Noord", "2019-02-01", "2021-06-30", "no", nrn("850101", "123")),
    ("SD/2026/0102", "Dubois Marie", "Équipe Logement", "2018-05-01", "", "no", nrn("790412", "456")),
]
# Dossiers packaged over past days: (dossier, types, closed, day offset from BASE).
PACKAGED = [
    ("SD/2019/0001", ("identiteit", "briefwisseling"), dt.date(2012, 1, 31), 0),
    ("SD/2019/0002", ("identiteit",), dt.date(2013, 3, 31), 0),
    ("SD/2019/0003", ("identiteit", "energie"), dt.date(2014, 5, 31), 1),
    ("SD/2019/0004", ("identiteit", "briefwisseling"), dt.date(2020, 6, 30), 1),
    ("SD/2019/0005", ("identiteit", "briefwisseling", "huisvesting"), dt.date(2020, 7, 31), 1),
    ("SD/2019/0006", ("identiteit", "briefwisseling"), dt.date(2021, 8, 31), 7),
    ("SD/2019/0007", ("identiteit", "briefwisseling"), dt.date(2021, 9, 30), 7),
    ("SD/2019/0008", ("beslissing", "briefwisseling"), dt.date(2020, 1, 31), 7),
    ("SD/2019/0009", ("medisch",), None, 8),
    ("SD/2019/0010", ("identiteit",), dt.date(2022, 2, 28), 8),
]
HELD = "SD/2019/0010"
DISPOSED = "SD/2019/0001"
RENEWED = "SD/2019/0006"
"""Its documents are signed B-T, one with a later timestamp renewal."""


def read_record(bag: Path) -> dict:
    """A bag's metadata/documents.json, read here with the standard json module (independently of dsd's readers)."""
    return json.loads((bag / DOCUMENTS_JSON).read_text(encoding="utf-8"))


def page_record(page: int, number: int) -> dict:
    """A per-page quality record in the shared contract's shape; values vary with `number`."""
    confidence = (96.5, 88.0, 73.5, 41.0, 91.0, 84.5, None)[number % 7]
    flags = []
    if confidence is not None and confidence < 60:
        flags.append("low-confidence")
    if number % 5 == 0:
        flags.append("high-skew")
    if confidence is None:
        flags += ["few-words-for-ink", "unknown-language"]
    language = "und" if confidence is None else ("fra" if number % 4 == 0 else "nld")
    # A page without words has confidence 0.0 from the OCR stage; null is read the same way.
    shown = (0.0 if number % 2 else None) if confidence is None else confidence
    return {"page": page, "words": 0 if confidence is None else 150 + number, "confidence_mean": shown,
            "confidence_p10": None if confidence is None else confidence - 12, "orientation": 0,
            "orientation_confidence": 11.5, "skew_residual": 0.4 if number % 5 == 0 else 0.1,
            "languages": {"nld": 0.9, "fra": 0.1} if language == "nld" else {"nld": 0.1, "fra": 0.9},
            "language": language, "ink": 0.04, "text_lines": 20, "flags": flags}


@dataclass
class StatsArchive:
    archive: Path
    profile_file: Path
    """The shipped profile with signing.required = false (the packaged test PDFs are unsigned)."""
    quality: list[dict] = field(default_factory=list)
    """Every quality record put into the current documents, with its document's UTC day under `day`."""
    identifying: list[str] = field(default_factory=list)
    """Every value that must never appear in an output: dossier numbers, register cells, texts, file names."""
    verify_reports: list[dict] = field(default_factory=list)
    """`dsd verify --json` of the two recorded verifications, oldest first."""


def _inject_quality(archive: Path, records: list[dict]) -> None:
    """Give every current document per-page quality records, as the OCR stage does, and reseal the tag files."""
    number = 0
    for bag in sorted(p for p in archive.iterdir() if (p / "bagit.txt").is_file()):
        path = bag / DOCUMENTS_JSON
        record = json.loads(path.read_text(encoding="utf-8"))
        for doc in record["documents"]:
            doc["quality"] = []
            for page in range(1, doc["pages"] + 1):
                number += 1
                entry = page_record(page, number)
                doc["quality"].append(entry)
                records.append({**entry, "day": doc["added"][:10]})
        path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        bagio.write_manifests(bag, bagio.tag_files(bag), PROFILE.archive.checksums, "tagmanifest")


def _signed(doc, level: str, renewed_at: str = ""):
    events = [e if e["type"] != "signing" else {**e, "detail": f"PAdES {level} signature by test key"}
              for e in doc.events]
    if renewed_at:
        events.append({"type": "timestamp-renewal", "datetime": renewed_at, "agent": "dsd timestamp renew",
                       "tool": "dsd", "outcome": "success", "detail": "new document timestamp"})
    return dataclasses.replace(doc, events=tuple(events))


def _journal_history(archive: Path) -> None:
    """Past batches, runs, pending documents and quarantine, as `dsd run` records them."""
    db = sqlite3.connect(archive / ".dsd" / "journal.sqlite")
    day = [(BASE + dt.timedelta(days=d)).timestamp() for d in (0, 1, 7)]
    with db:
        for n, created in enumerate(day):
            batch = f"b-history{n}"
            db.execute("INSERT INTO batches(id, label, state, run_id, created, finished) VALUES (?, ?, 'done', ?, ?,"
                       " ?)", (batch, f"scan Janssens {n}.pdf", 100 + n, created, created + 3600))
            roles = ([("separator", "dsd")] * 3 + [("content", None)] * (10 + n) + [("dropped", "blank")] * 2
                     + [("dropped", "duplex-back")] * n + [("unassigned", "unknown-dossier")] * (n + 1))
            db.executemany("INSERT INTO pages(batch_id, source_sha256, page_index, role, document_id, reason)"
                           " VALUES (?, ?, ?, ?, ?, ?)",
                           [(batch, "ab" * 32, i, role, None, reason) for i, (role, reason) in enumerate(roles)])
            db.execute("INSERT INTO runs(id, started, finished, status, command, host, user, summary) VALUES"
                       " (?, ?, ?, 'done', 'dsd run /scans/Janssens', 'scan01', 'operator', '{}')",
                       (100 + n, created, created + 7200))
            for seq, pages in enumerate((4, 6), start=1):  # packaged during that run
                db.execute("INSERT INTO documents(id, batch_id, sequence, dossier, doc_type, pages, plan, state,"
                           " events, updated) VALUES (?, ?, ?, 'SD/2019/0999', 'identiteit', ?, '{}', 'packaged',"
                           " '[]', ?)", (f"{batch}-{seq}", batch, seq, pages, created + 1800 * seq))
        for seq, (state, pages) in enumerate((("planned", 5), ("planned", 1), ("ocred", 2)), start=1):
            db.execute("INSERT INTO documents(id, batch_id, sequence, dossier, doc_type, pages, plan, state, events,"
                       " updated) VALUES (?, 'b-history2', ?, 'SD/2019/0998', 'inkomen', ?, '{}', ?, '[]', ?)",
                       (f"pending-{seq}", 10 + seq, pages, state, day[2]))
        for reason, pages, batch in (("corrupt", 0, None), ("corrupt", 0, None), ("ocr-failed", 3, "b-history1")):
            db.execute("INSERT INTO quarantine(batch_id, source, reason, message, path, pages, created) VALUES"
                       " (?, '/scans/Janssens brief.pdf', ?, 'Janssens: could not be read', 'quarantine/x.pdf', ?, ?)",
                       (batch, reason, pages, day[1]))
    db.close()


def build_stats_archive(root: Path) -> StatsArchive:
    archive, scans, inputs = root / "archive", root / "scans", root / "inputs"
    scans.mkdir()
    inputs.mkdir()
    profile_file = root / "profile.toml"
    shipped = (Path(PROFILE.source).read_text(encoding="utf-8") if PROFILE.source else "")
    profile_file.write_text(shipped.replace("required = true", "required = false", 1), encoding="utf-8")
    register = root / "register.csv"
    register.write_text("dossier,client,team,opened,closed,legal_hold,nrn\n"
                        + "".join(",".join(row) + "\n" for row in REGISTER), encoding="utf-8")
    scanner_pdf(scans / "scan-Peeters-2026.pdf", RUN_DOCS, leading_pages=["Losse pagina Janssens"])
    run = run_dsd("run", scans, "--archive", archive, "--register", register, "--no-sign", "--workers", "2",
                  "--json", "--profile", profile_file)
    assert run.code == 3, run.stderr  # partial: the loose page is in quarantine

    for n, (dossier, types, closed, offset) in enumerate(PACKAGED):
        when = BASE + dt.timedelta(days=offset, hours=n)
        docs = [make_document(inputs, f"g{n}-{i}-{t}", t, dossier=dossier, pages=1 + (n + i) % 3,
                              batch=f"batch-Janssens-{n}") for i, t in enumerate(types)]
        if dossier == RENEWED:
            docs = [_signed(docs[0], "B-T", (BASE + dt.timedelta(days=20)).isoformat(timespec="seconds")),
                    _signed(docs[1], "B-LTA")]
        package_dossier(archive, dossier, docs, PROFILE, RegisterEntry(dossier, closed=closed, client="Janssens"),
                        now=when)
    set_legal_hold(archive, HELD, True, "court case", now=BASE + dt.timedelta(days=9))
    approved = root / "approved.csv"
    approved.write_text(f"dossier\n{DISPOSED}\n", encoding="utf-8")
    dispose_listed(archive, approved, "CBS-2026-09", now=BASE + dt.timedelta(days=10))

    built = StatsArchive(archive=archive, profile_file=profile_file)
    _inject_quality(archive, built.quality)
    _journal_history(archive)

    first = run_dsd("verify", archive, "--json", "--profile", profile_file)
    built.verify_reports.append(json.loads(first.stdout))
    # A bag damaged after the first verification: the second (fast) one finds it.
    damaged = archive / "SD~2F2019~2F0004" / "data" / "documents"
    with open(sorted(damaged.iterdir())[0], "ab") as handle:
        handle.write(b"\n% changed\n")
    second = run_dsd("verify", archive, "--fast", "--json", "--profile", profile_file)
    assert second.code == 1, second.stdout
    built.verify_reports.append(json.loads(second.stdout))

    built.identifying = [str(archive), str(root)]
    for dossier, client, team, *_rest, number in REGISTER:
        built.identifying += [dossier, client, *client.split(), team, number,
                              f"{number[:2]}.{number[2:4]}.{number[4:6]}-{number[6:9]}.{number[9:]}"]
    for dossier, *_ in PACKAGED:
        built.identifying.append(dossier)
    for bag in archive.iterdir():
        record = read_record(bag) if (bag / "bagit.txt").is_file() else None
        if record is not None:
            built.identifying += [bag.name, record["dossier"], record["dossier"].split("/", 1)[1]]
    built.identifying += ["Janssens", "Dubois", "recommandée", "scan-Peeters-2026", "court case"]
    return built


@pytest.fixture(scope="session")
def stats_archive(tmp_path_factory: pytest.TempPathFactory) -> StatsArchive:
    return build_stats_archive(tmp_path_factory.mktemp("stats"))


@pytest.fixture
def archive_copy(stats_archive: StatsArchive, tmp_path: Path) -> Path:
    copy = tmp_path / "archive"
    shutil.copytree(stats_archive.archive, copy, symlinks=True)
    return copy


@dataclass(frozen=True)
class StatsOutputs:
    """Every output of `dsd stats` on the test archive, made once: per language the JSON, the CSV files, the HTML
    report and what the terminal shows."""

    json: dict[str, dict]
    text: dict[str, str]
    """Output name (`json-nl`, `csv-fr/figures.csv`, `html-nl`, `terminal-fr`) -> its text."""
    reports: dict[str, Path]


@pytest.fixture(scope="session")
def stats_outputs(stats_archive: StatsArchive, tmp_path_factory: pytest.TempPathFactory) -> StatsOutputs:
    folder = tmp_path_factory.mktemp("outputs")
    parsed: dict[str, dict] = {}
    text: dict[str, str] = {}
    reports: dict[str, Path] = {}
    for lang in ("nl", "fr"):
        csv_dir, report = folder / f"csv-{lang}", folder / f"stats-{lang}.html"
        result = run_dsd("stats", "--archive", stats_archive.archive, "--profile", stats_archive.profile_file,
                         "--lang", lang, "--json", "--csv", csv_dir, "--report", report)
        assert result.code == 0, result.stderr
        parsed[lang] = json.loads(result.stdout)
        text[f"json-{lang}"] = result.stdout
        text[f"html-{lang}"] = report.read_text(encoding="utf-8")
        reports[lang] = report
        for path in sorted(csv_dir.iterdir()):
            text[f"csv-{lang}/{path.name}"] = path.read_text(encoding="utf-8")
        terminal = run_dsd("stats", "--archive", stats_archive.archive, "--profile", stats_archive.profile_file,
                           "--lang", lang)
        assert terminal.code == 0, terminal.stderr
        text[f"terminal-{lang}"] = terminal.stdout
    return StatsOutputs(json=parsed, text=text, reports=reports)
