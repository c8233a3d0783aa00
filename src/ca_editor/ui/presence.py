"""Who else is at the desk, shown in the window: a line under the slot pane's heading and one in the story
editor's header (issue 14, item 7; the service and its timing are in ``services/presence.py``).

``DeskPresence(window)`` is the whole wiring: it puts its two lines into the panes, and keeps this window's
presence fresh from a background ``Lane`` (never on the UI thread; a slow or absent server only delays the
lines). Every ``READ_MS`` it reads who else is here, and with it writes this window's heartbeat when one is
due (``HEARTBEAT``) or when the editor's story or its unsaved state changed, so a colleague sees "Also
editing" within a few seconds of the story opening. ``finish()`` (the window's clean close) removes this
window's row; a crash leaves it to expire.

A failure (the server away, the file busy) is logged once per run of failures and the lines are emptied:
nobody is shown as present on the strength of an answer that did not come. The window's own error place
is for what a person did, not for a background heartbeat.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QBoxLayout, QLabel, QWidget

from ca_editor.domain.presence import Presence, editing_line, open_line
from ca_editor.services.presence import EXPIRES, HEARTBEAT
from ca_editor.ui.background import Lane, Task
from ca_editor.ui.editor.widgets import NOTICE_COLOR, WARNING_COLOR

if TYPE_CHECKING:
    from ca_editor.ui.main_window import MainWindow

log = logging.getLogger(__name__)

READ_MS = 5_000  # how often the lines are brought up to date
CLOSE_WAIT_S = 2.0  # the longest a closing window waits for its row to be removed


class PresenceLine(QLabel):
    """One line of who else is here; hidden while nobody is."""

    def __init__(self, name: str, tip: str) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)  # names and titles are never markup
        self.setWordWrap(True)
        self.setAccessibleName(name)
        self.setToolTip(tip)
        self.show_text("")

    def show_text(self, text: str, *, warn: bool = False) -> None:
        self.setText(text)
        self.setStyleSheet(f"color: {WARNING_COLOR if warn else NOTICE_COLOR};")
        self.setVisible(bool(text))


class DeskPresence(QObject):
    """This window at the desk: its heartbeat, and the two lines. See the module docstring."""

    def __init__(self, window: MainWindow, *, start: bool = True) -> None:
        super().__init__(window)
        self._service = window.services.presence
        self._section_id = window.desk.section_id
        self._editor = window.editor
        seconds = int(EXPIRES.total_seconds())
        self.open_line = PresenceLine(
            "Also open", f"Others with this section open now (desks heard from in the last {seconds} s)"
        )
        self.editing_line = PresenceLine(
            "Also editing", "Others with this story open in their editor: the second save may meet a conflict"
        )
        _insert_before(window.choice.view, self.open_line)  # under the heading and toolbar, above the slots
        _insert_before(window.editor.notice, self.editing_line)  # under the story's heading
        self._others: tuple[Presence, ...] = ()
        self._announced: tuple[int | None, bool] | None = None  # (story, unsaved) the server last heard
        self._last_beat = 0.0  # time.monotonic() of that heartbeat
        self._failing = False
        self._finished = False
        self._lane = Lane(self, "presence", latest_only=True)
        self._timer = QTimer(self, interval=READ_MS)
        self._timer.timeout.connect(self.refresh)
        self._editor.edited.connect(self._editor_moved)
        self._editor.dirty_changed.connect(self._editor_moved)
        if start:
            self.start()

    def start(self) -> None:
        """Announce this window and read who else is here, then every period (the desk window calls it after
        its first paint)."""
        if not self._timer.isActive() and not self._finished:
            self._timer.start()
            QTimer.singleShot(0, self.refresh)  # announce at once: the first beat should not wait a period

    def refresh(self) -> Task | None:
        """Read who else is here (on the lane), beating first when a heartbeat is due or the state moved."""
        if self._finished:
            return None  # closed: a late signal of the editor must not announce this window again
        state = self._editor_state()
        due = state != self._announced or time.monotonic() - self._last_beat >= HEARTBEAT.total_seconds()
        service, section_id = self._service, self._section_id

        def job(_task: Task) -> tuple[tuple[int | None, bool] | None, tuple[Presence, ...]]:
            if due:
                service.beat(section_id, state[0], unsaved=state[1])
            return (state if due else None), service.others(section_id)

        return self._lane.submit(job, done=self._arrived, failed=self._failed)

    def finish(self) -> None:
        """The window closes cleanly: stop beating and take this window's row away (a short wait at most)."""
        self._timer.stop()
        self._finished = True
        self._lane.submit(lambda _task: self._service.leave(), failed=self._failed)
        self._lane.wait_idle(CLOSE_WAIT_S)

    def lines(self) -> tuple[str, str]:
        """What the two lines say now ("" for a hidden one): for tests and screenshots."""
        return _said(self.open_line), _said(self.editing_line)

    # ------------------------------------------------------------------------------------------ inside

    def _editor_state(self) -> tuple[int | None, bool]:
        story = self._editor.current_story()
        return (story.id if story is not None else None), (story is not None and self._editor.is_dirty())

    def _editor_moved(self, *_: object) -> None:
        self._show()  # the editor's line follows its story at once, from what was last read
        if self._editor_state() != self._announced:
            self.refresh()

    def _arrived(self, answer: tuple[tuple[int | None, bool] | None, tuple[Presence, ...]]) -> None:
        announced, self._others = answer
        if announced is not None:
            self._announced, self._last_beat = announced, time.monotonic()
        if self._failing:
            log.info("Presence is back")
        self._failing = False
        self._show()

    def _failed(self, error: BaseException) -> None:
        if not self._failing:
            log.warning("Presence could not be brought up to date: %s", error)
        self._failing = True
        self._announced = None  # beat again as soon as the database answers
        self._others = ()
        self._show()

    def _show(self) -> None:
        now = datetime.now(UTC)
        self.open_line.show_text(open_line(self._others, now))
        story = self._editor.current_story()
        story_id = story.id if story is not None else None
        unsaved = any(other.unsaved for other in self._others if other.story_id == story_id)
        self.editing_line.show_text(editing_line(self._others, story_id, now), warn=unsaved)


def _said(line: QLabel) -> str:
    return "" if line.isHidden() else line.text()


def _insert_before(neighbour: QWidget, widget: QWidget) -> None:
    """Put ``widget`` just above ``neighbour`` in the box layout that holds it (the panes stay untouched)."""
    parent = neighbour.parentWidget()
    layout = parent.layout() if parent is not None else None
    if not isinstance(layout, QBoxLayout) or layout.indexOf(neighbour) < 0:
        raise LookupError(f"no box layout holds {neighbour!r}")
    layout.insertWidget(layout.indexOf(neighbour), widget)
