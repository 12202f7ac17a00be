"""The query language of `dsd search`, and its translation into a Tantivy query.

    leefloon                 a word: its accent-folded form, its Dutch and French stems, and (words of five
                             letters or more) the words one OCR error away from it, ranked lower
    "lettre recommandée"     a phrase: these words in this order (stemmed and folded as above, never fuzzy)
    aanvra*                  a prefix
    leeflon~  leeflon~2      fuzzy on purpose, with at most 1 (default) or 2 edits
    a AND b   a b            both (AND is the default)
    a OR b                   either
    NOT a   -a               without
    ( ... )                  grouping
    SD/2024/0001  85.07.12-123.45
                             a dossier number, a national register number or an IBAN: the dossier itself, the
                             number in any punctuation, or these digits in this order

Operators are written in capitals; `and`, `or`, `not` in lower case are ordinary words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dsd_cli.errors import UsageError
from dsd_cli.safepaths import normalise_dossier
from dsd_cli.search.analysis import ANALYZER, FOLD, LANGUAGES, identifier_forms, looks_like_identifier, terms

MAX_QUERY = 1000
MAX_CLAUSES = 64
FUZZY_MIN_LENGTH = 5
EXACT_BOOST = 2.0
IDENTIFIER_BOOST = 3.0
FUZZY_BOOST = 0.3


@dataclass(frozen=True)
class Word:
    text: str
    prefix: bool = False
    fuzzy: int | None = None
    """Edits allowed when asked for with `~`; None: the default for the word's length."""


@dataclass(frozen=True)
class Phrase:
    text: str


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Word | Phrase | Not | And | Or

