"""A section taken offline, in the desk window: File › Take section offline…, the banner, Release….

``SectionOffline`` is installed by the main window. It puts *Take section offline…* and *Bring section
back…* (``ui/checkin_flow.py``) in the File menu, and a banner above the panes while the open section is
out: "Taken offline by NAME since today 14:05 (to FILE on HOST)". The section stays editable, by everyone:
the check-in merges what both desks did. *Release…* in the banner (asked first) ends an abandoned check-out,
recording who and when; that laptop desk can then no longer be brought back.

The copy runs on a lane (``ui/background.py``), never on the UI thread: a section with a year of archive
takes seconds. The banner is re-read after this window's own steps, when the desk re-reads everything or
follows a colleague's change, and once a minute on the lane (a colleague's check-out leaves no desk event).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QToolBar,
    QWidget,
)

from ca_editor.domain.changes import Change, Origin
from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.local_time import full_time, local_time
from ca_editor.locations import shown_url
from ca_editor.services.checkout import ActiveCheckout, CheckoutResult
from ca_editor.ui.ask import ask
from ca_editor.ui.background import Lane, log_failure
from ca_editor.ui.checkout_dialog import TakeOfflineDialog
from ca_editor.ui.checkout_laptop import laptop_of, laptop_text

if TYPE_CHECKING:  # the check-in flow loads when first asked for, not before the first paint (issue 18)
    from ca_editor.services.checkin import LaptopOrigin
    from ca_editor.ui.checkin_flow import CheckinFlow
    from ca_editor.ui.main_window import MainWindow

RELEASE = "Release"
LOOK_EVERY_MS = 60_000


class SectionOffline(QObject):
    """The window's check-out and check-in: menu entries, the banner, the lane the copies run on."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.lane = Lane(self, "offline")
        self._checkin: CheckinFlow | None = None  # made on first use: see ``checkin``
        self.take_action = QAction("&Take section offline…", window)
        self.take_action.setStatusTip(
            "Copy this section into a desk file of its own, to work without the network"
        )
        self.take_action.triggered.connect(self.show_dialog)
        self.bring_action = QAction("&Bring section back…", window)
        self.bring_action.setStatusTip("Merge a laptop desk's work on its section back into this desk")
        self.bring_action.triggered.connect(lambda: self.checkin.start())
        self.dialog: TakeOfflineDialog | None = None
        self.message: QMessageBox | None = None  # the last check-out message (tests read it)
        self.active: ActiveCheckout | None = None
        self.banner, self.banner_text, self.release_button = _banner(window)
        self.release_button.clicked.connect(self.release)
        self._place()
        self.laptop: LaptopOrigin | None = None
        self.refresh()
        # The window restores its toolbars' last visibility after this (saveState): put the banner's back.
        QTimer.singleShot(0, lambda: self._show(self.active))
        services = window.services
        self.lane.submit(lambda _task: laptop_of(services), done=self._laptop_read, failed=_ignore)
        window.desk.changed.connect(self._desk_changed)
        self.timer = QTimer(self, interval=LOOK_EVERY_MS)
        self.timer.timeout.connect(self.look_again)
        self.timer.start()

    @property
    def checkin(self) -> CheckinFlow:
        """File › Bring section back…: made on first use, so its merge and check-in modules load then,
        not before the window's first paint (issue 18)."""
        if self._checkin is None:
            from ca_editor.ui.checkin_flow import CheckinFlow  # loaded on use: see above

            self._checkin = CheckinFlow(self.window, self.lane)
            self._checkin.finished.connect(self.refresh)
        return self._checkin

    def _place(self) -> None:
        """In the File menu, a group of their own before *Reload*."""
        file_menu = next((a.menu() for a in self.window.menuBar().actions() if a.text() == "&File"), None)
        if not isinstance(file_menu, QMenu):
            return
        actions = file_menu.actions()
        reload_at = actions.index(self.window.refresh_action) if self.window.refresh_action in actions else -1
        if reload_at > 0:
            before = actions[reload_at - 1]  # the separator above Reload
            file_menu.insertActions(before, [self.take_action, self.bring_action])
        else:
            file_menu.addActions([self.take_action, self.bring_action])
        file_menu.insertSeparator(self.take_action)

    # --- the banner ---------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Show or hide the banner for the open section (one read, now: after this window's own steps)."""
        try:
            self._show(self.window.services.checkouts.active_checkout(self.window.desk.section_id))
        except CaEditorError:  # a server away: keep what is shown (ui/connection.py says so)
            return

    def look_again(self) -> None:
        """The periodic look, on the lane (a server that went away must not hold the window): a colleague's
        check-out or release leaves no desk event, so the banner follows it within ``LOOK_EVERY_MS``."""
        if self.lane.busy():
            return  # a copy or a check-in is running; it refreshes when done
        checkouts, section_id = self.window.services.checkouts, self.window.desk.section_id
        self.lane.submit(lambda _task: checkouts.active_checkout(section_id), done=self._show, failed=_ignore)

    def _show(self, active: ActiveCheckout | None) -> None:
        self.active = active
        self.release_button.setVisible(active is not None)
        if active is not None:
            self.banner_text.setText(banner_text(active))
            self.banner_text.setToolTip(
                f"Taken {full_time(active.since)} to {active.taken_to}, {active.months} months of archive"
            )
        elif self.laptop is not None:  # this is a laptop desk (ui/checkout_laptop.py)
            self.banner_text.setText(laptop_text(self.laptop, self.window.desk.layout.section.title))
            self.banner_text.setToolTip(
                f"Taken from {shown_url(self.laptop.origin_url)} with {self.laptop.months} months of archive"
            )
        self.banner.setVisible(active is not None or self.laptop is not None)

    def _laptop_read(self, origin: LaptopOrigin | None) -> None:
        self.laptop = origin
        self._show(self.active)

    def _desk_changed(self, change: Change) -> None:
        if change.everything or change.origin is Origin.OTHER_PROCESS:
            self.refresh()

    def release(self) -> bool:
        """Ask, then release the open section's check-out; True when released."""
        active = self.active
        if active is None:
            return False
        answer = ask(
            self.window,
            QMessageBox.Icon.Warning,
            "Release the check-out",
            f"Release “{self.window.desk.layout.section.title}”, taken offline by {active.who}?",
            f"Do this only for an abandoned check-out. The laptop desk ({active.taken_to}) can then no "
            "longer be brought back here; its changes would have to be made again. Your name and the time "
            "are recorded.",
            [RELEASE, "Cancel"],
            default="Cancel",
            destructive=RELEASE,
        )
        if answer != RELEASE:
            return False
        try:
            released = self.window.services.checkouts.release(self.window.desk.section_id)
        except CaEditorError as exc:
            self.window.show_error(exc)
            return False
        self.refresh()
        names = ", ".join(sorted({r.who for r in released})) or active.who
        self.window.statusBar().showMessage(f"Released the check-out by {names}.", 12_000)
        return True

    # --- take offline ---------------------------------------------------------------------------------------

    def show_dialog(self) -> TakeOfflineDialog:
        section = self.window.desk.layout.section
        folder = Path(self.window.settings.last_export_folder or Path.home())
        dialog = TakeOfflineDialog(section.title, free_name(folder, f"{section.slug}-laptop"), self.window)
        dialog.wanted.connect(self.take_offline)
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: TakeOfflineDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None  # a copy still running reports to the status bar instead
        dialog.deleteLater()

    def take_offline(self, into: Path, months: int) -> None:
        """Copy on the lane; the result (or the refusal) arrives on the UI thread."""
        dialog = self.dialog
        if dialog is not None:
            dialog.working(True, "Copying the section, its stories and pictures…")
        section_id = self.window.desk.section_id
        checkouts = self.window.services.checkouts
        self.lane.submit(
            lambda _task: checkouts.checkout(section_id, into, months),
            done=self._taken,
            failed=self._not_taken,
        )

    def _taken(self, result: CheckoutResult) -> None:
        if self.dialog is not None:
            self.dialog.accept()
        self.refresh()
        title = self.window.desk.layout.section.title
        message = f"“{title}” is offline in {result.path}: {result.copied.stories} stories."
        self.window.statusBar().showMessage(message, 15_000)
        from ca_editor.ui.checkin_flow import tell  # with the check-in flow: loaded on use (issue 18)

        self.message = tell(
            self.window,
            "Section taken offline",
            QMessageBox.Icon.Information,
            f"{message}\n\nOpen that file in ca-editor on the laptop (ca-editor --db {result.path}). When "
            "you are back, bring it here with File › Bring section back…; until then colleagues can still "
            "edit the section here.",
        )
        self.message.finished.connect(lambda _result: setattr(self, "message", None))

    def _not_taken(self, exc: BaseException) -> None:
        if not isinstance(exc, CaEditorError):
            log_failure(exc)  # a bug: the log has the traceback; the person gets a sentence
        text = (
            f"Nothing was taken offline: {exc}"
            if isinstance(exc, CaEditorError)
            else ("Nothing was taken offline: something went wrong (the log says what).")
        )
        if self.dialog is not None:
            self.dialog.working(False, text)
        else:
            self.window.statusBar().showMessage(text, 15_000)


