"""Recorded moments as a person reads them, in this computer's time zone: the app's one time style.

The day comes first, then the clock, everywhere on screen:

- ``local_time``: ``today 14:05``, ``yesterday 14:05``, ``3 Mar 14:05``, ``3 Mar 2025 14:05`` (the year
  only when it is not this one). Lists, labels, backups, recovered edits, the workflow history.
- ``moment``: the same, to follow a verb: "Signed off ``today 14:05``", "Exported ``on 3 Mar 14:05``".
- ``clock_time``: the same after "at" in a sentence, where "today" goes without saying: "changed by
  Timur at ``14:05``", "at ``3 Mar 14:05``" (a date, never "at yesterday").
- ``full_time``: ``27 November 2026, 09:42 CET``: absolute, with the zone, for what is read later or
  elsewhere (the printed review sheet, tooltips); ``seconds=True`` adds them (``09:42:05``).

Publication dates are another matter (UTC, in ``domain/dates.py``): a story is published at one moment for
every reader, whatever this computer's zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ca_editor.domain.dates import MONTH_NAMES  # spelled out: %b and %B follow the desktop's locale


def local_time(when: datetime, now: datetime | None = None) -> str:
    """``today 14:05``, ``yesterday 14:05``, ``3 Mar 14:05`` or ``3 Mar 2025 14:05``, in local time."""
    local = when.astimezone()
    today = _today(now)
    clock = f"{local:%H:%M}"
    if local.date() == today:
        return f"today {clock}"
    if local.date() == today - timedelta(days=1):
        return f"yesterday {clock}"
    return f"{_day(local, today)} {clock}"


def moment(when: datetime, now: datetime | None = None) -> str:
    """``today 14:05``, ``yesterday 14:05`` or ``on 3 Mar 14:05``: a time to follow a verb."""
    text = local_time(when, now)
    return text if text.startswith(("today", "yesterday")) else f"on {text}"


def clock_time(when: datetime, now: datetime | None = None) -> str:
    """``14:05`` today, else ``3 Mar 14:05`` (``3 Mar 2025 14:05``): a time to follow "at"."""
    local = when.astimezone()
    today = _today(now)
    if local.date() == today:
        return f"{local:%H:%M}"
    return f"{_day(local, today)} {local:%H:%M}"


def full_time(when: datetime, *, seconds: bool = False) -> str:
    """``27 November 2026, 09:42 CET`` (``09:42:05`` with seconds): absolute, with the local zone."""
    local = when.astimezone()
    zone = local.tzname() or local.strftime("%z")
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    return f"{local.day} {MONTH_NAMES[local.month - 1]} {local.year}, {clock} {zone}"


def _today(now: datetime | None) -> date:
    return (now or datetime.now(UTC)).astimezone().date()


def _day(local: datetime, today: date) -> str:
    month = MONTH_NAMES[local.month - 1][:3]
    return f"{local.day} {month}" if local.year == today.year else f"{local.day} {month} {local.year}"
