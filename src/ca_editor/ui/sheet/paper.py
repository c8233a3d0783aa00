"""The paper and the type of the review sheet: A4 geometry in mm, fonts, ink colours, and measured text.

``Text`` is a paragraph laid out by ``QTextLayout`` to its column's width before anything is drawn (at most
so many lines, the last one elided), so ``ui/sheet/pages.py`` can plan whole pages; ``Block`` is one piece
of a page with its height known.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPagedPaintDevice, QPainter, QTextLayout, QTextOption

RESOLUTION = 1200  # device units per inch (QPdfWriter's own default); lengths below are in mm, fonts in pt
MARGIN_MM, HEADER_MM, FOOTER_MM = 16.0, 11.0, 10.0
NUMBER_MM, THUMB_W_MM, THUMB_H_MM, GAP_MM = 11.0, 42.0, 28.0, 4.5
ARCHIVE_LISTED = 12  # findings about stories outside the block listed on paper; the rest are counted
THUMB_DPI = 300  # thumbnails are downscaled to this before they go into the file: sharp, and a small PDF

SERIF = ["Liberation Serif", "Tinos", "Times New Roman", "Georgia", "Noto Serif", "DejaVu Serif"]
SANS = ["Liberation Sans", "Arimo", "Arial", "Helvetica", "Noto Sans", "DejaVu Sans"]

INK, MUTED, FAINT, RULE = QColor("#1a1a1a"), QColor("#5a5f66"), QColor("#8a8f96"), QColor("#c9ccd1")
ACCENT, ERROR, WARNING, OK = QColor("#1d4f7a"), QColor("#a8201a"), QColor("#8a5300"), QColor("#2e6b30")
PANEL = QColor("#f3f4f6")


def sheet_font(points: float, *, bold: bool = False, italic: bool = False, serif: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(SERIF if serif else SANS)
    font.setStyleHint(QFont.StyleHint.Serif if serif else QFont.StyleHint.SansSerif)
    font.setPointSizeF(points)
    font.setBold(bold)
    font.setItalic(italic)
    font.setKerning(True)
    return font


class Text:
    """A paragraph laid out to ``width``: at most ``max_lines`` lines, the last one elided with '…'."""

    def __init__(
        self,
        text: str,
        font: QFont,
        width: float,
        device: QPagedPaintDevice,
        *,
        color: QColor = INK,
        max_lines: int = 0,
        spacing: float = 1.0,
        right: bool = False,
    ) -> None:
        self.text, self.font, self.width, self.color = text, font, max(width, 1.0), color
        self.right, self.elided = right, False
        metrics = QFontMetricsF(font, device)
        self._step = metrics.lineSpacing() * spacing
        self._last: tuple[str, float, float] | None = None  # elided text, indent, baseline
        self._layout = self._lay_out(device, max_lines or None)
        if max_lines and self._remaining():
            # Too long: lay out one line fewer and draw the rest, elided, as the last line.
            self._layout = self._lay_out(device, max_lines - 1)
            rest = text[self._end() :].strip()
            last = metrics.elidedText(rest, Qt.TextElideMode.ElideRight, self.width)
            if not last.endswith("…"):
                last = metrics.elidedText(rest + " …", Qt.TextElideMode.ElideRight, self.width)
            indent = self.width - metrics.horizontalAdvance(last) if right else 0.0
            self._last = (last, indent, (max_lines - 1) * self._step + metrics.ascent())
            self.elided = True
        lines = self._layout.lineCount() + (1 if self._last else 0)
        self.height = lines * self._step

    def _lay_out(self, device: QPagedPaintDevice, limit: int | None) -> QTextLayout:
        """Lay out at most ``limit`` lines (None: as many as the text needs)."""
        layout = QTextLayout(self.text, self.font, device)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        if self.right:
            option.setAlignment(Qt.AlignmentFlag.AlignRight)
        layout.setTextOption(option)
        layout.setCacheEnabled(True)
        layout.beginLayout()
        y = 0.0
        while limit is None or layout.lineCount() < limit:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(self.width)
            line.setPosition(QPointF(0, y))
            y += self._step
        layout.endLayout()
        return layout

    def _end(self) -> int:
        count = self._layout.lineCount()
        if count == 0:
            return 0
        last = self._layout.lineAt(count - 1)
        return last.textStart() + last.textLength()

    def _remaining(self) -> bool:
        return bool(self.text[self._end() :].strip())

    def draw(self, painter: QPainter, x: float, y: float) -> None:
        painter.save()
        painter.setPen(self.color)
        painter.setFont(self.font)
        self._layout.draw(painter, QPointF(x, y))
        if self._last is not None:
            text, indent, baseline = self._last
            painter.drawText(QPointF(x + indent, y + baseline), text)
        painter.restore()


@dataclass
class Block:
    height: float
    paint: Callable[[QPainter, float, float], None]  # (painter, left, top)
    keep_with_next: bool = False
    space_before: float = 0.0
