"""Turn whatever an editor types into a safe full-text query.

FTS5 MATCH is a query language: ``"abc``, ``AND``, ``NEAR(`` or ``-foo`` raise errors and ``title:x`` silently
filters. Every token is therefore quoted (inner quotes doubled), so user text is only ever words; the last
token gets a prefix star (outside the quotes) so results follow the typing.
"""

from __future__ import annotations

import re

from sqlalchemy import Integer, Select, column, literal_column, select, table

_TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_TOKENS = 16


def search_tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)[:MAX_TOKENS]


def fts5_match_expression(text: str) -> str | None:
    tokens = search_tokens(text)
    if not tokens:
        return None
    quoted = ['"' + token.replace('"', '""') + '"' for token in tokens]
    quoted[-1] += "*"
    return " ".join(quoted)


def like_pattern(token: str) -> str:
    """A LIKE pattern for one token, with LIKE's own wildcards escaped (backslash is the escape)."""
    escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fts5_story_ids(expression: str) -> Select[tuple[int]]:
    """``SELECT rowid FROM stories_fts WHERE stories_fts MATCH :expression`` (SQLite only)."""
    return select(_FTS_TABLE.c.rowid).where(literal_column("stories_fts").op("MATCH")(expression))


_FTS_TABLE = table("stories_fts", column("rowid", Integer))
