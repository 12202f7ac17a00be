"""`dsd verify` as a user runs it: exit codes 0/1/4, the JSON shape, the HTML report, progress reporting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsd_cli.errors import ExitCode, UsageError
from dsd_cli.verify import VerifyOptions, verify_paths
from tests.verify.bags import make_bag

PAYLOAD = {"data/one.txt": b"1" * 5000, "data/<script>alert(1)</script>.txt": b"hostile name"}


def test_exit_codes_and_json_shape(tmp_path: Path, dsd):
    bag = make_bag(tmp_path / "bag", PAYLOAD)
    ok = dsd("verify", bag)
    assert ok.code == ExitCode.OK and "all well" in ok.stdout, ok.stderr
    summary = " ".join(ok.stdout.split())
    assert "all well, 0 warnings — checked 1 bag, 2 files, 5.0 kB in " in summary, summary  # counted as read
    (bag / "data" / "one.txt").write_bytes(b"2" * 5000)
    failed = dsd("verify", bag)
    assert "2 problems found, 0 warnings — checked 1 bag," in " ".join(failed.stdout.split())
    assert "error: 2 problems found" in failed.stderr  # sha256 and sha512 each
    bad = dsd("verify", bag, "--json", "--workers", "1")
    assert bad.code == ExitCode.PROBLEMS_FOUND
    data = json.loads(bad.stdout)
    assert set(data) >= {"ok", "problems", "checked"} and data["ok"] is False
    assert {(p["check"], p["path"], p["severity"], p["bag"]) for p in data["problems"]} == {
        ("bagit.checksum", "bag/data/one.txt", "error", "bag")}
    assert all(set(p) == {"path", "check", "message", "severity", "bag"} for p in data["problems"])
    assert data["checked"]["bags"] == 1 and data["checked"]["files"] == 2
    assert dsd("verify", tmp_path / "missing").code == ExitCode.BAD_INPUT
    assert dsd("verify", bag, "--report", tmp_path / "no" / "such" / "report.html").code == ExitCode.BAD_INPUT


def test_html_report_is_self_contained_and_escaped(tmp_path: Path, dsd):
    bag = make_bag(tmp_path / "bag", PAYLOAD)
    (bag / "data" / "extra <b>bold<i>.txt").write_text("x")
    report = tmp_path / "report.html"
    result = dsd("verify", bag, "--report", report)
    assert result.code == ExitCode.PROBLEMS_FOUND
    html = report.read_text()
    assert "NIET GESLAAGD" in html and "bagit.unexpected-file" in html
    assert "bag/data/extra &lt;b&gt;bold&lt;i&gt;.txt" in html
    assert "<script" not in html and "<b>" not in html and "http" not in html.replace("http-equiv", "")
    assert "Verklaring van wat werd gecontroleerd" in html and "Wat niet werd gecontroleerd" in html
    assert "veraPDF" in html
    fast = tmp_path / "fast.html"
    assert dsd("verify", bag, "--fast", "--report", fast).code == ExitCode.PROBLEMS_FOUND
    assert "SNELLE CONTROLE: er werden geen checksums berekend" in fast.read_text()


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, float | None]] = []

    def start(self, stage: str, total: float | None, unit: str = "pages") -> None:
        self.events.append(("start", stage, total))

    def advance(self, stage: str, amount: float = 1) -> None:
        self.events.append(("advance", stage, amount))

    def finish(self, stage: str) -> None:
        self.events.append(("finish", stage, None))


def test_progress_is_reported_in_bytes(tmp_path: Path):
    bag = make_bag(tmp_path / "bag", {f"data/f{i}.bin": bytes([i]) * (100_000 + i) for i in range(30)})
    recorder = Recorder()
    report = verify_paths([bag], VerifyOptions(workers=2), recorder)
    (start,) = [e for e in recorder.events if e[0] == "start"]
    advanced = sum(e[2] for e in recorder.events if e[0] == "advance" and e[1] == "verify")
    assert start[1] == "verify" and report.checked["bytes"] <= advanced <= start[2]
    assert recorder.events[-1] == ("finish", "verify", None)


def test_a_bag_given_as_dot_keeps_its_name(tmp_path: Path, dsd):
    bag = make_bag(tmp_path / "named-bag", PAYLOAD)
    (bag / "data" / "one.txt").unlink()
    report = verify_paths([bag / "."], VerifyOptions(workers=1))
    assert ("bagit.missing-file", "named-bag/data/one.txt") in {(p.check, p.path) for p in report.problems}


def test_negative_workers_are_refused():
    with pytest.raises(UsageError):
        VerifyOptions(workers=-1)
