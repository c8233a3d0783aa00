"""The import preview as a table: one row per entry, what will happen to it and why. Read-only."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from ca_editor.services.importing import Action, ImportPlan, PlannedEntry
from ca_editor.ui.icons import icon

Index = QModelIndex | QPersistentModelIndex

_ACTION_TEXT = {Action.ADD: "Add", Action.UPDATE: "Update", Action.SKIP: "Skip"}
_ACTION_ICON = {Action.ADD: "new_story", Action.UPDATE: "refresh", Action.SKIP: "notice"}


class PlanModel(QAbstractTableModel):
    ACTION, TITLE, SLUG, DATE, REASON = range(5)
    HEADERS = ("Action", "Title", "Slug", "Date", "Reason")
    HEADER_TIPS = (
        "Add a new story, update the story it matches, or skip the entry",
        "The story's title as it will be saved",
        "The story's address in the bundle: readable and unique",
        "Publication date (UTC)",
        "Why: which story it matches (guid, link or slug) and what changes",
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: tuple[PlannedEntry, ...] = ()

    def set_plan(self, plan: ImportPlan | None) -> None:
        self.beginResetModel()
        self._entries = plan.entries if plan is not None else ()
        self.endResetModel()

    def entry(self, row: int) -> PlannedEntry:
        return self._entries[row]

    def describe(self, row: int) -> str:
        """The whole story of one row, for the line under the table: where it came from, what, why."""
        entry = self._entries[row]
        action = _ACTION_TEXT[entry.action].lower()
        reason = entry.reason[:1].upper() + entry.reason[1:]
        return f"{entry.record.origin.label}: {action} as '{entry.slug}'. {reason}."

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._entries):
            return None
        entry = self._entries[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self._text(entry, column)
            if role == Qt.ItemDataRole.ToolTipRole and column == self.TITLE:
                return f"{entry.record.origin.label}: {text}"
            return text
        if role == Qt.ItemDataRole.DecorationRole and column == self.ACTION:
            return icon(_ACTION_ICON[entry.action])
        if role == Qt.ItemDataRole.ForegroundRole and entry.action is Action.SKIP:
            return QApplication.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{_ACTION_TEXT[entry.action]}: {self._text(entry, self.TITLE)}. {entry.reason}"
        return None

    def _text(self, entry: PlannedEntry, column: int) -> str:
        if column == self.ACTION:
            return _ACTION_TEXT[entry.action]
        if column == self.TITLE:
            return entry.fields.title
        if column == self.SLUG:
            return entry.slug
        if column == self.DATE:
            when = entry.fields.published_at
            return f"{when:%d %b %Y %H:%M}" if when else "—"  # UTC, as the story list shows dates
        return entry.reason

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.HEADER_TIPS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
