"""The editor's-choice block as an ordered list: position, effective headline, override marker."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from ca_editor.domain.model import SectionLayout, Slot

Index = QModelIndex | QPersistentModelIndex


class SlotListModel(QAbstractListModel):
    SlotIdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self) -> None:
        super().__init__()
        self._slots: tuple[Slot, ...] = ()
        self._capacity = 0

    def set_layout(self, layout: SectionLayout) -> None:
        self.beginResetModel()
        self._slots = layout.slots
        self._capacity = layout.section.slot_count
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._slots)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._slots):
            return None
        slot = self._slots[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            marker = "  (edited for this page)" if slot.overrides.any else ""
            return f"{slot.position}. {slot.headline}{marker}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return slot.summary
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Slot {slot.position} of {self._capacity}: {slot.headline}"
        if role == self.SlotIdRole:
            return slot.id
        return None
