"""Waiting for other desks' events (``persistence/desk_events.py``) on a connection of the watcher's own.

``EventWatch.wait(timeout, stop)`` blocks for at most ``timeout`` seconds (checking ``stop`` every
``TICK``) and returns the events other desks committed since the last call, oldest first; its own desk's
(same ``token``) are read past, never returned. It is meant for one background thread (the window's
``ui/live.py`` runs it on a lane), never the UI thread; one watch is used by one thread at a time.

- **PostgreSQL**: ``LISTEN ca_editor`` on a psycopg connection outside the engine's pool (autocommit, made
  with the engine's own connect arguments, so ``PGPASSFILE``, ``sslmode`` and the like apply alike). The
  trigger of 0013 notifies at each commit; a notification wakes the watch, which reads the new rows.
  A lost connection is closed and opened again on the next call; rows are read by id, so none is missed.
- **SQLite**: ``PRAGMA data_version`` (``persistence/data_version.py``) polled every ``TICK``; when it moves,
  the new rows are read on the same read-only connection. An in-memory database has no other desk.

Events pruned before the watch read them come back as one "re-read everything" event.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from ca_editor.domain.desk_events import DeskEvent
from ca_editor.persistence.backup import sqlite_file
from ca_editor.persistence.data_version import DataVersionWatch
from ca_editor.persistence.desk_events import CHANNEL, SELECT_AFTER, event_from_row, missed

TICK = 0.25  # seconds between looks at data_version, and between checks of ``stop``
BATCH = 1_000  # more new events than this at once: "re-read everything"

_log = logging.getLogger(__name__)


class EventWatch:
    def __init__(self, engine: Engine, url: str, token: str, after: int) -> None:
        """Events after id ``after`` (the newest when the desk opened) that ``token`` did not write."""
        self._engine = engine
        self._token = token
        self.last_id = after
        self._lock = threading.Lock()
        file = sqlite_file(url) if engine.dialect.name == "sqlite" else None
        self._version = DataVersionWatch(file) if file is not None else None
        self._seen_version: int | None = None
        self._pg: Any = None  # psycopg.Connection, listening
        self._failing = False

    def wait(self, timeout: float, stop: Callable[[], bool] = lambda: False) -> list[DeskEvent]:
        """Other desks' events since the last call; empty when ``timeout`` or ``stop`` came first."""
        with self._lock:
            deadline = time.monotonic() + timeout
            while not stop():
                if self._engine.dialect.name == "postgresql":
                    woke = self._pg_woke(min(TICK, max(0.0, deadline - time.monotonic())))
                else:
                    woke = self._sqlite_woke()
                if woke:
                    events = self._read()
                    if events:
                        return events
                if time.monotonic() >= deadline:
                    break
                if self._engine.dialect.name != "postgresql":
                    time.sleep(min(TICK, max(0.0, deadline - time.monotonic())))
            return []

    def close(self) -> None:
        with self._lock:
            if self._version is not None:
                self._version.close()
            self._close_pg()

    # --- SQLite ----------------------------------------------------------------------------------------

    def _sqlite_woke(self) -> bool:
        if self._version is None:
            return False
        version = self._version.version()
        woke = version is not None and version != self._seen_version
        self._seen_version = version
        return woke

    # --- PostgreSQL ------------------------------------------------------------------------------------

    def _pg_woke(self, seconds: float) -> bool:
        import psycopg

        try:
            if self._pg is None:
                self._pg = self._listen()
                self._failing = False
                return True  # newly listening: read what came while nobody listened
            return any(True for _ in self._pg.notifies(timeout=seconds, stop_after=1))
        except psycopg.Error as exc:
            if not self._failing:  # once per outage, not every tick
                _log.info("Listening for other desks' changes failed (%s); trying again", exc)
            self._failing = True
            self._close_pg()
            time.sleep(seconds)
            return False

    def _listen(self) -> Any:
        dialect = self._engine.dialect
        args, kwargs = dialect.create_connect_args(self._engine.url)
        connection = dialect.connect(*args, **kwargs)
        connection.autocommit = True
        connection.execute(f"LISTEN {CHANNEL}")
        return connection

    def _close_pg(self) -> None:
        if self._pg is not None:
            with contextlib.suppress(Exception):
                self._pg.close()
            self._pg = None

    # --- both ------------------------------------------------------------------------------------------

    def _read(self) -> list[DeskEvent]:
        """The rows after ``last_id`` on the watch's connection; the ones this desk wrote are passed over."""
        placeholder = "%s" if self._pg is not None else "?"
        sql = SELECT_AFTER.format(placeholder) + f" LIMIT {BATCH + 1}"
        try:
            rows = self._execute(sql, (self.last_id,))
            first_kept = self._execute("SELECT min(id) FROM desk_events", ()) if rows else []
        except Exception as exc:
            _log.info("Reading other desks' changes failed (%s); trying again", exc)
            if self._pg is not None:
                self._close_pg()
            return []
        if not rows:
            return []
        after, self.last_id = self.last_id, int(rows[-1][0])
        oldest = int(first_kept[0][0]) if first_kept and first_kept[0][0] is not None else after + 1
        if len(rows) > BATCH or (after > 0 and oldest > after + 1):
            return [missed(self.last_id)]  # pruned past us, or too many to name: re-read everything
        return [event_from_row(tuple(row)) for row in rows if row[3] != self._token]

    def _execute(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        if self._pg is not None:
            return list(self._pg.execute(sql, params).fetchall())
        assert self._version is not None
        return list(self._version.connection().execute(sql, params).fetchall())
