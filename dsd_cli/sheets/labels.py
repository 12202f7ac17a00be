"""Printable A4 sheets of adhesive QR labels for incoming mail (vector PDF).

A label is stuck on the first page of a letter; `dsd split` and `dsd run` start a new document at that page and
archive it, label and all. Each label carries dsd's label payload twice — two QR codes side by side along its lower
edge, so a stamp or a staple over one half leaves the other whole — and, along the top, the same information as
text for the desk clerk: dossier number, document type and, from the register, the client's name.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from dsd_cli.errors import ConfigError
from dsd_cli.fsutil import atomic_write_bytes
from dsd_cli.models import SeparatorPayload
from dsd_cli.profiles import Profile
from dsd_cli.register import Register
from dsd_cli.safepaths import validate_dossier
from dsd_cli.sheets.payload import encode_payload
from dsd_cli.sheets.render import dossier_rows, draw_qr, fit_font_size, fonts


@dataclass(frozen=True)
class LabelLayout:
    """An A4 sheet of `columns` x `rows` labels of `width` x `height` mm; the first label's top-left corner is at
    (`left`, `top`) mm from the sheet's top-left corner, the next ones `pitch_x` / `pitch_y` mm further."""

    name: str
    columns: int
    rows: int
    width: float
    height: float
    left: float
    top: float
    pitch_x: float
    pitch_y: float
    description: str

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows


LAYOUTS: dict[str, LabelLayout] = {layout.name: layout for layout in (
    LabelLayout("3x8", 3, 8, 70.0, 37.0, 0.0, 0.5, 70.0, 37.0,
                "24 labels of 70 x 37 mm, three columns edge to edge"),
    LabelLayout("2x7", 2, 7, 99.1, 38.1, 4.65, 15.15, 101.6, 38.1,
                "14 labels of 99.1 x 38.1 mm, 15.15 mm top margin, 2.5 mm between the columns"),
    LabelLayout("3x7", 3, 7, 63.5, 38.1, 7.2, 15.15, 66.0, 38.1,
                "21 labels of 63.5 x 38.1 mm, 15.15 mm top margin, 2.5 mm between the columns"),
)}
DEFAULT_LAYOUT = "3x8"

TITLE = "dsd-etiketten · étiquettes dsd"
SUBJECT = "QR-etiketten voor inkomende post · étiquettes QR pour le courrier entrant"
"""The PDF's title and subject: in both languages, like the labels themselves (codes and the dossier number)."""

_INSET = 2.5
"""mm kept free inside each label's edge (cutting tolerance, and printers that cannot print to the sheet's edge)."""
_TEXT_BAND = 8.0
"""mm at the top of a label for the dossier number, type and client."""


@dataclass(frozen=True)
class LabelSpec:
    dossier: str
    doc_type: str
    client: str = ""
    count: int = 1


def layout_named(name: str) -> LabelLayout:
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ConfigError(f"unknown label layout {name!r}", hint=f"layouts: {', '.join(LAYOUTS)}") from None


