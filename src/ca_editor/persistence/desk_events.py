"""The desk's event log (migration 0013): every write transaction appends one row saying what it changed.

One place writes it: ``Database.write`` calls ``record`` at the end of each write block, in the same
transaction, so an event exists exactly when its change was committed. What the change was is read off the
session, not told by each service: a ``before_flush`` listener (``collect``, installed on the writers'
session factory) notes the rows every flush adds, changes or deletes (stories, status steps, slots and
their sections, former slots, snapshots), and ``record`` turns that into a ``kind`` for the notice and a
JSON ``detail`` naming the stories and blocks (``domain/desk_events.py`` reads it back). A write that
touches none of these (the render cache, an image upload) leaves no event. ``token`` names the writing
``Database``, so a desk skips its own events. Every ``PRUNE_EVERY``-th event deletes those older than the
last ``KEEP``; a desk that fell further behind re-reads everything.

On PostgreSQL the table's trigger sends ``pg_notify('ca_editor', id)`` at commit; the table is read by the
watchers of ``persistence/event_watch.py`` on connections of their own, with the plain SQL below, so it is a
Core table outside the ORM's metadata (and out of what a copy of the desk carries).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Column, CursorResult, Integer, MetaData, String, Table, Text, delete, insert, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ca_editor.domain.desk_events import DeskEvent, EventKind
from ca_editor.persistence.models import (
    FormerSlotRow,
    LayoutSnapshotRow,
    LayoutVariantRow,
    SectionRow,
    SlotRow,
    StatusChangeRow,
    StoryRow,
    UTCDateTime,
    utcnow,
)

CHANNEL = "ca_editor"  # pg_notify's channel (the trigger of 0013)
KEEP, PRUNE_EVERY = 5_000, 500
MAX_NAMED = 500  # more stories than this in one write: the event says "everything"

desk_events = Table(
    "desk_events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("who", String(120), nullable=False),
    Column("token", String(32), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("section_id", Integer),
    Column("detail", Text, nullable=False),
)

#: Columns in the order ``event_from_row`` reads them (the watchers' own SQL).
SELECT_AFTER = (
    "SELECT id, at, who, token, kind, section_id, detail FROM desk_events WHERE id > {0} ORDER BY id"
)
_PENDING = "ca_editor.desk_event"
_SETTINGS = ("title", "slug", "description", "slot_count", "teaser_limit")
_OVERRIDES = tuple(a.key for a in SlotRow.__mapper__.column_attrs if "override" in a.key)


@dataclass
class _Pending:
    """The rows of one write transaction, as its flushes saw them (objects: new rows get ids later)."""

    saved: list[StoryRow] = field(default_factory=list)
    created: list[StoryRow] = field(default_factory=list)
    deleted: list[StoryRow] = field(default_factory=list)
    steps: list[StatusChangeRow] = field(default_factory=list)
    dates: bool = False
    added: list[SlotRow] = field(default_factory=list)
    removed: list[SlotRow] = field(default_factory=list)
    moved: list[SlotRow] = field(default_factory=list)
    edited: list[SlotRow] = field(default_factory=list)
    sections: list[SectionRow] = field(default_factory=list)
    settings: bool = False
    formers: list[FormerSlotRow] = field(default_factory=list)
    snapshots: list[LayoutSnapshotRow] = field(default_factory=list)
    more: int = 0  # stories past ``MAX_NAMED`` (a large import): counted, not held

    def note(self, session: Session) -> None:
        for row in session.new:
            self._new(row)
        for row in session.deleted:
            if isinstance(row, StoryRow):
                self._keep(self.deleted, row)
                self.dates = True
            elif isinstance(row, SlotRow):
                self.removed.append(row)
        for row in session.dirty:
            if session.is_modified(row):
                self._dirty(row)

    def _new(self, row: object) -> None:
        if isinstance(row, StoryRow):
            self._keep(self.created, row)
            self.dates = True
        elif isinstance(row, StatusChangeRow):
            self.steps.append(row)
        elif isinstance(row, FormerSlotRow):
            self.formers.append(row)
        elif isinstance(row, LayoutSnapshotRow):
            self.snapshots.append(row)

    def _dirty(self, row: object) -> None:
        if isinstance(row, StoryRow):
            self._keep(self.saved, row)
            self.dates = self.dates or _changed(row, "published_at")
        elif isinstance(row, SlotRow):
            if _changed(row, "position"):
                self.moved.append(row)
            if any(_changed(row, name) for name in _OVERRIDES):
                self.edited.append(row)
        elif isinstance(row, SectionRow):
            self.sections.append(row)
            self.settings = self.settings or any(_changed(row, name) for name in _SETTINGS)
            history = inspect(row).attrs.slots.history
            self.added.extend(history.added)
            self.removed.extend(history.deleted)
        elif isinstance(row, LayoutVariantRow):  # a variant's block (issue 16): slots like the main one's
            history = inspect(row).attrs.slots.history
            self.added.extend(history.added)
            self.removed.extend(history.deleted)
        elif isinstance(row, FormerSlotRow):
            self.formers.append(row)

    def _keep(self, rows: list[StoryRow], row: StoryRow) -> None:
        if len(self.saved) + len(self.created) + len(self.deleted) <= MAX_NAMED:
            rows.append(row)
        else:
            self.more += 1

    def describe(self, session: Session) -> tuple[EventKind, int | None, dict[str, Any]] | None:
        """The event's kind, section and detail; ``None``: nothing another desk shows changed."""
        created = _ids(self.created)
        deleted = _ids(self.deleted)
        saved = _ids(self.saved) - created - deleted
        steps = [s for s in self.steps if s.from_status is not None and s.story_id not in created]
        slots = [*self.added, *self.removed, *self.moved, *self.edited]
        section_ids = {s.section_id for s in slots if s.section_id is not None}
        section_ids |= {s.id for s in self.sections} | {f.section_id for f in self.formers}
        section_ids |= {s.section_id for s in self.snapshots}
        placed = (_ids(s.story for s in self.added) ^ _ids(s.story for s in self.removed)) | deleted
        stories = saved | created | deleted
        if not (stories or section_ids or steps):
            return None
        kind = self._kind(created, deleted, saved, steps)
        section_id = min(section_ids) if section_ids else None
        titled = [*self.created, *self.deleted, *self.saved] or [
            s.story for s in (*self.added, *self.removed)
        ]
        section = session.identity_map.get(identity_key(SectionRow, section_id)) if section_id else None
        section_title = section.title if isinstance(section, SectionRow) else ""  # loaded already: no read
        everything = len(stories) > MAX_NAMED or self.more > 0
        detail: dict[str, Any] = {
            "saved": sorted(saved)[:MAX_NAMED],
            "created": sorted(created)[:MAX_NAMED],
            "deleted": sorted(deleted)[:MAX_NAMED],
            "placed": sorted(placed)[:MAX_NAMED],
            "sections": sorted(section_ids),
            "statuses": bool(steps or created or deleted),
            "dates": self.dates,
            "snapshots": bool(self.snapshots),
            "everything": everything,
            "title": titled[0].title if titled and not everything else "",
            "section_title": section_title,
            "to_status": steps[-1].to_status if steps else "",
            "count": len(stories) + self.more,
        }
        return kind, section_id, detail

    def _kind(
        self, created: set[int], deleted: set[int], saved: set[int], steps: list[StatusChangeRow]
    ) -> EventKind:
        if self.snapshots:
            return EventKind(self.snapshots[-1].kind)
        if len(created | deleted | saved) > 1 or self.more:
            return EventKind.SAVED_MANY
        for kind, found in (
            (EventKind.CREATED, created),
            (EventKind.DELETED, deleted),
            (EventKind.STATUS, steps),
            (EventKind.SAVED, saved),
            (EventKind.SLOT_ADDED, self.added),
            (EventKind.SLOT_REMOVED, self.removed),
            (EventKind.SLOT_MOVED, self.moved),
            (EventKind.SLOT_EDITED, self.edited),
            (EventKind.SETTINGS, self.settings),
        ):
            if found:
                return kind
        return EventKind.OTHER


