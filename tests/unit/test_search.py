"""User text becomes a safe FTS5 query: checked against a real SQLite FTS5 table, not against strings.

The PostgreSQL twin (``tsquery_text``) is checked against a real server in
tests/integration/test_search_engines.py; here only its shape.
"""

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
    parse_search,
    search_tokens,
    tsquery_text,
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


# --- phrases ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_text", "expected"),
    [
        ('"cotton harvest"', {2}),  # the words next to each other, in order
        ('"harvest cotton"', set()),
        ('"cotton prices"', {7}),
        ('"title of the"', {2}),
        ('"title of the', {2}),  # an open quote while typing: a phrase with a prefix last word
        ('"kazakh title', {1}),  # 'kazakh' then 'title…' right after
        ('"title kazakh', set()),  # not in that order anywhere
        ('"kazakh titl"', set()),  # a closed phrase is exact: no prefix
        ('"cotton harv', {2}),
        ('uzbek "cotton harvest"', {2}),
        ('"said abc" twice', {6}),  # the quotes in the text itself are punctuation
    ],
)
def test_quoted_words_are_a_phrase(fts: sqlite3.Connection, user_text: str, expected: set[int]) -> None:
    assert _search(fts, user_text) == expected


def test_phrases_and_prefixes_in_both_syntaxes() -> None:
    text = 'uzbek "cotton harv'
    assert fts5_match_expression(text) == '"uzbek" "cotton" + "harv"*'
    assert tsquery_text(text) == "'uzbek' & ('cotton' <-> 'harv':*)"
    assert tsquery_text('"big cat" ') == "('big' <-> 'cat')"  # finished phrase: exact
    assert tsquery_text("a & | ! ( ) :* b") == "'a' & 'b':*"  # operators are only separators
    terms = parse_search('x "" y')
    assert terms is not None
    assert terms.groups == (("x",), ("y",))
    assert terms.last_is_prefix


@pytest.mark.parametrize("user_text", ["", "   ", "*", "'", '"', '""', "\\", "&|!():*<->", "\x00"])
def test_no_word_no_tsquery(user_text: str) -> None:
    assert tsquery_text(user_text) is None


@given(st.text(max_size=80))
def test_a_tsquery_lexeme_is_only_letters_and_digits(user_text: str) -> None:
    query = tsquery_text(user_text)
    if query is None:
        assert parse_search(user_text) is None
        return
    lexemes = query.split("'")[1::2]
    assert lexemes
    assert all(lexeme.isalnum() for lexeme in lexemes)
