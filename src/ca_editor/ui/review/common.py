"""Small pieces the review window, the status-bar indicator and the layout history share: how a snapshot
and a review state are named, and the kind badges (times: ``domain/local_time.py``).

Kind badges are drawn here rather than taken from the icon font: their colour carries the meaning (green
signed off, amber sent back, blue exported) and stays the same in both palettes, with a white glyph that
reads on each.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from ca_editor.domain.local_time import moment
from ca_editor.domain.snapshots import LayoutSnapshot, SnapshotKind
from ca_editor.domain.text import collapse_spaces, shorten
from ca_editor.services.review import ReviewState

KIND_COLOURS = {
    SnapshotKind.SIGN_OFF: "#2e7d32",
    SnapshotKind.SEND_BACK: "#b26a00",
    SnapshotKind.EXPORT: "#1f5fa8",
}


def describe(snapshot: LayoutSnapshot) -> str:
    """ "Signed off by Dana today 14:05" or "Exported by Dana on 3 Mar 09:12": one line naming a snapshot."""
    verb = {
        SnapshotKind.SIGN_OFF: "Signed off",
        SnapshotKind.SEND_BACK: "Sent back",
        SnapshotKind.EXPORT: "Exported",
    }[snapshot.kind]
    return f"{verb} by {snapshot.taken_by} {moment(snapshot.taken_at)}"


def with_note(snapshot: LayoutSnapshot, limit: int = 0) -> str:
    """``describe`` plus the note, if any (shortened to ``limit`` characters when given)."""
    text = describe(snapshot)
    note = shorten(snapshot.note, limit) if limit else collapse_spaces(snapshot.note)
    return f"{text}: “{note}”" if note else text


def state_text(state: ReviewState, note_limit: int = 60) -> str:
    """The section's review state in one line, for the status bar and the top of the review window."""
    decision = state.decision
    if decision is None:
        return "Never signed off"
    changes = f"{state.changes_since} change{'s' if state.changes_since != 1 else ''}"
    if state.signed_off:
        if state.changed:
            return (
                f"Changed since sign-off ({changes}); {describe(decision)[0].lower()}{describe(decision)[1:]}"
            )
        return describe(decision)
    text = with_note(decision, note_limit)
    return f"{text} — changed since ({changes})" if state.changed else text


@cache
def kind_icon(kind: SnapshotKind) -> QIcon:
    result = QIcon()
    for size in (16, 20, 24, 32, 48):
        result.addPixmap(_badge(kind, size))
    return result


def _badge(kind: SnapshotKind, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(KIND_COLOURS[kind]))
    painter.drawEllipse(QRectF(0.5, 0.5, size - 1, size - 1))
    pen = QPen(QColor("#ffffff"), max(1.5, size / 9))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    s = size / 24  # drawn on a 24-unit grid
    path = QPainterPath()
    if kind is SnapshotKind.SIGN_OFF:  # a tick
        path.moveTo(QPointF(6.5 * s, 12.5 * s))
        path.lineTo(QPointF(10.5 * s, 16.5 * s))
        path.lineTo(QPointF(17.5 * s, 8 * s))
    elif kind is SnapshotKind.SEND_BACK:  # an arrow turning back
        path.moveTo(QPointF(17 * s, 16.5 * s))
        path.cubicTo(QPointF(17 * s, 10 * s), QPointF(13 * s, 9 * s), QPointF(7 * s, 9 * s))
        path.moveTo(QPointF(10.5 * s, 5.5 * s))
        path.lineTo(QPointF(7 * s, 9 * s))
        path.lineTo(QPointF(10.5 * s, 12.5 * s))
    else:  # an arrow leaving a tray: exported
        path.moveTo(QPointF(12 * s, 15 * s))
        path.lineTo(QPointF(12 * s, 5.5 * s))
        path.moveTo(QPointF(8.5 * s, 9 * s))
        path.lineTo(QPointF(12 * s, 5.5 * s))
        path.lineTo(QPointF(15.5 * s, 9 * s))
        path.moveTo(QPointF(6.5 * s, 14 * s))
        path.lineTo(QPointF(6.5 * s, 18 * s))
        path.lineTo(QPointF(17.5 * s, 18 * s))
        path.lineTo(QPointF(17.5 * s, 14 * s))
    painter.drawPath(path)
    painter.end()
    return pixmap
