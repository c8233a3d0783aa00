"""SQLite's newest-first search: ``stories_fts_by_date`` (migration 0020), whose rowids follow the dates.

A *date key* is the publication second shifted left 31 bits plus the story id (an undated story: its id
minus 2**62, below every dated key), so ``MATCH … ORDER BY rowid DESC LIMIT n`` streams matches newest
first and stops after ``n``: the cost follows the rows asked for, not the matches (``stories_fts``, keyed
by id, must collect and sort every match: two seconds for a common word at a million stories). Keys order
stories by the second, then the id: ``services.text_pages`` puts stories of one second in exact order.

A prefix (the last word typed) would make FTS5 merge the postings of every word it starts before the first
row; it is written instead as an OR of the known words it starts (``stories_fts_words``), which streams.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from ca_editor.persistence.search import fts5_match_expression, parse_search

ID_BITS = 31
ID_MASK = (1 << ID_BITS) - 1
UNDATED_BASE = -(1 << 62)  # an undated story's key is its id plus this
DATED_FLOOR = UNDATED_BASE + (1 << ID_BITS)  # every dated key is at least this (dates after 1901)
MAX_WORDS = 256  # a prefix starting more known words stays a prefix query (slower, still right)


def date_key_sql(row: str) -> str:
    """The date key of ``row`` (``new``, ``old`` or a table) in SQL, as the triggers of 0020 compute it."""
    return (
        f"CASE WHEN {row}.published_at IS NULL THEN {row}.id + ({UNDATED_BASE}) "
        f"ELSE (CAST(strftime('%s', {row}.published_at) AS INTEGER) << {ID_BITS}) + {row}.id END"
    )


#: Fill the index and the word list from the stories, again from scratch: migration 0020, and a bulk load
#: that dropped the triggers.
FILL = (
    "INSERT INTO stories_fts_by_date(stories_fts_by_date) VALUES ('delete-all')",
    "INSERT INTO stories_fts_by_date(rowid, title, summary, body) "  # noqa: S608 - no value spliced in
    f"SELECT {date_key_sql('stories')}, title, summary, body FROM stories",
    "CREATE VIRTUAL TABLE temp.stories_fts_all_words USING fts5vocab(main, stories_fts, 'row')",
    "INSERT OR IGNORE INTO stories_fts_words(word) SELECT term FROM temp.stories_fts_all_words",
    "DROP TABLE temp.stories_fts_all_words",
)


def second_of(moment: datetime) -> int:
    """Whole seconds since 1970 of a UTC moment (naive means UTC), as SQLite's ``strftime('%s')``."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return calendar.timegm(aware.astimezone(UTC).utctimetuple())


def dated_key(second: int) -> int:
    """The smallest key of a publication second."""
    return second << ID_BITS


def story_id(key: int) -> int:
    return key & ID_MASK


def match_expression(session: Session, typed: str) -> str | None:
    """The FTS5 query for ``typed`` with its last word's prefix spelled out as the words it starts; None when
    nothing can match (no word, or a prefix no indexed word starts)."""
    terms = parse_search(typed)
    if terms is None:
        return None
    if not terms.last_is_prefix:
        return fts5_match_expression(typed)
    words = known_words(session, terms.groups[-1][-1])
    if words is None:
        return fts5_match_expression(typed)
    if not words:
        return None
    *before, last = terms.groups
    head = [_quoted(group) for group in before]
    alternatives = [_quoted((*last[:-1], word)) for word in words]
    return " AND ".join([*head, "(" + " OR ".join(alternatives) + ")"])


def known_words(session: Session, prefix: str) -> Sequence[str] | None:
    """The indexed words ``prefix`` starts; None when there are too many, or when the prefix is not ASCII
    (the tokenizer folds other letters its own way: the caller then asks FTS5's prefix query)."""
    if not prefix.isascii():
        return None
    low = prefix.lower()
    high = low[:-1] + chr(ord(low[-1]) + 1)
    words = session.scalars(
        text("SELECT word FROM stories_fts_words WHERE word >= :low AND word < :high LIMIT :n"),
        {"low": low, "high": high, "n": MAX_WORDS + 1},
    ).all()
    return None if len(words) > MAX_WORDS else list(words)


def newest_keys(session: Session, expression: str, low: int, high: int, limit: int) -> list[int]:
    """The keys in ``[low, high)`` matching ``expression``, newest first, at most ``limit``."""
    return list(
        session.scalars(
            text(
                "SELECT rowid FROM stories_fts_by_date WHERE stories_fts_by_date MATCH :e "
                "AND rowid >= :low AND rowid < :high ORDER BY rowid DESC LIMIT :n"
            ),
            {"e": expression, "low": low, "high": high, "n": limit},
        )
    )


def _quoted(group: Sequence[str]) -> str:
    return " + ".join('"' + word.replace('"', '""') + '"' for word in group)
