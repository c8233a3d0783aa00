"""Dates as feeds, files and people write them: understood exactly, or reported with the reason.

Accepted: ISO 8601 (``2026-11-27``, ``2026-11-27 14:05``, ``2026-11-27T14:05:00+05:00``), RFC 822 as
RSS uses it (``Fri, 27 Nov 2026 14:05:00 +0500``), day-month-year in words (``27 Nov 2026``,
``27 ноября 2026 г.``, ``27 қараша 2026``), month-day-year in words (``November 27, 2026``), dotted
day-first dates (``27.11.2026``, the Russian and Kazakh habit) and slashed or dashed numeric dates when
only one reading is possible (``27/11/2026``, ``11/27/2026``, ``2026/11/27``). ``03/04/2026`` is
3 April to one desk and 4 March to another, so it is reported, never guessed; so are two-digit years
outside RFC 822 and time zone names nobody agrees on (``IST``, ``ALMT``).

A time without an offset is taken as UTC, as ``dates.parse_published_at`` does; a date alone is midnight UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone

from ca_editor.domain.dates import MONTH_NAMES, DateParseError, ensure_utc, parse_published_at
from ca_editor.domain.text import shorten

MAX_DATE_LENGTH = 80
FORMS_HINT = "write it as 2026-11-27, 2026-11-27 14:05, 27 Nov 2026 or 27.11.2026"


class AmbiguousDateError(DateParseError):
    """The text is a date, but more than one: day and month could be either way round."""


_MONTHS: dict[str, int] = {}
for _number, _name in enumerate(MONTH_NAMES, start=1):
    _MONTHS[_name.lower()] = _MONTHS[_name.lower()[:3]] = _number
_MONTHS["sept"] = 9
_RUSSIAN = (
    ("январь", "января", "янв"), ("февраль", "февраля", "фев"), ("март", "марта", "мар"),
    ("апрель", "апреля", "апр"), ("май", "мая"), ("июнь", "июня", "июн"), ("июль", "июля", "июл"),
    ("август", "августа", "авг"), ("сентябрь", "сентября", "сен", "сент"), ("октябрь", "октября", "окт"),
    ("ноябрь", "ноября", "ноя", "нояб"), ("декабрь", "декабря", "дек"),
)  # fmt: skip
_KAZAKH = (
    "қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым",
    "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан",
)  # fmt: skip
for _number, _names in enumerate(_RUSSIAN, start=1):
    for _name in _names:
        _MONTHS[_name] = _number
for _number, _name in enumerate(_KAZAKH, start=1):
    _MONTHS[_name] = _number
_WEEKDAYS = frozenset(
    {"mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"}
    | {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
    | {"пн", "вт", "ср", "чт", "пт", "сб", "вс"}
    | {"понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"}
)
# Zone names with one meaning: UTC's names and the North American ones RFC 822 itself defines.
_ZONE_NAMES = {
    "z": 0, "ut": 0, "utc": 0, "gmt": 0,
    "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
}  # fmt: skip

_TIME = r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d{1,9})?)?"
_ZONE = r"(?P<zone>[+-]\d{2}:?\d{2}|[+-]\d{1,2}|[^\W\d_]{1,5})"
_TAIL = rf"(?:(?:\s*,\s*|\s+(?:at|в)\s+|\s+|T){_TIME}(?:\s*{_ZONE})?)?"
_WORD = r"[^\W\d_]+"
_YEAR_WORDS = r"(?:\s*(?:г\.?|года?|ж\.?|жыл(?:ы|ғы)?))?"
_DAY_FIRST = re.compile(
    rf"^(?:(?P<weekday>{_WORD})\.?,?\s+)?(?P<day>\d{{1,2}})\.?\s+(?P<month>{_WORD})\.?,?\s+"
    rf"(?P<year>\d{{4}}|\d{{2}}){_YEAR_WORDS}{_TAIL}$"
)
_MONTH_FIRST = re.compile(
    rf"^(?:(?P<weekday>{_WORD})\.?,?\s+)?(?P<month>{_WORD})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+"
    rf"(?P<year>\d{{4}}){_TAIL}$"
)
_YEAR_FIRST_WORDS = re.compile(
    rf"^(?P<year>\d{{4}}){_YEAR_WORDS}\s+(?P<day>\d{{1,2}})\s+(?P<month>{_WORD}){_TAIL}$"
)
_NUMERIC = re.compile(
    rf"^(?P<a>\d{{1,4}})(?P<sep>[./-])(?P<b>\d{{1,2}})(?P=sep)(?P<c>\d{{1,4}})\.?{_YEAR_WORDS}{_TAIL}$"
)
_ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}(?:$|[T ])|^\d{8}(?:$|T)")


def parse_date_text(text: str) -> datetime:
    """The aware UTC datetime ``text`` names; ``DateParseError`` (``AmbiguousDateError``) saying why not."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise DateParseError("the date is empty")
    if len(cleaned) > MAX_DATE_LENGTH:
        raise DateParseError(f"'{shorten(cleaned, 40)}' is too long to be a date")
    if _ISO_START.match(cleaned):
        return _iso(cleaned)
    for pattern in (_DAY_FIRST, _MONTH_FIRST, _YEAR_FIRST_WORDS):
        match = pattern.match(cleaned)
        if match and _month(match["month"]) is not None:
            return _from_words(match, cleaned)
    match = _NUMERIC.match(cleaned)
    if match:
        return _from_numbers(match, cleaned)
    raise DateParseError(f"'{shorten(cleaned, 40)}' is not a date this importer understands; {FORMS_HINT}")


