"""`dsd scan` on SANE's test backend: feeder batches, settings, the end of the feeder, scanner faults, Ctrl-C."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import time
from pathlib import Path

import pytest
from PIL import Image

from dsd_cli.errors import ExitCode
from dsd_cli.pipeline.watch import _candidates
from dsd_cli.scan.scan_record import read_record
from tests.conftest import run_dsd
from tests.scan.conftest import SLOW, child_pids, json_of, pages_recorded, start_scan, stop, wait_for_pages


def only_batch(inbox: Path) -> Path:
    entries = list(inbox.iterdir())
    assert len(entries) == 1 and not entries[0].name.startswith("."), entries
    return entries[0]


def assert_record_matches_files(batch: Path) -> dict:
    record = read_record(batch / "scan-record.json")
    files = sorted(p.name for p in batch.iterdir() if p.name != "scan-record.json")
    assert [p.file for p in record.pages or ()] == files
    for page in record.pages or ():
        assert hashlib.sha256((batch / page.file).read_bytes()).hexdigest() == page.sha256
    return json.loads((batch / "scan-record.json").read_text(encoding="utf-8"))


def test_list_shows_the_test_devices(scan):
    listed = json_of(scan("--list", "--json"))
    assert [d["name"] for d in listed["devices"]] == ["test:0", "test:1"]
    assert listed["devices"][0]["backend"] == "test" and listed["devices"][0]["model"] == "frontend-tester"
    table = scan("--list")
    assert table.code == 0 and "frontend-tester" in table.stdout


def test_a_full_feeder_becomes_one_batch_with_its_record(scan, tmp_path):
    batch = tmp_path / "batch-2026-11-24"
    result = scan("--device", "test:0", "--dpi", "50", "-o", batch, "--operator", "balie-3", "--json")
    assert result.code == ExitCode.OK, result.stderr
    data = json_of(result)
    assert (data["ok"], data["pages"], data["outcome"], data["batch"]) == (True, 10, "feeder-empty", str(batch))
    assert "stage finished stage=scan done=10.0 unit=pages" in result.stderr  # progress, as log lines off a terminal
    record = assert_record_matches_files(batch)
    assert [p["file"] for p in record["pages"]] == [f"page-{n:04d}.png" for n in range(1, 11)]
    assert record["device"] == "test:0" and record["device_model"] == "frontend-tester"
    assert record["backend"] == "test" and record["backend_version"] and record["software"].startswith("scanimage ")
    assert (record["source"], record["duplex"], record["mode"], record["dpi"]) == ("adf", False, "gray", 50)
    assert record["device_options"] == {"source": "Automatic Document Feeder", "mode": "Gray", "resolution": "50"}
    assert record["operator"] == "balie-3" and record["started"] <= record["ended"]
    assert [p.name for p in tmp_path.iterdir()] == [batch.name]  # nothing hidden left behind
    with Image.open(batch / "page-0001.png") as page:
        assert (page.mode, round(page.info["dpi"][0])) == ("L", 50)


@pytest.mark.parametrize(("mode", "image_mode"), [("gray", "L"), ("color", "RGB"), ("lineart", "1")])
def test_modes_and_a_chosen_resolution(scan, tmp_path, mode, image_mode):
    batch = tmp_path / "batch"
    result = scan("--device", "test:0", "--mode", mode, "--dpi", "100", "--pages", "3", "-o", batch, "--json")
    assert result.code == ExitCode.OK, result.stderr
    data = json_of(result)
    assert (data["pages"], data["outcome"]) == (3, "complete")
    record = assert_record_matches_files(batch)
    assert record["mode"] == mode and record["dpi"] == 100
    for page in record["pages"]:
        assert page["image_mode"] == image_mode and page["dpi"] == pytest.approx(100, abs=0.1)
        assert abs(page["width"] - 80 / 25.4 * 100) <= 1  # the test device's scan area is 80 mm wide
    if mode == "lineart":  # the test device makes line art as 1-bit grey
        assert record["device_options"]["depth"] == "1"


def test_duplex_on_a_device_without_duplex_is_refused_before_scanning(scan, tmp_path):
    result = scan("--device", "test:0", "--duplex", "--inbox", tmp_path / "inbox")
    assert result.code == ExitCode.USAGE
    assert "cannot scan both sides" in result.stderr and "Automatic Document Feeder" in result.stderr
    assert not (tmp_path / "inbox").exists()


def test_dry_run_shows_the_device_values(scan):
    data = json_of(scan("--device", "test:0", "--mode", "color", "--dpi", "75", "--dry-run", "--json"))
    assert data["device_options"] == {"source": "Automatic Document Feeder", "mode": "Color", "resolution": "75"}
    assert data["format"] == "png"


@pytest.mark.parametrize(("status", "words", "reason"), [
    ("SANE_STATUS_NO_DOCS", "the document feeder is empty", "feeder-empty"),
    ("SANE_STATUS_JAMMED", "the document feeder jammed", "jammed"),
    ("SANE_STATUS_COVER_OPEN", "the scanner cover is open", "cover-open"),
])
def test_a_scanner_that_stops_before_the_first_page_leaves_nothing(scan, tmp_path, status, words, reason):
    inbox = tmp_path / "inbox"
    result = scan("--device", "test:0", "--inbox", inbox, "--device-option", f"read-return-value={status}")
    assert result.code == ExitCode.BAD_INPUT, result.stderr
    assert words in result.stderr and "nothing was scanned" in result.stderr
    assert list(inbox.iterdir()) == []  # no batch, and no hidden half batch


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_stopping_in_the_middle_keeps_the_pages_scanned(sane_env, tmp_path, signum):
    inbox = tmp_path / "inbox"
    process = start_scan(sane_env, "--device", "test:0", "--inbox", inbox, "--json", *SLOW)
    wait_for_pages(inbox, 3, process)
    # While it scans, the batch is hidden: a hot folder sees nothing yet.
    assert [p.name.startswith(".") for p in inbox.iterdir()] == [True]
    assert _candidates(inbox) == []
    code, out, err = stop(process, signum)
    assert code == ExitCode.INTERRUPTED, err
    data = json.loads(out)
    batch = only_batch(inbox)
    assert data["batch"] == str(batch) and data["outcome"] == "interrupted"
    assert 3 <= data["pages"] < 10
    assert f"after {data['pages']} page(s)" in err and str(batch) in err
    record = assert_record_matches_files(batch)  # no half page: every file is a complete, recorded page
    assert record["outcome"] == "interrupted" and len(record["pages"]) == data["pages"]
    assert _candidates(inbox) == [batch]
    # The batch is usable as it is: dsd reads every page of it.
    split = run_dsd("split", batch, "--json")
    pages = sum(s["pages"] for s in json.loads(split.stdout)["sources"])
    assert pages == data["pages"] and json.loads(split.stdout)["quarantined"] == []


def test_scanimage_ending_in_the_middle_keeps_the_pages_and_says_so(sane_env, tmp_path):
    inbox = tmp_path / "inbox"
    process = start_scan(sane_env, "--device", "test:0", "--inbox", inbox, "--json", *SLOW)
    wait_for_pages(inbox, 2, process)
    (scanimage,) = child_pids(process.pid)
    os.kill(scanimage, signal.SIGTERM)  # scanimage is ended from outside, in the middle of a page
    out, err = process.communicate(timeout=120)
    assert process.returncode == ExitCode.PARTIAL, err
    data = json.loads(out)
    assert data["outcome"] == "failed" and data["pages"] >= 2
    assert "the scanner stopped" in err and "scanimage was ended by SIGTERM" in err.replace("\n", " ")
    assert_record_matches_files(only_batch(inbox))


def test_a_cut_off_scan_keeps_its_record_and_is_reported_next_time(scan, sane_env, tmp_path):
    inbox = tmp_path / "inbox"
    process = start_scan(sane_env, "--device", "test:0", "--inbox", inbox, *SLOW)
    wait_for_pages(inbox, 2, process)
    (scanimage,) = child_pids(process.pid)
    process.kill()  # power cut for dsd: nothing runs its clean-up
    process.communicate(timeout=60)
    deadline = time.monotonic() + 60
    while Path(f"/proc/{scanimage}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)  # scanimage ends by itself once nobody reads it
    (hidden,) = inbox.iterdir()
    assert hidden.name.startswith(".") and _candidates(inbox) == []
    record = json.loads((hidden / "scan-record.json").read_text(encoding="utf-8"))
    assert record["outcome"] == "scanning" and len(record["pages"]) >= 2
    for page in record["pages"]:
        assert hashlib.sha256((hidden / page["file"]).read_bytes()).hexdigest() == page["sha256"]
    assert pages_recorded(inbox) >= 2
    again = scan("--device", "test:0", "--pages", "1", "--inbox", inbox)
    assert again.code == ExitCode.OK, again.stderr
    assert "cut off" in again.stderr and hidden.name in again.stderr.replace("\n", "")


def test_command_line_mistakes(scan, tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "x.png").write_bytes(b"x")
    cases = [
        (("--device", "test:0", "-o", full), ExitCode.USAGE, "not an empty folder"),
        (("--device", "test:0", "-o", tmp_path / "a", "--inbox", tmp_path / "b"), ExitCode.USAGE, "exactly one"),
        (("--device", "test:0", "--inbox", tmp_path / "i", "--run"), ExitCode.USAGE, "--run needs --archive"),
        (("--device", "test:0", "--inbox", tmp_path / "i", "--dpi", "5000"), ExitCode.USAGE, "5000 dpi"),
        (("--device", "test:0", "--inbox", tmp_path / "i", "--device-option", "mode=Color"), ExitCode.USAGE,
         "dsd's own option"),
        (("--device", "test:0", "--inbox", tmp_path / "i", "--device-option", "no-such=1"), ExitCode.USAGE,
         "no option 'no-such'"),
        (("--device", "nosuch:0", "--inbox", tmp_path / "i"), ExitCode.BAD_INPUT, "cannot be used"),
        (("--inbox", tmp_path / "i"), ExitCode.USAGE, "--device"),
        # Checked before scanning, so that a mistake in them does not cost a scanned batch.
        (("--device", "test:0", "--inbox", tmp_path / "i", "--run", "--archive", full), ExitCode.ARCHIVE,
         "not a dsd archive"),
        (("--device", "test:0", "--inbox", tmp_path / "i", "--run", "--archive", tmp_path / "new", "--register",
          tmp_path / "register.csv"), ExitCode.BAD_INPUT, "no such register file"),
    ]
    for args, code, words in cases:
        result = scan(*args)
        assert result.code == code, (args, result.stderr)
        assert words in result.stderr.replace("\n", " "), (args, result.stderr)
        failed = json_of(scan(*args, "--json"))
        assert failed["ok"] is False and failed["error"]["code"] == code, (args, failed)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full"]
