"""The README's main job on the shipped samples: one verified bag per sample dossier, every page exactly once,
searchable Dutch and French text."""

from __future__ import annotations

import json
from pathlib import Path

from dsd_cli.errors import ExitCode
from dsd_cli.ocr import extract_text
from tests.conftest import SAMPLES
from tests.pipeline.conftest import assert_every_page_accounted_for, bag_payloads


def test_demo_run_on_the_samples(dsd, tmp_path: Path):
    expected = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
    archive = tmp_path / "demo-archive"
    result = dsd("run", SAMPLES / "scans", "--archive", archive, "--register", SAMPLES / "register.csv", "--json")
    assert result.code == ExitCode.OK, result.stderr
    report = json.loads(result.stdout)
    documents = [d for b in expected["batches"] for d in b["documents"]]
    dossiers = {d["dossier"] for d in documents}
    assert set(report["dossiers"]) == dossiers
    assert report["pages"]["archived"] == sum(d["pages"] for d in documents)
    assert report["pages"]["dropped"] == sum(b["dropped"] for b in expected["batches"])
    assert report["pages"]["in"] == sum(b["pages"] for b in expected["batches"])

    payloads = bag_payloads(archive)
    assert len(payloads) == len(dossiers), "one bag per sample dossier"
    assert_every_page_accounted_for(archive, sum(b["pages"] for b in expected["batches"]))
    text = " ".join(extract_text(p) for files in payloads.values() for p in files).lower()
    for document in documents:
        for keyword in document["keywords"]:
            assert keyword.lower() in text, f"{keyword!r} not found in the OCR text"
    assert "recommandée" in text and "huurcontract" in text, "French and Dutch text are both searchable"

    verified = dsd("verify", archive)
    assert verified.code == ExitCode.OK, verified.stdout + verified.stderr
    shown = dsd("show", "SD/2024/0001", "--archive", archive, "--json")
    assert shown.code == ExitCode.OK and {d["doc_type"] for d in json.loads(shown.stdout)["documents"]} == {
        "aanvraag", "inkomen"}
