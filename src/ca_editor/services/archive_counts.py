"""The archive's month counts an export shows: publishable stories per month, read by index range counts,
plus the slotted stories an export with ``--include-unapproved`` gives a page (moved out of
``services.exporting``, which re-exports both, so ``services.export_variants`` can use them too)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from ca_editor.domain.dates import DateRange, YearBucket, group_buckets
from ca_editor.domain.model import PUBLISHABLE_STATUSES, Slot
from ca_editor.persistence.models import StoryRow
from ca_editor.services.stories import count_by_month


def publishable_month_counts(session: Session) -> dict[tuple[int, int], int]:
    """Approved and published stories per (year, month), by index range counts (see ``count_by_month``).

    On SQLite the same counts as ``count_by_month``, but each of the few hundred range counts runs as one
    prepared statement through the driver: through SQLAlchemy each cost about half a millisecond of Python,
    more than the rest of an incremental export's reading.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return {(y, m): c for y, m, c in count_by_month(session, PUBLISHABLE_STATUSES)}
    column = StoryRow.__table__.c.published_at
    to_db = column.type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
    assert to_db is not None
    driver = connection.connection.driver_connection
    assert driver is not None
    first = "SELECT min(published_at) FROM stories WHERE status = ? AND published_at >= ?"
    count = "SELECT count(*) FROM stories WHERE status = ? AND published_at >= ? AND published_at < ?"
    totals: dict[tuple[int, int], int] = {}
    for status in sorted(s.value for s in PUBLISHABLE_STATUSES):
        moment = driver.execute(first, (status, "")).fetchone()[0]  # '' sorts before every date
        while moment is not None:
            year = int(str(moment)[:4])
            for month in range(1, 13):
                start, end = DateRange.month(year, month).bounds()
                found = driver.execute(count, (status, to_db(start), to_db(end))).fetchone()[0]
                if found:
                    totals[(year, month)] = totals.get((year, month), 0) + int(found)
            _, next_year = DateRange.year(year).bounds()
            moment = driver.execute(first, (status, to_db(next_year))).fetchone()[0]
    return dict(sorted(totals.items()))


def exported_archive(
    publishable: Mapping[tuple[int, int], int], slots: Sequence[Slot]
) -> tuple[YearBucket, ...]:
    """Month counts over every story the bundle gives a page: the publishable ones, plus slotted others.

    Counted as the archive pages list them, so a dated story's breadcrumb always finds its month page and a
    month's count matches its list. The preview passes its cached ``publishable`` counts and its own slots.
    """
    counts = dict(publishable)
    extra = {s.story.id: s.story for s in slots if s.story.status not in PUBLISHABLE_STATUSES}
    for story in extra.values():
        if story.published_at is not None:
            key = (story.published_at.year, story.published_at.month)
            counts[key] = counts.get(key, 0) + 1
    return group_buckets([(y, m, c) for (y, m), c in counts.items()])
