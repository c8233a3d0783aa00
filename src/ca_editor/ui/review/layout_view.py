"""The block as the reviewer sees it: read-only, one row per slot with what changed there."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from ca_editor.domain.layout_diff import LayoutDiff
from ca_editor.domain.model import SlotEntry
from ca_editor.domain.snapshots import SnapshotContent
from ca_editor.domain.workflow import LABELS
from ca_editor.ui.slots.models import THUMBNAIL_SIZE, Thumbnails

Index = QModelIndex | QPersistentModelIndex

StoryIdRole = Qt.ItemDataRole.UserRole + 1
MarksRole = Qt.ItemDataRole.UserRole + 2  # tuple of what changed at this slot (from the diff shown)


class ReviewLayoutModel(QAbstractListModel):
    """Slots of a ``SnapshotContent`` (the block now, or an old one), with the marks of one ``LayoutDiff``."""

    def __init__(self, read_image: Callable[[str], bytes], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thumbnails = Thumbnails(read_image)
        self._content: SnapshotContent | None = None
        self._diff: LayoutDiff | None = None

    def set_content(self, content: SnapshotContent, diff: LayoutDiff | None = None) -> None:
        self.beginResetModel()
        self._content, self._diff = content, diff
        self.endResetModel()

    def set_diff(self, diff: LayoutDiff | None) -> None:
        self._diff = diff
        if self.rowCount():
            self.dataChanged.emit(self.index(0), self.index(self.rowCount() - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        if parent.isValid() or self._content is None:
            return 0
        return max(self._content.slot_count, len(self._content.entries))

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid() or self._entry(index.row()) is None:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable  # read-only: no edit, drag or drop

    def headline(self, row: int) -> str:
        entry = self._entry(row)
        if entry is None:
            return ""
        if entry.headline is not None:
            return entry.headline
        story = self._content.stories.get(entry.story_id) if self._content else None
        return story.title if story else f"story {entry.story_id}"

    def overrides(self, row: int) -> tuple[str, ...]:
        entry = self._entry(row)
        if entry is None:
            return ()
        words = []
        if entry.headline is not None:
            words.append("page-only headline")
        if entry.summary is not None:
            words.append("page-only summary")
        if entry.image_sha256 is not None:
            words.append("page-only image")
        return tuple(words)

    def marks(self, row: int) -> tuple[str, ...]:
        if self._diff is None or self._entry(row) is None:
            return ()
        return self._diff.marks(row + 1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < self.rowCount():
            return None
        row = index.row()
        entry = self._entry(row)
        if entry is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{row + 1}. (empty slot)"
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            lines = [f"{row + 1}. {self.headline(row)}"]
            if overrides := self.overrides(row):
                lines.append("✎ " + " · ".join(overrides))
            if marks := self.marks(row):
                lines.append("● " + "; ".join(m[0].upper() + m[1:] for m in marks))
            return "\n".join(lines)
        if role == Qt.ItemDataRole.DecorationRole:
            return self.thumbnails.get(self._image_of(entry)) or self.thumbnails.blank()
        if role == Qt.ItemDataRole.FontRole and self._diff and self._diff.marks(row + 1, shifts=False):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            story = self._content.stories.get(entry.story_id) if self._content else None
            lines = [self.headline(row)]
            if story and entry.headline is not None:
                lines.append(f"Story title: {story.title}")
            if story:
                label = next(
                    (text for status, text in LABELS.items() if status == story.status), story.status
                )
                lines.append(f"Status: {label}")
            lines += [m[0].upper() + m[1:] for m in self.marks(row)]
            return "\n".join(lines)
        if role == StoryIdRole:
            return entry.story_id
        if role == MarksRole:
            return self.marks(row)
        return None

    def _entry(self, row: int) -> SlotEntry | None:
        if self._content is None or not 0 <= row < len(self._content.entries):
            return None
        return self._content.entries[row]

    def _image_of(self, entry: SlotEntry) -> str | None:
        if entry.image_sha256 is not None:
            return entry.image_sha256
        story = self._content.stories.get(entry.story_id) if self._content else None
        return story.image_sha256 if story else None


class ReviewLayoutView(QListView):
    def __init__(self, model: ReviewLayoutModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setIconSize(THUMBNAIL_SIZE)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setDragDropMode(QAbstractItemView.DragDropMode.NoDragDrop)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.setSpacing(2)
        self.setUniformItemSizes(False)
        self.setAccessibleName("The layout (read-only)")
