"""Stopping a running query from another thread: the search a newer keystroke made stale.

The caller makes a ``Cancellation`` and hands it to the service call (``StoryService.list``); the service
attaches the database connection it runs on while its statements run. ``cancel()``, from any thread, then
interrupts that connection (SQLite ``interrupt()``; psycopg ``cancel()``, which asks the server to stop), and
the call raises ``QueryCancelled`` instead of returning. Outside the attached span a cancel only sets the
flag: a connection handed back to the pool is never interrupted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from ca_editor.domain.errors import CaEditorError


class QueryCancelled(CaEditorError):
    """The query was cancelled (a newer one replaced it) before it answered."""


class Cancellation:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requested = False
        self._interrupt: Callable[[], None] | None = None

    @property
    def requested(self) -> bool:
        return self._requested

    def cancel(self) -> None:
        """Stop the query now if one runs; any later call with this cancellation raises at once."""
        with self._lock:
            self._requested = True
            if self._interrupt is not None:
                self._interrupt()

    def check(self) -> None:
        if self._requested:
            raise QueryCancelled("cancelled")

    @contextmanager
    def attached(self, session: Session) -> Iterator[None]:
        """Let ``cancel()`` interrupt ``session``'s connection while the block runs."""
        raw = session.connection().connection.dbapi_connection
        interrupt = getattr(raw, "interrupt", None) or getattr(raw, "cancel", None)
        with self._lock:
            self.check()
            self._interrupt = interrupt
        try:
            yield
        finally:
            with self._lock:
                self._interrupt = None
