"""The desk's connection watch: when the database server goes away, say so, keep trying, say when it is back.

Only a server can go away (``ConnectionService.watched``; an SQLite desk gets no watch at all). Every few
seconds a ``SELECT 1`` runs on a background lane (``ui/background.py``), never on the UI thread, so a server
that does not answer never freezes the window. When it cannot be reached the status bar shows, in a
permanent label, "Connection to the server lost — retrying…" and the checks come faster; when it answers
again the label says "Connected again" for a few seconds and the desk re-reads what it shows
(``on_back``: the window's reload), since whatever colleagues saved meanwhile was never announced.

What the person has in front of them is never touched: the story editor keeps its unsaved edits (a save
while the server is away is refused with the sentence of ``ServerUnreachableError``, and the form stays as
it was), and the editor's autosave keeps copying them to this machine's disk (``ui/recovery.py``), which
needs no server. After "Connected again" the same Save saves them. Nothing here retries a save by itself:
the person decides, with the conflict question if someone else saved the story meanwhile.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMainWindow

from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.local_time import clock_time
from ca_editor.persistence.server_errors import SERVER_UNREACHABLE
from ca_editor.services.connection import ConnectionService
from ca_editor.services.container import Services
from ca_editor.ui.background import Lane
from ca_editor.ui.editor.widgets import ERROR_COLOR

LOST_TEXT = "Connection to the server lost — retrying…"
BACK_TEXT = "Connected again"
CONNECTED_EVERY_MS = 3_000  # how soon a lost server is noticed while nobody saves
DOWN_EVERY_MS = 1_500  # how soon its return is noticed
BACK_SHOWN_MS = 8_000
_UNREACHABLE_WORDS = SERVER_UNREACHABLE.split(" (", 1)[0]  # "The database server cannot be reached"


class ConnectionWatch(QObject):
    """Watches ``services``' database from ``window``'s status bar; ``down`` says what it last found."""

    lost = Signal()
    restored = Signal()

    def __init__(
        self, window: QMainWindow, services: Services, *, on_back: Callable[[], None] | None = None
    ) -> None:
        super().__init__(window)
        self._window = window
        self._service = ConnectionService(services.db)
        self._on_back = on_back
        self.down = False
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAccessibleName("Connection to the database server")
        self.label.hide()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._hide_back = QTimer(self, singleShot=True, interval=BACK_SHOWN_MS)
        self._hide_back.timeout.connect(self.label.hide)
        self._lane = Lane(self, "connection")
        if self._service.watched:
            window.statusBar().addPermanentWidget(self.label)
            self._timer.start(CONNECTED_EVERY_MS)

    @property
    def watching(self) -> bool:
        return self._timer.isActive()

    def check(self) -> None:
        """Ask the server now (on the lane); the answer arrives at ``_answered``. One question at a time."""
        if self._service.watched and not self._lane.busy():
            self._lane.submit(lambda _task: self._service.reachable(), done=self._answered)

    def _answered(self, reachable: bool) -> None:
        if not reachable and not self.down:
            self._went_away()
        elif reachable and self.down:
            self._came_back()

    def _went_away(self) -> None:
        self.down = True
        self._hide_back.stop()
        self.label.setText(LOST_TEXT)
        self.label.setStyleSheet(f"color: {ERROR_COLOR}; font-weight: bold;")
        self.label.setToolTip(
            f"The database server stopped answering at {clock_time(datetime.now(UTC))}. Unsaved edits stay "
            "in the editor and in its autosave on this computer; saving is refused until the server is back."
        )
        self.label.show()
        self._window.statusBar().showMessage(
            f"Unsaved edits are kept; save once it says “{BACK_TEXT}”.", 15_000
        )
        self._timer.setInterval(DOWN_EVERY_MS)
        self.lost.emit()

    def _came_back(self) -> None:
        self.down = False
        self.label.setText(BACK_TEXT)
        self.label.setStyleSheet("")
        self.label.setToolTip(f"The database server answers again since {clock_time(datetime.now(UTC))}.")
        self._hide_back.start()
        self._timer.setInterval(CONNECTED_EVERY_MS)
        self._window.statusBar().showMessage(
            f"{BACK_TEXT}: the desk shows what changed meanwhile; unsaved edits can be saved now.", 10_000
        )
        if self._on_back is not None:
            with contextlib.suppress(CaEditorError):  # gone again in between: the next check says so
                self._on_back()
        self._renew_refused_save_notice()
        self.restored.emit()

    def _renew_refused_save_notice(self) -> None:
        """The editor's "Could not save: … cannot be reached" is out of date now: say Save works again."""
        editor = getattr(self._window, "editor", None)
        if editor is None or not editor.is_dirty() or _UNREACHABLE_WORDS not in editor.notice.text.text():
            return
        editor.notice.say(
            f"{BACK_TEXT}. Your edits are still here, not saved yet: Save saves them now.", "info"
        )
