"""Publication dates: parsing into aware UTC, the forms people and machines read, archive ranges, buckets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ca_editor.domain.dates import (
    DateParseError,
    DateRange,
    MonthBucket,
    group_buckets,
    human_date,
    machine_date,
    month_label,
    parse_published_at,
)

# --- parse_published_at ---------------------------------------------------------------------------------


def test_a_date_alone_is_midnight_utc() -> None:
    assert parse_published_at("2024-05-20") == datetime(2024, 5, 20, tzinfo=UTC)


def test_surrounding_whitespace_is_ignored() -> None:
    assert parse_published_at("  2024-05-20\n") == datetime(2024, 5, 20, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2024-05-20T09:30:00Z", "2024-05-20T09:30:00z", "2024-05-20T09:30Z"])
def test_z_means_utc(text: str) -> None:
    assert parse_published_at(text) == datetime(2024, 5, 20, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-20T09:30:00+05:00", datetime(2024, 5, 20, 4, 30, tzinfo=UTC)),  # Astana
        ("2024-05-20T09:30:00-04:00", datetime(2024, 5, 20, 13, 30, tzinfo=UTC)),
        ("2024-05-20T02:00:00+06:00", datetime(2024, 5, 19, 20, 0, tzinfo=UTC)),  # crosses midnight
        ("2024-01-01T03:00:00+05:00", datetime(2023, 12, 31, 22, 0, tzinfo=UTC)),  # crosses New Year
    ],
)
def test_offsets_are_converted_to_utc(text: str, expected: datetime) -> None:
    parsed = parse_published_at(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)
    # Same wall-clock fields as the expected UTC moment, not merely the same instant.
    assert (parsed.year, parsed.month, parsed.day, parsed.hour) == (
        expected.year,
        expected.month,
        expected.day,
        expected.hour,
    )


@pytest.mark.parametrize("text", ["2024-05-20T09:30:00", "2024-05-20 09:30"])
def test_a_time_without_offset_is_taken_as_utc(text: str) -> None:
    parsed = parse_published_at(text)
    assert parsed == datetime(2024, 5, 20, 9, 30, tzinfo=UTC)
    assert parsed.tzinfo is not None


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_an_empty_date_is_refused(text: str) -> None:
    with pytest.raises(DateParseError, match="empty"):
        parse_published_at(text)


@pytest.mark.parametrize(
    "text",
    [
        "2024-13-01",  # no month 13
        "2024-02-30",  # no 30 February
        "2023-02-29",  # not a leap year
        "20/05/2024",  # day-first, ten characters like an ISO date
        "05/20/2024",
        "20 May 2024",
        "yesterday",
        "2024-05-20T25:00",
        "2024-05-20T09:30+25:00",
    ],
)
def test_garbage_is_refused_with_a_message_quoting_the_input(text: str) -> None:
    with pytest.raises(DateParseError) as caught:
        parse_published_at(text)
    assert f"'{text}'" in str(caught.value)


@pytest.mark.parametrize("text", ["1066-10-14", "3000-01-01", "1899-12-31", "2201-01-01", "0001-01-01"])
def test_years_outside_the_archive_are_refused_with_a_message_quoting_the_input(text: str) -> None:
    with pytest.raises(DateParseError) as caught:
        parse_published_at(text)
    message = str(caught.value)
    assert f"'{text}'" in message
    assert "year" in message


@pytest.mark.parametrize("text", ["1900-01-01", "2200-12-31T23:59:59Z"])
def test_the_first_and_last_archive_years_are_accepted(text: str) -> None:
    assert 1900 <= parse_published_at(text).year <= 2200


@pytest.mark.parametrize("text", ["2200-12-31T23:00:00-05:00", "1900-01-01T00:30:00+01:00"])
def test_the_year_limit_applies_to_the_utc_moment(text: str) -> None:
    # In UTC these are 2201-01-01 and 1899-12-31: outside the archive although the local year is not.
    with pytest.raises(DateParseError, match="year"):
        parse_published_at(text)


@pytest.mark.parametrize("text", ["9999-12-31T23:30:00-01:00", "0001-01-01T00:30:00+01:00"])
def test_extreme_years_with_offsets_raise_a_parse_error_not_an_overflow(text: str) -> None:
    with pytest.raises(DateParseError):
        parse_published_at(text)


def test_a_very_long_input_is_shortened_in_the_message() -> None:
    text = "x" * 5_000
    with pytest.raises(DateParseError) as caught:
        parse_published_at(text)
    assert len(str(caught.value)) < 200


def test_date_parse_error_is_a_value_error() -> None:
    # Callers that only know ValueError still catch it.
    with pytest.raises(ValueError):
        parse_published_at("nope")


@given(st.datetimes(min_value=datetime(1901, 1, 2), max_value=datetime(2199, 12, 30), timezones=st.just(UTC)))
def test_machine_date_parses_back_to_the_same_second(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    assert parse_published_at(machine_date(moment)) == moment


@given(
    moment=st.datetimes(min_value=datetime(1901, 1, 2), max_value=datetime(2199, 12, 30)),
    offset_minutes=st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_any_offset_gives_the_same_instant_in_utc(moment: datetime, offset_minutes: int) -> None:
    zone = timezone(timedelta(minutes=offset_minutes))
    local = moment.replace(microsecond=0, tzinfo=zone)
    parsed = parse_published_at(local.isoformat())
    assert parsed == local
    assert parsed.utcoffset() == timedelta(0)


# --- human_date, machine_date, month_label ----------------------------------------------------------------


def test_human_date_reads_day_month_year() -> None:
    assert human_date(datetime(2024, 5, 20, 9, 30, tzinfo=UTC)) == "20 May 2024"


def test_human_date_has_no_leading_zero() -> None:
    assert human_date(datetime(2024, 3, 5, tzinfo=UTC)) == "5 March 2024"


def test_human_date_uses_english_month_names() -> None:
    names = [human_date(datetime(2024, m, 1, tzinfo=UTC)).split()[1] for m in range(1, 13)]
    assert names == [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]


def test_machine_date_is_utc_with_a_z() -> None:
    assert machine_date(datetime(2024, 5, 20, 9, 30, 5, tzinfo=UTC)) == "2024-05-20T09:30:05Z"


def test_machine_date_converts_an_offset_to_utc() -> None:
    astana = timezone(timedelta(hours=5))
    assert machine_date(datetime(2024, 5, 20, 2, 0, tzinfo=astana)) == "2024-05-19T21:00:00Z"


def test_month_label() -> None:
    assert month_label(2024, 2) == "February 2024"
    assert month_label(1999, 12) == "December 1999"


# --- DateRange ------------------------------------------------------------------------------------------


def test_year_range_covers_the_whole_year() -> None:
    assert DateRange.year(2024) == DateRange(date(2024, 1, 1), date(2024, 12, 31))


@pytest.mark.parametrize(
    ("year", "month", "last_day"),
    [(2024, 2, 29), (2023, 2, 28), (2000, 2, 29), (1900, 2, 28), (2024, 4, 30), (2024, 12, 31)],
)
def test_month_range_ends_on_the_last_day_of_the_month(year: int, month: int, last_day: int) -> None:
    assert DateRange.month(year, month) == DateRange(date(year, month, 1), date(year, month, last_day))


def test_day_range_is_one_day() -> None:
    day = date(2024, 5, 20)
    assert DateRange.day(day) == DateRange(day, day)


def test_bounds_are_half_open_in_utc() -> None:
    start, end = DateRange.month(2024, 2).bounds()
    assert start == datetime(2024, 2, 1, tzinfo=UTC)
    assert end == datetime(2024, 3, 1, tzinfo=UTC)


def test_bounds_of_the_last_day_of_the_year_end_at_next_new_year() -> None:
    assert DateRange.day(date(2024, 12, 31)).bounds() == (
        datetime(2024, 12, 31, tzinfo=UTC),
        datetime(2025, 1, 1, tzinfo=UTC),
    )


def test_open_ends_have_no_bound() -> None:
    assert DateRange().bounds() == (None, None)
    assert DateRange().is_open
    assert DateRange(first=date(2024, 1, 1)).bounds() == (datetime(2024, 1, 1, tzinfo=UTC), None)
    assert DateRange(last=date(2024, 1, 1)).bounds() == (None, datetime(2024, 1, 2, tzinfo=UTC))
    assert not DateRange(first=date(2024, 1, 1)).is_open
    assert not DateRange(last=date(2024, 1, 1)).is_open


def test_contains_at_the_edges_of_a_month() -> None:
    february = DateRange.month(2024, 2)
    assert february.contains(datetime(2024, 2, 1, 0, 0, tzinfo=UTC))
    assert february.contains(datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC))
    assert not february.contains(datetime(2024, 3, 1, 0, 0, tzinfo=UTC))
    assert not february.contains(datetime(2024, 1, 31, 23, 59, 59, 999999, tzinfo=UTC))


def test_contains_compares_instants_not_local_dates() -> None:
    # 1 March 03:00 in Astana is still 29 February in UTC.
    astana = timezone(timedelta(hours=5))
    assert DateRange.month(2024, 2).contains(datetime(2024, 3, 1, 3, 0, tzinfo=astana))
    assert not DateRange.month(2024, 3).contains(datetime(2024, 3, 1, 3, 0, tzinfo=astana))


def test_an_open_range_contains_everything() -> None:
    assert DateRange().contains(datetime(1900, 1, 1, tzinfo=UTC))
    assert DateRange().contains(datetime(2200, 12, 31, tzinfo=UTC))


def test_a_half_open_range_is_bounded_on_one_side_only() -> None:
    since = DateRange(first=date(2024, 5, 20))
    assert since.contains(datetime(2199, 1, 1, tzinfo=UTC))
    assert not since.contains(datetime(2024, 5, 19, 23, 59, tzinfo=UTC))
    until = DateRange(last=date(2024, 5, 20))
    assert until.contains(datetime(1901, 1, 1, tzinfo=UTC))
    assert until.contains(datetime(2024, 5, 20, 23, 59, tzinfo=UTC))
    assert not until.contains(datetime(2024, 5, 21, tzinfo=UTC))


def test_a_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="2024-05-21"):
        DateRange(date(2024, 5, 21), date(2024, 5, 20))


@given(
    first=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    length=st.integers(min_value=0, max_value=400),
    moment=st.datetimes(
        min_value=datetime(1899, 1, 1), max_value=datetime(2201, 12, 31), timezones=st.just(UTC)
    ),
)
def test_contains_agrees_with_the_utc_calendar_day(first: date, length: int, moment: datetime) -> None:
    last = first + timedelta(days=length)
    assert DateRange(first, last).contains(moment) == (first <= moment.date() <= last)


# --- group_buckets --------------------------------------------------------------------------------------


def test_group_buckets_of_nothing_is_empty() -> None:
    assert group_buckets([]) == ()


def test_group_buckets_orders_years_and_months_newest_first_and_sums_counts() -> None:
    rows = [(2023, 11, 2), (2024, 1, 3), (2022, 6, 1), (2024, 5, 4), (2023, 12, 7), (2024, 3, 1)]
    years = group_buckets(rows)
    assert [y.year for y in years] == [2024, 2023, 2022]
    assert [y.count for y in years] == [8, 9, 1]
    assert [m.month for m in years[0].months] == [5, 3, 1]
    assert [m.month for m in years[1].months] == [12, 11]
    assert years[0].months[0] == MonthBucket(2024, 5, 4)
    assert all(m.year == y.year for y in years for m in y.months)


def test_month_bucket_label() -> None:
    assert group_buckets([(2024, 2, 1)])[0].months[0].label == "February 2024"


@given(
    st.dictionaries(
        keys=st.tuples(st.integers(min_value=1900, max_value=2200), st.integers(min_value=1, max_value=12)),
        values=st.integers(min_value=1, max_value=1000),
        max_size=30,
    )
)
def test_group_buckets_keeps_every_month_and_every_count(counts: dict[tuple[int, int], int]) -> None:
    years = group_buckets([(y, m, c) for (y, m), c in counts.items()])
    year_numbers = [y.year for y in years]
    assert year_numbers == sorted({y for y, _ in counts}, reverse=True)
    for year in years:
        months = [m.month for m in year.months]
        assert months == sorted(months, reverse=True)
        assert year.count == sum(m.count for m in year.months)
    flattened = {(m.year, m.month): m.count for y in years for m in y.months}
    assert flattened == counts
