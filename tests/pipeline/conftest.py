from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.pipeline.synthetic import scanner_pdf

DOCS_A = [("SD/2026/0001", "aanvraag", ["Aanvraag leefloon Peeters"]),
          ("SD/2026/0001", "inkomen", ["Loonbrief oktober", "Loonbrief november"])]
DOCS_B = [("SD/2026/0002", "briefwisseling", ["Madame Dubois lettre recommandée"])]


@pytest.fixture(scope="session")
def scans(tmp_path_factory) -> Path:
    """Two scanner PDFs in one folder: 3 documents, 2 dossiers, 7 pages (3 separator sheets)."""
    folder = tmp_path_factory.mktemp("scans")
    scanner_pdf(folder / "batch-01.pdf", DOCS_A)
    scanner_pdf(folder / "batch-02.pdf", DOCS_B)
    return folder


def bag_payloads(archive: Path) -> dict[str, list[Path]]:
    """Payload files of every bag in the archive, by bag folder name."""
    bags = {}
    for bag in sorted(archive.iterdir()):
        if (bag / "bagit.txt").is_file():
            bags[bag.name] = sorted(p for p in (bag / "data").rglob("*") if p.is_file())
    return bags


def journal_pages(archive: Path) -> list[dict]:
    db = sqlite3.connect(archive / ".dsd" / "journal.sqlite")
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute("SELECT * FROM pages")]
    finally:
        db.close()


def assert_every_page_accounted_for(archive: Path, expected_pages: int) -> None:
    """Invariant: each source page is in exactly one role; content pages are in exactly one packaged or
    quarantined document; no archived document is stored twice."""
    db = sqlite3.connect(archive / ".dsd" / "journal.sqlite")
    db.row_factory = sqlite3.Row
    try:
        sources = list(db.execute("SELECT sha256, pages FROM sources WHERE state != 'quarantined'"))
        pages = list(db.execute("SELECT * FROM pages"))
        docs = {r["id"]: dict(r) for r in db.execute("SELECT * FROM documents")}
    finally:
        db.close()
    assert sum(s["pages"] for s in sources) == expected_pages
    keys = [(p["source_sha256"], p["page_index"]) for p in pages]
    assert len(keys) == len(set(keys)) == expected_pages
    for p in pages:
        if p["role"] == "content":
            assert docs[p["document_id"]]["state"] == "packaged", docs[p["document_id"]]
    payload_hashes = []
    import hashlib

    for files in bag_payloads(archive).values():
        payload_hashes += [hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.suffix == ".pdf"]
    packaged = [d for d in docs.values() if d["state"] == "packaged"]
    assert len(payload_hashes) == len(set(payload_hashes)) == len(packaged)


def run_json(result) -> dict:
    assert result.stdout.strip(), result.stderr
    return json.loads(result.stdout)
