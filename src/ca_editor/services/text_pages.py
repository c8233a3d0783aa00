"""A search's page newest first, at a cost that follows the rows asked for, not the matches (issue 18).

The plain statement (``StoryRow.id IN (matches) ORDER BY published_at DESC LIMIT n``) collects and sorts
every match before the first row: half a million for a common word at a million stories. Instead:

- **SQLite** reads ``stories_fts_by_date`` (``persistence.search_by_date``), whose rowids follow the dates,
  newest first in chunks, and fetches those stories under the other filters (status, dates, the cursor).
  Keys order by the second, then the id: the stories of the last second reached are all read and the page
  is put in exact (published_at, id) order, so it holds the very rows of the plain statement.
- **PostgreSQL** walks the date index in chunks (``ix_stories_published_at``: the newest stories under the
  other filters) and keeps the chunk's stories whose ``search_vector`` matches; chunks grow ×4. When the
  matches seen are too sparse for the walk to end soon (a rare word), it asks the GIN index for every match
  and sorts them, which is then cheap: a rare word has few.

Only the dated stories: the undated (after them, by id) take the listing's plain statement, or the same
keys on SQLite. Both return ``None`` when they do not apply, and the caller lists the plain way.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, literal, literal_column, select, tuple_
from sqlalchemy.orm import Session

from ca_editor.domain.model import StorySummary
from ca_editor.persistence import search_by_date as by_date
from ca_editor.persistence.mapping import summary_from_columns
from ca_editor.persistence.models import SlotRow, StoryRow
from ca_editor.services.cancellation import Cancellation

FIRST_CHUNK = 256
LARGEST_CHUNK = 16_384
SPARSE_WALK = 20_000  # more stories than this still to walk for the page: ask the GIN index instead


def sqlite_page(
    session: Session,
    listed: Select[Any],
    typed: str,
    limit: int,
    after: StorySummary | None,
    dates: tuple[Any, Any],
    cancel: Cancellation | None = None,
) -> list[StorySummary]:
    """The page of ``listed`` (a select of the list's columns, filtered by all but the text) matching
    ``typed``, newest first (undated last, by id), after ``after``."""
    expression = by_date.match_expression(session, typed)
    if expression is None:
        return []
    start, end = dates
    rows: list[StorySummary] = []
    if after is None or after.published_at is not None:
        low = by_date.dated_key(by_date.second_of(start)) if start is not None else by_date.DATED_FLOOR
        high = by_date.dated_key(by_date.second_of(end) + 1) if end is not None else 1 << 62
        condition: ColumnElement[bool] = StoryRow.published_at.is_not(None)
        if after is not None and after.published_at is not None:
            high = min(high, by_date.dated_key(by_date.second_of(after.published_at) + 1))
            condition = condition & (_before(after.published_at, after.id))
        rows = _walk(session, listed.where(condition), expression, low, high, limit, True, cancel)
    if len(rows) < limit and start is None and end is None:
        high = by_date.DATED_FLOOR
        condition = StoryRow.published_at.is_(None)
        if after is not None and after.published_at is None:
            high = after.id + by_date.UNDATED_BASE
            condition = condition & (StoryRow.id < after.id)
        undated = listed.where(condition)
        rows += _walk(
            session, undated, expression, by_date.UNDATED_BASE, high, limit - len(rows), False, cancel
        )
    return rows


def _before(published_at: Any, story_id: int) -> ColumnElement[bool]:
    """Rows after (published_at, id) newest first; the moment bound as the column stores it (SQLite: text)."""
    moment = literal(published_at, StoryRow.published_at.type)
    return tuple_(StoryRow.published_at, StoryRow.id) < tuple_(moment, literal(story_id, StoryRow.id.type))


def _walk(
    session: Session,
    listed: Select[Any],
    expression: str,
    low: int,
    high: int,
    limit: int,
    dated: bool,
    cancel: Cancellation | None,
) -> list[StorySummary]:
    found: list[StorySummary] = []
    chunk = limit
    while len(found) < limit:
        if cancel is not None:
            cancel.check()
        keys = by_date.newest_keys(session, expression, low, high, chunk)
        found += _stories(session, listed, keys)
        if len(keys) < chunk:
            break
        high = keys[-1]
        if len(found) >= limit and dated:
            # The rest of the last second reached: its stories go in exact order with the others.
            second_start = keys[-1] >> by_date.ID_BITS << by_date.ID_BITS
            found += _stories(
                session, listed, by_date.newest_keys(session, expression, second_start, high, 1 << 30)
            )
        chunk = min(chunk * 4, LARGEST_CHUNK)
    if dated:
        found.sort(key=lambda s: (s.published_at, s.id), reverse=True)
    return found[:limit]


def _stories(session: Session, listed: Select[Any], keys: list[int]) -> list[StorySummary]:
    """The stories of ``keys`` that ``listed`` keeps, in the keys' order."""
    if not keys:
        return []
    ids = [by_date.story_id(key) for key in keys]
    # One JSON parameter, not one per id: binding hundreds of parameters costs more than the query.
    chosen: Select[tuple[Any]] = select(literal_column("value")).select_from(func.json_each(json.dumps(ids)))
    rows = session.execute(listed.where(StoryRow.id.in_(chosen)))
    by_id = {row[0]: summary_from_columns(*row) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def postgres_dated_page(
    session: Session,
    walked: Select[*tuple[Any, ...]],
    listed: Select[Any],
    matches: ColumnElement[bool],
    limit: int,
    after: StorySummary | None,
    cancel: Cancellation | None = None,
) -> list[StorySummary]:
    """The dated stories of ``listed`` (filtered by all but the text) that ``matches``, newest first after
    ``after``; ``walked`` selects (published_at, id, slug, title, status) under the same filters."""
    order = (StoryRow.published_at.desc(), StoryRow.id.desc())
    cursor = (after.published_at, after.id) if after is not None and after.published_at is not None else None
    dated = StoryRow.published_at.is_not(None)
    found: list[StorySummary] = []
    walked_so_far, chunk = 0, max(FIRST_CHUNK, 2 * limit)
    while len(found) < limit:
        if cancel is not None:
            cancel.check()
        after_cursor = _before(*cursor) if cursor else dated
        still = limit - len(found)
        if walked_so_far >= FIRST_CHUNK and still * walked_so_far / (len(found) + 1) > SPARSE_WALK:
            # Every match collected first (MATERIALIZED: the planner may not walk the dates for it), then
            # sorted: what the GIN index answers fast for a rare word.
            every = listed.where(dated, after_cursor, matches).cte("every_match").prefix_with("MATERIALIZED")
            columns = list(every.c)
            newest = select(*columns).order_by(columns[3].desc(), columns[0].desc()).limit(still)
            rows = session.execute(newest)
            return found + [summary_from_columns(*row) for row in rows]
        # One statement a chunk: the walk (a subquery with its LIMIT, so the match is tested on the chunk's
        # rows only, never planned through the GIN index), returning the matches' list columns (the slot
        # marker read for those only) and the chunk's last row, the next chunk's cursor.
        number = func.row_number().over(order_by=order).label("number")
        walk = (
            walked.add_columns(matches.label("hit"), number)
            .where(dated, after_cursor)
            .order_by(*order)
            .limit(chunk)
            .subquery("chunk")
        )
        in_slots = exists().where(SlotRow.story_id == walk.c.id)
        outer = select(
            walk.c.id, walk.c.slug, walk.c.title, walk.c.published_at, walk.c.status, in_slots, walk.c.hit
        ).add_columns(walk.c.number)
        seen = session.execute(outer.where(walk.c.hit | (walk.c.number == chunk))).all()
        page = [summary_from_columns(*row[:6]) for row in seen if row[6]]
        found += sorted(page, key=lambda s: (s.published_at, s.id), reverse=True)
        walked_so_far += chunk
        last = next((row for row in seen if row[7] == chunk), None)
        if last is None:  # fewer stories than the chunk: the walk reached the end
            break
        cursor = (last[3], last[0])
        # The next chunk as long as the matches seen so far say the page needs, half as much again (×4 when
        # none matched yet): a page one short of full must not cost a chunk four times the first.
        needed = (limit - len(found)) * walked_so_far / len(found) * 1.5 if found else chunk * 4
        chunk = int(min(max(needed, FIRST_CHUNK), LARGEST_CHUNK))
    return found[:limit]


def relevance_page(
    session: Session,
    listed: Select[Any],
    rank: ColumnElement[float],
    best_first_ascending: bool,
    limit: int,
    after: StorySummary | None,
) -> list[StorySummary]:
    """The page of ``listed`` (filtered, the text included, joined to what ``rank`` reads) best match first,
    after ``after``: keyset on (rank, id), the cursor's rank read again. Every match is ranked, so this is
    the slow order on a big archive; the list offers it as a choice and runs it on a worker."""
    best = rank.asc() if best_first_ascending else rank.desc()
    stmt = listed.add_columns(rank).order_by(best, StoryRow.id.asc())
    if after is not None:
        cursor_rank = session.scalar(
            listed.with_only_columns(rank, maintain_column_froms=True).where(StoryRow.id == after.id)
        )
        if cursor_rank is None:
            return []
        further = rank > cursor_rank if best_first_ascending else rank < cursor_rank
        stmt = stmt.where(further | ((rank == cursor_rank) & (StoryRow.id > after.id)))
    return [summary_from_columns(*row[:6]) for row in session.execute(stmt.limit(limit))]
