"""Presence: announce this desk window, see who else has the section open (issue 14, item 7).

After Wagtail's concurrent-editing notifications (RFC 95): nothing is locked; each open desk window keeps
one ``presence`` row fresh and reads the others. The window drives it from a background lane
(``ui/presence.py``): ``beat`` every ``HEARTBEAT`` and whenever its story or unsaved state changes,
``others`` every few seconds, ``leave`` on a clean close.

- **Expiry.** Readers count only rows seen within ``EXPIRES`` (45 s: three heartbeats, so one or two lost
  to a busy database do not make a colleague flicker away). A crashed or unplugged workstation stops
  beating and drops out of every other desk's lines within 45 s plus one reading interval: under a minute.
- **Pruning.** Expired rows are deleted by the first heartbeat of a window and every ``PRUNE_EVERY`` beats
  after (Wagtail prunes when a session starts). A window whose row was pruned while it slept (a laptop
  lid) writes it again on its next beat, with its original times: the service remembers them.
- **Whose clock.** On PostgreSQL the server's ``now()`` stamps and judges every row, so workstations whose
  clocks disagree still agree on who is there; on SQLite every desk is on one machine and its clock is
  the one clock. Tests inject ``clock`` instead of sleeping.
- **Cheap.** One small write per ``HEARTBEAT`` per window; the reader is one indexed query
  (``ix_presence_section_seen``) over a table of one row per open window, and one by primary key for the
  titles of the stories others have open.
- **Where.** A heartbeat is no change of the desk: on SQLite the rows live in a file beside the desk, so
  backups and live desks, which watch the desk file's commits, never mistake one for an edit
  (``persistence/presence_store.py``); on PostgreSQL in the desk's database.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from ca_editor.domain.errors import StorageError
from ca_editor.domain.presence import Presence
from ca_editor.persistence.database import Database
from ca_editor.persistence.models import PresenceRow, StoryRow
from ca_editor.persistence.presence_store import open_store
from ca_editor.services.identity import Identity

HEARTBEAT = timedelta(seconds=15)
EXPIRES = timedelta(seconds=45)
PRUNE_EVERY = 20  # heartbeats: about every five minutes per window


@dataclass(frozen=True, slots=True)
class _Announced:
    """What this window last announced, and the times it keeps across beats."""

    section_id: int
    story_id: int | None
    opened_at: datetime
    editing_since: datetime | None


class PresenceService:
    """One desk window's presence. Thread-safe: the window calls it from its background lane."""

    def __init__(
        self, db: Database, identity: Identity, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.db = db
        self.identity = identity
        self.token = uuid.uuid4().hex  # this window, for as long as it is open
        self._clock = clock
        self._lock = threading.Lock()
        self._announced: _Announced | None = None
        self._beats = 0
        self._store: Database | None = None  # opened on first use (persistence/presence_store.py)

    def beat(self, section_id: int, story_id: int | None = None, *, unsaved: bool = False) -> None:
        """Say this window has ``section_id`` open, with ``story_id`` (or nothing) in its editor."""
        if self.db.read_only:
            return  # a read-only share: nobody learns of this desk, and it still sees the others
        with self._lock, self._opened().write(self.identity.name) as session:
            now = self._now(session)
            before = self._announced
            opened_at = before.opened_at if before and before.section_id == section_id else now
            if story_id is None:
                editing_since = None
            elif before and before.story_id == story_id and before.editing_since:
                editing_since = before.editing_since
            else:
                editing_since = now
            self._announced = _Announced(section_id, story_id, opened_at, editing_since)
            values = {
                "person": self.identity.name,
                "section_id": section_id,
                "story_id": story_id,
                "unsaved": unsaved,
                "opened_at": opened_at,
                "editing_since": editing_since,
                "seen_at": now,
            }
            mine = update(PresenceRow).where(PresenceRow.token == self.token).values(values)
            if not cast(CursorResult[Any], session.execute(mine)).rowcount:
                session.add(PresenceRow(token=self.token, **values))
            if self._beats % PRUNE_EVERY == 0:
                self._prune(session, now)
            self._beats += 1

    def others(self, section_id: int) -> tuple[Presence, ...]:
        """The other windows with ``section_id`` open and seen lately, who came first first."""
        with self._lock:
            store = self._opened()
        with store.read() as session:
            cutoff = self._now(session) - EXPIRES
            rows = session.scalars(
                select(PresenceRow)
                .where(
                    PresenceRow.section_id == section_id,
                    PresenceRow.seen_at >= cutoff,
                    PresenceRow.token != self.token,
                )
                .order_by(PresenceRow.opened_at, PresenceRow.person)
            ).all()
        titles = self._titles({row.story_id for row in rows if row.story_id is not None})
        return tuple(
            Presence(
                person=row.person,
                opened_at=row.opened_at,
                story_id=row.story_id,
                story_title=titles.get(row.story_id, "") if row.story_id is not None else "",
                editing_since=row.editing_since,
                unsaved=row.unsaved,
            )
            for row in rows
        )

    def leave(self) -> None:
        """This window closes: its row goes now rather than expiring."""
        with self._lock:
            if self._announced is not None and not self.db.read_only:
                with self._opened().write(self.identity.name) as session:
                    session.execute(delete(PresenceRow).where(PresenceRow.token == self.token))
                self._announced = None
            self._close_store()

    def close(self) -> None:
        """Let go of the presence file's connections (SQLite); the next call opens them again."""
        with self._lock:
            self._close_store()

    def prune(self) -> int:
        """Delete every expired row now; how many went."""
        with self._lock, self._opened().write(self.identity.name) as session:
            return self._prune(session, self._now(session))

    @property
    def store(self) -> Database:
        """Where the rows are: the desk's database on a server, the file beside an SQLite desk."""
        with self._lock:
            return self._opened()

    def _opened(self) -> Database:  # under self._lock
        if self._store is None:
            store = open_store(self.db)
            if store is None:
                raise StorageError("presence needs a database file or a server; this desk is in memory")
            self._store = store
        return self._store

    def _close_store(self) -> None:  # under self._lock
        if self._store is not None and self._store is not self.db:
            self._store.dispose()
        self._store = None

    def _titles(self, story_ids: set[int]) -> dict[int, str]:
        if not story_ids:
            return {}
        with self.db.read() as session:
            found = session.execute(select(StoryRow.id, StoryRow.title).where(StoryRow.id.in_(story_ids)))
            return {row.id: row.title for row in found}

    def _prune(self, session: Session, now: datetime) -> int:
        gone = session.execute(delete(PresenceRow).where(PresenceRow.seen_at < now - EXPIRES))
        return cast(CursorResult[Any], gone).rowcount

    def _now(self, session: Session) -> datetime:
        if self._clock is not None:
            return self._clock()
        if session.get_bind().dialect.name == "postgresql":
            server_now = session.scalar(select(func.now()))
            if isinstance(server_now, datetime) and server_now.tzinfo is not None:
                return server_now.astimezone(UTC)
        return datetime.now(UTC)
