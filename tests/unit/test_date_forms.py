"""Import dates: common forms are read exactly; ambiguous and unreadable ones are reported, not guessed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ca_editor.domain.date_forms import AmbiguousDateError, parse_date_text
from ca_editor.domain.dates import DateParseError

NOV_27 = datetime(2026, 11, 27, tzinfo=UTC)
AT_1405 = datetime(2026, 11, 27, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27", NOV_27),
        ("20261127", NOV_27),
        ("2026-11-27 14:05", AT_1405),
        ("2026-11-27T14:05:00Z", AT_1405),
        ("2026-11-27T19:05:00+05:00", AT_1405),
        ("2026-11-27T19:05:00+0500", AT_1405),
        ("2026-11-27 14:05 UTC", AT_1405),
        ("Fri, 27 Nov 2026 19:05:00 +0500", AT_1405),
        ("Fri, 27 Nov 2026 14:05:00 GMT", AT_1405),
        ("27 Nov 2026 09:05:00 EST", AT_1405),
        ("Fri, 27 Nov 26 14:05:00 GMT", AT_1405),  # RFC 822's two-digit year
        ("27 Nov 2026", NOV_27),
        ("27 November 2026", NOV_27),
        ("  27   Nov\t2026 ", NOV_27),
        ("November 27, 2026", NOV_27),
        ("Nov 27th, 2026 at 14:05", AT_1405),
        ("Sept 27, 2026", datetime(2026, 9, 27, tzinfo=UTC)),
        ("27.11.2026", NOV_27),
        ("27.11.2026 14:05", AT_1405),
        ("27.11.2026 19:05 +05:00", AT_1405),
        ("27 ноября 2026 г.", NOV_27),
        ("27 ноя 2026", NOV_27),
        ("27 қараша 2026", NOV_27),
        ("2026 жылғы 27 қараша", NOV_27),
        ("5 мая 2026", datetime(2026, 5, 5, tzinfo=UTC)),
        ("27/11/2026", NOV_27),  # 27 can only be the day
        ("11/27/2026", NOV_27),
        ("2026/11/27", NOV_27),
        ("03/03/2026", datetime(2026, 3, 3, tzinfo=UTC)),  # either way round it is the same day
        ("Fri, 31 Dec 2026 23:30:00 -0100", datetime(2027, 1, 1, 0, 30, tzinfo=UTC)),
    ],
)
def test_common_forms_are_read_exactly(text: str, expected: datetime) -> None:
    parsed = parse_date_text(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "readings"),
    [("03/04/2026", ("3 April", "4 March")), ("11-12-2026", ("11 December", "12 November"))],
)
def test_day_month_ambiguity_is_reported_with_both_readings(text: str, readings: tuple[str, str]) -> None:
    with pytest.raises(AmbiguousDateError) as caught:
        parse_date_text(text)
    message = str(caught.value)
    assert all(reading in message for reading in readings)
    assert text in message


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("yesterday", "not a date"),
        ("2024-13-45", "not a real date"),
        ("2024-02-30", "not a real date"),
        ("31 Feb 2026", "not a real date"),
        ("27 Nov 2026 25:00", "not a real date"),
        ("27.11.26", "four digits"),
        ("27 Nov 2026 14:05 ALMT", "time zone 'ALMT'"),
        ("27 Nov 2026 14:05 IST", "time zone 'IST'"),
        ("27 Nov 2026 14:05 +15:00", "does not exist"),
        ("Foo, 27 Nov 2026", "not a day of the week"),
        ("9999-01-01", "outside"),
        ("1 1 2026", "not a date"),
        ("2026-11-27T14:05:00+05:00[Asia/Almaty]", "not a real date"),
        ("27 " + "x" * 200, "too long"),
    ],
)
def test_unreadable_dates_say_why(text: str, says: str) -> None:
    with pytest.raises(DateParseError) as caught:
        parse_date_text(text)
    assert says in str(caught.value)


@given(st.text(max_size=60))
def test_any_text_is_a_date_or_a_readable_refusal(text: str) -> None:
    try:
        parsed = parse_date_text(text)
    except DateParseError as exc:
        assert str(exc)
    else:
        assert parsed.tzinfo is UTC
        assert 1900 <= parsed.year <= 2200


@given(st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2150, 1, 1)))
def test_rfc822_round_trip(moment: datetime) -> None:
    from email.utils import format_datetime

    moment = moment.replace(microsecond=0, tzinfo=UTC)
    assert parse_date_text(format_datetime(moment)) == moment
