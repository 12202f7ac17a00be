"""The typed bag record: one JSON form, old records read as they are, unknown dates settled to "", per-page quality
and keys other parts of dsd add kept through every later version; listeners hear every new version."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from dsd_cli.archive.package import package_dossier
from dsd_cli.archive.record import BagRecord, load_record
from dsd_cli.archive.session import ArchiveSession, BagVersionWritten, add_bag_listener, remove_bag_listener
from dsd_cli.archive.versions import VersionChange
from dsd_cli.retention.hold import set_legal_hold
from dsd_cli.verify.archivecheck import check_archive
from tests.archive.conftest import BAG_NAME, DOSSIER, NOW, PROFILE, make_document

OLD_RECORD = {
    "format": 1, "dossier": DOSSIER, "version": 1,
    "documents": [{"id": "doc-0001", "path": "data/documents/0001-aanvraag.pdf", "sha256": "ab" * 32, "size": 10,
                   "doc_type": "aanvraag", "sources": [{"file": "s.tif", "pages": [2, 3], "sha256": ""}],
                   "scan_date": "unknown", "events": [
                       {"type": "capture", "datetime": "unknown", "agent": "scanner", "tool": "",
                        "outcome": "success", "source_file": "s.tif", "source_sha256": "", "detail": "scanned"}]}],
    "versions": [{"version": 1, "date": "2024-01-01T00:00:00+00:00", "agent": "dsd"}],
}


def test_an_old_record_is_read_and_written_in_one_form():
    record = BagRecord.from_dict(OLD_RECORD)
    (doc,) = record.documents
    assert doc.scan_date == "" and doc.events[0].datetime == "", "an unknown date is '' in the record"
    assert doc.sources[0].pages == (2, 3) and doc.quality is None and record.duplicates == ()
    again = BagRecord.from_dict(json.loads(record.to_json()))
    assert again == record, "to_dict and from_dict are one serialisation"
    assert again.to_dict()["documents"][0]["events"][0]["datetime"] == ""


def test_quality_and_unknown_keys_survive_later_versions(archive: Path, inputs: Path):
    quality = ({"page": 1, "words": 212, "confidence_mean": 91.3, "flags": ["low-confidence"]},)
    document = dataclasses.replace(make_document(inputs, "a"), quality=quality)
    package_dossier(archive, DOSSIER, [document], PROFILE, now=NOW)
    bag = archive / BAG_NAME
    (stored,) = load_record(bag).documents
    assert stored.quality == quality

    # Fields another part of dsd adds to a document and to the record, in a version of its own.
    with ArchiveSession.open(archive) as session:
        state = session.require_bag(DOSSIER)
        annotated = dataclasses.replace(state.record.documents[0], extra={"ocr_engine": {"name": "tesseract"}})
        record = dataclasses.replace(state.record.next_version("2026-11-24T10:00:00+00:00", "test"),
                                     documents=(annotated,), extra={"search_index": "v2"})
        session.write_version(state, VersionChange(kind="annotation", record=record, fields=state.fields), PROFILE,
                              now=NOW)

    heard: list[BagVersionWritten] = []
    add_bag_listener(heard.append)
    try:
        set_legal_hold(archive, DOSSIER, True, "court case", profile=PROFILE, now=NOW)
    finally:
        remove_bag_listener(heard.append)
    record = load_record(bag)
    assert record.documents[0].quality == quality
    assert record.documents[0].extra == {"ocr_engine": {"name": "tesseract"}}
    assert record.extra == {"search_index": "v2"} and record.legal_hold is not None
    (written,) = heard
    assert (written.dossier, written.version, written.previous_version, written.kind) == (DOSSIER, 3, 2,
                                                                                          "legal-hold")
    assert written.record == record and written.added == written.removed == written.replaced == ()
    assert check_archive(archive).problems == []
