"""The table of contents of an export: as CSV and as one self-contained HTML page (no scripts, no outside links).

Labels are Dutch by default and French with `lang="fr"`.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from typing import Any

from dsd_cli.i18n import moment_for_people, with_colon

LABELS = {
    "nl": {"title": "Inhoudstafel van de export", "dossier": "Dossier", "document": "Document",
           "doc_type": "Documenttype", "date": "Datum", "pages": "Pagina's", "sha256": "Controlegetal (SHA-256)",
           "file": "Bestand", "created": "Gemaakt op", "by": "door", "criteria": "Selectie",
           "count": "documenten", "count_one": "document", "lang": "nl"},
    "fr": {"title": "Table des matières de l'export", "dossier": "Dossier", "document": "Document",
           "doc_type": "Type de document", "date": "Date", "pages": "Pages", "sha256": "Empreinte (SHA-256)",
           "file": "Fichier", "created": "Créé le", "by": "par", "criteria": "Sélection",
           "count": "documents", "count_one": "document", "lang": "fr"},
}
COLUMNS = ("dossier", "document", "doc_type", "date", "pages", "sha256", "file")


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _value(row: dict[str, Any], column: str, lang: str) -> str:
    if column == "doc_type":
        label = row.get(f"label_{lang}") or ""
        return f"{label} ({row['doc_type']})" if label else str(row["doc_type"])
    return str(row[column])


def index_csv(rows: Sequence[dict[str, Any]], lang: str) -> str:
    labels = LABELS[lang]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([labels[c] for c in COLUMNS])
    for row in rows:
        writer.writerow([_cell(_value(row, c, lang)) for c in COLUMNS])
    return out.getvalue()


def index_html(rows: Sequence[dict[str, Any]], lang: str, *, created: str, by: str, criteria: str,
               link_prefix: str = "") -> str:
    """`link_prefix` leads from the page's folder to the folder the rows' `file` paths start in."""
    labels = LABELS[lang]
    e = html.escape
    head = "".join(f"<th>{e(labels[c])}</th>" for c in COLUMNS)
    body = []
    for row in rows:
        cells = [e(_value(row, c, lang)) for c in COLUMNS[:-1]]
        cells[5] = f"<code>{cells[5]}</code>"
        link = e(link_prefix + str(row["file"]), quote=True)
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells)
                    + f'<td><a href="{link}">{e(str(row["file"]))}</a></td></tr>')
    style = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
             "th,td{border:1px solid #999;padding:.3em .6em;text-align:left;vertical-align:top}"
             "th{background:#eee}code{font-size:.8em;word-break:break-all}")
    return (f'<!DOCTYPE html>\n<html lang="{labels["lang"]}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">\n'
            f"<title>{e(labels['title'])}</title>\n<style>{style}</style>\n</head>\n<body>\n"
            f"<h1>{e(labels['title'])}</h1>\n"
            f"<p>{e(labels['created'])} {e(moment_for_people(created))} {e(labels['by'])} {e(by)} — {len(rows)} "
            f"{e(labels['count_one'] if len(rows) == 1 else labels['count'])}</p>\n"
            f"<p>{e(with_colon(labels['criteria'], lang))} {e(criteria)}</p>\n"
            f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body)
            + "\n</tbody>\n</table>\n</body>\n</html>\n")
