"""File → Print review sheet…: ask where, write the PDF, say where it went and offer to open its folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ca_editor.domain.errors import CaEditorError
from ca_editor.services.container import Services
from ca_editor.ui.sheet import default_file_name, write_review_sheet


class ReviewSheetFlow:
    """One 'Print review sheet' from the window; ``outcome`` is 'done', 'failed' or 'cancelled' afterwards."""

    def __init__(
        self,
        parent: QWidget,
        services: Services,
        section_id: int,
        folder: str = "",
        variant_id: int | None = None,  # the scheduled variant the desk edits: its own sheet
    ) -> None:
        self.parent, self.services, self.section_id = parent, services, section_id
        self.variant_id = variant_id
        self.folder = folder or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        self.outcome: str | None = None
        self.message = ""
        self.path: Path | None = None
        self.result_box: QMessageBox | None = None
        self.show_result = True  # tests look at ``result_box`` instead of a modal box

    def run(self) -> Path | None:
        layout = self.services.sections.layout(self.section_id, self.variant_id)
        suggested = Path(self.folder) / default_file_name(layout)
        name = self.choose_path(str(suggested))
        if not name:
            self.outcome = "cancelled"
            return None
        path = Path(name)
        if path.suffix.lower() != ".pdf":
            # The dialog adds ".pdf" itself (default suffix) before its own "replace?" question; a platform
            # dialog that ignored it never asked about the name with ".pdf", so ask here.
            path = path.with_name(path.name + ".pdf")
            if path.exists() and not self.confirm_replace(path):
                self.outcome = "cancelled"
                return None
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.path = write_review_sheet(self.services, self.section_id, path, variant_id=self.variant_id)
        except CaEditorError as exc:
            self.outcome, self.message = "failed", str(exc)
            self._failed()
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.outcome = "done"
        self.message = f"The review sheet of “{layout.section.title}” was saved as {self.path}."
        self._succeeded()
        return self.path

    def choose_path(self, suggested: str) -> str:
        """The file the user chose ('' when cancelled). The default suffix makes the dialog add ".pdf" to a
        typed name before it checks whether that file exists, so its overwrite question covers it."""
        dialog = QFileDialog(self.parent, "Save the review sheet as", str(Path(suggested).parent))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilter("PDF documents (*.pdf)")
        dialog.setDefaultSuffix("pdf")
        dialog.selectFile(suggested)
        try:
            if dialog.exec() != QFileDialog.DialogCode.Accepted:
                return ""
            files = dialog.selectedFiles()
            return files[0] if files else ""
        finally:
            dialog.deleteLater()

    def confirm_replace(self, path: Path) -> bool:
        answer = QMessageBox.question(
            self.parent,
            "Replace the file?",
            f"{path.name} already exists in {path.parent}. Replace it with the new review sheet?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _failed(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Review sheet not saved", self.message, parent=self.parent
        )
        box.setInformativeText("No file was written; a sheet saved there before is untouched.")
        box.addButton(QMessageBox.StandardButton.Close)
        self._show(box, None)

    def _succeeded(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information, "Review sheet saved", self.message, parent=self.parent
        )
        open_folder = box.addButton("Open folder", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.setDefaultButton(open_folder)
        self._show(box, open_folder)

    def _show(self, box: QMessageBox, open_folder: object) -> None:
        self.result_box = box
        if not self.show_result:
            return
        box.exec()
        if open_folder is not None and box.clickedButton() is open_folder and self.path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path.parent)))
