"""Export from the window: a worker thread, a cancellable progress dialog, then the result.

The export itself is atomic (built beside the target, swapped in by rename), so cancelling or failing at any
point leaves the previous bundle exactly as it was; this module only has to ask, show and report.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QThread, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from ca_editor.domain.errors import CaEditorError
from ca_editor.export.bundle import ExportCancelledError
from ca_editor.services.container import Services


class ExportWorker(QThread):
    progressed = Signal(int, int)  # done, total
    succeeded = Signal(object)  # Manifest
    failed = Signal(str)
    cancelled_by_user = Signal()

    def __init__(self, services: Services, section_id: int, folder: Path) -> None:
        super().__init__()
        self.services = services
        self.section_id = section_id
        self.folder = folder
        self.cancel_event = threading.Event()

    def run(self) -> None:
        try:
            manifest = self.services.exports.export(
                self.section_id,
                self.folder,
                progress=lambda done, total: self.progressed.emit(done, total),
                cancelled=self.cancel_event.is_set,
            )
        except ExportCancelledError:
            self.cancelled_by_user.emit()
        except CaEditorError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a thread must report, never die silently
            self.failed.emit(f"unexpected error: {exc!r}")
        else:
            self.succeeded.emit(manifest)


class ExportFlow:
    """Runs one export with its dialogs; ``outcome`` is 'done', 'cancelled' or 'failed' once it finishes."""

    def __init__(self, parent: QWidget, services: Services, section_id: int, folder: Path) -> None:
        self.parent = parent
        self.folder = folder
        self.outcome: str | None = None
        self.message = ""
        self.manifest: object | None = None
        self.worker = ExportWorker(services, section_id, folder)
        self.dialog = QProgressDialog("Exporting the section…", "Cancel", 0, 0, parent)
        self.dialog.setWindowTitle("Export")
        self.dialog.setAccessibleName("Export progress")
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self._cancel)
        self.worker.progressed.connect(self._progress)
        self.worker.succeeded.connect(self._succeeded)
        self.worker.failed.connect(self._failed)
        self.worker.cancelled_by_user.connect(self._cancelled)
        self.worker.finished.connect(self.dialog.reset)
        self.result_box: QMessageBox | None = None
        self.show_result = True

    def start(self) -> None:
        self.dialog.show()
        self.worker.start()

    def wait(self, ms: int = 60_000) -> bool:
        return self.worker.wait(ms)

    def _cancel(self) -> None:
        self.dialog.setLabelText("Cancelling; the previous bundle stays as it was…")
        self.worker.cancel_event.set()

    def _progress(self, done: int, total: int) -> None:
        if self.worker.cancel_event.is_set():
            return
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)
        self.dialog.setLabelText(f"Exporting the section… {done:,} of {total:,} files")

    def _succeeded(self, manifest: object) -> None:
        self.outcome, self.manifest = "done", manifest
        files = len(getattr(manifest, "files", {}))
        problems: tuple[str, ...] = tuple(getattr(manifest, "problems", ()))
        self.message = f"{files:,} files written to {self.folder}."
        box = QMessageBox(QMessageBox.Icon.Information, "Export finished", self.message, parent=self.parent)
        if problems:
            box.setIcon(QMessageBox.Icon.Warning)
            box.setInformativeText(
                f"{len(problems)} thing(s) worth a look before handing it over:\n• " + "\n• ".join(problems)
            )
        open_button = box.addButton("Open folder", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        self._finish(box, open_button)

    def _failed(self, message: str) -> None:
        self.outcome, self.message = "failed", f"The export failed: {message}"
        box = QMessageBox(QMessageBox.Icon.Critical, "Export failed", self.message, parent=self.parent)
        box.setInformativeText("The previous bundle in that folder, if any, is untouched.")
        box.addButton(QMessageBox.StandardButton.Close)
        self._finish(box, None)

    def _cancelled(self) -> None:
        self.outcome, self.message = "cancelled", "Export cancelled; the previous bundle is untouched."
        if isinstance(self.parent, QWidget) and hasattr(self.parent, "statusBar"):
            self.parent.statusBar().showMessage(self.message, 8000)
        self.dialog.reset()

    def _finish(self, box: QMessageBox, open_button: object) -> None:
        self.dialog.reset()
        self.result_box = box
        if not self.show_result:
            return
        box.exec()
        if open_button is not None and box.clickedButton() is open_button:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))
