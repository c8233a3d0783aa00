"""The story list's query: filters, sort orders and keyset paging, all in SQL.

Every sort order is a sequence of *parts* (dated stories, then undated ones; or one part per status), each
ordered by columns that an index can walk, ending with the id as a tiebreak. A page after a given row
continues inside that row's part with a row-value comparison (``(published_at, id) < (?, ?)``), so the
thousandth page costs what the first does; ``OFFSET`` over a million rows would not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, literal, select, tuple_
from sqlalchemy.orm import Session

from ca_editor.domain.dates import DateRange
from ca_editor.domain.model import StoryStatus, StorySummary
from ca_editor.persistence.mapping import summary_from_columns
from ca_editor.persistence.models import SlotRow, StoryRow

#: The workflow order, used when the list is sorted by status.
STATUS_ORDER = (StoryStatus.DRAFT, StoryStatus.READY, StoryStatus.APPROVED, StoryStatus.PUBLISHED)


class StorySort(StrEnum):
    """The columns the story list sorts by."""

    PUBLISHED = "published"  # newest first when descending; undated stories always last
    TITLE = "title"  # binary (code point) order of titles
    STATUS = "status"  # workflow order draft → published when ascending; newest first within a status
    EDITORS_CHOICE = "editors_choice"  # stories in a slot first when descending; newest first within
    RELEVANCE = "relevance"  # a search's best matches first (``services.text_pages.relevance_page``)


@dataclass(frozen=True, slots=True)
class StoryQuery:
    """What the story list asks for. Filtering and sorting happen in SQL, never in the view.

    ``after`` asks for the rows that follow that row in this order (keyset paging: fast at any depth);
    ``offset`` still works but costs a count per skipped part. ``newest_first=False`` is the older spelling
    of ``descending=False``.
    """

    dates: DateRange = field(default_factory=DateRange)
    text: str = ""
    status: StoryStatus | None = None
    newest_first: bool = True
    limit: int | None = 500
    offset: int = 0
    sort: StorySort = StorySort.PUBLISHED
    descending: bool = True
    after: StorySummary | None = None

    @property
    def is_descending(self) -> bool:
        return self.descending and self.newest_first


def list_columns() -> tuple[Any, ...]:
    """The list's columns only: bodies can be a megabyte each and the image join is not needed."""
    in_slots = exists().where(SlotRow.story_id == StoryRow.id).label("in_slots")
    return (StoryRow.id, StoryRow.slug, StoryRow.title, StoryRow.published_at, StoryRow.status, in_slots)


@dataclass(frozen=True, slots=True)
class _Part:
    where: tuple[ColumnElement[bool], ...]
    keys: tuple[ColumnElement[Any], ...]
    descending: bool
    holds: Callable[[StorySummary], bool]
    key_of: Callable[[StorySummary], tuple[Any, ...]]

    def order_by(self) -> list[ColumnElement[Any]]:
        return [key.desc() if self.descending else key.asc() for key in self.keys]

    def after(self, row: StorySummary) -> ColumnElement[bool]:
        # Bound with each column's own type, so a datetime is stored-form UTC exactly as the column holds it.
        values = [literal(v, key.type) for key, v in zip(self.keys, self.key_of(row), strict=True)]
        left = self.keys[0] if len(self.keys) == 1 else tuple_(*self.keys)
        right = values[0] if len(values) == 1 else tuple_(*values)
        comparison: ColumnElement[bool] = left < right if self.descending else left > right
        return comparison


_ID = StoryRow.id.expression
_PUBLISHED = StoryRow.published_at.expression


def _by_date(
    descending: bool, *where: ColumnElement[bool], holds: Callable[[StorySummary], bool]
) -> list[_Part]:
    """Dated stories by (published_at, id), then undated ones by id: undated last in both directions."""
    return [
        _Part(
            (*where, _PUBLISHED.is_not(None)),
            (_PUBLISHED, _ID),
            descending,
            lambda s: holds(s) and s.published_at is not None,
            lambda s: (s.published_at, s.id),
        ),
        _Part(
            (*where, _PUBLISHED.is_(None)),
            (_ID,),
            descending,
            lambda s: holds(s) and s.published_at is None,
            lambda s: (s.id,),
        ),
    ]


def _parts(query: StoryQuery) -> list[_Part]:
    descending = query.is_descending
    if query.sort is StorySort.TITLE:
        title = StoryRow.title.expression
        return [_Part((), (title, _ID), descending, lambda _s: True, lambda s: (s.title, s.id))]
    if query.sort is StorySort.STATUS:
        statuses = reversed(STATUS_ORDER) if descending else STATUS_ORDER
        parts: list[_Part] = []
        for status in statuses:
            parts += _by_date(True, StoryRow.status == status.value, holds=_has_status(status))
        return parts
    if query.sort is StorySort.EDITORS_CHOICE:
        in_slots = StoryRow.id.in_(select(SlotRow.story_id))
        chosen = _by_date(True, in_slots, holds=lambda s: s.in_editors_choice)
        others = _by_date(True, ~in_slots, holds=lambda s: not s.in_editors_choice)
        return chosen + others if descending else others + chosen
    return _by_date(descending, holds=lambda _s: True)


def _has_status(status: StoryStatus) -> Callable[[StorySummary], bool]:
    return lambda s: s.status is status


def fetch_page(session: Session, filtered: Select[Any], query: StoryQuery) -> list[StorySummary]:
    """The rows of ``filtered`` (a select of :func:`list_columns`) for ``query``'s order, cursor and limit."""
    if query.limit is not None and query.limit <= 0:
        return []
    parts: Sequence[_Part] = _parts(query)
    first = 0
    if query.after is not None:
        first = next((i for i, part in enumerate(parts) if part.holds(query.after)), len(parts))
    rows: list[StorySummary] = []
    skip = query.offset
    for number in range(first, len(parts)):
        part = parts[number]
        stmt = filtered.where(*part.where)
        if query.after is not None and number == first:
            stmt = stmt.where(part.after(query.after))
        if skip:
            size = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            if size <= skip:
                skip -= size
                continue
        stmt = stmt.order_by(*part.order_by()).offset(skip or None)
        skip = 0
        if query.limit is not None:
            stmt = stmt.limit(query.limit - len(rows))
        rows += [summary_from_columns(*row) for row in session.execute(stmt)]
        if query.limit is not None and len(rows) >= query.limit:
            break
    return rows
