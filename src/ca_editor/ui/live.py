"""Live desk: what colleagues on other workstations change appears here within a second or two.

Every write leaves an event in the database (``persistence/desk_events.py``). ``LiveDesk`` keeps one job on
a background lane (``ui/background.py``) waiting for other desks' events (``services.live``: PostgreSQL's
``LISTEN``, or SQLite's ``PRAGMA data_version`` polled every quarter second), never the UI thread. When a
batch arrives, on the UI thread, it becomes one ``Change`` (origin: another process) that ``Desk.follow``
completes (the block re-read when it is named, the saved stories carried) and emits on the one broadcast:
each pane redraws what it names, as for this desk's own steps. The status bar says who did what
("Aigerim moved a slot in Central Asia").

Unsaved edits in front of the editor are never replaced: a colleague's save of the story being edited
reaches the editor as any save elsewhere does (``saving.follow_change``): a form without edits shows the
saved story, one with edits keeps them and says the story changed; saving then asks (``ui/conflicts.py``).
Undo steps over a block changed since are refused, naming who changed it, as before.

A desk opened while the server is away starts following once it answers, and re-reads the desk then; a
failed wait is tried again after a few seconds (``ui/connection.py`` tells the person meanwhile). The watch
stops when the window closes (``finish``) or goes away: the lane cancels the waiting job, which
closes the watch's connection on its own thread.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMainWindow

from ca_editor.domain.desk_events import DeskEvent, change_of
from ca_editor.domain.errors import CaEditorError
from ca_editor.services.live import EventWatch
from ca_editor.ui.background import Lane, Task
from ca_editor.ui.desk import Desk

NOTICE_MS = 10_000
RETRY_MS = 3_000  # after a failure (the server away): the connection watch says so meanwhile
WAIT_S = 1.0  # one job's longest wait; the next starts at once (a closing window waits at most a tick)

_log = logging.getLogger(__name__)


class LiveDesk(QObject):
    """Follows the changes other desks on ``desk``'s database make, for ``window``."""

    def __init__(self, window: QMainWindow, desk: Desk, *, start: bool = True) -> None:
        """The watch is opened now, from the newest event as the desk reads its block, so nothing between is
        missed; ``start=False`` leaves the waiting to ``start()`` (the desk window's, after its paint)."""
        super().__init__(window)
        self._window = window
        self._desk = desk
        self.notice = ""  # the last sentence shown (tests, the screen reader's status bar)
        self._lane = Lane(self, "live")
        self._finished = False
        self._watch: EventWatch | None = None
        try:
            self._watch = desk.services.live.watch()  # from the newest event as the desk reads its block
        except CaEditorError as exc:  # the server is away at open: tried again on the lane, then
            _log.info("Not following other desks yet: %s", exc)
        self._started = False
        if start:
            self.start()

    def start(self) -> None:
        """Begin waiting for other desks' events (once)."""
        if not self._started:
            self._started = True
            self._next()

    def finish(self) -> None:
        """Stop following (the window closes): the waiting job ends within a tick and closes the watch."""
        self._finished = True
        self._lane.cancel_all()

    def _next(self) -> None:
        if self._finished:
            return
        watch = self._watch
        if watch is None:
            live = self._desk.services.live
            self._lane.submit(lambda _task: live.watch(), done=self._opened, failed=self._failed)
            return
        self._lane.submit(lambda task: _wait(watch, task), done=self._arrived, failed=self._failed)

    def _opened(self, watch: EventWatch) -> None:
        self._watch = watch
        if self._finished:
            watch.close()
            return
        try:
            self._desk.reload()  # what colleagues did while this desk could not listen
        except CaEditorError as exc:
            _log.info("Could not re-read the desk: %s", exc)
        self._next()

    def _arrived(self, events: list[DeskEvent]) -> None:
        if events and not self._finished:
            try:
                self._desk.follow(change_of(events))
            except CaEditorError as exc:  # the server went away in between: it comes back with a reload
                _log.info("Could not follow other desks' changes: %s", exc)
            self._say(events)
        self._next()

    def _failed(self, exc: BaseException) -> None:
        _log.info("Following other desks' changes failed (%s); trying again", exc)
        QTimer.singleShot(RETRY_MS, self, self._next)

    def _say(self, events: list[DeskEvent]) -> None:
        section = self._desk.layout.section
        text = events[-1].notice((section.id, section.title))
        if len(events) > 1:
            text += f" (and {len(events) - 1} more change{'s' if len(events) > 2 else ''})"
        self.notice = text
        self._window.statusBar().showMessage(text, NOTICE_MS)


def _wait(watch: EventWatch, task: Task) -> list[DeskEvent]:  # on the lane's thread
    events = watch.wait(WAIT_S, task.cancelled)
    if task.cancelled():
        watch.close()  # on this thread: the watch is only ever used here
    return events
