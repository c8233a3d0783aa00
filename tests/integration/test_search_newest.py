"""Search newest first (issue 18): the fast pages hold the plain statement's rows, in its order; cancelling.

The plain statement is what the list sent before (every match, sorted): ``StoryService.list`` still sends it
for an unlimited query, so each case compares the pages read 37 at a time (``after`` cursors) with it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from tests import db_query

from ca_editor.domain.dates import DateRange
from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.model import StoryFields, StoryStatus
from ca_editor.services.cancellation import Cancellation, QueryCancelled
from ca_editor.services.container import Services
from ca_editor.services.stories import StoryQuery

COUNT = 1_500
WORDS = ("amber", "basalt", "cobalt", "delta", "ember", "fjord", "garnet", "harbor")

# Story i: words chosen by i (so each word is in a different share of the stories), every 40th undated,
# every 7th sharing one second with the story before it but earlier within it (a larger id, an earlier
# moment: the exact order is not the id order there), the status by i.
_SQLITE_FILL = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
INSERT INTO stories (slug, title, summary, body, byline, published_at, status, tags, image_alt,
                     image_caption, image_credit, version, created_at, updated_at)
SELECT 'n-' || i,
       'Story ' || i || CASE WHEN i % 2 = 0 THEN ' amber' ELSE '' END
           || CASE WHEN i % 3 = 0 THEN ' basalt' ELSE '' END
           || CASE WHEN i % 97 = 0 THEN ' zircon' ELSE '' END,
       CASE WHEN i % 5 = 0 THEN 'amber basalt together' ELSE 'cobalt delta' END, 'Body ' || i, '',
       CASE WHEN i % 40 = 0 THEN NULL
            ELSE strftime('%Y-%m-%d %H:%M:%f', '2016-01-01',
                          '+' || ((i - (i % 7 = 0)) * 7919 % 300000000) || ' seconds',
                          '+' || CASE WHEN i % 7 = 0 THEN '0.25' ELSE '0.5' END || ' seconds')
                 || '000' END,  -- microseconds, as the app stores them (text compares on SQLite)
       CASE i % 4 WHEN 0 THEN 'draft' WHEN 1 THEN 'ready' WHEN 2 THEN 'approved' ELSE 'published' END,
       '[]', '', '', '', 1, '2024-01-01 00:00:00.000000', '2024-01-01 00:00:00.000000'
FROM n
"""
_POSTGRES_FILL = """
INSERT INTO stories (slug, title, summary, body, byline, published_at, status, tags, image_alt,
                     image_caption, image_credit, version, created_at, updated_at)
SELECT 'n-' || i,
       'Story ' || i || CASE WHEN i % 2 = 0 THEN ' amber' ELSE '' END
           || CASE WHEN i % 3 = 0 THEN ' basalt' ELSE '' END
           || CASE WHEN i % 97 = 0 THEN ' zircon' ELSE '' END,
       CASE WHEN i % 5 = 0 THEN 'amber basalt together' ELSE 'cobalt delta' END, 'Body ' || i, '',
       CASE WHEN i % 40 = 0 THEN NULL
            ELSE timestamp '2016-01-01'
                 + make_interval(secs => ((i - (i % 7 = 0)::int)::bigint * 7919 % 300000000))
                 + CASE WHEN i % 7 = 0 THEN interval '0.25 seconds' ELSE interval '0.5 seconds' END END,
       (ARRAY['draft', 'ready', 'approved', 'published'])[i % 4 + 1],
       '[]', '', '', '', 1, timestamp '2024-01-01', timestamp '2024-01-01'
FROM generate_series(1, :count) AS i
"""


@pytest.fixture
def archive(services: Services) -> Services:
    db_query.run(services, _SQLITE_FILL if services.db.is_sqlite else _POSTGRES_FILL, {"count": COUNT})
    return services


def paged(services: Services, query: StoryQuery, size: int = 37) -> list[int]:
    ids: list[int] = []
    after = None
    while True:
        page = services.stories.list(replace(query, limit=size, after=after))
        ids += [story.id for story in page]
        if len(page) < size:
            return ids
        after = page[-1]


