"""Story listing in SQL: every sort order both ways, keyset and offset paging, counts, archive buckets.

The expected orders come from one plain ORDER BY per sort, run on the raw database; the service must
give the same rows whether it is asked for everything, page by page after a row, or by offset.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import inspect
from tests import db_query

from ca_editor.domain.dates import DateRange
from ca_editor.domain.model import StoryStatus
from ca_editor.services.container import Services
from ca_editor.services.stories import StoryQuery, StorySort

STATUS_RANK = "CASE status WHEN 'draft' THEN 0 WHEN 'ready' THEN 1 WHEN 'approved' THEN 2 ELSE 3 END"
IN_SLOTS = "EXISTS (SELECT 1 FROM slots WHERE slots.story_id = stories.id)"
NEWEST = "published_at IS NULL, published_at DESC, id DESC"


def bulk_insert(services: Services, count: int, seed: int = 7) -> None:
    """``count`` stories with repeated dates and titles (to exercise tiebreaks) and some undated ones."""
    rng = random.Random(seed)
    start = datetime(2019, 1, 1)
    stamps = [start + timedelta(hours=rng.randrange(5 * 365 * 24)) for _ in range(count // 3)]
    # SQLite stores the text SQLAlchemy writes there; PostgreSQL a timestamp (naive UTC, like the app's).
    stamp = (
        (lambda when: when.strftime("%Y-%m-%d %H:%M:%S.%f")) if services.db.is_sqlite else (lambda when: when)
    )
    rows = []
    for number in range(count):
        published = None if rng.random() < 0.05 else stamp(rng.choice(stamps))
        title = rng.choice(["Almaty", "bishkek", "Osh", "Zebra", "Élan", "Ürümqi"]) + f" {rng.randrange(40)}"
        status = rng.choice(["draft", "ready", "approved", "published"])
        rows.append({"slug": f"bulk-{number}", "title": title, "published": published, "status": status})
    db_query.run(
        services,
        "INSERT INTO stories (slug, title, summary, body, byline, published_at, status, tags, image_alt, "
        "image_caption, image_credit, version, created_at, updated_at) VALUES (:slug, :title, 'Summary', "
        "'Body', '', :published, :status, '[]', '', '', '', 1, :created, :created)",
        [{**row, "created": stamp(datetime(2026, 1, 1))} for row in rows],
    )


def oracle(services: Services, order_by: str, where: str = "1 = 1") -> list[int]:
    return [
        r[0] for r in db_query.rows(services, f"SELECT id FROM stories WHERE {where} ORDER BY {order_by}")
    ]


ORDERS = {
    (StorySort.PUBLISHED, True): NEWEST,
    (StorySort.PUBLISHED, False): "published_at IS NULL, published_at ASC, id ASC",
    (StorySort.TITLE, True): "title DESC, id DESC",
    (StorySort.TITLE, False): "title ASC, id ASC",
    (StorySort.STATUS, True): f"{STATUS_RANK} DESC, {NEWEST}",
    (StorySort.STATUS, False): f"{STATUS_RANK} ASC, {NEWEST}",
    (StorySort.EDITORS_CHOICE, True): f"{IN_SLOTS} DESC, {NEWEST}",
    (StorySort.EDITORS_CHOICE, False): f"{IN_SLOTS} ASC, {NEWEST}",
}


@pytest.fixture
def bulk(services: Services) -> Services:
    bulk_insert(services, 1500)
    return services


def ids(rows: list) -> list[int]:
    return [r.id for r in rows]


def keyset_pages(services: Services, query: StoryQuery, size: int) -> list[int]:
    seen: list[int] = []
    after = None
    while True:
        page = services.stories.list(StoryQuery(**{**_fields(query), "limit": size, "after": after}))
        seen += ids(page)
        if len(page) < size:
            return seen
        after = page[-1]


def _fields(query: StoryQuery) -> dict:
    return {name: getattr(query, name) for name in StoryQuery.__dataclass_fields__}


@pytest.mark.parametrize(("sort", "descending"), list(ORDERS))
def test_every_sort_order_both_ways_equals_the_sql_order(
    bulk: Services, sort: StorySort, descending: bool
) -> None:
    expected = oracle(bulk, ORDERS[sort, descending])
    query = StoryQuery(sort=sort, descending=descending, limit=None)
    assert ids(bulk.stories.list(query)) == expected
    assert keyset_pages(bulk, query, 97) == expected
    offsets = []
    for offset in range(0, len(expected), 400):
        offsets += ids(
            bulk.stories.list(StoryQuery(sort=sort, descending=descending, limit=400, offset=offset))
        )
    assert offsets == expected


def test_keyset_paging_combines_with_filters(bulk: Services) -> None:
    where = "status = 'ready' AND published_at >= '2020-01-01' AND published_at < '2021-07-01'"
    query = StoryQuery(
        status=StoryStatus.READY, dates=DateRange(date(2020, 1, 1), date(2021, 6, 30)), sort=StorySort.TITLE
    )
    expected = oracle(bulk, ORDERS[StorySort.TITLE, True], where)
    assert expected
    assert keyset_pages(bulk, query, 13) == expected
    assert bulk.stories.count(query) == len(expected)


def test_undated_stories_come_last_in_both_directions(bulk: Services) -> None:
    for descending in (True, False):
        rows = bulk.stories.list(StoryQuery(descending=descending, limit=None))
        dated = [r.published_at is not None for r in rows]
        assert dated == sorted(dated, reverse=True)


def test_search_with_sorting_and_paging(bulk: Services) -> None:
    everything = bulk.stories.list(StoryQuery(text="almaty", sort=StorySort.STATUS, limit=None))
    assert everything and all("almaty" in r.title.lower() for r in everything)
    query = StoryQuery(text="almaty", sort=StorySort.STATUS)
    assert keyset_pages(bulk, query, 50) == ids(everything)
    assert bulk.stories.count(query) == len(everything)


def test_old_spelling_newest_first_false_still_means_ascending(bulk: Services) -> None:
    old = bulk.stories.list(StoryQuery(newest_first=False, limit=None))
    new = bulk.stories.list(StoryQuery(descending=False, limit=None))
    assert ids(old) == ids(new)


def test_a_page_after_a_deleted_row_continues_where_it_was(bulk: Services) -> None:
    first = bulk.stories.list(StoryQuery(limit=50))
    full = ids(bulk.stories.list(StoryQuery(limit=100)))
    bulk.stories.delete(first[-1].id)
    following = bulk.stories.list(StoryQuery(limit=50, after=first[-1]))
    assert ids(following) == full[50:100]


def test_archive_buckets_equal_a_group_by(bulk: Services) -> None:
    year, month = (
        ("strftime('%Y', published_at)", "strftime('%m', published_at)")
        if bulk.db.is_sqlite
        else ("extract(year FROM published_at)", "extract(month FROM published_at)")
    )
    expected = {
        (int(y), int(m)): c
        for y, m, c in db_query.rows(
            bulk,
            f"SELECT {year}, {month}, count(*) FROM stories WHERE published_at IS NOT NULL GROUP BY 1, 2",
        )
    }
    buckets = bulk.stories.archive_buckets()
    got = {(m.year, m.month): m.count for y in buckets for m in y.months}
    assert got == expected
    assert [y.year for y in buckets] == sorted({y for y, _ in expected}, reverse=True)


def test_archive_buckets_skip_empty_years(empty_services: Services) -> None:
    from ca_editor.domain.model import StoryFields

    for year in (1901, 2150):
        empty_services.stories.create(
            StoryFields(title=f"In {year}", published_at=datetime(year, 12, 31, 23, tzinfo=UTC))
        )
    buckets = empty_services.stories.archive_buckets()
    assert [(y.year, [(m.month, m.count) for m in y.months]) for y in buckets] == [
        (2150, [(12, 1)]),
        (1901, [(12, 1)]),
    ]


def test_title_order_walks_an_index(services: Services) -> None:
    query = "SELECT id FROM stories WHERE (title, id) > ('M', 0) ORDER BY title, id LIMIT 5"
    with db_query.connected(services) as connection:
        names = {index["name"] for index in inspect(connection).get_indexes("stories")}
        if services.db.is_sqlite:
            plan = " ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}"))
            walks, sorts = "ix_stories_title" in plan, "TEMP B-TREE" in plan
        else:  # a few demo rows: the planner would scan them; asked not to, it must be able to walk the index
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")  # (a bitmap scan needs a sort)
            plan = " ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {query}"))
            walks, sorts = "ix_stories_title" in plan, "Sort" in plan
    assert {"ix_stories_title", "ix_stories_published_at", "ix_stories_status_published_at"} <= names
    assert walks and not sorts, plan
