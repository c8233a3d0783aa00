"""A small painted chart of stories per month, beside the archive tree, so gaps show at a glance.

Months run down the chart, newest at the top like the tree; a month without stories has no bar but an
orange tick on the axis, visible even when a month gets less than a pixel. The
selected range is shaded; hovering names the month, clicking (or Up/Down then Enter) filters to it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QHelpEvent, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QToolTip, QWidget

from ca_editor.domain.dates import DateRange, MonthBucket, YearBucket


def month_series(buckets: tuple[YearBucket, ...]) -> list[MonthBucket]:
    """Every month from the newest to the oldest with stories, newest first; empty months count 0."""
    counts = {(m.year, m.month): m.count for year in buckets for m in year.months}
    if not counts:
        return []
    (last_year, last_month), (first_year, first_month) = max(counts), min(counts)
    series = []
    year, month = last_year, last_month
    while (year, month) >= (first_year, first_month):
        series.append(MonthBucket(year, month, counts.get((year, month), 0)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return series


def _overlaps(bucket: MonthBucket, dates: DateRange) -> bool:
    if dates.is_open:
        return False
    month = DateRange.month(bucket.year, bucket.month)
    assert month.first is not None and month.last is not None
    return (dates.first is None or dates.first <= month.last) and (
        dates.last is None or month.first <= dates.last
    )


class MonthChart(QWidget):
    month_clicked = Signal(int, int)  # year, month

    LABEL_WIDTH = 40

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._series: list[MonthBucket] = []
        self._selected = DateRange()
        self._focus = 0
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumWidth(self.LABEL_WIDTH + 48)
        self.setAccessibleName("Stories per month")
        self.setToolTip("Stories per month; click a month to filter the list")

    def set_buckets(self, buckets: tuple[YearBucket, ...]) -> None:
        self._series = month_series(buckets)
        self._focus = min(self._focus, max(0, len(self._series) - 1))
        gaps = sum(1 for m in self._series if m.count == 0)
        self.setAccessibleDescription(
            f"{len(self._series)} months, {gaps} without stories" if self._series else "No dated stories"
        )
        self.update()

    def set_selected(self, dates: DateRange) -> None:
        self._selected = dates
        self.update()

    def series(self) -> list[MonthBucket]:
        return list(self._series)

    def sizeHint(self) -> QSize:
        return QSize(self.LABEL_WIDTH + 80, 240)

    # ------------------------------------------------------------------------------------------ geometry

    def _row_height(self) -> float:
        return (self.height() - 4) / max(1, len(self._series))

    def _month_at(self, y: float) -> int | None:
        if not self._series:
            return None
        number = int((y - 2) // self._row_height())
        return number if 0 <= number < len(self._series) else None

    # ------------------------------------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: ARG002 - Qt's signature
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        if not self._series:
            painter.setPen(palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, "No dated stories"
            )
            return
        row = self._row_height()
        left = float(self.LABEL_WIDTH)
        width = max(1.0, self.width() - left - 4)
        peak = max(m.count for m in self._series) or 1
        highlight = palette.color(QPalette.ColorRole.Highlight)
        band = palette.color(QPalette.ColorRole.Highlight)
        band.setAlpha(50)
        bar = palette.color(QPalette.ColorRole.Text)
        bar.setAlpha(150)
        text = palette.color(QPalette.ColorRole.Text)
        gap_colour = QColor("#d84315")
        small = painter.font()
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.8))
        painter.setFont(small)
        gap = 1.0 if row >= 4 else 0.0
        last_label_y = -1e9
        for number, month in enumerate(self._series):
            top = 2 + number * row
            if _overlaps(month, self._selected):
                painter.fillRect(QRectF(0, top, self.width(), row), band)
            if month.count:
                length = max(1.0, width * month.count / peak)
                colour = highlight if _overlaps(month, self._selected) else bar
                painter.fillRect(QRectF(left, top, length, max(1.0, row - gap)), colour)
            else:
                # A month without stories: a tick on the axis, so the gap shows even below 1 px a month.
                painter.fillRect(QRectF(left - 5, top, 4, max(1.0, row - gap)), gap_colour)
            # A year label at each year's newest month, when there is room for it.
            newest_of_year = number == 0 or self._series[number - 1].year != month.year
            if newest_of_year and top - last_label_y >= painter.fontMetrics().height():
                painter.setPen(text)
                painter.drawText(QPointF(2, top + painter.fontMetrics().ascent()), str(month.year))
                painter.setPen(palette.color(QPalette.ColorRole.Mid))
                painter.drawLine(QPointF(left - 2, top), QPointF(self.width(), top))
                last_label_y = top
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.drawLine(QPointF(left, 2), QPointF(left, self.height() - 2))
        if self.hasFocus():
            painter.setPen(highlight)
            painter.drawRect(QRectF(left - 1, 2 + self._focus * row, width + 2, max(2.0, row)))

    # ------------------------------------------------------------------------------------------ input

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            number = self._month_at(event.position().y())
            if number is None:
                QToolTip.hideText()
            else:
                month = self._series[number]
                stories = "story" if month.count == 1 else "stories"
                QToolTip.showText(event.globalPos(), f"{month.label}: {month.count:,} {stories}", self)
            return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        number = self._month_at(event.position().y())
        if event.button() == Qt.MouseButton.LeftButton and number is not None:
            self._focus = number
            month = self._series[number]
            self.month_clicked.emit(month.year, month.month)
            return
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if self._series and key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Home, Qt.Key.Key_End):
            steps = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1}
            if key == Qt.Key.Key_Home:
                self._focus = 0
            elif key == Qt.Key.Key_End:
                self._focus = len(self._series) - 1
            else:
                self._focus = min(len(self._series) - 1, max(0, self._focus + steps[key]))
            month = self._series[self._focus]
            self.setAccessibleDescription(f"{month.label}: {month.count} stories")
            self.update()
            return
        if self._series and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            month = self._series[self._focus]
            self.month_clicked.emit(month.year, month.month)
            return
        super().keyPressEvent(event)
