"""The index follows the bags: built, caught up, redone after a crash, removed rather than left wrong.

Small text PDFs (reportlab) packaged with `package_dossier`, so no OCR is needed here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from dsd_cli.archive.package import package_dossier
from dsd_cli.archive.session import ArchiveSession
from dsd_cli.search import store, sync
from dsd_cli.search.follow import following_index
from dsd_cli.search.searching import SearchIndex, SearchRequest
from tests.archive.conftest import NOW, PROFILE, make_document


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    (tmp_path / "archive").mkdir()
    return tmp_path / "archive"


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    (tmp_path / "inputs").mkdir()
    return tmp_path / "inputs"


def text_document(folder: Path, name: str, dossier: str, pages: list[str]):
    pdf = folder / f"{name}.pdf"
    drawing = canvas.Canvas(str(pdf))
    for text in pages:
        drawing.drawString(72, 700, text)
        drawing.showPage()
    drawing.save()
    return make_document(folder, name, "briefwisseling", dossier=dossier, pages=len(pages), batch=name)


def package_unindexed(archive: Path, dossier: str, document) -> None:
    """A bag change the index has not followed (as if made by a dsd without an index, or before a crash)."""
    with ArchiveSession.open(archive, create=True) as session:
        package_dossier(session, dossier, [document], PROFILE, now=NOW)


def hits(archive: Path, query: str) -> list[tuple[str, str, int]]:
    found = SearchIndex.open(archive).search(SearchRequest(query, limit=100))
    return sorted((h.dossier, h.document, h.page) for h in found.hits)


def test_the_index_catches_up_with_the_bags(archive: Path, inputs: Path):
    package_dossier(archive, "SD/1", [text_document(inputs, "a", "SD/1", ["alfa huurwaarborg", "bravo"])], PROFILE,
                    now=NOW)
    package_dossier(archive, "SD/2", [text_document(inputs, "c", "SD/2", ["charlie"])], PROFILE, now=NOW)
    assert sync.bags_changed(archive, ["SD/1"]) is None and not store.index_root(archive).exists(), \
        "without create, an archive without index stays without"
    built = sync.update_index(archive)
    assert built is not None and built.rebuilt and built.pages_added == 3
    assert hits(archive, "huurwaarborg") == [("SD/1", "doc-0001", 1)]

    package_unindexed(archive, "SD/1", text_document(inputs, "b", "SD/1", ["delta huurwaarborg"]))
    package_unindexed(archive, "SD/3", text_document(inputs, "e", "SD/3", ["echo"]))
    changed = sync.bags_changed(archive, ["SD/1"])
    assert changed is not None and changed.added == {"SD/1": ["doc-0002"]} and changed.pages_added == 1
    assert hits(archive, "huurwaarborg") == [("SD/1", "doc-0001", 1), ("SD/1", "doc-0002", 1)]
    assert hits(archive, "echo") == [], "SD/3 was not named: it waits for a catch-up"
    caught_up = sync.update_index(archive)
    assert caught_up is not None and caught_up.dossiers == 1 and hits(archive, "echo") == [("SD/3", "doc-0001", 1)]

    shutil.rmtree(archive / "SD~2F1")  # a bag that left the archive: nothing of it may stay in the index
    gone = sync.update_index(archive)
    assert gone is not None and gone.removed == {"SD/1": ["doc-0001", "doc-0002"]} and gone.pages_removed == 3
    assert gone.purged, "its first pages shared index files with SD/2: those files were rewritten without them"
    assert hits(archive, "huurwaarborg") == [] and hits(archive, "charlie") == [("SD/2", "doc-0001", 1)]
    searcher = SearchIndex.open(archive).searcher
    assert searcher.doc_freq("dossier", "SD/1") == 0 and searcher.doc_freq("text", "huurwaarborg") == 0


def test_a_crash_before_the_record_is_written_is_redone_in_full(archive: Path, inputs: Path,
                                                                monkeypatch: pytest.MonkeyPatch):
    package_dossier(archive, "SD/1", [text_document(inputs, "a", "SD/1", ["echo foxtrot"])], PROFILE, now=NOW)
    sync.update_index(archive)
    package_unindexed(archive, "SD/1", text_document(inputs, "b", "SD/1", ["golf foxtrot"]))

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    with monkeypatch.context() as patched:
        patched.setattr(store, "record_dossier", crash)
        with pytest.raises(RuntimeError):
            sync.update_index(archive, ["SD/1"])
    again = sync.update_index(archive, ["SD/1"])
    assert again is not None and again.pages_added == 2, "the pending dossier is indexed again from scratch"
    assert hits(archive, "foxtrot") == [("SD/1", "doc-0001", 1), ("SD/1", "doc-0002", 1)], "each page once"


def test_an_index_that_cannot_be_updated_is_removed_not_left_behind(archive: Path, inputs: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    package_dossier(archive, "SD/1", [text_document(inputs, "a", "SD/1", ["hotel"])], PROFILE, now=NOW)
    sync.update_index(archive)
    package_unindexed(archive, "SD/1", text_document(inputs, "b", "SD/1", ["india"]))

    def broken(pdf: Path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sync, "pdf_pages", broken)
    update = sync.bags_changed(archive, ["SD/1"])
    assert update is not None and "was removed" in update.warnings[0]
    assert not store.index_root(archive).exists()


def test_an_archive_session_is_followed_once_per_operation(archive: Path, inputs: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    package_dossier(archive, "SD/1", [text_document(inputs, "a", "SD/1", ["juliet"])], PROFILE, now=NOW)
    assert not store.index_root(archive).exists(), "packaging by the library makes no index (dsd run/package do)"
    sync.update_index(archive)
    calls: list[list[str]] = []
    real = sync.bags_changed
    monkeypatch.setattr(sync, "bags_changed", lambda a, d, **kw: calls.append(list(d)) or real(a, d, **kw))
    with ArchiveSession.open(archive) as session, following_index(session) as follower:
        for dossier, name in (("SD/1", "b"), ("SD/2", "c"), ("SD/1", "d")):
            package_dossier(session, dossier, [text_document(inputs, name, dossier, ["juliet kilo"])], PROFILE,
                            now=NOW)
        assert hits(archive, "kilo") == [], "nothing is indexed until the operation flushes"
    assert calls == [["SD/1", "SD/2"]], "one update for the whole operation"
    assert follower.stored == {"SD/1": ["data/documents/0002-briefwisseling.pdf",
                                        "data/documents/0003-briefwisseling.pdf"],
                               "SD/2": ["data/documents/0001-briefwisseling.pdf"]}
    assert hits(archive, "kilo") == [("SD/1", "doc-0002", 1), ("SD/1", "doc-0003", 1), ("SD/2", "doc-0001", 1)]

    package_dossier(archive, "SD/3", [text_document(inputs, "e", "SD/3", ["lima"])], PROFILE, now=NOW)
    assert hits(archive, "lima") == [("SD/3", "doc-0001", 1)], "a package call of its own is followed too"
