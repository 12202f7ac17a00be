"""The scan record: its format is checked field by field, and `dsd run` checks the pages against it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from PIL import Image

from dsd_cli.archive.session import ArchiveSession
from dsd_cli.errors import ExitCode
from dsd_cli.pipeline.run import RunOptions
from dsd_cli.pipeline.watch import watch_inbox
from dsd_cli.profiles import load_profile
from dsd_cli.scan.ingest import discover_batches
from dsd_cli.scan.scan_record import ScanRecordError, find_record, read_record
from tests.conftest import run_dsd

SIDECAR = """\
# written by hand for a batch scanned with the scanner's own software
device = "Fujitsu fi-7160"
device_vendor = "Fujitsu"
device_model = "fi-7160"
software = "PaperStream Capture 3.2"
source = "adf"
duplex = true
mode = "gray"
dpi = 300
operator = "balie-2"
started = 2026-11-24T10:15:00+01:00
ended = 2026-11-24T10:21:30+01:00

[device_options]
paper-size = "A4"
blank-page-skip = false

[[pages]]
file = "letters.pdf"
sha256 = "{sha}"
"""


def page_image(path: Path, shade: int = 200) -> Path:
    Image.new("L", (120, 160), shade).save(path, dpi=(100, 100))
    return path


def test_a_sidecar_in_toml_is_read_with_its_types(tmp_path):
    sha = "ab" * 32
    (tmp_path / "scan-record.toml").write_text(SIDECAR.replace("{sha}", sha), encoding="utf-8")
    record = find_record(tmp_path)
    assert record is not None
    assert (record.device, record.duplex, record.dpi, record.operator) == ("Fujitsu fi-7160", True, 300, "balie-2")
    assert record.started == "2026-11-24T10:15:00+01:00"
    assert record.device_options == (("paper-size", "A4"), ("blank-page-skip", "no"))
    assert record.covers("letters.pdf") and not record.covers("other.pdf")
    assert record.page("letters.pdf").sha256 == sha
    assert "Fujitsu fi-7160" in record.describe() and "duplex" in record.describe()


@pytest.mark.parametrize(("text", "words"), [
    ('device = "x"\nresolution = 300\n', "unknown key 'resolution'"),
    ('dpi = 300\n', "'device' is missing"),
    ('device = "x"\ndpi = "300"\n', "'dpi' must be a whole number"),
    ('device = "x"\nmode = "grey"\n', "'mode' must be one of gray, color, lineart"),
    ('device = "x"\nduplex = "yes"\n', "'duplex' must be true or false"),
    ('device = "x"\nstarted = "yesterday"\n', "'started' must be an ISO date-time"),
    ('device = "x"\nscan_record = 2\n', "'scan_record' is the format version"),
    ('device = "x"\n[[pages]]\nfile = "../etc/passwd"\nsha256 = "' + "0" * 64 + '"\n', "not a plain file name"),
    ('device = "x"\n[[pages]]\nfile = "a.png"\nsha256 = "abc"\n', "64 hexadecimal digits"),
    ('device = "x"\n[[pages]]\nfile = "a.png"\nsha = "' + "0" * 64 + '"\n', "unknown key 'sha' in pages\\[1\\]"),
    ('device = "x"\n[device_options]\n"bad name" = "1"\n', "not an option name"),
    ('device = "x\n', "not a readable scan record"),
])
def test_a_bad_sidecar_is_refused_with_a_clear_message(tmp_path, text, words):
    (tmp_path / "scan-record.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ScanRecordError, match=words) as caught:
        find_record(tmp_path)
    assert caught.value.exit_code == ExitCode.CONFIG and str(tmp_path / "scan-record.toml") in str(caught.value)


def test_json_records_refuse_repeated_keys_and_a_folder_holds_one_record(tmp_path):
    (tmp_path / "scan-record.json").write_text('{"device": "a", "device": "b"}', encoding="utf-8")
    with pytest.raises(ScanRecordError, match="appears twice"):
        read_record(tmp_path / "scan-record.json")
    (tmp_path / "scan-record.json").write_text('{"device": "a"}', encoding="utf-8")
    (tmp_path / "scan-record.toml").write_text('device = "a"\n', encoding="utf-8")
    with pytest.raises(ScanRecordError, match="one scan record per folder"):
        find_record(tmp_path)


def test_run_refuses_a_batch_with_a_bad_scan_record(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    page_image(batch / "page-1.png")
    (batch / "scan-record.toml").write_text('device = "x"\nresoltion = 300\n', encoding="utf-8")
    result = run_dsd("run", batch, "--archive", tmp_path / "archive", "--no-sign")
    assert result.code == ExitCode.CONFIG
    assert "unknown key 'resoltion'" in result.stderr and "docs/scanning.md" in result.stderr
    assert not list((tmp_path / "archive").glob("SD*"))


def test_the_record_file_is_not_a_scanner_file(tmp_path):
    page_image(tmp_path / "page-1.png")
    sha = hashlib.sha256((tmp_path / "page-1.png").read_bytes()).hexdigest()
    (tmp_path / "scan-record.json").write_text(json.dumps(
        {"scan_record": 1, "device": "test:0", "pages": [{"file": "page-1.png", "sha256": sha}]}), encoding="utf-8")
    batches, bad = discover_batches([tmp_path])
    assert bad == [] and [s.path.name for s in batches[0].sources] == ["page-1.png"]
    assert batches[0].scan_record is not None and batches[0].scan_record.device == "test:0"


def test_changed_and_missing_pages_are_quarantined_with_their_reason(scan, tmp_path, unsigned_profile):
    batch = tmp_path / "batch"
    assert scan("--device", "test:0", "--pages", "3", "-o", batch).code == ExitCode.OK
    page_image(batch / "page-0002.png", shade=90)  # replaced after scanning
    (batch / "page-0003.png").unlink()  # lost after scanning
    archive = tmp_path / "archive"
    result = run_dsd("run", batch, "--archive", archive, "--no-sign", "--profile", unsigned_profile, "--json")
    assert result.code == ExitCode.PARTIAL, result.stderr
    report = json.loads(result.stdout)
    reasons = {Path(q["source"]).name: q["reason"] for q in report["quarantine"] if q["batch_id"] is None}
    assert reasons == {"page-0002.png": "checksum-mismatch", "page-0003.png": "missing-page"}
    changed = json.loads((archive / "quarantine" / "inputs" / "page-0002.png.reason.json").read_text())
    assert changed["reason"] == "checksum-mismatch" and "changed after it was scanned" in changed["message"]
    assert (archive / "quarantine" / "inputs" / "page-0002.png").is_file()  # the changed file is kept
    missing = json.loads((archive / "quarantine" / "inputs" / "page-0003.png.reason.json").read_text())
    assert missing["reason"] == "missing-page" and "copy" not in missing


def test_watch_holds_an_item_whose_scan_record_is_bad(tmp_path):
    inbox = tmp_path / "inbox"
    batch = inbox / "scan-1"
    batch.mkdir(parents=True)
    page_image(batch / "page-1.png")
    (batch / "scan-record.json").write_text('{"device": "x", "dpi": 0}', encoding="utf-8")
    archive = tmp_path / "archive"
    with ArchiveSession.open(archive, create=True):  # `dsd watch` fills an archive, it does not make one
        pass
    template = RunOptions(inputs=(), archive=archive, profile=load_profile(), sign=False)
    (result,) = watch_inbox(inbox, template, settle_seconds=0.2, poll_seconds=0.1, max_items=1, timeout=60)
    assert result.moved_to == inbox / "held" / "scan-1" and "'dpi' must be a whole number" in result.error
