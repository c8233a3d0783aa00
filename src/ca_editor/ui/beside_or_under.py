"""A layout of two parts: the second beside the first when the width allows, else under it.

For a form in a narrow column (the overrides form in editor's choice, 340–500 px): a picture with its
buttons beside it in a wide column and under it in a narrow one. The layout's minimum width is the wider
of the two parts, never their sum, so a scroll area with its horizontal bar off can always fit it; its
height follows the width (``heightForWidth``), so the form around it grows when the parts stack.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class BesideOrUnderLayout(QLayout):
    """Holds exactly two items, both top-left aligned: ``first`` and ``second`` (add them in order)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 8) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setContentsMargins(0, 0, 0, 0)
        self.setSpacing(spacing)

    # --- the QLayout protocol ----------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        if len(self._items) >= 2:
            raise ValueError("BesideOrUnderLayout holds two items")
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def sizeHint(self) -> QSize:
        # Stacked too: the column's width is the window's choice, and a hint wider than the narrowest
        # column would make the form around it ask for more than it can have. Beside, when there is room.
        width = (
            max((item.sizeHint().width() for item in self._visible()), default=0) + self._margins().width()
        )
        return QSize(width, self.heightForWidth(width))

    def minimumSize(self) -> QSize:  # stacked: the wider part, never the sum
        width = max((item.minimumSize().width() for item in self._visible()), default=0)
        height = max((item.minimumSize().height() for item in self._visible()), default=0)
        return QSize(width, height) + self._margins()

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    # --- where the parts go ------------------------------------------------------------------------

    def fits_beside(self, width: int) -> bool:
        """Whether both parts stand side by side in ``width`` pixels (the layout's own width)."""
        margins = self.contentsMargins()
        inner = width - margins.left() - margins.right()
        parts = self._visible()
        return sum(item.sizeHint().width() for item in parts) + self.spacing() * (len(parts) - 1) <= inner

    def _visible(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _margins(self) -> QSize:
        margins = self.contentsMargins()
        return QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        """Lay the parts out in ``rect`` (only measure unless ``place``); the height they take."""
        margins = self.contentsMargins()
        inner = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        beside = self.fits_beside(rect.width())
        x, y, row_height, bottom = inner.x(), inner.y(), 0, inner.y()
        for item in self._visible():
            width = min(item.sizeHint().width(), inner.width())
            width = max(width, min(item.minimumSize().width(), inner.width()))
            height = item.heightForWidth(width) if item.hasHeightForWidth() else item.sizeHint().height()
            if not beside and x > inner.x():  # the next part goes under the one before
                x, y = inner.x(), y + row_height + self.spacing()
                row_height = 0
            if place:
                item.setGeometry(QRect(x, y, width, height))
            row_height = max(row_height, height)
            bottom = max(bottom, y + height)
            x += width + self.spacing()
        return bottom - rect.y() + margins.bottom()