def _ignore(_exc: BaseException) -> None:
    """A periodic look that failed (a server away): the banner stays as it is; the next look tries again."""


def banner_text(active: ActiveCheckout) -> str:
    """One line: who and since when (where to is in the tooltip: a path is long)."""
    return (
        f"Taken offline by {active.who} since {local_time(active.since)}. You and others can still edit "
        "this section; both are merged when it is brought back."
    )


def free_name(folder: Path, stem: str) -> Path:
    """``folder/stem.sqlite3``, or ``stem-2.sqlite3``… when that exists (a check-out never overwrites)."""
    stem = re.sub(r"[^\w.-]+", "-", stem).strip("-") or "laptop"
    candidate = folder / f"{stem}.sqlite3"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}.sqlite3"
        number += 1
    return candidate


def _banner(window: MainWindow) -> tuple[QToolBar, QLabel, QPushButton]:
    banner = QToolBar("Taken offline", window)
    banner.setObjectName("offline-banner")
    banner.setMovable(False)
    row = QWidget(banner)  # the sentence takes the width, the button stays beside it
    layout = QHBoxLayout(row)
    layout.setContentsMargins(8, 2, 8, 2)
    text = QLabel(row)
    text.setObjectName("offline-text")
    text.setTextFormat(Qt.TextFormat.PlainText)  # a name is never markup
    text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)  # one line: a wrapped
    # label in a toolbar is as tall as at its narrowest; the sentences are short, the details in the tooltip
    layout.addWidget(text, 1)
    button = QPushButton("Release…", row)
    button.setObjectName("release-checkout")
    button.setToolTip("End an abandoned check-out (asks first)")
    layout.addWidget(button)
    row.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    banner.addWidget(row)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, banner)
    window.insertToolBarBreak(banner)
    window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
    banner.setVisible(False)
    return banner, text, button
