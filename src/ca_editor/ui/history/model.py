"""The layout history as a table: one row per snapshot (kind, when in local time, who, note), newest first."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from ca_editor.domain.local_time import full_time, local_time
from ca_editor.domain.snapshots import LayoutSnapshot
from ca_editor.ui.review.common import kind_icon

Index = QModelIndex | QPersistentModelIndex

SnapshotIdRole = Qt.ItemDataRole.UserRole + 1

COLUMNS = ("Kind", "When", "Who", "Note")


class SnapshotListModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._snapshots: tuple[LayoutSnapshot, ...] = ()

    def set_snapshots(self, snapshots: Sequence[LayoutSnapshot]) -> None:
        self.beginResetModel()
        self._snapshots = tuple(snapshots)
        self.endResetModel()

    @property
    def snapshots(self) -> tuple[LayoutSnapshot, ...]:
        return self._snapshots

    def snapshot_at(self, row: int) -> LayoutSnapshot | None:
        return self._snapshots[row] if 0 <= row < len(self._snapshots) else None

    def row_of(self, snapshot_id: int) -> int | None:
        return next((row for row, s in enumerate(self._snapshots) if s.id == snapshot_id), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._snapshots)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.parent().isValid():
            return None
        snapshot = self.snapshot_at(index.row())
        if snapshot is None or not 0 <= index.column() < len(COLUMNS):
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return snapshot.kind.label
            if column == 1:
                return local_time(snapshot.taken_at)
            if column == 2:
                return snapshot.taken_by
            return " ".join(snapshot.note.split())
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return kind_icon(snapshot.kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [
                f"{snapshot.kind.label} by {snapshot.taken_by}",
                full_time(snapshot.taken_at, seconds=True),
            ]
            if snapshot.note:
                lines.append(snapshot.note)
            filled = len(snapshot.content.entries)
            lines.append(f"{filled} of {snapshot.content.slot_count} slots filled")
            return "\n".join(lines)
        if role == SnapshotIdRole:
            return snapshot.id
        return None
