"""Item models of the editor's-choice pane: the ordered slots, and the stories taken out of them.

Both are thin views of the desk: they never change data themselves. A drop or a row move asks the desk
(``assign``, ``move_slots``), which changes the database, pushes one undo step and broadcasts a ``Change``;
the models reset from the block the desk holds when the change names it (no read of their own). That is why
``dropMimeData`` returns ``False`` for moves: the view must not remove a source row itself (pitfalls.md: that
is how reorder models lose items). A drag of several slots is one step: one transaction, one undo.
A refused step goes to ``report_error`` (the pane points it at the window's error place).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication

from ca_editor.domain import ordering
from ca_editor.domain.changes import Change
from ca_editor.domain.crop import crop_box
from ca_editor.domain.dates import human_date
from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.model import FormerSlot, SectionLayout, Slot, SlotEntry, Story
from ca_editor.ui.background import Lane
from ca_editor.ui.desk import Desk
from ca_editor.ui.dnd import SLOT_IDS_MIME, STORY_IDS_MIME, decode_ids, encode_ids
from ca_editor.ui.errors import report
from ca_editor.ui.focal_image import decode_oriented
from ca_editor.ui.icons import icon

Index = QModelIndex | QPersistentModelIndex

THUMBNAIL_SIZE = QSize(96, 54)

#: Asked before a change pushes stories out of a full block; gets those stories, returns "go ahead".
EvictionQuestion = Callable[[list[Story]], bool]

SlotIdRole = Qt.ItemDataRole.UserRole + 1
StoryIdRole = Qt.ItemDataRole.UserRole + 2
MarkersRole = Qt.ItemDataRole.UserRole + 3  # tuple of marker words: "edited", "placed twice"
IsEmptySlotRole = Qt.ItemDataRole.UserRole + 4


class Thumbnails:
    """Thumbnails cropped to one size around the image's focal point (the card's cut, ``domain.crop``),
    decoded once per image and point (images are stored by content hash)."""

    def __init__(self, read: Callable[[str], bytes], size: QSize = THUMBNAIL_SIZE) -> None:
        self._read = read
        self._size = size
        self._cache: dict[tuple[str, bool, tuple[float, float] | None], QPixmap | None] = {}
        self._blank: dict[tuple[str, bool], QPixmap] = {}
        self._lane: Lane | None = None
        self._arrived: Callable[[], None] = lambda: None
        self._decoding: set[tuple[str, bool, tuple[float, float] | None]] = set()

    def decode_in_background(self, owner: QObject, arrived: Callable[[], None]) -> None:
        """From now on a picture not decoded yet shows as the blank outline while it is read and decoded on
        a lane; ``arrived()`` follows on the UI thread (the desk's first paint does not wait for eight
        decodes, issue 18)."""
        self._lane = Lane(owner, "thumbnails")
        self._arrived = arrived

    @property
    def size(self) -> QSize:
        return QSize(self._size)

    def get(
        self, sha256: str | None, *, warning: bool = False, focus: tuple[float, float] | None = None
    ) -> QPixmap | None:
        if sha256 is None and not warning:
            return None
        key = (sha256 or "", warning, focus)
        if key not in self._cache and sha256 is not None and self._lane is not None:
            if key not in self._decoding:
                self._decoding.add(key)
                self._lane.submit(
                    lambda _task: self._cut(sha256, focus),
                    done=lambda cut: self._decoded(key, cut),
                    failed=lambda _exc: self._decoded(key, None),
                )
            return self.blank()
        if key not in self._cache:
            self._cache[key] = self._compose(self._cut(sha256, focus), warning)
        return self._cache[key]

    def _decoded(self, key: tuple[str, bool, tuple[float, float] | None], cut: QImage | None) -> None:
        self._decoding.discard(key)
        self._cache[key] = self._compose(cut, key[1])
        self._arrived()

    def blank(self) -> QPixmap:
        """A dashed outline the size of a thumbnail: an empty slot keeps the height of a filled one."""
        if ("", False) not in self._blank:
            canvas = QPixmap(self._size)
            canvas.fill(Qt.GlobalColor.transparent)
            painter = QPainter(canvas)
            pen = QPen(QApplication.palette().color(QPalette.ColorRole.Mid))
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawRect(QRect(0, 0, self._size.width() - 1, self._size.height() - 1))
            painter.end()
            self._blank[("", False)] = canvas
        return self._blank[("", False)]

    def _cut(self, sha256: str | None, focus: tuple[float, float] | None) -> QImage | None:
        """The picture cut to the thumbnail's shape around ``focus`` (QImage: any thread may make it)."""
        width, height = self._size.width(), self._size.height()
        decoded = None
        if sha256 is not None:
            try:  # oriented as the reader sees it, decoded at a few times the thumbnail's size only
                decoded = decode_oriented(self._read(sha256), limit=4 * max(width, height))
            except CaEditorError:
                decoded = None
        if decoded is None:
            return None
        source = decoded[0]
        left, top, right, bottom = crop_box(source.width(), source.height(), (width, height), focus)
        return source.copy(QRect(left, top, right - left, bottom - top))

    def _compose(self, cut: QImage | None, warning: bool) -> QPixmap:
        """The thumbnail (a QPixmap: the UI thread's), with the placed-twice badge when ``warning``."""
        width, height = self._size.width(), self._size.height()
        canvas = QPixmap(self._size)
        canvas.fill(Qt.GlobalColor.transparent)
        painter = QPainter(canvas)
        if cut is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(QRect(0, 0, width, height), cut)
        else:
            painter.fillRect(QRect(0, 0, width, height), QApplication.palette().color(QPalette.ColorRole.Mid))
        if warning:  # a badge in the corner: this story is placed twice
            badge = QRect(width - 26, 2, 24, 24)
            painter.setBrush(QBrush(QColor("#fff4d6")))
            painter.setPen(QColor("#8a5a00"))
            painter.drawEllipse(badge)
            painter.drawPixmap(badge.adjusted(3, 3, -3, -3), icon("slot_warning").pixmap(18, 18))
        painter.end()
        return canvas


