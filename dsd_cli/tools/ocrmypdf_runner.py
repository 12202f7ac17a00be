"""Run OCRmyPDF (with Tesseract) in a child process and map its exit codes to dsd errors.

A child process per document, not the `ocrmypdf.ocr()` API: OCRmyPDF keeps global plugin state (one run per
process), a crash or a runaway Ghostscript must not take the batch down, and the timeout must be enforceable.
In a single-threaded process (dsd's OCR workers) the child is a fork of a process that has OCRmyPDF imported
already (see warm_fork.py), which saves about a second per document; elsewhere it is `python -m ocrmypdf`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from dsd_cli.errors import InputError, MissingToolError, ToolFailedError
from dsd_cli.tools.warm_fork import can_fork, run_forked

# OCRmyPDF's documented exit codes (ocrmypdf.exceptions.ExitCode).
_INPUT_FILE = 2
_MISSING_DEPENDENCY = 3
_INVALID_OUTPUT_PDF = 4
_FILE_ACCESS = 5
_ALREADY_DONE_OCR = 6
_CHILD_PROCESS_ERROR = 7
_ENCRYPTED_PDF = 8
_PDFA_CONVERSION_FAILED = 10
_OTHER_ERROR = 15


@dataclass(frozen=True)
class OcrOptions:
    languages: tuple[str, ...] = ("nld", "fra")
    output_type: str = "pdfa-2"
    rotate_pages: bool = True
    deskew: bool = True
    clean: bool = False
    optimize: int = 1
    jobs: int = 1
    timeout_seconds: int = 600
    max_image_mpixels: float = 250.0


def ocrmypdf_arguments(src: Path, dst: Path, options: OcrOptions) -> list[str]:
    """OCRmyPDF's command-line arguments (after `ocrmypdf`) for one document."""
    cmd = [
        "--language", "+".join(options.languages),
        "--output-type", options.output_type,
        # pikepdf makes the PDF/A: Debian 12's Ghostscript 10.0.0 breaks on pages that already carry text.
        "--pdfa-backend", "internal",
        "--mode", "skip",
        "--optimize", str(options.optimize),
        "--jobs", str(max(1, options.jobs)),
        "--max-image-mpixels", str(options.max_image_mpixels),
        "--tesseract-timeout", str(max(30, options.timeout_seconds // 4)),
        "--quiet",
    ]
    if options.rotate_pages:
        cmd.append("--rotate-pages")
    if options.deskew:
        cmd.append("--deskew")
    if options.clean:
        cmd.append("--clean")
    cmd += ["--", str(src), str(dst)]
    return cmd


def build_command(src: Path, dst: Path, options: OcrOptions) -> list[str]:
    return [sys.executable, "-m", "ocrmypdf", *ocrmypdf_arguments(src, dst, options)]


def run_ocrmypdf(src: Path, dst: Path, options: OcrOptions) -> str:
    """OCR `src` into `dst` (which must not be the final location: on failure it may hold a partial file).

    Returns OCRmyPDF's stderr (warnings) on success; raises InputError / ToolFailedError / MissingToolError.
    """
    # Tesseract's OpenMP threads oversubscribe the cores when several OCR processes run in parallel.
    env = {"OMP_THREAD_LIMIT": "1"}
    if can_fork():
        args = ocrmypdf_arguments(src, dst, options)
        if options.jobs <= 1:  # one page at a time: threads, not a process pool that would import everything again
            args.insert(0, "--use-threads")
        outcome = run_forked(args, env, options.timeout_seconds)
    else:
        outcome = _run_subprocess(build_command(src, dst, options), env, options.timeout_seconds)
    if outcome is None:
        raise ToolFailedError(f"OCR took longer than {options.timeout_seconds} s", tool="ocrmypdf",
                              reason="ocr-timeout")
    code, stderr = outcome
    stderr = stderr.strip()
    last = failure_cause(stderr)
    if code == 0:
        return stderr
    if code == _MISSING_DEPENDENCY:
        raise MissingToolError(f"OCRmyPDF is missing a program or language pack: {last}",
                               hint="run `dsd doctor` to see what to install")
    if code == _ENCRYPTED_PDF:
        raise InputError("the PDF is encrypted", reason="encrypted")
    if code in (_INPUT_FILE, _FILE_ACCESS):
        raise InputError(f"OCRmyPDF cannot read the input: {last}", reason="corrupt")
    if code == _ALREADY_DONE_OCR:
        raise InputError(f"the PDF already has text: {last}", reason="has-text")
    if code in (_INVALID_OUTPUT_PDF, _PDFA_CONVERSION_FAILED):
        raise ToolFailedError(f"OCRmyPDF produced no valid PDF/A: {last}", tool="ocrmypdf", reason="pdfa-failed")
    if code == _OTHER_ERROR and "pixels" in stderr.lower():
        raise InputError(f"page image too large: {last}", reason="too-large")
    if code < 0:
        raise ToolFailedError(f"OCRmyPDF was ended by signal {-code}: {last}", tool="ocrmypdf", reason="ocr-crashed")
    raise ToolFailedError(f"OCRmyPDF failed (exit {code}): {last}", tool="ocrmypdf",
                          reason="ocr-failed" if code != _CHILD_PROCESS_ERROR else "tesseract-failed")


_ERROR_LINE = re.compile(r"^(?:\w+(?:Error|Exception)|ERROR|error)\s*[:-]\s*(.+)$")
# OCRmyPDF's messages name its own options ("--pdfa-backend internal could not …"); dsd sets those itself.
_OPTION = re.compile(r"--[a-z][a-z-]+(?: (?:internal|ghostscript|auto|pdfa(?:-\d)?|pdf))?\s*")


def failure_cause(stderr: str) -> str:
    """The line of OCRmyPDF's stderr that says why it failed (its last error line), without option hints."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for index in range(len(lines) - 1, -1, -1):
        match = _ERROR_LINE.match(lines[index])
        if match:
            # pikepdf's findings follow the error line: "[violation] rule at obj 12 0 (Page) /AA: why"
            findings = [line for line in lines[index + 1:] if line.startswith("[")][:3]
            return "; ".join([_OPTION.sub("", match.group(1)).strip(), *findings])
    return _OPTION.sub("", lines[-1]).strip() if lines else ""


def _run_subprocess(cmd: list[str], env: dict[str, str], timeout: float) -> tuple[int, str] | None:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **env}, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        return None
    return proc.returncode, proc.stderr
