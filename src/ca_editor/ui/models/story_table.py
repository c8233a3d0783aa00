"""The story list as a table: publication date, title, status, editor's-choice marker."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ca_editor.domain.dates import human_date
from ca_editor.domain.model import StorySummary
from ca_editor.ui.icons import icon

Index = QModelIndex | QPersistentModelIndex


class StoryTableModel(QAbstractTableModel):
    DATE, TITLE, STATUS, CHOICE = range(4)
    HEADERS = ("Published", "Title", "Status", "Editor's choice")
    StoryIdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[StorySummary] = []

    def set_rows(self, rows: list[StorySummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def story_at(self, row: int) -> StorySummary:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        story, column = self._rows[index.row()], index.column()
        if role == self.StoryIdRole:
            return story.id
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.DATE:
                return human_date(story.published_at) if story.published_at else "—"
            if column == self.TITLE:
                return story.title
            if column == self.STATUS:
                return story.status.value.capitalize()
            if column == self.CHOICE:
                return "Yes" if story.in_editors_choice else ""
        if role == Qt.ItemDataRole.DecorationRole and column == self.CHOICE and story.in_editors_choice:
            return icon("editors_choice")
        if role == Qt.ItemDataRole.ToolTipRole and column == self.TITLE:
            return story.title
        return None
