"""Who else is at the desk: the values presence hands around, and the two lines a person reads.

Presence follows Wagtail's concurrent-editing notifications (RFC 95): every open desk window keeps one
row fresh with a heartbeat, readers count only rows seen lately, nothing is locked. The words:

- the slot pane: ``Also open: Aigerim (since 14:05), Timur (editing “Tokayev ratifies…”, since 14:07)``;
- the story editor: ``Also editing: Timur, since 14:07`` (``, with unsaved changes`` when that desk's form
  differs from the saved story: the next save of either may meet a conflict).

One person at two desks is named once, with the earlier time. Times are the app's one style
(``domain/local_time.clock_time``): ``14:05`` today, ``3 Mar 14:05`` on another day, in local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ca_editor.domain.local_time import clock_time
from ca_editor.domain.text import shorten

TITLE_LIMIT = 32  # characters of a story title in the slot pane's line


@dataclass(frozen=True, slots=True)
class Presence:
    """Another desk window with this section open, as its last heartbeat left it."""

    person: str
    opened_at: datetime  # when it opened the section
    story_id: int | None = None  # the saved story in its editor; None for nothing or a new story
    story_title: str = ""  # that story's title ("" when the story is gone)
    editing_since: datetime | None = None  # when that story came into its editor
    unsaved: bool = False  # its form differs from the saved story


def open_line(others: tuple[Presence, ...], now: datetime | None = None) -> str:
    """``Also open: Aigerim (since 14:05), Timur (editing “…”, since 14:07)``; "" when nobody else is."""
    parts = []
    for person, rows in _by_person(others).items():
        editing = [row for row in rows if row.story_id is not None]
        if editing:
            row = editing[0]
            title = shorten(row.story_title or "a story", TITLE_LIMIT, at_word=True)
            since = row.editing_since or row.opened_at
            parts.append(f"{person} (editing “{title}”, since {clock_time(since, now)})")
        else:
            parts.append(f"{person} (since {clock_time(rows[0].opened_at, now)})")
    return f"Also open: {', '.join(parts)}" if parts else ""


def editing_line(others: tuple[Presence, ...], story_id: int | None, now: datetime | None = None) -> str:
    """``Also editing: Timur, since 14:07`` for the story ``story_id``; "" when nobody else has it open."""
    if story_id is None:
        return ""
    parts = []
    for person, rows in _by_person(tuple(row for row in others if row.story_id == story_id)).items():
        since = min(row.editing_since or row.opened_at for row in rows)
        unsaved = ", with unsaved changes" if any(row.unsaved for row in rows) else ""
        parts.append(f"{person}, since {clock_time(since, now)}{unsaved}")
    return f"Also editing: {'; '.join(parts)}" if parts else ""


def _by_person(others: tuple[Presence, ...]) -> dict[str, list[Presence]]:
    """Rows grouped by person, in order of who came first; a person's rows earliest first."""
    grouped: dict[str, list[Presence]] = {}
    for row in sorted(others, key=lambda row: (row.opened_at, row.person)):
        grouped.setdefault(row.person, []).append(row)
    return grouped
