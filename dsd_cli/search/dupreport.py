"""The duplicate groups for people: an HTML page with the pages side by side as thumbnails, or a CSV.

The HTML is self-contained (thumbnails embedded, no scripts, no external resources), in Dutch by default or in
French, every value from the archive escaped. It shows pages of people's letters: it is written readable by its
owner only.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import io
from pathlib import Path

from dsd_cli import __version__
from dsd_cli.errors import UsageError
from dsd_cli.fsutil import atomic_writer
from dsd_cli.i18n import moment_for_people
from dsd_cli.safepaths import child_path, dossier_path
from dsd_cli.search.duplicates import DuplicateReport, GroupMember

THUMB_WIDTH = 220
MAX_THUMBS = 4
"""Pages shown per document of a group (the list names all of them)."""

LABELS = {
    "nl": {"title": "Dubbele documenten", "exact": "exacte kopie", "near": "zelfde brief, opnieuw gescand",
           "group": "Groep", "similarity": "gelijkenis", "dossier": "Dossier", "document": "Document",
           "type": "Type", "pages": "Pagina's", "none": "Geen dubbele documenten gevonden.",
           "made": "Gemaakt op", "by": "door", "looked": "pagina's bekeken",
           "note": "Niets is verwijderd: welk exemplaar bewaard blijft, beslist een archivaris.",
           "missing": "pagina niet beschikbaar"},
    "fr": {"title": "Documents en double", "exact": "copie exacte", "near": "même lettre, scannée à nouveau",
           "group": "Groupe", "similarity": "similarité", "dossier": "Dossier", "document": "Document",
           "type": "Type", "pages": "Pages", "none": "Aucun document en double.",
           "made": "Établi le", "by": "par", "looked": "pages examinées",
           "note": "Rien n'a été supprimé : l'exemplaire à conserver est choisi par un archiviste.",
           "missing": "page indisponible"},
}

STYLE = """body{font-family:sans-serif;margin:2em;color:#222}h1{font-size:1.4em}
section{border:1px solid #ccc;margin:1em 0;padding:.8em}h2{font-size:1.1em;margin:0 0 .5em}
.docs{display:flex;gap:1.5em;flex-wrap:wrap}.doc{max-width:480px}.doc p{margin:.2em 0}
img{border:1px solid #999;margin:.3em .3em 0 0;width:220px}.missing{color:#a00}"""


def _thumbnail(archive: Path, member: GroupMember, page: int) -> str | None:
    """A JPEG data URI of one page, None when it cannot be rendered (the bag changed since indexing)."""
    import pypdfium2

    try:
        pdf_path = child_path(dossier_path(archive, member.dossier), *member.path.split("/"))
        document = pypdfium2.PdfDocument(str(pdf_path))
    except (OSError, pypdfium2.PdfiumError, ValueError):
        return None
    try:
        if not 1 <= page <= len(document):
            return None
        pdf_page = document[page - 1]
        image = pdf_page.render(scale=THUMB_WIDTH / pdf_page.get_width()).to_pil().convert("L")
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=70)
        return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    except pypdfium2.PdfiumError:
        return None
    finally:
        document.close()


def duplicates_html(archive: Path, report: DuplicateReport, lang: str = "nl") -> str:
    if lang not in LABELS:
        raise UsageError(f"--lang {lang!r}: choose nl or fr")
    t = LABELS[lang]
    e = html.escape
    made = moment_for_people(dt.datetime.now(dt.UTC))
    parts = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{e(t["title"])}</title>'
             f"<style>{STYLE}</style></head><body><h1>{e(t['title'])}</h1>",
             f"<p>{e(t['made'])} {e(made)} {e(t['by'])} dsd {e(__version__)} — {report.pages} {e(t['looked'])}. "
             f"{e(t['note'])}</p>"]
    if not report.groups:
        parts.append(f"<p>{e(t['none'])}</p>")
    for number, group in enumerate(report.groups, start=1):
        parts.append(f"<section><h2>{e(t['group'])} {number} — {e(t[group.kind])} — {e(t['similarity'])} "
                     f"{group.similarity:.2f}</h2><div class=\"docs\">")
        for member in group.documents:
            parts.append(f"<div class=\"doc\"><p><b>{e(t['dossier'])}</b> {e(member.dossier)}</p>"
                         f"<p><b>{e(t['document'])}</b> {e(member.document)} ({e(member.path)})</p>"
                         f"<p><b>{e(t['type'])}</b> {e(member.doc_type)}</p>"
                         f"<p><b>{e(t['pages'])}</b> {e(', '.join(map(str, member.pages)))}</p>")
            for page in member.pages[:MAX_THUMBS]:
                uri = _thumbnail(archive, member, page)
                if uri is None:
                    parts.append(f"<p class=\"missing\">{page}: {e(t['missing'])}</p>")
                else:
                    parts.append(f"<img src=\"{uri}\" alt=\"{e(member.document)} p. {page}\">")
            parts.append("</div>")
        parts.append("</div></section>")
    parts.append("</body></html>\n")
    return "".join(parts)


def write_html(archive: Path, report: DuplicateReport, target: Path, lang: str = "nl") -> None:
    text = duplicates_html(archive, report, lang)
    with atomic_writer(target, mode=0o600) as handle:
        handle.write(text.encode("utf-8"))


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def duplicates_csv(report: DuplicateReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["group", "kind", "similarity", "dossier", "document", "type", "pages"])
    for number, group in enumerate(report.groups, start=1):
        for m in group.documents:
            writer.writerow([number, group.kind, f"{group.similarity:.4f}", _cell(m.dossier), _cell(m.document),
                             _cell(m.doc_type), " ".join(map(str, m.pages))])
    return out.getvalue()
