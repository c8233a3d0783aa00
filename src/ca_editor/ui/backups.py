"""Backups in the window: the damaged-file dialog at start, File → Backups…, the periodic backup, read-only.

- ``offer_recovery``: the start found the database damaged. One dialog says so and offers to restore the
  newest good backup (named by its time), to salvage what can be read into a new file that then takes the
  damaged file's place (the damaged file is kept among the backups either way), or to quit.
- ``BackupsDialog``: the database's backups with time, reason and size; back up now; restore the selected one.
- ``WindowBackups``: installed by the main window. Every ``PERIODIC_MINUTES`` it backs up in a worker thread
  if the data changed (``BackupService.backup_if_changed``), again when the window closes, and it shows a
  read-only banner when the database could only be opened for reading. On a database server nothing is
  automatic (the server's own backups are its job; ``services/backups.py``): the log and the Backups dialog
  say so, and the dialog backs up into an SQLite file here and restores one.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.local_time import local_time, moment
from ca_editor.persistence import backup as files
from ca_editor.persistence.backup import Backup, DamagedDatabaseError
from ca_editor.persistence.salvage import salvage
from ca_editor.services.backups import PERIODIC_MINUTES
from ca_editor.services.container import Services
from ca_editor.ui.application import application
from ca_editor.ui.background import Lane, Task, log_failure

if TYPE_CHECKING:
    from ca_editor.ui.main_window import MainWindow


def size_text(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


# --- the damaged-file dialog at start -----------------------------------------------------------------------


class RecoveryDialog(QMessageBox):
    """What to do with a damaged database: restore the newest good backup, salvage, or quit."""

    def __init__(self, damaged: DamagedDatabaseError, newest: Backup | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("damaged-database-dialog")
        self.setIcon(QMessageBox.Icon.Critical)
        self.setWindowTitle("The database is damaged")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(f"The database {damaged.path} is damaged and cannot be opened safely.")
        if newest is not None:
            offer = (
                f"Restore the newest good backup, from {local_time(newest.taken_at)} ({newest.reason}): "
                "changes made after it are lost. Or salvage what can still be read into a new file."
            )
        else:
            offer = "There is no backup of it. Salvage copies what can still be read into a new file."
        self.setInformativeText(
            f"{offer}\n\nEither way the damaged file is kept among the backups; nothing is deleted."
        )
        self.setDetailedText(f"What SQLite's integrity check said:\n{damaged.details}")
        self.restore_button: QPushButton | None = None
        if newest is not None:
            self.restore_button = self.addButton(
                f"Restore the backup from {local_time(newest.taken_at)}", QMessageBox.ButtonRole.AcceptRole
            )
            self.restore_button.setObjectName("restore-backup")
        self.salvage_button = self.addButton("Salvage what can be read", QMessageBox.ButtonRole.ActionRole)
        self.salvage_button.setObjectName("salvage")
        self.quit_button = self.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.restore_button or self.salvage_button)
        self.setEscapeButton(self.quit_button)

    def choice(self) -> str:
        """ "restore", "salvage" or "quit", after ``exec``."""
        clicked = self.clickedButton()
        if clicked is not None and clicked is self.restore_button:
            return "restore"
        if clicked is self.salvage_button:
            return "salvage"
        return "quit"


def offer_recovery(damaged: DamagedDatabaseError) -> bool:
    """Ask what to do with a damaged database, and do it; True when the database can now be opened."""
    application()
    newest = files.newest_good(damaged.path)
    dialog = RecoveryDialog(damaged, newest)
    dialog.exec()
    choice = dialog.choice()
    try:
        if choice == "restore" and newest is not None:
            kept = files.restore(damaged.path, newest.path)
            QMessageBox.information(
                None,
                "Backup restored",
                f"The database is back as it was {moment(newest.taken_at)}.\n\n"
                + (f"The damaged file is kept as {kept.path}." if kept else ""),
            )
            return True
        if choice == "salvage":
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            target = damaged.path.with_name(f"{damaged.path.stem}-salvaged-{stamp}{damaged.path.suffix}")
            report = salvage(damaged.path, target)
            kept = files.restore(damaged.path, report.target)
            report.target.unlink(missing_ok=True)  # it is the database now
            lost = [t for t in report.tables if not t.complete]
            text = f"{report.rows} rows were recovered from {len(report.tables)} tables."
            if lost:
                text += " Some rows could not be read in: " + ", ".join(t.name for t in lost) + "."
            QMessageBox.information(
                None,
                "What could be read was salvaged",
                text + (f"\n\nThe damaged file is kept as {kept.path}." if kept else ""),
            )
            return True
    except CaEditorError as exc:
        QMessageBox.critical(None, "ca-editor cannot start", f"{exc}\n\nThe database was not changed.")
    return False


# --- File → Backups… ----------------------------------------------------------------------------------------


class BackupsDialog(QDialog):
    """The backups of the open database; back up now; restore the selected one (the window reloads)."""

    restored = Signal(object)  # Backup: what the database now is
    backed_up = Signal(object)  # Backup: just taken

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backups-dialog")
        self.setWindowTitle("Backups")
        self.services = services
        service = services.backups
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Taken", "Why", "Size"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.setAccessibleName("Backups")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.backup_button = buttons.addButton("Back up now", QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button = buttons.addButton("Restore…", QDialogButtonBox.ButtonRole.ActionRole)
        self.folder_button = buttons.addButton("Open the folder", QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button.clicked.connect(self.restore_selected)
        self.folder_button.clicked.connect(self._open_folder)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        # On a server a backup or restore is a copy of the whole desk (half a minute at 10,000 stories): it
        # runs on a lane with a progress bar, the dialog stays responsive and its buttons wait.
        self._lane = Lane(self, "backups-dialog")
        self._working = False
        self.progress = QProgressBar()
        self.progress.setObjectName("backup-progress")
        self.progress.setFormat("%v of %m rows")
        self.progress.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table)
        layout.addWidget(self.progress)
        layout.addWidget(buttons)
        self.resize(640, 420)
        if service.is_server:
            self.intro.setText(f"{service.automatic_note()}. They are kept in {service.folder}.")
        elif service.available:
            self.intro.setText(
                f"Backups of {service.file} are taken before a migration, a delete, a layout restore and "
                f"an import, and every {PERIODIC_MINUTES} minutes when something changed. "
                f"They are kept in {service.folder}."
            )
        else:
            self.intro.setText(service.unavailable_reason() + ".")
        self.refresh()

    def refresh(self) -> None:
        self._backups = self.services.backups.backups()
        self.table.setRowCount(len(self._backups))
        for row, backup in enumerate(self._backups):
            for column, text in enumerate(
                (local_time(backup.taken_at), backup.reason, size_text(backup.size))
            ):
                item = QTableWidgetItem(text)
                item.setToolTip(str(backup.path))
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        if self._backups:
            self.table.selectRow(0)
        self._update_buttons()

    def selected(self) -> Backup | None:
        rows = self.table.selectionModel().selectedRows()
        return self._backups[rows[0].row()] if rows else None

    def back_up_now(self) -> Backup | None:
        """Take a backup; on a server it starts on the lane and ``backed_up`` says when it is there (None)."""
        if self.services.backups.is_server:
            self._start(
                lambda task: self.services.backups.backup("manual", progress=task.report),
                done=self._taken,
                failed_title="No backup was taken",
            )
            return None
        try:
            taken = self.services.backups.backup("manual")
        except CaEditorError as exc:
            QMessageBox.warning(self, "No backup was taken", str(exc))
            return None
        self._taken(taken)
        return taken

    def _taken(self, taken: Backup) -> None:
        self.refresh()
        self.backed_up.emit(taken)

    def restore_selected(self) -> bool:
        backup = self.selected()
        if backup is None or not backup.is_good:
            return False
        answer = QMessageBox.question(
            self,
            "Restore this backup?",
            f"Make the database as it was {moment(backup.taken_at)}? Changes made since are lost from "
            "it, and the undo history is cleared. The database as it is now is kept as a backup first."
            + (
                " Every desk on the server sees the restored one at once."
                if self.services.backups.is_server
                else ""
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        if self.services.backups.is_server:  # started; ``restored`` follows
            self._start(
                lambda task: self.services.backups.restore(backup.path, progress=task.report),
                done=lambda _kept: self._restored_now(backup),
                failed_title="The backup was not restored",
            )
            return True
        try:
            self.services.backups.restore(backup.path)
        except CaEditorError as exc:
            QMessageBox.warning(self, "The backup was not restored", str(exc))
            return False
        self._restored_now(backup)
        return True

    def _restored_now(self, backup: Backup) -> None:
        self.restored.emit(backup)
        self.refresh()

    def _start(
        self, job: Callable[[Task], object], *, done: Callable[[Any], None], failed_title: str
    ) -> None:
        self._working = True
        self.progress.setRange(0, 0)  # busy until the first count arrives
        self.progress.show()
        self._update_buttons()

        def finished(result: object) -> None:
            self._stop()
            done(result)

        def failed(exc: BaseException) -> None:
            self._stop()
            if isinstance(exc, CaEditorError):
                QMessageBox.warning(self, failed_title, str(exc))
            else:
                log_failure(exc)

        self._lane.submit(job, done=finished, failed=failed, progress=self._advance)

    def _advance(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _stop(self) -> None:
        self._working = False
        self.progress.hide()
        self._update_buttons()

    def wait(self, timeout_s: float = 120.0) -> None:
        """For tests: until the running backup or restore has answered."""
        self._lane.wait_idle(timeout_s)

    def _update_buttons(self) -> None:
        available = self.services.backups.available and not self._working
        chosen = self.selected()
        self.backup_button.setEnabled(available)
        self.restore_button.setEnabled(available and chosen is not None and chosen.is_good)
        self.folder_button.setEnabled(self.services.backups.folder is not None)

    def _open_folder(self) -> None:
        folder = self.services.backups.folder
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


# --- in the window ------------------------------------------------------------------------------------------


class WindowBackups(QObject):
    """The window's backups: File → Backups…, the periodic timer, the last backup on close, the banner."""

    finished = Signal(object)  # Backup | None, once a periodic backup ran
    failed = Signal(str)

    def __init__(self, window: MainWindow, services: Services) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._lane = Lane(self, "backup")
        self.action = QAction("&Backups…", window)
        self.action.setStatusTip("See the database's backups, back up now, or restore one")
        self.action.triggered.connect(self.show_dialog)
        self.timer = QTimer(self)
        self.timer.setInterval(PERIODIC_MINUTES * 60_000)
        self.timer.timeout.connect(self.back_up_if_changed)
        self.failed.connect(lambda message: window.statusBar().showMessage(message, 15_000))
        self.finished.connect(self._backed_up)
        self.banner: QToolBar | None = None
        if services.backups.automatic:
            self.timer.start()
        elif services.backups.is_server:  # said once in the log; the Backups dialog says it too
            logging.getLogger(__name__).info("%s.", services.backups.automatic_note())
        if services.db.read_only:
            self.banner = _read_only_banner(window, services.db.display_name)

    def back_up_if_changed(self) -> None:
        """Start the periodic backup in a worker thread (unless one is still running)."""
        if self._lane.busy():
            return
        self._lane.submit(
            lambda _task: self._services.backups.backup_if_changed(),
            done=self.finished.emit,
            failed=self._work_failed,
        )

    def wait(self, timeout: float = 60.0) -> None:
        self._lane.wait_idle(timeout)

    def finish(self) -> None:
        """On close: wait for a running backup, then take the last one if the data changed since."""
        self.timer.stop()
        self.wait()
        with contextlib.suppress(CaEditorError):  # closing: the backups of this session stay as they are
            self._services.backups.backup_if_changed()
        self._services.backups.close()

    def show_dialog(self) -> BackupsDialog:
        dialog = BackupsDialog(self._services, self._window)
        dialog.restored.connect(self._restored)
        dialog.open()
        return dialog

    def _work_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CaEditorError):
            self.failed.emit(f"The periodic backup failed: {exc}")
        else:
            log_failure(exc)  # a bug, not the disk

    def _backed_up(self, backup: Backup | None) -> None:
        if backup is not None:
            self._window.statusBar().showMessage(f"Backed up ({backup.reason}).", 5000)

    def _restored(self, backup: Backup) -> None:
        window = self._window
        window.desk.undo_stack.clear()  # its steps refer to versions the restored file does not have
        window.editor.show_story(None)
        window.reload()
        window.statusBar().showMessage(f"Restored the backup from {local_time(backup.taken_at)}.", 15_000)


def _read_only_banner(window: MainWindow, name: str) -> QToolBar:
    banner = QToolBar("Read-only", window)
    banner.setObjectName("read-only-banner")
    banner.setMovable(False)
    label = QLabel(
        f"Read-only: {name} cannot be written here (a locked or read-only folder). You can read and preview; "
        "changes are refused and nothing you see is changed."
    )
    label.setObjectName("read-only-text")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setContentsMargins(8, 4, 8, 4)
    banner.addWidget(label)
    # A row of its own, whether the window's toolbars were added before the banner or come after it.
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, banner)
    window.insertToolBarBreak(banner)
    window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
    return banner
