"""`dsd qa`: the per-page quality of an archive's documents, as a rescan worklist (JSON, CSV, HTML).

Read from each dossier bag's record (metadata/documents.json, `quality` per document); documents archived before
dsd recorded quality, or by the ocrmypdf engine, have no figures and are listed as such only by `--json`'s
`unmeasured` count. The HTML report shows a thumbnail of each listed page (rendered from the archived PDF, turned
upright as a viewer shows it) next to its figures, in Dutch or French.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsd_cli.archive.dossiers import dossier_details, list_dossiers
from dsd_cli.i18n import decimal, language_label

FIELDS = ("dossier", "document", "page", "flags", "confidence", "words", "doc_type", "file", "confidence_p10",
          "orientation", "orientation_confidence", "skew_residual", "language", "ink", "text_lines")

TEXT = {
    "nl": {"title": "Kwaliteitscontrole van de OCR", "intro": "Pagina's om na te kijken (en zo nodig opnieuw te "
           "scannen): {n} van {total} gemeten pagina's.", "dossier": "Dossier", "document": "Document",
           "page": "Pagina", "flags": "Signalen", "confidence": "Gemiddelde woordzekerheid", "words": "Woorden",
           "p10": "Zekerheid (10e percentiel)", "orientation": "Oriëntatie", "skew": "Resterende scheefstand",
           "language": "Taal", "ink": "Inkt", "lines": "Tekstregels", "none": "Geen pagina om na te kijken.",
           "low-confidence": "lage herkenningszekerheid", "few-words-for-ink": "weinig woorden voor de inkt",
           "uncertain-orientation": "onzekere oriëntatie", "high-skew": "scheef",
           "unknown-language": "onbekende taal"},
    "fr": {"title": "Contrôle de qualité de l'OCR", "intro": "Pages à vérifier (et à rescanner si nécessaire) : "
           "{n} sur {total} pages mesurées.", "dossier": "Dossier", "document": "Document", "page": "Page",
           "flags": "Signaux", "confidence": "Confiance moyenne des mots", "words": "Mots",
           "p10": "Confiance (10e percentile)", "orientation": "Orientation", "skew": "Inclinaison résiduelle",
           "language": "Langue", "ink": "Encre", "lines": "Lignes de texte", "none": "Aucune page à vérifier.",
           "low-confidence": "faible confiance de reconnaissance", "few-words-for-ink": "peu de mots pour l'encre",
           "uncertain-orientation": "orientation incertaine", "high-skew": "incliné",
           "unknown-language": "langue inconnue"},
}


@dataclass(frozen=True)
class PageQuality:
    dossier: str
    document: str
    doc_type: str
    pdf: Path
    """The archived document file (for thumbnails)."""
    record: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        r = self.record
        return {"dossier": self.dossier, "document": self.document, "page": r["page"], "flags": list(r["flags"]),
                "confidence": r["confidence_mean"], "words": r["words"], "doc_type": self.doc_type,
                "file": str(self.pdf), **{k: r.get(k) for k in FIELDS[8:]}}


@dataclass(frozen=True)
class QaListing:
    pages: list[PageQuality]
    measured: int
    """Pages with a quality record (listed or not)."""
    unmeasured_documents: int


def archive_quality(archive: Path, dossier: str | None = None, flagged_only: bool = False) -> QaListing:
    """Every page with a quality record in the archive (or one dossier), optionally only the flagged ones."""
    if dossier is not None:
        bags = [dossier_details(archive, dossier)]
    else:
        bags = [dossier_details(archive, s.dossier) for s in list_dossiers(archive)]
    pages: list[PageQuality] = []
    measured = unmeasured = 0
    for details in bags:
        for doc in details.documents:
            records = doc.quality or ()
            if not records:
                unmeasured += 1
                continue
            measured += len(records)
            for record in records:
                if flagged_only and not record.get("flags"):
                    continue
                pages.append(PageQuality(dossier=details.dossier, document=doc.id, doc_type=doc.doc_type,
                                         pdf=details.bag / doc.path, record=dict(record)))
    return QaListing(pages=pages, measured=measured, unmeasured_documents=unmeasured)


def to_csv(listing: QaListing) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    for page in listing.pages:
        row = page.to_dict()
        writer.writerow([" ".join(row["flags"]) if key == "flags" else row.get(key, "") for key in FIELDS])
    return buffer.getvalue()


def thumbnail(pdf: Path, page: int, width: int = 260) -> str:
    """A JPEG data URI of the page as a viewer shows it (upright), '' when the file cannot be rendered."""
    import pypdfium2

    try:
        doc = pypdfium2.PdfDocument(str(pdf))
    except (pypdfium2.PdfiumError, OSError):
        return ""
    try:
        sheet = doc[page - 1]
        image = sheet.render(scale=width / max(1.0, sheet.get_width())).to_pil().convert("L")
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=70)
        return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    except (pypdfium2.PdfiumError, IndexError, ValueError):
        return ""
    finally:
        doc.close()


def to_html(listing: QaListing, lang: str = "nl") -> str:
    lang = lang if lang in TEXT else "nl"
    t = TEXT[lang]
    e = html.escape
    rows = []
    for page in listing.pages:
        r = page.record
        src = thumbnail(page.pdf, int(r["page"]))
        image = f'<img src="{src}" alt="{e(t["page"])} {r["page"]}">' if src else ""
        flags = ", ".join(e(t.get(f, f)) for f in r["flags"]) or "—"
        language = r["language"] or "—"
        facts = [(t["dossier"], page.dossier), (t["document"], f"{page.document} ({page.doc_type})"),
                 (t["page"], r["page"]), (t["flags"], None), (t["confidence"], decimal(r["confidence_mean"])),
                 (t["p10"], decimal(r["confidence_p10"])), (t["words"], r["words"]), (t["lines"], r["text_lines"]),
                 (t["orientation"], f"{r['orientation']}° ({decimal(r['orientation_confidence'])})"),
                 (t["skew"], f"{decimal(r['skew_residual'])}°"), (t["language"], language_label(language, lang)),
                 (t["ink"], decimal(r["ink"]))]
        cells = "".join(f"<tr><th>{e(k)}</th><td>{flags if v is None else e(str(v))}</td></tr>" for k, v in facts)
        rows.append(f'<section class="page"><div class="thumb">{image}</div><table>{cells}</table></section>')
    body = "\n".join(rows) or f"<p>{e(t['none'])}</p>"
    intro = t["intro"].format(n=len(listing.pages), total=listing.measured)
    return (f'<!DOCTYPE html>\n<html lang="{e(lang)}"><head><meta charset="utf-8"><title>{e(t["title"])}</title>'
            "<style>body{font-family:sans-serif;margin:2em}section.page{display:flex;gap:1.5em;"
            "border-top:1px solid #ccc;padding:1em 0}.thumb img{border:1px solid #999;max-width:260px}"
            "th{text-align:left;padding-right:1em;font-weight:normal;color:#555}</style></head>"
            f"<body><h1>{e(t['title'])}</h1><p>{e(intro)}</p>\n{body}\n</body></html>\n")