def collect(session: Session, _flush_context: object, _instances: object) -> None:
    """``before_flush`` of the writers' sessions: note what this flush will write."""
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = _Pending()
    pending.note(session)


def record(session: Session, who: str, token: str) -> None:
    """Append the event of this write transaction, if it changed anything another desk shows."""
    session.flush()
    pending: _Pending | None = session.info.pop(_PENDING, None)
    described = pending.describe(session) if pending is not None else None
    if described is None:
        return
    kind, section_id, detail = described
    values = {"at": utcnow(), "who": who[:120], "token": token, "kind": kind.value, "section_id": section_id}
    statement = insert(desk_events).values(**values, detail=json.dumps(detail))
    result = cast(CursorResult[Any], session.execute(statement))
    event_id = int((result.inserted_primary_key or (0,))[0])
    if event_id % PRUNE_EVERY == 0:
        session.execute(delete(desk_events).where(desk_events.c.id <= event_id - KEEP))


def event_from_row(row: tuple[Any, ...]) -> DeskEvent:
    """A row of ``SELECT_AFTER`` (from either engine's own driver) as a domain value."""
    event_id, at, who, _token, kind, section_id, detail_text = row
    detail: dict[str, Any] = json.loads(detail_text or "{}")
    try:
        event_kind = EventKind(kind)
    except ValueError:  # written by a newer ca-editor
        event_kind = EventKind.OTHER
    return DeskEvent(
        id=int(event_id),
        at=_utc(at),
        who=str(who or ""),
        kind=event_kind,
        section_id=section_id,
        saved=frozenset(detail.get("saved", ())),
        created=frozenset(detail.get("created", ())),
        deleted=frozenset(detail.get("deleted", ())),
        placed=frozenset(detail.get("placed", ())),
        sections=frozenset(detail.get("sections", ())),
        statuses=bool(detail.get("statuses")),
        dates=bool(detail.get("dates")),
        snapshots=bool(detail.get("snapshots")),
        everything=bool(detail.get("everything")) or event_kind is EventKind.OTHER,
        title=str(detail.get("title", "")),
        section_title=str(detail.get("section_title", "")),
        to_status=str(detail.get("to_status", "")),
        count=int(detail.get("count", 0)),
    )


def missed(after: int, who: str = "") -> DeskEvent:
    """Stands for events pruned before this desk read them: re-read everything."""
    return DeskEvent(id=after, at=datetime.now(UTC), who=who, kind=EventKind.OTHER, everything=True)


def _changed(row: object, name: str) -> bool:
    return bool(inspect(row).attrs[name].history.has_changes())


def _ids(rows: Any) -> set[int]:
    return {row.id for row in rows if row is not None and row.id is not None}


def _utc(value: Any) -> datetime:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
