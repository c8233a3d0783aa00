"""Pages of blocks: each block measured first, then placed so none splits across pages and a heading never
stands alone at a page's foot; each page gets its running header (from page 2) and a "Page n of m" footer.

A block is clipped to its own rectangle, so no text (long words, stacked combining marks, right-to-left runs)
can spill onto its neighbours. ``render.py`` subclasses ``Pages`` with the sheet's own blocks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPagedPaintDevice, QPainter, QPdfWriter, QPen

from ca_editor.domain.local_time import full_time
from ca_editor.ui.sheet.content import ReviewSheet, clean
from ca_editor.ui.sheet.paper import (
    FOOTER_MM,
    HEADER_MM,
    INK,
    MARGIN_MM,
    MUTED,
    RESOLUTION,
    RULE,
    Block,
    Text,
    sheet_font,
)


class Pages:
    """Planning and drawing pages of blocks; the sheet (``render.py``) says which blocks."""

    def __init__(self, sheet: ReviewSheet, device: QPagedPaintDevice) -> None:
        self.sheet, self.device = sheet, device
        self.page_w, self.page_h = float(device.width()), float(device.height())
        self.left = self.mm(MARGIN_MM)
        self.width = self.page_w - 2 * self.left
        self.top = self.mm(MARGIN_MM) + self.mm(HEADER_MM)
        self.bottom = self.page_h - self.mm(MARGIN_MM) - self.mm(FOOTER_MM)
        self.title = clean(sheet.layout.section.title) or sheet.layout.section.slug

    def mm(self, value: float) -> float:
        return value * RESOLUTION / 25.4

    def text(self, text: str, font: QFont, width: float, **kwargs: Any) -> Text:
        return Text(text, font, width, self.device, **kwargs)

    # --- planning ---

    def blocks(self) -> Iterator[Block]:
        raise NotImplementedError

    def paginate(self, blocks: Sequence[Block]) -> list[list[tuple[Block, float]]]:
        pages: list[list[tuple[Block, float]]] = [[]]
        y = self.top_of(0)
        for index, block in enumerate(blocks):
            need = block.height
            # A heading goes with the block after it (never alone at the foot of a page).
            if block.keep_with_next and index + 1 < len(blocks):
                following = blocks[index + 1]
                need += following.space_before + following.height
            gap = block.space_before if pages[-1] else 0.0
            if pages[-1] and y + gap + need > self.bottom:
                pages.append([])
                y, gap = self.top_of(len(pages) - 1), 0.0
            y += gap
            pages[-1].append((block, y))
            y += block.height
        return pages

    def top_of(self, page: int) -> float:
        return self.mm(MARGIN_MM) if page == 0 else self.top

    def paint(self, painter: QPainter, writer: QPdfWriter) -> None:
        pages = self.paginate(list(self.blocks()))
        for number, placed in enumerate(pages, start=1):
            if number > 1:
                writer.newPage()
            painter.fillRect(QRectF(0, 0, self.page_w, self.page_h), Qt.GlobalColor.white)
            if number > 1:
                self.running_header(painter)
            for block, y in placed:
                painter.save()
                # Generous horizontally (bold glyphs, italics overhang), exact vertically.
                painter.setClipRect(QRectF(self.left - self.mm(2), y, self.width + self.mm(4), block.height))
                block.paint(painter, self.left, y)
                painter.restore()
            self.footer(painter, number, len(pages))

    # --- page furniture ---

    def running_header(self, painter: QPainter) -> None:
        font = sheet_font(8.5)
        y = self.mm(MARGIN_MM)
        left = self.text(
            f"{self.title} · Review sheet", sheet_font(8.5, bold=True), self.width * 0.6, max_lines=1
        )
        left.draw(painter, self.left, y)
        right = self.text(
            full_time(self.sheet.generated_at), font, self.width * 0.38, color=MUTED, max_lines=1, right=True
        )
        right.draw(painter, self.left + self.width - right.width, y)
        self.rule(painter, y + left.height + self.mm(1.5), RULE)

    def footer(self, painter: QPainter, number: int, total: int) -> None:
        font = sheet_font(8)
        y = self.page_h - self.mm(MARGIN_MM) - QFontMetricsF(font, self.device).lineSpacing()
        self.rule(painter, y - self.mm(2), RULE)
        left = self.text(
            f"{self.title} · review sheet · printed by {clean(self.sheet.printed_by)} · ca-editor",
            font,
            self.width * 0.75,
            color=MUTED,
            max_lines=1,
        )
        left.draw(painter, self.left, y)
        page = self.text(
            f"Page {number} of {total}", sheet_font(8, bold=True), self.width * 0.2, max_lines=1, right=True
        )
        page.draw(painter, self.left + self.width - page.width, y)

    def rule(self, painter: QPainter, y: float, color: QColor, weight_mm: float = 0.25) -> None:
        painter.save()
        painter.setPen(QPen(color, self.mm(weight_mm)))
        painter.drawLine(QPointF(self.left, y), QPointF(self.left + self.width, y))
        painter.restore()

    # --- shared pieces ---

    def heading(self, title: str, note: str, note_color: QColor = MUTED) -> Block:
        head = self.text(title, sheet_font(13, bold=True, serif=True), self.width * 0.45, max_lines=1)
        aside = self.text(note, sheet_font(9), self.width * 0.55, color=note_color, max_lines=2, right=True)
        height = max(head.height, aside.height) + self.mm(2.5)

        def paint(painter: QPainter, x: float, y: float) -> None:
            head.draw(painter, x, y)
            # The note sits on the heading's baseline, at the right.
            baseline = QFontMetricsF(head.font, self.device).ascent()
            offset = baseline - QFontMetricsF(aside.font, self.device).ascent()
            aside.draw(painter, x + self.width - aside.width, y + max(offset, 0.0))
            self.rule(painter, y + height - self.mm(1), INK, 0.35)

        return Block(height, paint, keep_with_next=True, space_before=self.mm(7))

    def subheading(self, title: str, count: int, spaced: bool) -> Block:
        label = self.text(
            f"{title} ({count})", sheet_font(9.5, bold=True), self.width, color=MUTED, max_lines=1
        )
        height = label.height + self.mm(1.5)

        def paint(painter: QPainter, x: float, y: float) -> None:
            label.draw(painter, x, y)
            self.rule(painter, y + height - self.mm(0.3), RULE)

        return Block(height, paint, keep_with_next=True, space_before=self.mm(4) if spaced else 0.0)

    def note_block(self, text: str, color: QColor, bold: bool = False) -> Block:
        note = self.text(text, sheet_font(10, bold=bold), self.width, color=color, max_lines=3)
        height = note.height + self.mm(2)
        return Block(height, lambda painter, x, y: note.draw(painter, x, y + self.mm(1)))
