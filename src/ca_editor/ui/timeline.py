"""The schedule of a section's layouts over the next days, as one clickable strip.

``domain.schedule.timeline`` cuts the days into segments with one live layout each; this widget draws them
left to right (the main layout grey, each variant in its own colour), with the day boundaries, "now", and
what needs a look marked so it does not depend on colour alone: an **overlap** (two windows at once, which
the checklist refuses) red and cross-hatched with "overlap", a **gap** (the main layout between two
variants, maybe not meant) dotted with "gap". The layout the desk edits is outlined.

A click on a segment (or Left/Right and Space from the keyboard) emits ``layout_chosen`` with its variant's
id, or None for the main layout; in an overlap, the variant live there. Each segment's tooltip and the
widget's accessible description say the same in words.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ca_editor.domain.local_time import clock_time
from ca_editor.domain.schedule import Segment, SegmentKind

#: Colours of the variants, in the order of their ids (light enough for black text on either theme).
_VARIANT_COLOURS = ("#8ecae6", "#b5e48c", "#ffd166", "#cdb4db", "#f4a261", "#90e0ef", "#d8e2dc")
_MAIN_COLOUR = "#d9d9d6"
_OVERLAP_COLOUR = "#e63946"
_AXIS_HEIGHT = 16


def variant_colour(variant_id: int) -> QColor:
    return QColor(_VARIANT_COLOURS[variant_id % len(_VARIANT_COLOURS)])


def segment_text(segment: Segment) -> str:
    """One segment in words: what is live, from when to when, and what is wrong with it."""
    span = f"{clock_time(segment.starts_at)} – {clock_time(segment.ends_at)}"
    if segment.kind is SegmentKind.OVERLAP:
        names = " and ".join(f"“{v.name}”" for v in segment.covering)
        return f"Overlap, {span}: {names} at once (the checklist refuses it); “{segment.label}” shows"
    name = "Main layout" if segment.live is None else f"“{segment.label}”"
    return f"{name}, {span}" + (" (a gap between two variants)" if segment.gap else "")


class TimelineWidget(QWidget):
    layout_chosen = Signal(object)  # int | None: the variant id of the segment clicked; None: the main layout

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layout-timeline")
        self.setAccessibleName("Layout timeline")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.segments: tuple[Segment, ...] = ()
        self.start = self.end = datetime.now().astimezone()
        self.now: datetime | None = None
        self.selected: int | None = None  # the variant the desk edits (None: the main layout)
        self._focus_index = 0

    def sizeHint(self) -> QSize:
        return QSize(360, _AXIS_HEIGHT + 26)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, _AXIS_HEIGHT + 26)

    def show_segments(
        self, segments: tuple[Segment, ...], start: datetime, end: datetime, now: datetime | None = None
    ) -> None:
        self.segments, self.start, self.end, self.now = segments, start, end, now
        self._focus_index = min(self._focus_index, max(len(segments) - 1, 0))
        lines = [segment_text(s) for s in segments]
        self.setAccessibleDescription("; ".join(lines))
        self.update()

    def select(self, variant_id: int | None) -> None:
        self.selected = variant_id
        self.update()

    # --- geometry ---------------------------------------------------------------------------------------

    def x_of(self, moment: datetime) -> float:
        span = (self.end - self.start).total_seconds() or 1.0
        share = (moment - self.start).total_seconds() / span
        return 1 + share * (self.width() - 2)

    def segment_rect(self, index: int) -> QRectF:
        segment = self.segments[index]
        left, right = self.x_of(segment.starts_at), self.x_of(segment.ends_at)
        return QRectF(left, _AXIS_HEIGHT, max(right - left, 1.0), self.height() - _AXIS_HEIGHT - 1)

    def segment_at(self, x: float) -> int | None:
        for index in range(len(self.segments)):
            rect = self.segment_rect(index)
            if rect.left() <= x <= rect.right():
                return index
        return None

    # --- drawing ----------------------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        text = self.palette().color(self.foregroundRole())
        small = QFont(self.font())
        small.setPointSizeF(max(small.pointSizeF() * 0.85, 7.0))
        painter.setFont(small)
        for index in range(len(self.segments)):
            self._paint_segment(painter, index)
        self._paint_days(painter, text)
        if self.now is not None and self.start <= self.now <= self.end:
            x = self.x_of(self.now)
            painter.setPen(QPen(QColor(_OVERLAP_COLOUR), 2))
            painter.drawLine(QPointF(x, _AXIS_HEIGHT - 4), QPointF(x, self.height()))
        painter.end()

    def _paint_segment(self, painter: QPainter, index: int) -> None:
        segment, rect = self.segments[index], self.segment_rect(index)
        if segment.kind is SegmentKind.OVERLAP:
            painter.fillRect(rect, QColor(_OVERLAP_COLOUR).lighter(160))
            painter.fillRect(rect, QBrush(QColor(_OVERLAP_COLOUR), Qt.BrushStyle.DiagCrossPattern))
        elif segment.live is not None:
            painter.fillRect(rect, variant_colour(segment.live.id))
        else:
            painter.fillRect(rect, QColor(_MAIN_COLOUR))
            if segment.gap:
                painter.fillRect(rect, QBrush(QColor("#7a7a78"), Qt.BrushStyle.Dense6Pattern))
        chosen = (segment.live.id if segment.live is not None else None) == self.selected
        painter.setPen(QPen(QColor("#1d3557") if chosen else QColor("#9a9a98"), 3 if chosen else 1))
        painter.drawRect(rect.adjusted(1, 1, -1, -1) if chosen else rect)
        if self.hasFocus() and index == self._focus_index:
            painter.setPen(QPen(QColor("#000000"), 1, Qt.PenStyle.DashLine))
            painter.drawRect(rect.adjusted(3, 3, -3, -3))
        label = {SegmentKind.OVERLAP: "overlap"}.get(segment.kind, segment.label)
        if segment.gap:
            label = "gap · main"
        painter.setPen(QColor("#111111"))
        shown = painter.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight, int(rect.width()) - 6)
        painter.drawText(rect.adjusted(4, 0, -2, 0), int(Qt.AlignmentFlag.AlignVCenter), shown)

    def _paint_days(self, painter: QPainter, text: QColor) -> None:
        """A tick and the day's name at each local midnight."""
        local = self.start.astimezone()
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        faint = QColor(text)
        faint.setAlpha(70)  # through the segments: a day boundary, not the edge of a segment
        while day < self.end:
            if day >= local:
                x = self.x_of(day)
                painter.setPen(text)
                painter.drawLine(QPointF(x, 2), QPointF(x, _AXIS_HEIGHT))
                painter.setPen(QPen(faint, 1, Qt.PenStyle.DotLine))
                painter.drawLine(QPointF(x, _AXIS_HEIGHT), QPointF(x, self.height()))
            painter.setPen(text)
            x = self.x_of(max(day, local))
            label = f"{day:%a} {day.day}"
            if self.x_of(day + timedelta(days=1)) - x > painter.fontMetrics().horizontalAdvance(label) + 6:
                painter.drawText(QPointF(x + 3, _AXIS_HEIGHT - 4), label)
            day += timedelta(days=1)

    # --- input ------------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.segment_at(event.position().x())
        if event.button() is Qt.MouseButton.LeftButton and index is not None:
            self._focus_index = index
            self._choose(index)
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self.segment_at(event.position().x())
        tip = segment_text(self.segments[index]) if index is not None else ""
        QToolTip.showText(event.globalPosition().toPoint(), tip, self)
        super().mouseMoveEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, count = event.key(), len(self.segments)
        if count and key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = -1 if key == Qt.Key.Key_Left else 1
            self._focus_index = max(0, min(count - 1, self._focus_index + step))
            self.setToolTip(segment_text(self.segments[self._focus_index]))
            self.update()
        elif count and key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._choose(self._focus_index)
        else:
            super().keyPressEvent(event)

    def _choose(self, index: int) -> None:
        live = self.segments[index].live
        self.layout_chosen.emit(live.id if live is not None else None)
