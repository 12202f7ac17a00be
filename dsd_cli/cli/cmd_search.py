"""`dsd search`: full-text search over the archive's pages, grouped by dossier."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from dsd_cli.cli.options import ArchiveOption
from dsd_cli.cli.output import JsonOption, print_json, result_line, styled, warn

if TYPE_CHECKING:
    from rich.text import Text

    from dsd_cli.search.searching import SearchHit, SearchResults

SEARCH_HELP = """Search the text of every archived page, in Dutch and French, with OCR errors.

Words match their inflected forms (aanvragen finds aanvraag, décisions finds décision) and, from five letters
on, words one OCR error away (leeflcon finds leefloon) ranked lower; --exact turns that off. "Quotes" make a
phrase, aanvra* a prefix, leeflon~2 allows two errors; AND (the default), OR, NOT or -word, and ( ) combine
them. Dossier numbers, national register numbers and IBANs are found whatever their punctuation.

Results are grouped by dossier, each page with its document, score and a snippet; a legal hold is shown. Every
search is recorded in the audit log (who, when, which dossiers were returned; the query only as a keyed hash).

Exit codes: 0 searched (also when no page matches), 9 no such archive or no search index yet (`dsd index`), 2 a
query that cannot be read (an unclosed quote), a bad date or another wrong command line (full table: dsd --help).

Examples:

  dsd search leefloon --archive /srv/archive

  dsd search '"lettre recommandée"' --archive /srv/archive --lang fr --from 2024-01-01 --to 2024-12-31

  dsd search 'Peeters AND (aanvraag OR beslissing)' --archive /srv/archive --dossier SD/2024/0001 --json
"""


def _snippet(hit: SearchHit) -> Text:
    from rich.text import Text

    text = Text(hit.snippet)  # OCR text from a letter: never markup
    for start, end in hit.highlights:
        text.stylize("bold reverse", start, end)
    return text


def _render(results: SearchResults) -> None:
    from dsd_cli.cli.tables import Column, print_table

    if not results.hits:
        result_line("no page matches")
        return
    columns = (Column("document", keep=True), Column("type", keep=True), Column("page", keep=True, justify="right"),
               Column("date", keep=True), Column("score", keep=True, justify="right"), Column("snippet"))
    for dossier, hits in results.by_dossier():
        held = any(h.legal_hold for h in hits)
        title = styled(("Dossier ", "bold"), (dossier, "bold"), *((("  — under legal hold", "bold yellow"),)
                                                                   if held else ()))
        print_table(title, columns, [(h.document, h.doc_type, h.page, h.date, f"{h.score:.2f}", _snippet(h))
                                     for h in hits])
    shown = len(results.hits)
    more = f" (the best {shown} shown: --limit for more)" if results.total > shown else ""
    result_line(f"{results.total} page(s) match{more}")


def register(app: typer.Typer) -> None:
    @app.command("search", help=SEARCH_HELP)
    def search_command(
        query: Annotated[str, typer.Argument(metavar="QUERY",
                                             help="Words, \"phrases\", prefix*, AND / OR / NOT, ( ).")],
        archive: ArchiveOption,
        dossier: Annotated[str | None, typer.Option("--dossier", "-d", metavar="DOSSIER",
                                                    help="Only this dossier.")] = None,
        doc_type: Annotated[str | None, typer.Option("--type", "-t", metavar="TYPE",
                                                     help="Only this document type.")] = None,
        date_from: Annotated[str | None, typer.Option("--from", metavar="DATE",
                                                      help="Documents dated on or after (YYYY-MM-DD).")] = None,
        date_to: Annotated[str | None, typer.Option("--to", metavar="DATE",
                                                    help="Documents dated on or before (YYYY-MM-DD).")] = None,
        lang: Annotated[str | None, typer.Option("--lang", metavar="nl|fr",
                                                 help="Only pages in Dutch or French (with its stemming).")] = None,
        limit: Annotated[int, typer.Option("--limit", "-n", metavar="N", help="How many pages to show.")] = 20,
        exact: Annotated[bool, typer.Option("--exact", help="No matches one OCR error away.")] = False,
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.cli.inputs import existing_archive
        from dsd_cli.retention.due import parse_day
        from dsd_cli.search.searching import SearchRequest, search_archive

        existing_archive(archive)
        request = SearchRequest(query=query, dossier=dossier, doc_type=doc_type,
                                date_from=parse_day(date_from, "--from") if date_from else None,
                                date_to=parse_day(date_to, "--to") if date_to else None,
                                lang=lang, limit=limit, fuzzy=not exact)
        results = search_archive(archive, request)
        for message in results.warnings:
            warn(message)
        if json_output:
            print_json(results.to_dict())
            return
        _render(results)