def _draw_label(canvas: Canvas, layout: LabelLayout, x: float, y: float, spec: LabelSpec, type_label: str,
                font_names: tuple[str, str]) -> None:
    """One label whose lower-left corner is at (x, y) points."""
    regular, bold = font_names
    width, height = layout.width * mm, layout.height * mm
    inset = _INSET * mm
    payload = encode_payload(SeparatorPayload(dossier=spec.dossier, doc_type=spec.doc_type, label=True))
    code = min(height - 2 * inset - _TEXT_BAND * mm, (width - 2 * inset) / 2 - 4 * mm)
    draw_qr(canvas, payload, x + inset, y + inset, code, border=2, error="q")
    draw_qr(canvas, payload, x + width - inset - code, y + inset, code, border=2, error="q")
    text_width = width - 2 * inset
    top = y + height - inset
    dossier_size = fit_font_size(canvas, spec.dossier, bold, 10, text_width, minimum=5, step=0.5)
    canvas.setFillGray(0)
    canvas.setFont(bold, dossier_size)
    canvas.drawString(x + inset, top - dossier_size, spec.dossier)
    line = f"{spec.doc_type} · {type_label}" if type_label and type_label.lower() != spec.doc_type else spec.doc_type
    second = f"{line} · {spec.client}" if spec.client else line
    size = fit_font_size(canvas, second, regular, 7, text_width, minimum=4.5, step=0.5)
    if canvas.stringWidth(second, regular, size) > text_width:  # too long even small: the client on a line of its own
        second = line
        size = fit_font_size(canvas, second, regular, 7, text_width, minimum=4.5, step=0.5)
    canvas.setFont(regular, size)
    canvas.drawString(x + inset, top - dossier_size - size - 1, second)
    if second == line and spec.client:
        middle = width - 2 * inset - 2 * code
        client_size = fit_font_size(canvas, spec.client, regular, 7, middle - 2 * mm, minimum=4.5, step=0.5)
        canvas.setFont(regular, client_size)
        canvas.drawCentredString(x + width / 2, y + inset + code / 2, spec.client[:60])
    canvas.setFont(regular, 4.5)
    canvas.drawCentredString(x + width / 2, y + inset + 0.5 * mm, "dsd")


def write_labels(specs: Sequence[LabelSpec], out: Path, profile: Profile, register: Register | None = None,
                 layout: LabelLayout | None = None, skip: int = 0) -> int:
    """Write label sheets to `out` (atomically), `skip` positions left free on the first sheet (already used).
    Returns the number of labels.

    Raises ConfigError for a document type the profile does not know or a dossier the register does not know.
    """
    layout = layout or LAYOUTS[DEFAULT_LAYOUT]
    if not 0 <= skip < layout.per_sheet:
        raise ConfigError(f"--skip must be between 0 and {layout.per_sheet - 1} for layout {layout.name}")
    labels: list[tuple[LabelSpec, str]] = []
    for spec in specs:
        validate_dossier(spec.dossier)
        doc_type = profile.document_type(spec.doc_type)
        client = spec.client
        if register is not None:
            entry = register.lookup(spec.dossier)
            if entry is None:
                raise ConfigError(f"dossier {spec.dossier!r} is not in the register {register.source}")
            client = client or entry.client
        if spec.count < 1:
            raise ConfigError(f"label count for dossier {spec.dossier!r} must be at least 1")
        labels += [(LabelSpec(spec.dossier, spec.doc_type, client), doc_type.label_nl)] * spec.count
    if not labels:
        raise ConfigError("no labels to print")
    font_names = fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(TITLE)
    canvas.setSubject(SUBJECT)
    canvas.setAuthor(profile.organization.name)  # else the PDF says "anonymous" and "unspecified"
    canvas.setCreator("dsd")
    _, page_height = A4
    for position, (spec, type_label) in enumerate(labels, start=skip):
        slot = position % layout.per_sheet
        if slot == 0 and position > skip:
            canvas.showPage()
        row, column = divmod(slot, layout.columns)
        x = (layout.left + column * layout.pitch_x) * mm
        y = page_height - (layout.top + row * layout.pitch_y + layout.height) * mm
        _draw_label(canvas, layout, x, y, spec, type_label, font_names)
    canvas.showPage()
    canvas.save()
    atomic_write_bytes(out, buffer.getvalue())
    return len(labels)


def read_label_csv(path: Path) -> list[LabelSpec]:
    """Labels from a CSV with columns dossier, type and optionally client and count (comma or semicolon)."""
    specs = []
    for line_no, cells in dossier_rows(path, "'client', 'count'"):
        count = cells.get("count") or "1"
        if not count.isdigit() or int(count) < 1:
            raise ConfigError(f"{path}, line {line_no}: count {count!r} is not a whole number of at least 1")
        specs.append(LabelSpec(cells["dossier"], cells["type"], cells.get("client", ""), int(count)))
    return specs