def plain(services: Services, query: StoryQuery) -> list[int]:
    return [story.id for story in services.stories.list(replace(query, limit=None))]


@pytest.mark.parametrize(
    ("typed", "status", "dates"),
    [
        ("amber", None, None),  # half the stories
        ("zircon", None, None),  # one in 97
        ("am", None, None),  # a prefix: every word it starts
        ("b", None, None),  # one letter: basalt, body
        ('"amber basalt"', None, None),  # a phrase
        ('"amber basalt', None, None),  # a phrase still being typed: its last word a prefix
        ("amber cob", None, None),  # two words, the last a prefix
        ("amber", StoryStatus.DRAFT, None),
        ("basalt", StoryStatus.READY, DateRange(date(2016, 2, 1), date(2016, 3, 31))),
        ("nowhere", None, None),  # no word starts it
    ],
)
def test_newest_first_pages_hold_the_plain_statements_rows(
    archive: Services, typed: str, status: StoryStatus | None, dates: DateRange | None
) -> None:
    query = StoryQuery(text=typed, status=status, dates=dates or DateRange())
    expected = plain(archive, query)
    assert paged(archive, query) == expected
    assert (
        archive.stories.list(replace(query, limit=200))
        == archive.stories.list(replace(query, limit=None))[:200]
    )
    if typed != "nowhere":
        assert expected


def test_stories_of_one_second_come_in_exact_order(archive: Services) -> None:
    found = archive.stories.list(StoryQuery(text="amber", limit=400))
    moments = [(story.published_at, story.id) for story in found if story.published_at is not None]
    assert moments == sorted(moments, reverse=True)
    seconds = [m.replace(microsecond=0) for m, _ in moments]
    assert len(seconds) > len(set(seconds))  # the fill shares seconds: the case is really met


def test_a_new_word_and_a_new_date_are_searchable_at_once(archive: Services) -> None:
    made = archive.stories.create(
        StoryFields(title="Quokkaland amber", published_at=datetime(2031, 5, 1, tzinfo=UTC))
    )
    assert [s.id for s in archive.stories.list(StoryQuery(text="quokk", limit=5))] == [made.id]
    assert archive.stories.list(StoryQuery(text="amber", limit=1))[0].id == made.id  # the newest
    moved = archive.stories.update(
        made.id,
        replace(made.fields(), published_at=datetime(2016, 1, 1, tzinfo=UTC)),
        expected_version=made.version,
    )
    query = StoryQuery(text="amber")
    assert paged(archive, query) == plain(archive, query)
    archive.stories.delete(moved.id)
    assert archive.stories.list(StoryQuery(text="quokk", limit=5)) == []


def test_a_cancelled_search_raises_and_never_answers(archive: Services) -> None:
    cancel = Cancellation()
    cancel.cancel()
    with pytest.raises(QueryCancelled):
        archive.stories.list(StoryQuery(text="amber", limit=50), cancel=cancel)
    with pytest.raises(QueryCancelled):
        archive.stories.count(StoryQuery(text="amber"), cancel=cancel)
    assert len(archive.stories.list(StoryQuery(text="amber", limit=50), cancel=Cancellation())) == 50


def test_cancel_interrupts_a_running_statement_and_the_connection_serves_again(services: Services) -> None:
    endless = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
        if services.db.is_sqlite
        else "SELECT pg_sleep(60)"
    )
    cancel = Cancellation()
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            with services.db.read() as session, cancel.attached(session):
                session.execute(text(endless))
            outcome.append(None)
        except (CaEditorError, Exception) as exc:  # what it raises is what is checked
            outcome.append(exc)

    worker = threading.Thread(target=run)
    began = time.perf_counter()
    worker.start()
    time.sleep(0.3)
    cancel.cancel()
    worker.join(timeout=20)
    assert not worker.is_alive()
    assert time.perf_counter() - began < 15  # interrupted, not waited for
    assert outcome and isinstance(outcome[0], CaEditorError)  # the storage error of an interrupted read
    assert services.stories.count() > 0  # the pool's connections answer again
