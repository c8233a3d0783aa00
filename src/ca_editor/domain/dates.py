"""Publication dates: parsing what people and feeds write, ranges for the archive filter, human forms."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from ca_editor.domain.text import shorten

# Spelled out rather than taken from calendar.month_name: that follows the C library's locale, which Qt sets
# from the desktop, and a Russian desk would then publish "20 мая 2024" on an English page.
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


class DateParseError(ValueError):
    pass


def parse_published_at(text: str) -> datetime:
    """Parse ISO 8601 (date or date-time, with or without offset) into an aware UTC datetime.

    A date alone means midnight UTC; a time without offset is taken as UTC.
    """
    cleaned = text.strip()
    if not cleaned:
        raise DateParseError("the date is empty")
    try:
        if len(cleaned) == 10:
            parsed = datetime.combine(date.fromisoformat(cleaned), time(), UTC)
        else:
            parsed = datetime.fromisoformat(cleaned.replace("z", "Z"))
    except ValueError:
        raise DateParseError(
            f"'{shorten(cleaned, 40)}' is not an ISO 8601 date such as 2024-05-20 "
            "or 2024-05-20T09:30:00+05:00"
        ) from None
    try:
        return ensure_utc(parsed)
    except DateParseError as exc:
        raise DateParseError(f"'{shorten(cleaned, 40)}': {exc}") from None


def ensure_utc(value: datetime) -> datetime:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    if EARLIEST_YEAR <= aware.year <= LATEST_YEAR:
        # Check the year in UTC (an offset can cross New Year); converting years 1 or 9999 could overflow.
        aware = aware.astimezone(UTC)
    if not EARLIEST_YEAR <= aware.year <= LATEST_YEAR:
        raise DateParseError(f"the year {aware.year} is outside {EARLIEST_YEAR}–{LATEST_YEAR}")
    return aware


def human_date(value: datetime) -> str:
    """'20 May 2024': the form a reader sees (the UTC day, as in the ``<time>`` beside it)."""
    value = value.astimezone(UTC)
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def machine_date(value: datetime) -> str:
    """The ``datetime`` attribute of a ``<time>`` element."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def month_label(year: int, month: int) -> str:
    return f"{MONTH_NAMES[month - 1]} {year}"


@dataclass(frozen=True, slots=True)
class DateRange:
    """An inclusive range of calendar days (UTC); either end may be open."""

    first: date | None = None
    last: date | None = None

    def __post_init__(self) -> None:
        if self.first and self.last and self.first > self.last:
            raise ValueError(f"the range starts ({self.first}) after it ends ({self.last})")

    @classmethod
    def year(cls, year: int) -> DateRange:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def month(cls, year: int, month: int) -> DateRange:
        return cls(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def day(cls, day: date) -> DateRange:
        return cls(day, day)

    @property
    def is_open(self) -> bool:
        return self.first is None and self.last is None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """Half-open UTC datetime bounds ``[start, end)`` that an index on ``published_at`` can use."""
        start = datetime.combine(self.first, time(), UTC) if self.first else None
        end = datetime.combine(self.last + timedelta(days=1), time(), UTC) if self.last else None
        return start, end

    def contains(self, moment: datetime) -> bool:
        start, end = self.bounds()
        return (start is None or moment >= start) and (end is None or moment < end)


@dataclass(frozen=True, slots=True)
class MonthBucket:
    year: int
    month: int
    count: int

    @property
    def label(self) -> str:
        return month_label(self.year, self.month)


@dataclass(frozen=True, slots=True)
class YearBucket:
    year: int
    count: int
    months: tuple[MonthBucket, ...]


def group_buckets(rows: list[tuple[int, int, int]]) -> tuple[YearBucket, ...]:
    """Fold (year, month, count) rows into years, newest first, months newest first."""
    by_year: dict[int, list[MonthBucket]] = {}
    for year, month, count in rows:
        by_year.setdefault(year, []).append(MonthBucket(year, month, count))
    return tuple(
        YearBucket(year, sum(m.count for m in months), tuple(sorted(months, key=lambda m: -m.month)))
        for year, months in sorted(by_year.items(), reverse=True)
    )
