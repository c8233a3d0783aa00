"""User text becomes a safe FTS5 query: checked against a real SQLite FTS5 table, not against strings."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from ca_editor.persistence.search import (
    MAX_TOKENS,
    fts5_match_expression,
    fts5_story_ids,
    like_pattern,
    search_tokens,
)

ROWS = {
    1: ("Kazakh title news", "Astana hosts a summit"),
    2: ("Uzbek cotton harvest", "the title of the Kazakhstan report"),
    3: ("Қазақстан жаңалықтары", "Тоқаев ратифицировал договор"),
    4: ("Café culture in Bishkek", "a résumé of events"),
    5: ("AND NEAR OR NOT", "query operators as plain words"),
    6: ('He said "abc" twice', "O'Neil was quoted"),
    7: ("Cotton prices", "title-free text about markets"),
}


@pytest.fixture(scope="module")
def fts() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(title, body)")
    connection.executemany(
        "INSERT INTO t(rowid, title, body) VALUES (?, ?, ?)",
        [(rowid, title, body) for rowid, (title, body) in ROWS.items()],
    )
    yield connection
    connection.close()


def _search(connection: sqlite3.Connection, user_text: str) -> set[int] | None:
    expression = fts5_match_expression(user_text)
    if expression is None:
        return None
    return {row[0] for row in connection.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,))}


def test_the_fixture_table_really_is_a_query_language(fts: sqlite3.Connection) -> None:
    # Guard for the tests below: raw user text does break or filter an FTS5 MATCH.
    for raw in ['"abc', "AND", "NEAR(", "-foo"]:
        with pytest.raises(sqlite3.OperationalError):
            fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (raw,)).fetchall()
    raw_column_filter = {r[0] for r in fts.execute("SELECT rowid FROM t WHERE t MATCH ?", ("title:kazakh",))}
    assert raw_column_filter == {1}  # silently searched only the title column


@pytest.mark.parametrize(
    ("user_text", "expected"),
    [
        ('"abc', {6}),  # unbalanced quote
        ("AND", {5}),  # operator as a word
        ("NEAR(", {5}),  # half a NEAR group
        ("NOT", {5}),
        ("-foo", set()),  # no 'foo' anywhere: an empty result, not an error
        ("-cotton", {2, 7}),  # minus is not negation
        ("title:kazakh", {1, 2}),  # 'title' and 'kazakh…' anywhere, not a column filter
        ("kazakh title", {1}),  # only the last word is a prefix: Kazakhstan does not count
        ("a OR b", set()),  # every word required, OR is a word too
        ("cotton OR summit", set()),
        ("cotton harvest", {2}),
        ("^cotton", {2, 7}),  # no start-of-column anchor either
        ("NEAR(title kazakh, 2)", set()),
        ("{title body}: astana", set()),
        ("o'neil", {6}),  # 'o' and 'neil*', as FTS5 itself splits O'Neil
        ("O'Neil was", {6}),
    ],
)
def test_hostile_text_is_searched_as_plain_words(
    fts: sqlite3.Connection, user_text: str, expected: set[int]
) -> None:
    assert _search(fts, user_text) == expected


@pytest.mark.parametrize(
    ("user_text", "expected"),
    [
        ("қазақ", {3}),  # prefix of Қазақстан, lower-cased
        ("ҚАЗАҚСТАН", {3}),
        ("тоқаев договор", {3}),
        ("café", {4}),
        ("cafe", {4}),  # FTS5's unicode61 removes diacritics
        ("cafe\u0301", {4}),  # decomposed accent
        ("résumé", {4}),
    ],
)
def test_unicode_words_are_found(fts: sqlite3.Connection, user_text: str, expected: set[int]) -> None:
    assert _search(fts, user_text) == expected


def test_only_the_last_word_is_a_prefix(fts: sqlite3.Connection) -> None:
    assert _search(fts, "kaz") == {1, 2}  # Kazakh, Kazakhstan
    assert _search(fts, "kazakh") == {1, 2}
    assert _search(fts, "kaz title") == set()  # 'kaz' alone is a whole word here
    assert _search(fts, "title kaz") == {1, 2}


def test_words_are_case_insensitive(fts: sqlite3.Connection) -> None:
    assert _search(fts, "ASTANA") == _search(fts, "astana") == {1}


@pytest.mark.parametrize("user_text", ["", "   ", "*", "'", '"', "-", "()", "!?!", "—…", ":", "\x00", "🙂"])
def test_text_without_words_gives_none(user_text: str) -> None:
    assert fts5_match_expression(user_text) is None


def test_every_token_is_quoted_and_the_last_gets_a_star_outside_the_quotes() -> None:
    assert fts5_match_expression('title:kazakh "abc') == '"title" "kazakh" "abc"*'


def test_tokens_are_capped() -> None:
    words = [f"w{i}" for i in range(MAX_TOKENS + 10)]
    assert search_tokens(" ".join(words)) == words[:MAX_TOKENS]
    expression = fts5_match_expression(" ".join(words))
    assert expression is not None
    assert expression.count('"') == 2 * MAX_TOKENS


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60))
def test_any_text_gives_none_or_an_expression_fts5_accepts(fts: sqlite3.Connection, user_text: str) -> None:
    expression = fts5_match_expression(user_text)
    if expression is None:
        assert search_tokens(user_text) == []
        return
    fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()  # must not raise


@given(
    words=st.lists(st.from_regex(r"[a-z]{2,8}", fullmatch=True), min_size=1, max_size=6),
    punctuation=st.sampled_from([" ", ' "', " -", ":", " (", "*", "^", " + ", ") ", "'"]),
)
def test_a_row_containing_all_the_words_is_found(words: list[str], punctuation: str) -> None:
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("CREATE VIRTUAL TABLE t USING fts5(title, body)")
        connection.execute("INSERT INTO t(rowid, title, body) VALUES (1, ?, 'filler')", (" ".join(words),))
        connection.execute("INSERT INTO t(rowid, title, body) VALUES (2, '0000', '1111')")
        found = _search(connection, punctuation.join(words))
    finally:
        connection.close()
    assert found == {1}


def test_fts5_story_ids_selects_matching_rowids_from_stories_fts() -> None:
    engine = create_engine("sqlite://")
    try:
        with engine.connect() as connection:
            connection.execute(text("CREATE VIRTUAL TABLE stories_fts USING fts5(title, summary, body)"))
            connection.execute(
                text(
                    "INSERT INTO stories_fts(rowid, title, summary, body) VALUES "
                    "(10, 'Kazakh news', '', 'a title'), (20, 'Uzbek news', 'kazakh', ''), (30, 'x', '', '')"
                )
            )

            def ids(user_text: str) -> list[int]:
                expression = fts5_match_expression(user_text)
                assert expression is not None
                return sorted(connection.execute(fts5_story_ids(expression)).scalars())

            assert ids("kazakh") == [10, 20]
            assert ids("title:kazakh") == [10]
            assert ids('news"; DROP TABLE stories_fts; --') == []
            assert connection.execute(text("SELECT count(*) FROM stories_fts")).scalar_one() == 3
    finally:
        engine.dispose()


# --- like_pattern ---------------------------------------------------------------------------------------


def test_like_pattern_wraps_the_token_in_wildcards() -> None:
    assert like_pattern("cotton") == "%cotton%"


@pytest.mark.parametrize(
    ("token", "expected"),
    [("50%", "%50\\%%"), ("snake_case", "%snake\\_case%"), ("a\\b", "%a\\\\b%"), ("%_\\", "%\\%\\_\\\\%")],
)
def test_like_pattern_escapes_like_wildcards_and_the_escape_character(token: str, expected: str) -> None:
    assert like_pattern(token) == expected


@pytest.mark.parametrize(
    ("token", "matches"),
    [
        ("50%", {"up 50% today"}),
        ("snake_case", {"snake_case here"}),
        ("a\\b", {"path a\\b"}),
        ("cotton", {"Cotton prices", "cotton"}),
    ],
)
def test_like_pattern_matches_only_the_literal_token_in_sqlite(token: str, matches: set[str]) -> None:
    values = ["up 50% today", "up 50 today", "up 500 today", "snake_case here", "snakeXcase here"]
    values += ["path a\\b", "path ab", "Cotton prices", "cotton"]
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("CREATE TABLE s (v TEXT)")
        connection.executemany("INSERT INTO s VALUES (?)", [(v,) for v in values])
        found = {
            row[0]
            for row in connection.execute(
                "SELECT v FROM s WHERE v LIKE ? ESCAPE '\\'", (like_pattern(token),)
            )
        }
    finally:
        connection.close()
    assert found == matches
