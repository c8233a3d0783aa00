"""Turn whatever an editor types into a safe full-text query, the same on SQLite and PostgreSQL.

What the search box understands: words (every one required), "a phrase in quotes" (its words next to each
other, in order), and the last word as a prefix so results follow the typing (not when the text ends with a
closing quote: a finished phrase is exact). Everything else typed is not syntax but a word separator.

FTS5 MATCH and ``to_tsquery`` are query languages: ``"abc``, ``AND``, ``NEAR(``, ``-foo``, ``!``, ``&`` or
``:*`` raise errors or change the meaning, and FTS5's ``title:x`` silently filters. User text is therefore
cut into words here (letters and digits only, as FTS5's tokenizer and PostgreSQL's parser with
``db/versions/0012`` cut the stored text) and each word is written quoted into the engine's own syntax;
on PostgreSQL the query text goes in as a bound parameter too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Double,
    Integer,
    Select,
    cast,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_PIECE = re.compile(r'"(?P<phrase>[^"]*)(?P<closed>"?)|(?P<words>[^"]+)')
MAX_TOKENS = 16
SEARCH_CONFIG = "ca_editor_search"  # the text search configuration of db/versions/0012


@dataclass(frozen=True, slots=True)
class SearchTerms:
    """What the text asks for: groups of words (one word, or a phrase), and whether the last is a prefix."""

    groups: tuple[tuple[str, ...], ...]
    last_is_prefix: bool


def parse_search(text: str) -> SearchTerms | None:
    """The words and phrases of ``text`` (at most ``MAX_TOKENS`` words), or None when it holds no word."""
    groups: list[tuple[str, ...]] = []
    budget = MAX_TOKENS
    closed = False
    for piece in _PIECE.finditer(unicodedata.normalize("NFC", text)):
        if budget <= 0:
            break
        if piece.group("words") is not None:
            found = [(word,) for word in _WORD.findall(piece.group("words"))][:budget]
            budget -= len(found)
            closed = closed and not found
        else:
            phrase = tuple(_WORD.findall(piece.group("phrase"))[:budget])
            found = [phrase] if phrase else []
            budget -= len(phrase)
            closed = bool(piece.group("closed")) if phrase else closed
        groups += found
    if not groups:
        return None
    return SearchTerms(tuple(groups), last_is_prefix=not closed)


def search_tokens(text: str) -> list[str]:
    terms = parse_search(text)
    return [word for group in terms.groups for word in group] if terms else []


def fts5_match_expression(text: str) -> str | None:
    """An FTS5 query: each word quoted, a phrase's words joined by ``+``, the prefix star outside quotes."""
    terms = parse_search(text)
    if terms is None:
        return None
    groups = [['"' + word.replace('"', '""') + '"' for word in group] for group in terms.groups]
    if terms.last_is_prefix:
        groups[-1][-1] += "*"
    return " ".join(" + ".join(group) for group in groups)


def tsquery_text(text: str) -> str | None:
    """A ``to_tsquery`` text: each word a quoted lexeme, a phrase's words joined by ``<->``, ``:*`` last."""
    terms = parse_search(text)
    if terms is None:
        return None
    groups = [
        ["'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in group]
        for group in terms.groups
    ]
    if terms.last_is_prefix:
        groups[-1][-1] += ":*"
    return " & ".join("(" + " <-> ".join(group) + ")" if len(group) > 1 else group[0] for group in groups)


def fts5_story_ids(expression: str) -> Select[tuple[int]]:
    """``SELECT rowid FROM stories_fts WHERE stories_fts MATCH :expression`` (SQLite only)."""
    return select(_FTS_TABLE.c.rowid).where(literal_column("stories_fts").op("MATCH")(expression))


def tsvector_matches(query_text: str) -> ColumnElement[bool]:
    """``stories.search_vector @@ to_tsquery('ca_editor_search', :query)`` (PostgreSQL only; GIN-indexed)."""
    config: ColumnElement[str] = literal_column(f"'{SEARCH_CONFIG}'::regconfig")
    return _SEARCH_VECTOR.bool_op("@@")(func.to_tsquery(config, query_text))


def tsvector_rank(query_text: str) -> ColumnElement[float]:
    """``ts_rank(stories.search_vector, to_tsquery(…))``: higher is a better match (PostgreSQL only)."""
    config: ColumnElement[str] = literal_column(f"'{SEARCH_CONFIG}'::regconfig")
    # As double precision: ts_rank's real would come back rounded, and a page's cursor compare unequal.
    rank: ColumnElement[float] = cast(
        func.ts_rank(_SEARCH_VECTOR, func.to_tsquery(config, query_text)), Double
    )
    return rank


def fts5_matches(expression: str) -> ColumnElement[bool]:
    """``stories_fts MATCH :expression``, for a statement joined to ``FTS5_TABLE`` (SQLite only)."""
    matches: ColumnElement[bool] = literal_column("stories_fts").op("MATCH")(expression)
    return matches


def fts5_rank() -> ColumnElement[float]:
    """``bm25(stories_fts)`` of a matching row: lower is a better match (SQLite only)."""
    rank: ColumnElement[float] = func.bm25(literal_column("stories_fts"))
    return rank


FTS5_TABLE = _FTS_TABLE = table("stories_fts", column("rowid", Integer))
# Not an ORM column: it exists on PostgreSQL only (a generated column, db/versions/0012).
_SEARCH_VECTOR = literal_column("stories.search_vector", TSVECTOR)