class SlotListModel(QAbstractListModel):
    """The block as a list: one row per filled slot, then (optionally) a placeholder row per empty slot."""

    SlotIdRole = SlotIdRole
    StoryIdRole = StoryIdRole
    MarkersRole = MarkersRole
    IsEmptySlotRole = IsEmptySlotRole

    #: 0-based row that a move, drop or add just placed a slot at (for the view to select it).
    placed = Signal(int)

    def __init__(
        self,
        desk: Desk,
        *,
        show_empty: bool = True,
        thumbnail_size: QSize = THUMBNAIL_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.show_empty = show_empty
        #: Asked before a drop pushes stories out; ``None`` means "go ahead" (the pane installs a dialog).
        self.confirm_eviction: EvictionQuestion | None = None
        #: Ask about an eviction after the drop has finished instead of inside it (no dialog during QDrag).
        self.ask_after_drop = False
        self.thumbnails = Thumbnails(desk.services.images.read, thumbnail_size)
        self.thumbnails.decode_in_background(self, self._thumbnails_arrived)
        self._slots: tuple[Slot, ...] = ()
        self._capacity = 0
        self._twice: set[int] = set()
        #: Told when a step the model asked for was refused (the pane sends it to the window).
        self.report_error: Callable[[CaEditorError], None] = lambda error: report(None, error)
        self._read(desk.layout)
        desk.changed.connect(self._on_change)

    def _thumbnails_arrived(self) -> None:
        if self.rowCount():
            last = self.index(self.rowCount() - 1, 0)
            self.dataChanged.emit(self.index(0, 0), last, [Qt.ItemDataRole.DecorationRole])

    # --- reading -------------------------------------------------------------------------------------

    def _read(self, layout: SectionLayout) -> None:
        self._slots = layout.slots
        self._capacity = layout.section.slot_count
        self._twice = ordering.duplicates([slot.story.id for slot in layout.slots])

    def _on_change(self, change: Change) -> None:
        if not change.names_layout(self.desk.section_id):
            return  # e.g. a story saved that is not in the block
        self.beginResetModel()
        self._read(self.desk.layout)
        self.endResetModel()

    @property
    def slots(self) -> tuple[Slot, ...]:
        return self._slots

    def slot_at(self, row: int) -> Slot | None:
        return self._slots[row] if 0 <= row < len(self._slots) else None

    def row_of_slot(self, slot_id: int) -> int | None:
        return next((row for row, slot in enumerate(self._slots) if slot.id == slot_id), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        if parent.isValid():
            return 0
        return max(self._capacity, len(self._slots)) if self.show_empty else len(self._slots)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled  # drops land between rows, never on one
        if index.row() >= len(self._slots):
            return Qt.ItemFlag.NoItemFlags  # an empty slot: shown, not selectable, not draggable
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def markers(self, slot: Slot) -> tuple[str, ...]:
        words = []
        if slot.overrides.any:
            words.append("edited for this page")
        if slot.story.id in self._twice:
            others = [s.position for s in self._slots if s.story.id == slot.story.id and s.id != slot.id]
            words.append("placed twice (also slot " + ", ".join(str(p) for p in others) + ")")
        return tuple(words)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < self.rowCount():
            return None
        row = index.row()
        if row >= len(self._slots):
            return self._empty_data(row + 1, role)
        slot = self._slots[row]
        markers = self.markers(slot)
        twice = slot.story.id in self._twice
        if role == Qt.ItemDataRole.DisplayRole:
            text = f"{slot.position}. {slot.headline}"
            return text + "\n" + " · ".join(m.capitalize() for m in markers) if markers else text
        if role == Qt.ItemDataRole.DecorationRole:
            image = slot.image
            return self.thumbnails.get(
                image.asset.sha256 if image else None, warning=twice, focus=image.focus if image else None
            )
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [slot.headline]
            if slot.overrides.headline is not None:
                lines.append(f"Story's own headline: {slot.story.title}")
            if slot.summary:
                lines.append(slot.summary)
            if twice:
                lines.append("Warning: this story is placed twice in editor's choice.")
            elif slot.overrides.any:
                lines.append("Edited for this page (the story itself is unchanged).")
            return "\n".join(lines)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = f"Slot {slot.position} of {self._capacity}: {slot.headline}"
            return text + "".join(f". {m.capitalize()}" for m in markers)
        if role == Qt.ItemDataRole.ForegroundRole and twice:
            return QBrush(QColor("#8a3b00"))
        if role == SlotIdRole:
            return slot.id
        if role == StoryIdRole:
            return slot.story.id
        if role == MarkersRole:
            return markers
        if role == IsEmptySlotRole:
            return False
        return None

    def _empty_data(self, position: int, role: int) -> object:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{position}. — empty"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Slot {position} is empty: drop a story here or use “Add selected story”."
        if role == Qt.ItemDataRole.DecorationRole:
            return self.thumbnails.blank()
        if role == IsEmptySlotRole:
            return True
        if role == MarkersRole:
            return ()
        return None

    # --- drag and drop ---------------------------------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [SLOT_IDS_MIME, STORY_IDS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid() and i.row() < len(self._slots)})
        return encode_ids(SLOT_IDS_MIME, [self._slots[r].id for r in rows])

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, _row: int, _column: int, parent: Index
    ) -> bool:
        if parent.isValid() or not action & self.supportedDropActions():
            return False
        return bool(decode_ids(data, SLOT_IDS_MIME) or decode_ids(data, STORY_IDS_MIME))

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        at = len(self._slots) if row < 0 else min(row, len(self._slots))  # 0-based insertion point
        slot_ids = decode_ids(data, SLOT_IDS_MIME)
        if slot_ids:
            self.move_slots_before(slot_ids, at)
            return False  # the desk moved it; the view must not remove a source row
        story_ids = decode_ids(data, STORY_IDS_MIME)
        if self.ask_after_drop and self.desk.falls_out_if_added(len(story_ids)):
            # A dialog inside a drop would run under QDrag's own loop; ask once the drag is over.
            QTimer.singleShot(0, lambda: self.add_stories(story_ids, at + 1))
            return True
        return self.add_stories(story_ids, at + 1)

    # --- changes, through the desk ---------------------------------------------------------------------

    def moveRows(
        self, source_parent: Index, source_row: int, count: int, destination_parent: Index, destination: int
    ) -> bool:
        """Qt's move API (``destination`` is the row before which the rows go, counted before removal)."""
        if source_parent.isValid() or destination_parent.isValid() or count < 1:
            return False
        if source_row < 0 or source_row + count > len(self._slots):
            return False
        if source_row <= destination <= source_row + count:
            return False  # onto itself
        ids = [slot.id for slot in self._slots[source_row : source_row + count]]
        return self.move_slots_before(ids, destination)

    def move_slots_before(self, slot_ids: Sequence[int], destination: int) -> bool:
        """Move slots so they sit, in order, where row ``destination`` (0-based, before removal) was."""
        destination = max(0, min(destination, len(self._slots)))
        rows = [r for r in (self.row_of_slot(i) for i in slot_ids) if r is not None]
        if not rows:
            return False
        try:  # several slots: one transaction and one undo step, in the order dropped
            moved = self.desk.move_slots(slot_ids, destination)
        except CaEditorError as exc:
            self.report_error(exc)
            return False
        if moved:
            row = self.row_of_slot(slot_ids[0])
            if row is not None:
                self.placed.emit(row)
        return moved

    def move_slot_to(self, slot_id: int, position: int) -> bool:
        """Move one slot so it ends at 1-based ``position`` (clamped to the filled slots)."""
        position = max(1, min(position, len(self._slots)))
        try:
            if not self.desk.move_slot(slot_id, position):
                return False
        except CaEditorError as exc:
            self.report_error(exc)
            return False
        row = self.row_of_slot(slot_id)
        if row is not None:
            self.placed.emit(row)
        return True

    def add_stories(self, story_ids: Sequence[int], position: int | None = None) -> bool:
        """Put stories into the block from 1-based ``position``; ask first about any that would fall out."""
        ids = list(story_ids)[: self._capacity]
        if not ids:
            return False
        # Several new stories are inserted one after the other; keep them all inside the block so that
        # exactly the last slots of the block fall out, which is what the question names.
        last_start = self._capacity - len(ids) + 1
        position = min(len(self._slots) + 1 if position is None else position, last_start)
        position = max(1, min(position, len(self._slots) + 1))
        falling = self.desk.falls_out_if_added(len(ids))
        ask = self.confirm_eviction
        if falling and ask is not None and not ask([slot.story for slot in falling]):
            return False
        try:
            if not self.desk.assign(ids, position):
                return False
        except CaEditorError as exc:
            self.report_error(exc)
            return False
        self.placed.emit(position - 1)
        return True


class FormerListModel(QAbstractListModel):
    """Stories taken out of the block, most recent first: title, the slot they had, when they left."""

    StoryIdRole = StoryIdRole

    def __init__(self, desk: Desk, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self._rows: list[FormerSlot] = desk.former()
        desk.changed.connect(self._on_change)

    def _on_change(self, change: Change) -> None:
        if change.names_layout(self.desk.section_id):
            self.refresh()

    def refresh(self) -> None:
        """Show the list as the desk holds it (renewed by the desk's own layout writes; no read here)."""
        self.beginResetModel()
        self._rows = self.desk.former()
        self.endResetModel()

    def rows(self) -> list[FormerSlot]:
        return list(self._rows)

    def former_at(self, row: int) -> FormerSlot | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self._rows):
            return None
        former = self._rows[index.row()]
        removed = human_date(former.removed_at)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{former.story.title}\nWas slot {former.last_position} · removed {removed}"
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            plain = former.entry == SlotEntry(former.story.id)
            edited = "" if plain else " It had page-only edits, which come back with it."
            return (
                f"{former.story.title}: was slot {former.last_position}, removed {removed}. "
                f"Put back returns it to slot {former.last_position}.{edited}"
            )
        if role == StoryIdRole:
            return former.story.id
        return None
