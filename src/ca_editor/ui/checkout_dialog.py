"""File › Take section offline…: where to put the laptop desk and how many months of archive go with it.

The form asks for a new file (Choose… opens a save dialog; an existing file is refused by the service, which
makes a new desk and never overwrites) and the months of archive (default ``DEFAULT_MONTHS``, 12). *Take
offline* hands both to ``SectionOffline.take_offline`` (``ui/checkout_flow.py``), which copies on a lane;
meanwhile the form says so and its buttons wait, and a refusal comes back beside them, the form still open.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ca_editor.services.checkout import DEFAULT_MONTHS

MAX_MONTHS = 240


class TakeOfflineDialog(QDialog):
    """The check-out form; ``wanted(path, months)`` when the person asks for it."""

    wanted = Signal(object, int)  # Path, months

    def __init__(self, section_title: str, suggested: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("take-offline-dialog")
        self.setWindowTitle("Take section offline")
        intro = QLabel(
            f"Copy “{section_title}” into a desk file of its own, to work on it away from the network: its "
            "settings, slots and their page-only edits, the stories in it and the archive of recent "
            "months, with their pictures. Colleagues can still edit it here; File › Bring section back… "
            "merges both when you are back."
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        self.path = QLineEdit(str(suggested))
        self.path.setObjectName("laptop-path")
        self.path.setAccessibleName("Laptop desk file")
        self.path.textChanged.connect(self._follow)
        choose = QPushButton("Choose…")
        choose.setAutoDefault(False)
        choose.clicked.connect(self._choose)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(choose)
        self.months = QSpinBox()
        self.months.setObjectName("months")
        self.months.setRange(0, MAX_MONTHS)
        self.months.setValue(DEFAULT_MONTHS)
        self.months.setSuffix(" months")
        self.months.setAccessibleName("Months of archive")
        self.months.setToolTip("Stories published in these last months go along (0: only the section's own)")
        form = QFormLayout()
        form.addRow("Laptop desk:", where)
        form.addRow("Archive:", self.months)
        self.message = QLabel()
        self.message.setObjectName("take-offline-message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.take_button = self.buttons.addButton("Take offline", QDialogButtonBox.ButtonRole.AcceptRole)
        self.take_button.setObjectName("take-offline")
        self.buttons.accepted.connect(self._take)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(640, self.sizeHint().height())
        self._follow()

    def chosen_path(self) -> Path:
        return Path(self.path.text().strip()).expanduser()

    def working(self, busy: bool, message: str = "") -> None:
        """Copying (the buttons wait) or not; ``message`` says what is happening or what went wrong."""
        self.message.setText(message)
        self.take_button.setEnabled(not busy and bool(self.path.text().strip()))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(not busy)

    def _take(self) -> None:
        self.wanted.emit(self.chosen_path(), self.months.value())

    def _choose(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "The new laptop desk", str(self.chosen_path()), "Desk files (*.sqlite3);;All files (*)"
        )
        if name:
            self.path.setText(name if Path(name).suffix else f"{name}.sqlite3")

    def _follow(self) -> None:
        self.take_button.setEnabled(bool(self.path.text().strip()))