_TOKEN = re.compile(r'\s*(?:(?P<open>\()|(?P<close>\))|(?P<phrase>[-+]?"[^"]*"?)|(?P<word>[^\s()"]+))')
_FUZZY = re.compile(r"^(?P<word>.+?)~(?P<edits>[0-2]?)$")


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            break
        pos = match.end()
        token = match.group(match.lastgroup or "word")
        if match.lastgroup == "phrase" and (len(token.lstrip("-+")) < 2 or not token.endswith('"')):
            raise UsageError(f"the query has an unclosed quote: {token}")
        out.append(token)
    return out


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            raise UsageError(f"unexpected {self.peek()!r} in the query (a ')' too many?)")
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while self.peek() == "OR":
            self.take()
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children = [self.unary()]
        while self.peek() not in (None, ")", "OR"):
            if self.peek() == "AND":
                self.take()
            children.append(self.unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        symbol = self.peek()
        if symbol is None or symbol in (")", "AND", "OR"):
            raise UsageError("the query is incomplete: a word, a phrase or '(' is missing"
                             + (f" before {symbol!r}" if symbol else " at the end"))
        if symbol == "NOT":
            self.take()
            return Not(self.unary())
        if symbol == "(":
            self.take()
            node = self.or_expr()
            if self.peek() != ")":
                raise UsageError("the query has a '(' without its ')'")
            self.take()
            return node
        self.take()
        if symbol.startswith("-") and len(symbol) > 1:
            return Not(self.atom(symbol[1:]))
        if symbol.startswith("+") and len(symbol) > 1:
            symbol = symbol[1:]
        return self.atom(symbol)

    @staticmethod
    def atom(token: str) -> Node:
        if token.startswith('"'):
            return Phrase(token[1:-1])
        if token.endswith("*") and len(token) > 1:
            return Word(token.rstrip("*"), prefix=True)
        fuzzy = _FUZZY.match(token)
        if fuzzy:
            return Word(fuzzy.group("word"), fuzzy=int(fuzzy.group("edits") or 1))
        return Word(token)


def parse(text: str) -> Node:
    """The query as a tree. UsageError for an empty, too long or malformed query."""
    text = text.strip()
    if not text:
        raise UsageError("the query is empty")
    if len(text) > MAX_QUERY:
        raise UsageError(f"the query is longer than {MAX_QUERY} characters")
    tokens = _tokens(text)
    if len([t for t in tokens if t not in ("(", ")", "AND", "OR", "NOT")]) > MAX_CLAUSES:
        raise UsageError(f"the query has more than {MAX_CLAUSES} words")
    return _Parser(tokens).parse()


def default_edits(term: str) -> int:
    """Edits a word tolerates without `~`: none below five letters (too many other words are that close)."""
    return 1 if len(term) >= FUZZY_MIN_LENGTH else 0


@dataclass
class Highlights:
    """What makes a word of a page worth highlighting: the positive words, phrases and prefixes of a query."""

    exact: set[str] = field(default_factory=set)
    """Folded words."""
    stems: dict[str, set[str]] = field(default_factory=dict)
    """Language -> stems."""
    prefixes: set[str] = field(default_factory=set)
    fuzzy: dict[str, int] = field(default_factory=dict)
    """Folded word -> edits allowed."""


class QueryBuilder:
    """Turns a parsed query into a Tantivy query on the index's fields."""

    def __init__(self, schema: Any, lang: str | None = None, fuzzy: bool = True) -> None:
        self.schema = schema
        self.languages = (lang,) if lang else LANGUAGES
        self.fuzzy = fuzzy
        self.highlights = Highlights(stems={lang: set() for lang in self.languages})

    # ---- leaves -------------------------------------------------------------------------------------------
    def _term(self, name: str, value: str, boost: float = 1.0) -> Any:
        import tantivy

        query = tantivy.Query.term_query(self.schema, name, value)
        return tantivy.Query.boost_query(query, boost) if boost != 1.0 else query

    def _words(self, name: str, tokens: list[str], boost: float = 1.0) -> Any:
        import tantivy

        if len(tokens) == 1:
            return self._term(name, tokens[0], boost)
        query = tantivy.Query.phrase_query(self.schema, name, tokens)
        return tantivy.Query.boost_query(query, boost) if boost != 1.0 else query

    @staticmethod
    def _any(queries: list[Any]) -> Any:
        import tantivy

        if not queries:
            return tantivy.Query.empty_query()
        if len(queries) == 1:
            return queries[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])

    def _text(self, text: str, *, phrase: bool, positive: bool, fuzzy: int | None = None) -> Any:
        """A word or a phrase in the folded field and in each language's stemmed field."""
        import tantivy

        folded = terms(text, FOLD)
        if not folded:
            return tantivy.Query.empty_query()
        queries = [self._words("text", folded, EXACT_BOOST)]
        for lang in self.languages:
            stems = terms(text, ANALYZER[lang])
            queries.append(self._words(f"text_{lang}", stems))
            if positive:
                self.highlights.stems[lang].update(stems)
        if positive:
            self.highlights.exact.update(folded)
        edits = fuzzy if fuzzy is not None else (default_edits(folded[0]) if self.fuzzy else 0)
        if not phrase and len(folded) == 1 and edits:
            fuzzy_query = tantivy.Query.fuzzy_term_query(self.schema, "text", folded[0], edits, True, False)
            queries.append(tantivy.Query.boost_query(fuzzy_query, FUZZY_BOOST))
            if positive:
                self.highlights.fuzzy[folded[0]] = edits
        return self._any(queries)

    def _prefix(self, text: str, positive: bool) -> Any:
        import tantivy

        folded = terms(text, FOLD)
        if not folded:
            return tantivy.Query.empty_query()
        if positive:
            self.highlights.exact.update(folded[:-1])
            self.highlights.prefixes.add(folded[-1])
        return tantivy.Query.phrase_prefix_query(self.schema, "text", folded)

    def _identifier(self, text: str, positive: bool) -> Any:
        forms = identifier_forms(text)
        queries = [self._term("dossier", normalise_dossier(text), IDENTIFIER_BOOST)]
        queries += [self._words("text", form, EXACT_BOOST) for form in forms]
        if positive:
            for form in forms:
                self.highlights.exact.update(form)
        return self._any(queries)

    # ---- tree ---------------------------------------------------------------------------------------------
    def build(self, node: Node, positive: bool = True) -> Any:
        import tantivy

        if isinstance(node, Word):
            if node.prefix:
                return self._prefix(node.text, positive)
            if node.fuzzy is None and looks_like_identifier(node.text):
                return self._identifier(node.text, positive)
            return self._text(node.text, phrase=False, positive=positive, fuzzy=node.fuzzy)
        if isinstance(node, Phrase):
            return self._text(node.text, phrase=True, positive=positive, fuzzy=0)
        if isinstance(node, Not):
            return tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.all_query()),
                                                (tantivy.Occur.MustNot, self.build(node.child, False))])
        if isinstance(node, Or):
            return tantivy.Query.boolean_query([(tantivy.Occur.Should, self.build(c, positive))
                                                for c in node.children])
        clauses = []
        for child in node.children:
            if isinstance(child, Not):
                clauses.append((tantivy.Occur.MustNot, self.build(child.child, False)))
            else:
                clauses.append((tantivy.Occur.Must, self.build(child, positive)))
        if all(occur == tantivy.Occur.MustNot for occur, _ in clauses):
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)
