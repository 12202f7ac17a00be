"""What the tesseract engine decides before recognition, on reduced copies (no Tesseract needed): orientation from
the text lines, skew from a projection profile, smoothing of noisy scans; and the forked call that isolates it."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import textwrap

import pytest

from benchmarks.ocrpages import letter, rotated, speckled, worn
from dsd_cli.ocr.prepare import Dots, line_orientation, noise_level, reduce_to, skew_angle, smoothing_radius


@functools.cache
def _base(dpi: int):  # type: ignore[no-untyped-def]
    page = letter(dpi, 2, width_in=5.8, height_in=8.27, paragraphs=2)
    return worn(page, 3) if dpi == 150 else page


@pytest.mark.parametrize("dpi", [150, 300])
@pytest.mark.parametrize("turn", [0, 90, 180, 270])
@pytest.mark.parametrize("skew", [0.0, -3.5])
def test_orientation_and_skew_from_the_lines_of_a_reduced_copy(dpi: int, turn: int, skew: float):
    page = rotated(rotated(_base(dpi), skew), turn)
    small, _ = reduce_to(page.image, dpi, 150)
    orientation, confidence, found = line_orientation(Dots.of(small))
    assert orientation == turn and confidence >= 5  # under QUICK_CONFIDENT, Tesseract's OSD is asked as well
    assert abs(found + page.skew) < 0.25, (found, page.skew)  # the correction undoes the page's skew


def test_a_page_without_lines_is_left_to_tesseracts_orientation_detection():
    from PIL import Image, ImageDraw

    image = Image.new("L", (1200, 1700), 250)
    ImageDraw.Draw(image).ellipse((200, 300, 1000, 1100), outline=10, width=30)
    dots = Dots.of(image)
    assert dots.ink > 0.01 and line_orientation(dots)[1] == 0.0
    assert skew_angle(Dots.of(Image.new("L", (600, 800), 250))) == 0.0, "a blank page has no skew"


def test_noisy_scans_are_smoothed_for_recognition_and_clean_ones_are_not():
    clean = _base(300).image
    grainy = speckled(_base(300)).image
    assert noise_level(clean) < 3 and smoothing_radius(noise_level(clean), 300) == 0.0
    assert noise_level(grainy) > 20 and smoothing_radius(noise_level(grainy), 300) >= 1.5
    assert smoothing_radius(noise_level(grainy), 150) < smoothing_radius(noise_level(grainy), 300)


SCRIPT = textwrap.dedent("""
    import json, os, signal, sys, time
    from dsd_cli.errors import InputError
    from dsd_cli.tools.warm_fork import call_forked, descendants

    def fails():
        raise InputError("page 3 cannot be decoded", reason="corrupt")

    outcomes = {
        "ok": call_forked(lambda: {"pages": 2}, 10),
        "error": call_forked(fails, 10),
        "crash": call_forked(lambda: os.kill(os.getpid(), signal.SIGSEGV), 10),
        "timeout": call_forked(lambda: time.sleep(30), 0.5),
    }
    kind, error = outcomes["error"]
    print(json.dumps({"ok": outcomes["ok"], "error": [kind, type(error).__name__, error.message, error.reason],
                      "crash": list(outcomes["crash"]), "timeout": outcomes["timeout"],
                      "left": descendants(os.getpid())}))
""")


def test_a_forked_call_returns_values_and_errors_and_survives_crashes_and_timeouts():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[-1])
    assert result["ok"] == ["ok", {"pages": 2}]
    assert result["error"] == ["error", "InputError", "page 3 cannot be decoded", "corrupt"]
    assert result["crash"][0] == "crashed" and result["crash"][1] == -11
    assert result["timeout"] is None and result["left"] == []
