"""The first window: the demo section's stories and its editor's-choice block, with import and export.

The full desk (detail editor, preview, drag-and-drop slots, undo) composes further panes into this window.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.errors import CaEditorError
from ca_editor.services.container import Services
from ca_editor.services.stories import StoryQuery
from ca_editor.ui.icons import icon
from ca_editor.ui.models.slot_list import SlotListModel
from ca_editor.ui.models.story_table import StoryTableModel


class MainWindow(QMainWindow):
    def __init__(self, services: Services) -> None:
        super().__init__()
        self._services = services
        self._section_id = services.section_id()
        self.setWindowTitle("ca-editor")
        self.resize(1280, 800)
        self.story_model = StoryTableModel()
        self.slot_model = SlotListModel()
        self.setCentralWidget(self._build_panes())
        self._build_actions()
        self.refresh()

    def _build_panes(self) -> QSplitter:
        self.search_box = QLineEdit(
            placeholderText="Search titles, summaries and bodies…", clearButtonEnabled=True
        )
        self.search_box.setAccessibleName("Search stories")
        self.search_box.textChanged.connect(self.refresh_stories)

        self.story_view = QTableView()
        self.story_view.setAccessibleName("Stories")
        self.story_view.setModel(self.story_model)
        self.story_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.story_view.setAlternatingRowColors(True)
        self.story_view.verticalHeader().hide()
        self.story_view.verticalHeader().setDefaultSectionSize(28)
        header = self.story_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(StoryTableModel.TITLE, QHeaderView.ResizeMode.Stretch)

        stories = QWidget()
        column = QVBoxLayout(stories)
        column.addWidget(_heading("Stories"))
        column.addWidget(self.search_box)
        column.addWidget(self.story_view)

        self.slot_view = QListView()
        self.slot_view.setAccessibleName("Editor's choice")
        self.slot_view.setModel(self.slot_model)
        self.slot_view.setWordWrap(True)
        self.slot_view.setSpacing(4)
        self.slots_caption = QLabel()
        choice = QWidget()
        column = QVBoxLayout(choice)
        column.addWidget(_heading("Editor's choice"))
        column.addWidget(self.slots_caption)
        column.addWidget(self.slot_view)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(stories)
        splitter.addWidget(choice)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        return splitter

    def _build_actions(self) -> None:
        self.import_action = QAction(
            icon("import"), "&Import stories…", self, shortcut=QKeySequence("Ctrl+I")
        )
        self.import_action.triggered.connect(self.import_stories)
        self.export_action = QAction(
            icon("export"), "&Export section…", self, shortcut=QKeySequence("Ctrl+E")
        )
        self.export_action.triggered.connect(self.export_section)
        refresh = QAction(icon("refresh"), "&Refresh", self, shortcut=QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh)
        quit_action = QAction(icon("quit"), "&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)

        file_menu = self.menuBar().addMenu("&File")
        for action in (self.import_action, self.export_action, refresh):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        toolbar = QToolBar("Main", objectName="main-toolbar", movable=False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.import_action, self.export_action, refresh):
            toolbar.addAction(action)
        self.addToolBar(toolbar)

    def refresh(self) -> None:
        layout = self._services.sections.layout(self._section_id)
        self.slot_model.set_layout(layout)
        self.slots_caption.setText(
            f"{len(layout.slots)} of {layout.section.slot_count} slots filled on “{layout.section.title}”"
        )
        self.refresh_stories()

    def refresh_stories(self) -> None:
        rows = self._services.stories.list(StoryQuery(text=self.search_box.text()))
        self.story_model.set_rows(rows)
        total = self._services.stories.count()
        self.statusBar().showMessage(f"{len(rows)} of {total} stories shown")

    def import_stories(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import stories", "", "JSON Lines (*.jsonl);;All files (*)"
        )
        if not name:
            return
        try:
            report = self._services.imports.import_jsonl(Path(name))
        except CaEditorError as exc:
            QMessageBox.warning(self, "Import failed", str(exc))
            return
        self.refresh()
        QMessageBox.information(
            self, "Import finished", f"{len(report.created)} stories added, {len(report.updated)} updated."
        )

    def export_section(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export the section bundle into…")
        if not folder:
            return
        try:
            manifest = self._services.exports.export(self._section_id, Path(folder))
        except CaEditorError as exc:
            QMessageBox.warning(self, "Export failed", str(exc))
            return
        box = QMessageBox(self)
        box.setWindowTitle("Export finished")
        box.setText(f"{len(manifest.files)} files written to {folder}.")
        if manifest.problems:
            box.setInformativeText(
                "Worth a look before handing it over:\n• " + "\n• ".join(manifest.problems)
            )
        open_button = box.addButton("Open folder", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.exec()
        if box.clickedButton() is open_button:
            QDesktopServices.openUrl(QUrl.fromLocalFile(folder))


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setBold(True)
    label.setFont(font)
    return label
