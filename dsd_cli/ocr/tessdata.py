"""Where the `tesseract` engine finds its language data, and which languages are there.

tesserocr's wheels bundle libtesseract and Leptonica but no language data: it comes from a configured folder
(profile `[ocr] tessdata`), TESSDATA_PREFIX, or the system packages (tesseract-ocr-nld, -fra: Debian puts them in
/usr/share/tesseract-ocr/5/tessdata).
"""

from __future__ import annotations

import os
from pathlib import Path

SYSTEM_FOLDERS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                  "/usr/share/tessdata", "/usr/local/share/tessdata")


def tessdata_folder(configured: str = "") -> Path | None:
    """The first folder holding *.traineddata: configured, TESSDATA_PREFIX, then the system's."""
    candidates = [configured] if configured else []
    candidates += [os.environ.get("TESSDATA_PREFIX", ""), *SYSTEM_FOLDERS]
    for candidate in candidates:
        if not candidate:
            continue
        folder = Path(candidate).expanduser()
        for place in (folder, folder / "tessdata"):
            if place.is_dir() and any(place.glob("*.traineddata")):
                return place
        if configured:
            return None  # a configured folder is never silently replaced by another
    return None


def available_languages(folder: Path | None) -> frozenset[str]:
    return frozenset(p.stem for p in folder.glob("*.traineddata")) if folder else frozenset()


def tesserocr_versions() -> tuple[str, str]:
    """(tesserocr version, bundled libtesseract version); ('', '') when tesserocr is not installed."""
    try:
        import tesserocr
    except ImportError:
        return "", ""
    library = tesserocr.tesseract_version().split()[1] if tesserocr.tesseract_version() else ""
    return tesserocr.__version__, library
