"""Printable A4 separator sheets (vector PDF: sharp at any printer resolution).

Each sheet carries the payload twice — a large QR code (error correction H, 4-module quiet zone) and a smaller copy
in the lower corner, so a sheet with a torn, stapled or coffee-stained code still reads — and the same information in
large text for the desk clerk: dossier number, document type and, when a register is given, the client's name.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from dsd_cli.errors import ConfigError
from dsd_cli.fsutil import atomic_write_bytes
from dsd_cli.i18n import Catalog
from dsd_cli.models import SeparatorPayload
from dsd_cli.profiles import Profile
from dsd_cli.register import Register
from dsd_cli.safepaths import validate_dossier
from dsd_cli.sheets.payload import encode_payload

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
BANNER = "SCHEIDINGSBLAD  ·  FEUILLE DE SÉPARATION"
FOOTER = Catalog({
    "footer": {"nl": "dsd-scheidingsblad — vóór het document inscannen; niet archiveren.",
               "fr": "feuille de séparation dsd — à scanner devant le document ; ne pas archiver."},
    "title": {"nl": "dsd-scheidingsbladen", "fr": "feuilles de séparation dsd"},
    "subject": {"nl": "Scheidingsbladen om vóór elk document in te scannen",
                "fr": "Feuilles de séparation à scanner devant chaque document"},
})


@dataclass(frozen=True)
class SheetSpec:
    dossier: str
    doc_type: str
    client: str = ""


def fonts() -> tuple[str, str]:
    """DejaVu (all of Unicode that dossier numbers and names use) when installed, else the PDF base fonts."""
    regular, bold = _DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
        return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float, border: int = 4, error: str = "h") -> None:
    """Draw the QR code as vector squares: (x, y) is the lower-left corner of the code including its quiet zone of
    `border` modules. Error correction `error` or, where the same code size allows, higher."""
    qr = segno.make(text, error=error, micro=False, boost_error=error != "h")
    matrix = list(qr.matrix)
    count = len(matrix) + 2 * border
    module = size / count
    canvas.setFillGray(0)
    for row, line in enumerate(matrix):
        for col, dark in enumerate(line):
            if dark:
                canvas.rect(x + (col + border) * module, y + size - (row + border + 1) * module, module, module,
                            stroke=0, fill=1)


def fit_font_size(canvas: Canvas, text: str, font: str, size: float, width: float, minimum: float = 8,
                  step: float = 1.0) -> float:
    """The largest size up to `size`, in `step`s, at which `text` fits `width` (never below `minimum`)."""
    while size > minimum and canvas.stringWidth(text, font, size) > width:
        size -= step
    return max(size, minimum)


def _draw_sheet(canvas: Canvas, spec: SheetSpec, label_nl: str, label_fr: str, font_names: tuple[str, str],
                lang: str = "nl") -> None:
    regular, bold = font_names
    width, height = A4
    payload = encode_payload(SeparatorPayload(dossier=spec.dossier, doc_type=spec.doc_type))
    canvas.setFillGray(0)
    canvas.rect(15 * mm, height - 32 * mm, width - 30 * mm, 14 * mm, stroke=0, fill=1)
    canvas.setFillGray(1)
    canvas.setFont(bold, 16)
    canvas.drawCentredString(width / 2, height - 27 * mm, BANNER)
    canvas.setFillGray(0)
    qr_size = 110 * mm
    draw_qr(canvas, payload, (width - qr_size) / 2, height - 40 * mm - qr_size, qr_size)
    y = height - 40 * mm - qr_size - 18 * mm
    canvas.setFont(regular, 14)
    canvas.drawString(20 * mm, y, "Dossier")
    size = fit_font_size(canvas, spec.dossier, bold, 40, width - 40 * mm)
    canvas.setFont(bold, size)
    canvas.drawString(20 * mm, y - 16 * mm, spec.dossier)
    y -= 32 * mm
    canvas.setFont(regular, 14)
    canvas.drawString(20 * mm, y, "Documenttype / Type de document")
    type_line = f"{label_nl}  ({spec.doc_type})"
    canvas.setFont(bold, fit_font_size(canvas, type_line, bold, 28, width - 40 * mm))
    canvas.drawString(20 * mm, y - 12 * mm, type_line)
    if label_fr:
        canvas.setFont(regular, 16)
        canvas.drawString(20 * mm, y - 20 * mm, label_fr)
    if spec.client:
        canvas.setFont(regular, 14)
        canvas.drawString(20 * mm, y - 32 * mm, "Cliënt / Client")
        canvas.setFont(bold, fit_font_size(canvas, spec.client, bold, 20, width - 90 * mm))
        canvas.drawString(20 * mm, y - 40 * mm, spec.client)
    draw_qr(canvas, payload, width - 60 * mm, 15 * mm, 45 * mm)
    canvas.setFont(regular, 8)
    canvas.drawString(20 * mm, 15 * mm, FOOTER("footer", lang))
    canvas.drawString(20 * mm, 11 * mm, payload)


def write_sheets(specs: Sequence[SheetSpec], out: Path, profile: Profile, register: Register | None = None,
                 lang: str = "nl") -> int:
    """Write one A4 page per sheet to `out` (atomically), the footer in `lang`. Returns the number of sheets.

    Raises ConfigError for a document type the profile does not know, or a dossier the register does not know.
    """
    if not specs:
        raise ConfigError("no separator sheets to print")
    font_names = fonts()
    import io

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(FOOTER("title", lang))
    canvas.setSubject(FOOTER("subject", lang))
    canvas.setAuthor(profile.organization.name)  # else the PDF says "anonymous" and "unspecified"
    canvas.setCreator("dsd")
    for spec in specs:
        validate_dossier(spec.dossier)
        doc_type = profile.document_type(spec.doc_type)
        client = spec.client
        if register is not None:
            entry = register.lookup(spec.dossier)
            if entry is None:
                raise ConfigError(f"dossier {spec.dossier!r} is not in the register {register.source}")
            client = client or entry.client
        _draw_sheet(canvas, SheetSpec(spec.dossier, spec.doc_type, client), doc_type.label_nl, doc_type.label_fr,
                    font_names, lang)
        canvas.showPage()
    canvas.save()
    atomic_write_bytes(out, buffer.getvalue())
    return len(specs)


def dossier_rows(path: Path, optional: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, cells by lower-case column) of a CSV with columns dossier and type (comma or semicolon
    separated), blank lines left out; `optional` names the other columns it may have, for the error message."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    first = text.split("\n", 1)[0]
    rows = csv.DictReader(text.splitlines(), delimiter=";" if first.count(";") > first.count(",") else ",")
    header = [h.strip().lower() for h in rows.fieldnames or []]
    if "dossier" not in header or "type" not in header:
        raise ConfigError(f"{path}: needs columns 'dossier' and 'type' (and optionally {optional})")
    found = []
    for line_no, row in enumerate(rows, start=2):
        cells = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        if not any(cells.values()):
            continue
        if not cells.get("dossier") or not cells.get("type"):
            raise ConfigError(f"{path}, line {line_no}: dossier and type are required")
        found.append((line_no, cells))
    return found


def read_sheet_csv(path: Path) -> list[SheetSpec]:
    """Sheets from a CSV with columns dossier, type and optionally client (comma or semicolon separated)."""
    return [SheetSpec(cells["dossier"], cells["type"], cells.get("client", ""))
            for _, cells in dossier_rows(path, "'client'")]
