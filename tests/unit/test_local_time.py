"""The app's one time style: the day first, then the clock, in this computer's time zone."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ca_editor.domain.local_time import clock_time, full_time, local_time, moment

NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def almaty() -> Iterator[None]:
    """A fixed zone east of UTC, so 'local' is not silently UTC (and a date can differ from UTC's)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Almaty"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_local_time_names_today_and_yesterday_then_the_clock() -> None:
    assert (
        local_time(NOW - timedelta(minutes=5), NOW)
        == f"today {(NOW - timedelta(minutes=5)).astimezone():%H:%M}"
    )
    yesterday = NOW - timedelta(days=1)
    assert local_time(yesterday, NOW) == f"yesterday {yesterday.astimezone():%H:%M}"


def test_local_time_gives_the_date_first_and_the_year_only_when_not_this_one() -> None:
    earlier = datetime(2026, 3, 2, 4, 5, tzinfo=UTC)
    assert local_time(earlier, NOW) == f"{earlier.astimezone().day} Mar {earlier.astimezone():%H:%M}"
    last_year = datetime(2025, 11, 27, 9, 0, tzinfo=UTC)
    assert local_time(last_year, NOW) == f"27 Nov 2025 {last_year.astimezone():%H:%M}"


def test_the_day_is_the_local_one_not_utcs() -> None:
    late = datetime(2026, 3, 4, 20, 30, tzinfo=UTC)  # the 4th in UTC, already the 5th in Almaty
    assert local_time(late, NOW).startswith("today ")


def test_moment_follows_a_verb() -> None:
    assert moment(NOW, NOW).startswith("today ")
    assert moment(NOW - timedelta(days=1), NOW).startswith("yesterday ")
    assert moment(datetime(2026, 1, 3, 9, 0, tzinfo=UTC), NOW).startswith("on 3 Jan ")


def test_clock_time_follows_at_and_says_no_today() -> None:
    assert clock_time(NOW, NOW) == f"{NOW.astimezone():%H:%M}"
    yesterday = NOW - timedelta(days=1)
    assert clock_time(yesterday, NOW) == f"{yesterday.astimezone().day} Mar {yesterday.astimezone():%H:%M}"


def test_full_time_is_absolute_with_the_zone() -> None:
    moment_ = datetime(2026, 11, 27, 4, 42, 5, tzinfo=UTC)
    zone = moment_.astimezone().tzname()
    assert full_time(moment_) == f"27 November 2026, {moment_.astimezone():%H:%M} {zone}"
    assert full_time(moment_, seconds=True) == f"27 November 2026, {moment_.astimezone():%H:%M}:05 {zone}"
