"""No query of the story list, the search box, the archive filter or the export scan reads every story.

At 100,000 stories (inserted in SQL, a few seconds per engine), the services run their real calls while a
listener records every SELECT they send; each is then explained with its own parameters. SQLite: no
``SCAN stories`` step without an index (``EXPLAIN QUERY PLAN``). PostgreSQL, after ``VACUUM ANALYZE`` so the
planner knows the table: no ``Seq Scan`` on ``stories`` anywhere in the plan (``EXPLAIN (FORMAT JSON)``).
The export scan goes to the SQLite driver directly (``INDEXED BY``), so there its SQL is taken from the
driver's trace instead.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from tests import db_query

from ca_editor.domain.dates import DateRange
from ca_editor.domain.model import StoryStatus
from ca_editor.services.container import Services
from ca_editor.services.export_scope import exported_where
from ca_editor.services.exporting import _scan
from ca_editor.services.rendering import RENDERER_VERSION
from ca_editor.services.stories import StoryQuery, StorySort

STORIES = 100_000
VOCABULARY = 2_000  # words 'w0'..'w1999' in titles and bodies: a searched word is in a few dozen stories

pytestmark = pytest.mark.slow

# The stories, in one statement per engine. Titles 'Story 17 about w517 and w1034', published from 2015 over
# ten years (every 50th undated), statuses in turn. Column order as in the INSERT below.
_SQLITE_FILL = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
INSERT INTO stories (slug, title, summary, body, byline, published_at, status, tags, image_alt,
                     image_caption, image_credit, version, created_at, updated_at)
SELECT 'bulk-' || i, 'Story ' || i || ' about w' || (i * 7 % :words) || ' and w' || (i * 13 % :words),
       'Summary of story ' || i, 'Body with w' || (i * 31 % :words) || ' and more text', '',
       CASE WHEN i % 50 = 0 THEN NULL
            ELSE strftime('%Y-%m-%d %H:%M:%f', '2015-01-01', '+' || (i * 3163 % 315360000) || ' seconds') END,
       CASE i % 4 WHEN 0 THEN 'draft' WHEN 1 THEN 'ready' WHEN 2 THEN 'approved' ELSE 'published' END,
       '[]', '', '', '', 1, '2024-01-01 00:00:00.000000', '2024-01-01 00:00:00.000000'
FROM n
"""
_POSTGRES_FILL = """
INSERT INTO stories (slug, title, summary, body, byline, published_at, status, tags, image_alt,
                     image_caption, image_credit, version, created_at, updated_at)
SELECT 'bulk-' || i, 'Story ' || i || ' about w' || (i * 7 % :words) || ' and w' || (i * 13 % :words),
       'Summary of story ' || i, 'Body with w' || (i * 31 % :words) || ' and more text', '',
       CASE WHEN i % 50 = 0 THEN NULL
            ELSE timestamp '2015-01-01' + make_interval(secs => (i::bigint * 3163 % 315360000)) END,
       (ARRAY['draft', 'ready', 'approved', 'published'])[i % 4 + 1],
       '[]', '', '', '', 1, timestamp '2024-01-01', timestamp '2024-01-01'
FROM generate_series(1, :count) AS i
"""


@pytest.fixture
def big_desk(services: Services) -> Services:
    """The demo desk plus 100,000 stories, statistics fresh."""
    fill = _SQLITE_FILL if services.db.is_sqlite else _POSTGRES_FILL
    db_query.run(services, fill, {"count": STORIES, "words": VOCABULARY})
    with services.db.engine.connect() as connection:
        if services.db.is_sqlite:
            connection.exec_driver_sql("ANALYZE")
        else:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    return services


@contextmanager
def recorded(services: Services) -> Iterator[list[tuple[str, Any]]]:
    """Every SELECT the services send through SQLAlchemy while the block runs, with its parameters."""
    sent: list[tuple[str, Any]] = []

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            sent.append((statement, parameters))

    event.listen(services.db.engine, "before_cursor_execute", listen)
    try:
        yield sent
    finally:
        event.remove(services.db.engine, "before_cursor_execute", listen)


def whole_table_reads(
    services: Services, statement: str, parameters: Any, table: str = "stories"
) -> list[str]:
    """The steps of ``statement``'s plan that read every row of ``table`` (none is what we want)."""
    with services.db.engine.connect() as connection:
        if services.db.is_sqlite:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            steps = [str(row[3]) for row in plan]
            return [s for s in steps if re.match(rf"SCAN {table}( |$)", s) and "USING" not in s]
        raw = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar_one()
    nodes = list(_plan_nodes((raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]))
    return [n["Node Type"] for n in nodes if n["Node Type"] == "Seq Scan" and n.get("Relation Name") == table]


