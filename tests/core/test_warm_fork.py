"""OCR in a fork of a warmed-up worker (what `dsd run`'s OCR workers do), on real OCRmyPDF and Tesseract.

The test process itself has threads (pytest-xdist), where dsd never forks; so each case runs in a fresh,
single-threaded Python process, as a worker would.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pikepdf

from tests.core.test_ocr import letter_pdf

SCRIPT = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from dsd_cli.errors import DsdError
    from dsd_cli.ocr import extract_text, ocr_document, pdfa_identification
    from dsd_cli.tools.ocrmypdf_runner import OcrOptions
    from dsd_cli.tools.warm_fork import descendants, can_fork, warm_up

    warm_up()
    src, out, timeout = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    result = {"forks": can_fork()}
    start = time.monotonic()
    try:
        ocr_document(src, out, OcrOptions(deskew=False, timeout_seconds=timeout))
        result.update(ok=True, pdfa=list(pdfa_identification(out)), text=extract_text(out))
    except DsdError as exc:
        result.update(ok=False, reason=getattr(exc, "reason", ""), message=exc.message)
    result["seconds"] = time.monotonic() - start
    result["left_running"] = descendants(__import__("os").getpid())
    print(json.dumps(result))
""")


def _in_worker(src: Path, out: Path, timeout: int = 600) -> dict:
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(src), str(out), str(timeout)], capture_output=True,
                          text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def test_a_forked_run_makes_the_same_searchable_pdfa(tmp_path: Path):
    src = letter_pdf(tmp_path / "in.pdf", ["Geachte mevrouw, uw aanvraag voor een leefloon", "Madame, votre demande"])
    result = _in_worker(src, tmp_path / "out.pdf")
    assert result["forks"] and result["ok"], result
    assert result["pdfa"] == ["2", "B"] and "leefloon" in result["text"].lower()
    assert result["left_running"] == []


def test_a_forked_run_maps_ocrmypdf_exit_codes_to_reasons(tmp_path: Path):
    src = letter_pdf(tmp_path / "plain.pdf", ["Vertrouwelijk"])
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(src) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    result = _in_worker(locked, tmp_path / "out.pdf")
    assert result["forks"] and not result["ok"] and result["reason"] == "encrypted", result
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj <<")
    result = _in_worker(broken, tmp_path / "out2.pdf")
    assert not result["ok"] and result["reason"] == "corrupt", result
    assert not (tmp_path / "out.pdf").exists() and not (tmp_path / "out2.pdf").exists()


def test_a_forked_run_past_its_timeout_is_killed_with_everything_it_started(tmp_path: Path):
    lines = ["Geachte mevrouw, geachte heer, wij hebben uw aanvraag goed ontvangen."] * 14
    pages = [letter_pdf(tmp_path / f"p{i}.pdf", lines) for i in range(4)]
    src = tmp_path / "long.pdf"
    with pikepdf.new() as pdf:
        for page in pages:
            with pikepdf.open(page) as one:
                pdf.pages.extend(one.pages)
        pdf.save(src)
    result = _in_worker(src, tmp_path / "out.pdf", timeout=1)
    assert not result["ok"] and result["reason"] == "ocr-timeout", result
    assert result["seconds"] < 5 and result["left_running"] == []
    assert not (tmp_path / "out.pdf").exists()
