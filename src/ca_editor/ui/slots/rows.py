"""Compact slot rows: a small thumbnail, then the headline on at most two lines.

A desk must see its whole block at a glance (issue 19: at 1440 × 900 the pane showed three of eight slots,
each row as tall as its wrapped headline). Every row here has one height, that of the thumbnail or of two
lines of text, whichever is taller: a long headline is cut with "…" on its second line, and a marker
("Edited for this page", "Placed twice") takes the second line in italics. The whole headline stays in the
tooltip and the accessible text (``SlotListModel``), and the display text itself is unchanged.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QResizeEvent,
    QTextLayout,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListView,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from ca_editor.ui.dnd import SLOT_IDS_MIME, STORY_IDS_MIME

#: The slot list's thumbnails: 16:9 like the export's crops, small enough for eight rows in a column.
ROW_THUMBNAIL_SIZE = QSize(72, 40)
_PADDING = 4  # above and below the thumbnail or text, inside the row

Index = QModelIndex | QPersistentModelIndex


def fit_lines(text: str, font: QFont, width: int, max_lines: int) -> list[str]:
    """``text`` wrapped at word boundaries into at most ``max_lines`` lines of ``width`` pixels, the last
    one ending in "…" when the text goes on."""
    if max_lines <= 0 or not text:
        return []
    layout = QTextLayout(text, font)
    layout.beginLayout()
    starts: list[int] = []
    while len(starts) <= max_lines:  # one line more than kept tells whether the text goes on
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        starts.append(line.textStart())
    layout.endLayout()
    lines = [text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    if len(lines) <= max_lines:
        return lines
    rest = text[starts[max_lines - 1] :].strip()
    last = QFontMetrics(font).elidedText(rest, Qt.TextElideMode.ElideRight, width)
    return [*lines[: max_lines - 1], last]


class SlotRowDelegate(QStyledItemDelegate):
    """Paints a slot as thumbnail + at most two lines; every row the same height."""

    def row_height(self, option: QStyleOptionViewItem) -> int:
        return max(ROW_THUMBNAIL_SIZE.height(), 2 * option.fontMetrics.lineSpacing()) + 2 * _PADDING

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: ARG002 - Qt's signature
        # The view makes every row as wide as itself: the width here only must not ask for a scroll bar.
        return QSize(ROW_THUMBNAIL_SIZE.width() + 8 * _PADDING, self.row_height(option))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.decorationSize = ROW_THUMBNAIL_SIZE
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        opt.text = ""  # background, selection, focus and thumbnail by the style; the text below by hand
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)

        # The delegate hands text over with Qt's line separator (U+2028) where the model wrote "\n".
        headline, _, markers = text.replace("\u2028", "\n").partition("\n")
        rect = text_rect.adjusted(2, 0, -2, 0)
        lines = [
            (line, opt.font) for line in fit_lines(headline, opt.font, rect.width(), 1 if markers else 2)
        ]
        if markers:
            marker_font = QFont(opt.font)
            marker_font.setItalic(True)
            lines += [(line, marker_font) for line in fit_lines(markers, marker_font, rect.width(), 1)]

        enabled = bool(opt.state & QStyle.StateFlag.State_Enabled)
        group = QPalette.ColorGroup.Normal if enabled else QPalette.ColorGroup.Disabled
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        line_height = opt.fontMetrics.lineSpacing()
        top = rect.top() + (rect.height() - line_height * len(lines)) // 2
        painter.save()
        painter.setPen(opt.palette.color(group, role))
        for number, (line, font) in enumerate(lines):
            painter.setFont(font)
            box = QRect(rect.left(), top + number * line_height, rect.width(), line_height)
            painter.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line)
        painter.restore()


class SlotListView(QListView):
    """The slots as a list that takes slot drags (reorder) and story drags (add) between rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Editor's choice slots")
        self.setToolTip(
            "Drag a slot to reorder, or drag stories here from the list. Keyboard: Alt+Up/Down, "
            "Alt+Home/End, Ctrl+M, Delete, F2"
        )
        self.setIconSize(ROW_THUMBNAIL_SIZE)
        self.rows = SlotRowDelegate(self)
        self.setItemDelegate(self.rows)
        self.setUniformItemSizes(True)  # one height for every row (SlotRowDelegate)
        self.setSpacing(2)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragDropOverwriteMode(False)
        self.setDropIndicatorShown(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

    def row_height(self) -> int:
        option = QStyleOptionViewItem()
        option.initFrom(self)
        return self.rows.row_height(option)

    def height_for_rows(self, rows: int) -> int:
        """The view's height that shows ``rows`` rows whole, with no scroll bar."""
        # A list view puts its spacing around every item: above, below, and between two items twice.
        return rows * (self.row_height() + 2 * self.spacing()) + 2 * self.frameWidth()

    def sizeHint(self) -> QSize:
        """Tall enough for the whole block: the splitter (``PartsSplitter``) gives it that first."""
        model = self.model()
        rows = model.rowCount() if model is not None else 0
        return QSize(super().sizeHint().width(), self.height_for_rows(max(rows, 1)))

    # A story dragged in from the list is copied (the list keeps its row), whatever the source proposed.
    def _is_story_drag(self, event: QDragMoveEvent | QDropEvent) -> bool:
        data = event.mimeData()
        return (
            event.source() is not self
            and data.hasFormat(STORY_IDS_MIME)
            and not data.hasFormat(SLOT_IDS_MIME)
            and bool(event.possibleActions() & Qt.DropAction.CopyAction)
        )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        super().dragEnterEvent(event)
        if event.isAccepted() and self._is_story_drag(event):
            event.setDropAction(Qt.DropAction.CopyAction)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._is_story_drag(event):
            event.setDropAction(Qt.DropAction.CopyAction)
        super().dragMoveEvent(event)
        if event.isAccepted() and self._is_story_drag(event):
            event.setDropAction(Qt.DropAction.CopyAction)

    def dropEvent(self, event: QDropEvent) -> None:
        story = self._is_story_drag(event)
        if story:
            event.setDropAction(Qt.DropAction.CopyAction)
        super().dropEvent(event)
        if story and event.isAccepted():
            event.setDropAction(Qt.DropAction.CopyAction)


class PartsSplitter(QSplitter):
    """The pane's three parts, top to bottom: the slots, the selected slot's overrides, the 'previously'
    list. The slots get the height of the whole block first (never more: a taller list would only show
    blank space), the 'previously' list a few lines, the overrides form the rest. Once a person drags a
    handle, the sizes are theirs and only the overrides form and the 'previously' list follow a resize.
    """

    def __init__(self, slots: QWidget, overrides: QWidget, former: QWidget, view: SlotListView) -> None:
        super().__init__(Qt.Orientation.Vertical)
        self.setChildrenCollapsible(False)
        self.parts = (slots, overrides, former)
        for part in self.parts:
            self.addWidget(part)
        self.setStretchFactor(0, 0)
        self.setStretchFactor(1, 1)
        self.setStretchFactor(2, 1)
        self._view = view
        self.moved_by_hand = False
        self.splitterMoved.connect(self._moved)
        view.model().modelReset.connect(self.fit)  # a block of another size
        view.installEventFilter(self)  # a new font or style changes the row height

    def former_height(self) -> int:
        """The 'previously' list's share: its title and about four lines."""
        return max(self.parts[2].minimumSizeHint().height(), 4 * self.fontMetrics().lineSpacing() + 40)

    def fit(self) -> None:
        if self.moved_by_hand:
            return
        self._view.updateGeometry()
        total = self.height() - 2 * self.handleWidth()
        low = [max(part.minimumSizeHint().height(), part.minimumHeight()) for part in self.parts]
        top = max(low[0], min(self.parts[0].sizeHint().height(), total - low[1] - low[2]))
        bottom = max(low[2], min(self.former_height(), total - top - low[1]))
        self.setSizes([top, max(low[1], total - top - bottom), bottom])

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.fit()
        return super().eventFilter(watched, event)

    def reset(self) -> None:
        """Back to the default sizes (View › Reset the pane layout)."""
        self.moved_by_hand = False
        self.fit()

    def _moved(self, *_: object) -> None:
        self.moved_by_hand = True