def _plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


def desk_queries(services: Services) -> list[tuple[str, Any]]:
    """What the desk asks while an editor pages, sorts, searches and filters the story list.

    Not the list's total (``count()`` with no filter): it counts every story by definition; SQLite walks its
    narrowest index, PostgreSQL reads the table or an index, whichever is smaller.
    """
    stories = services.stories
    with recorded(services) as sent:
        for sort in StorySort:
            for descending in (True, False):
                page = stories.list(StoryQuery(sort=sort, descending=descending, limit=100))
                stories.list(StoryQuery(sort=sort, descending=descending, limit=100, after=page[-1]))
        for status in StoryStatus:
            stories.list(StoryQuery(status=status, limit=100))
        for text in ("w517", "w51", "story w1034", '"about w517"', "w517 w1034"):  # words, prefix, phrase
            found = stories.list(StoryQuery(text=text, limit=100))  # newest first: services.text_pages
            if found:
                stories.list(StoryQuery(text=text, limit=100, after=found[-1]))
            stories.count(StoryQuery(text=text))
        best = stories.list(StoryQuery(text="w517", sort=StorySort.RELEVANCE, limit=20))  # ranked
        stories.list(StoryQuery(text="w517", sort=StorySort.RELEVANCE, limit=20, after=best[-1]))
        stories.list(
            StoryQuery(text="story", status=StoryStatus.DRAFT, dates=DateRange.year(2019), limit=100)
        )
        march = DateRange.month(2019, 3)  # the archive filter: a month, its list and its count
        stories.archive_buckets()
        for sort in (StorySort.PUBLISHED, StorySort.TITLE):
            stories.list(StoryQuery(dates=march, sort=sort, limit=100))
        stories.count(StoryQuery(dates=march))
        stories.list(StoryQuery(dates=march, text="story", limit=100))
        stories.list(StoryQuery(dates=DateRange.year(2020), status=StoryStatus.READY, limit=100))
    return sent


def test_no_query_reads_every_story(big_desk: Services) -> None:
    """One test per engine, so the 100,000 stories are inserted once."""
    check_desk_queries(big_desk)
    check_export_scan(big_desk)


def check_desk_queries(big_desk: Services) -> None:
    sent = desk_queries(big_desk)
    assert len(sent) >= 30
    readers = {
        statement: found
        for statement, parameters in sent
        if (found := whole_table_reads(big_desk, statement, parameters))
    }
    assert readers == {}


_CACHE_FILL = {  # a render-cache row per story, so the export scan's join meets a full cache
    "sqlite": "INSERT INTO rendered_bodies SELECT id, version, :renderer, hex(randomblob(32)), "
    "hex(randomblob(32)), hex(randomblob(150)) FROM stories",
    "postgresql": "INSERT INTO rendered_bodies SELECT id, version, :renderer, md5(id::text), md5(slug), "
    "repeat(md5(title), 10) FROM stories",
}


def check_export_scan(big_desk: Services) -> None:
    """The export scan reads the stories through an index on both engines. On SQLite it names the cache's
    covering index (``INDEXED BY``): a cache row fills most of a page there, and a lookup per story read
    them all. PostgreSQL's twin is the plain join, no hint: it hashes the cache table, whose heap stays
    narrow (a rendered body over 2 kB is kept out of line, TOAST), or takes that covering index itself
    (seen at 1.3 kB bodies); measured at 100,000 stories, 5 kB bodies: 15 MB of heap read, 0.3 s."""
    db_query.run(big_desk, _CACHE_FILL[big_desk.db.engine.dialect.name], {"renderer": RENDERER_VERSION})
    if not big_desk.db.is_sqlite:
        with big_desk.db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    section_id = big_desk.section_id()
    for include_unapproved in (False, True):
        with big_desk.db.read() as session:
            if big_desk.db.is_sqlite:
                traced: list[str] = []
                driver = session.connection().connection.driver_connection
                assert isinstance(driver, sqlite3.Connection)
                driver.set_trace_callback(traced.append)
                try:
                    _scan(session, exported_where(section_id, include_unapproved))
                finally:
                    driver.set_trace_callback(None)
                sent: list[tuple[str, Any]] = [(sql, ()) for sql in traced if "rendered_bodies" in sql]
            else:
                with recorded(big_desk) as sent:
                    _scan(session, exported_where(section_id, include_unapproved))
        assert len(sent) == 1
        statement, parameters = sent[0]
        if big_desk.db.is_sqlite:
            assert "INDEXED BY ix_rendered_bodies_scan" in statement
        assert whole_table_reads(big_desk, statement, parameters) == []
        if big_desk.db.is_sqlite:
            assert whole_table_reads(big_desk, statement, parameters, "rendered_bodies") == []
