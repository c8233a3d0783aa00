"""Live desks: what other workstations on the same database change reaches this one within a second.

``LiveService.watch()`` returns an ``EventWatch`` (``persistence/event_watch.py``) that starts after the
newest event now in the database, so a desk opening replays nothing. Its ``wait`` blocks (a background
thread's job, never the UI thread's) until another desk commits a change, then returns the events (domain
``DeskEvent`` values); ``domain.desk_events.change_of`` turns a batch into the one ``Change`` the panes
follow. The events themselves are written by every write transaction (``persistence/desk_events.py``).
"""

from __future__ import annotations

from sqlalchemy import func, select

from ca_editor.persistence.database import Database
from ca_editor.persistence.desk_events import desk_events
from ca_editor.persistence.event_watch import EventWatch

__all__ = ["EventWatch", "LiveService"]


class LiveService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def newest_event_id(self) -> int:
        with self._db.read() as session:
            return int(session.scalar(select(func.coalesce(func.max(desk_events.c.id), 0))) or 0)

    def watch(self) -> EventWatch:
        """A watch for the changes other desks make from now on; ``close()`` it when done."""
        return EventWatch(self._db.engine, self._db.url, self._db.token, self.newest_event_id())