def _iso(cleaned: str) -> datetime:
    zone_name = re.search(r"\s+(utc|gmt|ut)$", cleaned, re.IGNORECASE)
    if zone_name:  # '2026-11-27 14:05 UTC': fromisoformat knows offsets, not names
        cleaned = cleaned[: zone_name.start()] + "+00:00"
    try:
        return parse_published_at(cleaned)
    except DateParseError:
        pass
    try:  # say what is wrong with a date that has the ISO shape: '2024-13-45', '2024-02-30'
        datetime.fromisoformat(cleaned)
    except ValueError as exc:
        raise DateParseError(f"'{shorten(cleaned, 40)}' is not a real date or time ({exc})") from None
    return parse_published_at(cleaned)  # raises with its own message (e.g. the year range)


def _from_words(match: re.Match[str], cleaned: str) -> datetime:
    weekday = match.groupdict().get("weekday")
    if weekday and weekday.lower().rstrip(".") not in _WEEKDAYS:
        raise DateParseError(f"'{shorten(cleaned, 40)}': '{weekday}' is not a day of the week; {FORMS_HINT}")
    month = _month(match["month"])
    assert month is not None
    year = int(match["year"])
    if len(match["year"]) == 2:  # RFC 822's two-digit years, read as RFC 2822 says
        year += 2000 if year < 50 else 1900
    return _build(cleaned, year, month, int(match["day"]), match)


def _from_numbers(match: re.Match[str], cleaned: str) -> datetime:
    a, b, c, sep = match["a"], match["b"], match["c"], match["sep"]
    if len(a) == 4:
        return _build(cleaned, int(a), int(b), int(c), match)  # 2026/11/27, 2026.11.27, 2026-1-5
    if len(c) != 4:
        raise DateParseError(f"'{shorten(cleaned, 40)}': give the year in four digits; {FORMS_HINT}")
    first, second = int(a), int(b)
    if sep == "." or first > 12 or first == second:
        return _build(cleaned, int(c), second, first, match)  # 27.11.2026: dots are day-first everywhere
    if second > 12:
        return _build(cleaned, int(c), first, second, match)  # 11/27/2026
    one = f"{first} {MONTH_NAMES[second - 1]}"
    other = f"{second} {MONTH_NAMES[first - 1]}"
    raise AmbiguousDateError(
        f"'{shorten(cleaned, 40)}' could be {one} or {other} {c}; write it as {c}-{second:02d}-{first:02d} "
        f"or {first} {MONTH_NAMES[second - 1][:3]} {c} (day first)"
    )


def _build(cleaned: str, year: int, month: int, day: int, match: re.Match[str]) -> datetime:
    try:
        moment = datetime.combine(date(year, month, day), time(), UTC)
        if match["hour"] is not None:
            second = min(int(match["second"] or 0), 59)  # a leap second is the last second of its minute
            clock = time(int(match["hour"]), int(match["minute"]), second)
            moment = datetime.combine(moment.date(), clock, _zone(match["zone"], cleaned))
        elif match["zone"] is not None:
            raise DateParseError(f"'{shorten(cleaned, 40)}' has a time zone but no time")
    except DateParseError:
        raise
    except ValueError as exc:
        raise DateParseError(f"'{shorten(cleaned, 40)}' is not a real date or time ({exc})") from None
    try:
        return ensure_utc(moment)
    except DateParseError as exc:
        raise DateParseError(f"'{shorten(cleaned, 40)}': {exc}") from None


def _zone(text: str | None, cleaned: str) -> timezone:
    if text is None:
        return UTC
    if text[0] in "+-":
        digits = text[1:].replace(":", "")
        hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
        if hours > 14 or minutes > 59:
            raise DateParseError(f"'{shorten(cleaned, 40)}': the offset {text} does not exist")
        offset = timedelta(hours=hours, minutes=minutes)
        return timezone(-offset if text[0] == "-" else offset)
    named = _ZONE_NAMES.get(text.lower())
    if named is None:
        raise DateParseError(
            f"'{shorten(cleaned, 40)}': the time zone '{text}' means different things in different places; "
            "give an offset such as +05:00"
        )
    return timezone(timedelta(hours=named))


def _month(word: str) -> int | None:
    return _MONTHS.get(word.lower().rstrip("."))
