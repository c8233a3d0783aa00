"""Draw a ``ReviewSheet`` onto A4 pages of a PDF with QPainter.

Every piece of the sheet is a block measured before anything is drawn (text laid out by ``QTextLayout`` to
its column's width, at most so many lines, the last one elided), so the pages are planned first and each
footer can say "Page 2 of 3". A block never splits across pages; a block is clipped to its own rectangle,
so no text (long words, stacked combining marks, right-to-left runs) can spill onto its neighbours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPagedPaintDevice,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextLayout,
    QTextOption,
)

from ca_editor import __version__
from ca_editor.domain.checklist import Finding, Severity
from ca_editor.domain.dates import human_date
from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.model import PUBLISHABLE_STATUSES, Slot
from ca_editor.ui.focal_image import decode_oriented
from ca_editor.ui.sheet.content import STATUS_LABELS, ReviewSheet, clean, local_time

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

EDIT_MARK = "✎"


class ReviewSheetError(CaEditorError):
    """The review sheet could not be made or saved; no file was written."""


def render_pdf(sheet: ReviewSheet) -> bytes:
    """The sheet as the bytes of a PDF file (A4, portrait)."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(RESOLUTION)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
    writer.setTitle(f"{clean(sheet.layout.section.title)} — review sheet")
    writer.setCreator(f"ca-editor {__version__}")
    painter = QPainter()
    if not painter.begin(writer):
        raise ReviewSheetError("Qt could not start a PDF document")
    try:
        _Sheet(sheet, writer).paint(painter, writer)
    finally:
        painter.end()
    buffer.close()
    data = bytes(buffer.data().data())
    if not data.startswith(b"%PDF-"):
        raise ReviewSheetError("Qt produced no PDF document")
    return data


# --- measuring ---------------------------------------------------------------------------------------------


def _font(points: float, *, bold: bool = False, italic: bool = False, serif: bool = False) -> QFont:
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


# --- blocks and pages --------------------------------------------------------------------------------------


@dataclass
class Block:
    height: float
    paint: Callable[[QPainter, float, float], None]  # (painter, left, top)
    keep_with_next: bool = False
    space_before: float = 0.0


class _Sheet:
    def __init__(self, sheet: ReviewSheet, device: QPagedPaintDevice) -> None:
        self.sheet, self.device = sheet, device
        self.page_w, self.page_h = float(device.width()), float(device.height())
        self.left = self.mm(MARGIN_MM)
        self.width = self.page_w - 2 * self.left
        self.top = self.mm(MARGIN_MM) + self.mm(HEADER_MM)
        self.bottom = self.page_h - self.mm(MARGIN_MM) - self.mm(FOOTER_MM)
        self.title = clean(sheet.layout.section.title) or sheet.layout.section.slug
        self.thumbs = _thumbnails(sheet, self.thumb_px())

    def mm(self, value: float) -> float:
        return value * RESOLUTION / 25.4

    def thumb_px(self) -> QSize:
        return QSize(round(THUMB_W_MM / 25.4 * THUMB_DPI), round(THUMB_H_MM / 25.4 * THUMB_DPI))

    def text(self, text: str, font: QFont, width: float, **kwargs: Any) -> Text:
        return Text(text, font, width, self.device, **kwargs)

    # --- planning ---

    def blocks(self) -> Iterator[Block]:
        yield self.title_block()
        yield from self.slot_blocks()
        yield from self.checklist_blocks()
        yield from self.sign_off_blocks()

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
        font = _font(8.5)
        y = self.mm(MARGIN_MM)
        left = self.text(f"{self.title} · Review sheet", _font(8.5, bold=True), self.width * 0.6, max_lines=1)
        left.draw(painter, self.left, y)
        right = self.text(
            local_time(self.sheet.generated_at), font, self.width * 0.38, color=MUTED, max_lines=1, right=True
        )
        right.draw(painter, self.left + self.width - right.width, y)
        self.rule(painter, y + left.height + self.mm(1.5), RULE)

    def footer(self, painter: QPainter, number: int, total: int) -> None:
        font = _font(8)
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
            f"Page {number} of {total}", _font(8, bold=True), self.width * 0.2, max_lines=1, right=True
        )
        page.draw(painter, self.left + self.width - page.width, y)

    def rule(self, painter: QPainter, y: float, color: QColor, weight_mm: float = 0.25) -> None:
        painter.save()
        painter.setPen(QPen(color, self.mm(weight_mm)))
        painter.drawLine(QPointF(self.left, y), QPointF(self.left + self.width, y))
        painter.restore()

    # --- the title ---

    def title_block(self) -> Block:
        sheet, section = self.sheet, self.sheet.layout.section
        kicker = self.text("REVIEW SHEET · EDITOR'S CHOICE", _font(8.5, bold=True), self.width, color=ACCENT)
        title = self.text(self.title, _font(24, bold=True, serif=True), self.width, max_lines=2)
        changed = f"version {section.version}"
        if section.updated_at is not None:
            who = f" by {clean(section.updated_by)}" if section.updated_by.strip() else ""
            changed += f", last changed {local_time(section.updated_at)}{who}"
        facts = [
            ("Generated", local_time(sheet.generated_at)),
            ("Printed by", clean(sheet.printed_by)),
            ("Database", clean(sheet.database)),
            ("Layout", changed),
            ("Status", self.status_line()),
        ]
        label_w = self.mm(24)
        rows = [
            (
                self.text(label, _font(8.5, bold=True), label_w, color=MUTED, max_lines=1),
                self.text(value, _font(8.5), self.width - label_w, color=INK, max_lines=2),
            )
            for label, value in facts
        ]
        gap = self.mm(1.2)
        height = kicker.height + gap + title.height + self.mm(3)
        height += sum(max(a.height, b.height) + self.mm(0.6) for a, b in rows) + self.mm(3.5)

        def paint(painter: QPainter, x: float, y: float) -> None:
            kicker.draw(painter, x, y)
            y += kicker.height + gap
            title.draw(painter, x, y)
            y += title.height + self.mm(3)
            for label, value in rows:
                label.draw(painter, x, y)
                value.draw(painter, x + label_w, y)
                y += max(label.height, value.height) + self.mm(0.6)
            self.rule(painter, y + self.mm(1.5), INK, 0.5)

        return Block(height, paint)

    def status_line(self) -> str:
        sheet = self.sheet
        report = sheet.report
        checks = (
            f"checklist: {_counts(len(report.errors), len(report.warnings))}"
            if report.findings
            else "checklist: no problems found"
        )
        if sheet.sign_off is None:
            signed = "not signed off yet"
        elif sheet.sign_off.changed_since:
            signed = "signed off, but the layout changed since"
        else:
            signed = f"signed off by {clean(sheet.sign_off.by)}"
        filled = f"{len(sheet.layout.slots)} of {sheet.layout.section.slot_count} slots filled"
        return f"{filled} · {checks} · {signed}"

    def heading(self, title: str, note: str, note_color: QColor = MUTED) -> Block:
        head = self.text(title, _font(13, bold=True, serif=True), self.width * 0.45, max_lines=1)
        aside = self.text(note, _font(9), self.width * 0.55, color=note_color, max_lines=2, right=True)
        height = max(head.height, aside.height) + self.mm(2.5)

        def paint(painter: QPainter, x: float, y: float) -> None:
            head.draw(painter, x, y)
            # The note sits on the heading's baseline, at the right.
            baseline = QFontMetricsF(head.font, self.device).ascent()
            offset = baseline - QFontMetricsF(aside.font, self.device).ascent()
            aside.draw(painter, x + self.width - aside.width, y + max(offset, 0.0))
            self.rule(painter, y + height - self.mm(1), INK, 0.35)

        return Block(height, paint, keep_with_next=True, space_before=self.mm(7))

    # --- the slots ---

    def slot_blocks(self) -> Iterator[Block]:
        layout = self.sheet.layout
        count = layout.section.slot_count
        filled = len(layout.slots)
        note = f"{filled} of {count} slots filled"
        if layout.empty_slots:
            note += f" · {layout.empty_slots} empty"
        yield self.heading("Editor's choice", note)
        by_slot: dict[int, list[Finding]] = {}
        for finding in self.sheet.report.findings:
            if finding.slot is not None:
                by_slot.setdefault(finding.slot, []).append(finding)
        for slot in layout.slots:
            yield self.slot_row(slot, by_slot.get(slot.position, []))
        for position in range(filled + 1, count + 1):
            yield self.empty_row(position)

    def slot_row(self, slot: Slot, findings: Sequence[Finding]) -> Block:
        text_x = self.mm(NUMBER_MM + THUMB_W_MM + 2 * GAP_MM) - self.mm(GAP_MM)
        text_w = self.width - text_x
        pad = self.mm(3)
        story, overrides = slot.story, slot.overrides
        parts: list[Text] = []
        headline = self.text(
            clean(slot.headline) or "(no headline)", _font(12, bold=True, serif=True), text_w, max_lines=3
        )
        parts.append(headline)
        edited = [
            name
            for name, value in (
                ("headline", overrides.headline),
                ("summary", overrides.summary),
                ("image", overrides.image),
            )
            if value is not None
        ]
        if edited:
            parts.append(
                self.text(
                    f"{EDIT_MARK} {_join(edited).capitalize()} edited for this page",
                    _font(8.5, bold=True),
                    text_w,
                    color=ACCENT,
                    max_lines=1,
                )
            )
            if overrides.headline is not None:
                parts.append(
                    self.text(
                        f"Story's own headline: {clean(story.title)}",
                        _font(8.5, italic=True),
                        text_w,
                        color=MUTED,
                        max_lines=2,
                    )
                )
        meta = [STATUS_LABELS.get(story.status, str(story.status))]
        meta.append(human_date(story.published_at) if story.published_at else "no publication date")
        meta.append(story.slug)
        status_color = MUTED if story.status in PUBLISHABLE_STATUSES else WARNING
        parts.append(self.text(" · ".join(meta), _font(8.5), text_w, color=status_color, max_lines=2))
        if findings:
            errors = sum(f.severity is Severity.ERROR for f in findings)
            warnings = len(findings) - errors
            parts.append(
                self.text(
                    f"⚠ {_counts(errors, warnings)} in the checklist below",
                    _font(8.5, bold=True),
                    text_w,
                    color=ERROR if errors else WARNING,
                    max_lines=1,
                )
            )
        summary = clean(slot.summary)
        parts.append(
            self.text(
                summary or "(no summary)", _font(9.5), text_w, color=INK if summary else FAINT, max_lines=4
            )
        )
        gaps = [self.mm(1.2)] * (len(parts) - 1)
        text_h = sum(p.height for p in parts) + sum(gaps)
        height = max(text_h, self.mm(THUMB_H_MM)) + 2 * pad
        thumb = self.thumbs.get(slot.image.asset.sha256) if slot.image else None
        has_image = slot.image is not None

        def paint(painter: QPainter, x: float, y: float) -> None:
            self.slot_number(painter, x, y + pad, slot.position)
            box = QRectF(x + self.mm(NUMBER_MM), y + pad, self.mm(THUMB_W_MM), self.mm(THUMB_H_MM))
            self.thumbnail(painter, box, thumb, has_image, "image" in edited)
            ty = y + pad
            for part, gap in zip(parts, [*gaps, 0.0], strict=True):
                part.draw(painter, x + text_x, ty)
                ty += part.height + gap
            self.rule(painter, y + height - self.mm(0.2), RULE)

        return Block(height, paint)

    def empty_row(self, position: int) -> Block:
        pad = self.mm(2.5)
        label = self.text(
            "Empty — nothing is placed in this slot", _font(10, italic=True), self.width * 0.6, color=MUTED
        )
        height = self.mm(12) + 2 * pad

        def paint(painter: QPainter, x: float, y: float) -> None:
            self.slot_number(painter, x, y + pad, position, muted=True)
            box = QRectF(x + self.mm(NUMBER_MM), y + pad, self.mm(THUMB_W_MM), self.mm(12))
            painter.save()
            pen = QPen(RULE, self.mm(0.3))
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawRect(box)
            painter.restore()
            text_x = x + self.mm(NUMBER_MM + THUMB_W_MM + GAP_MM)
            label.draw(painter, text_x, y + pad + (self.mm(12) - label.height) / 2)
            self.rule(painter, y + height - self.mm(0.2), RULE)

        return Block(height, paint)

    def slot_number(self, painter: QPainter, x: float, y: float, position: int, muted: bool = False) -> None:
        number = self.text(
            str(position),
            _font(18, bold=True, serif=True),
            self.mm(NUMBER_MM - 2),
            color=FAINT if muted else INK,
        )
        number.draw(painter, x, y - self.mm(0.8))

    def thumbnail(
        self, painter: QPainter, box: QRectF, image: QImage | None, expected: bool, overridden: bool
    ) -> None:
        painter.save()
        frame = box
        if image is not None:
            # As large as the box allows, top left, the frame around the picture itself.
            scale = min(box.width() / image.width(), box.height() / image.height())
            frame = QRectF(box.left(), box.top(), image.width() * scale, image.height() * scale)
            painter.drawImage(frame, image)
        else:
            painter.fillRect(box, PANEL)
            note = "image missing from the database" if expected else "no image"
            label = self.text(note, _font(8, italic=True), box.width() - self.mm(4), color=FAINT, max_lines=2)
            label.draw(painter, box.left() + self.mm(2), box.center().y() - label.height / 2)
        painter.setPen(QPen(ACCENT if overridden else RULE, self.mm(0.6 if overridden else 0.25)))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(frame)
        painter.restore()

    # --- the checklist ---

    def checklist_blocks(self) -> Iterator[Block]:
        report = self.sheet.report
        errors, warnings = report.errors, report.warnings
        if not report.findings:
            yield self.heading("Checklist", "No problems found", OK)
            yield self.note_block("✓ No problems found: every check passed.", OK, bold=True)
            return
        verdict = "errors block the export" if errors else "warnings only: the export may go ahead"
        yield self.heading(
            "Checklist", f"{_counts(len(errors), len(warnings))} · {verdict}", ERROR if errors else WARNING
        )
        # The page first, in slot order, errors before warnings; then the other stories of the export. Their
        # warnings can run to hundreds: the sheet lists the first few and counts the rest.
        page = sorted((f for f in report.findings if f.slot is not None), key=lambda f: (f.slot, _rank(f)))
        others = sorted((f for f in report.findings if f.slot is None), key=_rank)
        for finding in page:
            yield self.finding_row(finding)
        if not others:
            return
        shown = [f for f in others if f.severity is Severity.ERROR]
        shown += [f for f in others if f.severity is not Severity.ERROR][
            : max(0, ARCHIVE_LISTED - len(shown))
        ]
        yield self.subheading("Other stories in the export", len(others), bool(page))
        for finding in shown:
            yield self.finding_row(finding)
        if len(others) > len(shown):
            rest = len(others) - len(shown)
            yield self.note_block(
                f"… and {rest} more warning{'s' if rest != 1 else ''} about other stories; the checklist in "
                "the window lists them all.",
                MUTED,
            )

    def subheading(self, title: str, count: int, spaced: bool) -> Block:
        label = self.text(f"{title} ({count})", _font(9.5, bold=True), self.width, color=MUTED, max_lines=1)
        height = label.height + self.mm(1.5)

        def paint(painter: QPainter, x: float, y: float) -> None:
            label.draw(painter, x, y)
            self.rule(painter, y + height - self.mm(0.3), RULE)

        return Block(height, paint, keep_with_next=True, space_before=self.mm(4) if spaced else 0.0)

    def finding_row(self, finding: Finding) -> Block:
        error = finding.severity is Severity.ERROR
        badge_w, where_w, pad = self.mm(20), self.mm(16), self.mm(1.3)
        badge = self.text(
            finding.severity.value.upper(),  # ERROR, WARNING or HINT
            _font(8, bold=True),
            badge_w,
            color=ERROR if error else WARNING if finding.severity is Severity.WARNING else ACCENT,
            max_lines=1,
        )
        where = self.text(
            f"Slot {finding.slot}" if finding.slot is not None else "Archive",
            _font(9, bold=True),
            where_w,
            max_lines=1,
        )
        message = self.text(
            _sentence(clean(finding.message) or finding.code),
            _font(9.5),
            self.width - badge_w - where_w,
            max_lines=4,
        )
        height = max(badge.height, where.height, message.height) + 2 * pad
        ascent = QFontMetricsF(message.font, self.device).ascent()
        badge_dy = ascent - QFontMetricsF(badge.font, self.device).ascent()
        where_dy = ascent - QFontMetricsF(where.font, self.device).ascent()

        def paint(painter: QPainter, x: float, y: float) -> None:
            badge.draw(painter, x, y + pad + badge_dy)
            where.draw(painter, x + badge_w, y + pad + where_dy)
            message.draw(painter, x + badge_w + where_w, y + pad)
            self.rule(painter, y + height - self.mm(0.1), RULE)

        return Block(height, paint)

    def note_block(self, text: str, color: QColor, bold: bool = False) -> Block:
        note = self.text(text, _font(10, bold=bold), self.width, color=color, max_lines=3)
        height = note.height + self.mm(2)
        return Block(height, lambda painter, x, y: note.draw(painter, x, y + self.mm(1)))

    # --- the sign-off ---

    def sign_off_blocks(self) -> Iterator[Block]:
        sheet = self.sheet
        signed = sheet.sign_off
        lines: list[Text] = []
        if signed is None:
            yield self.heading("Sign-off", "Not signed off yet", WARNING)
            lines.append(self.text("Not signed off yet.", _font(10, bold=True), self.width, max_lines=1))
        else:
            when = local_time(signed.at)
            changed = signed.changed_since
            yield self.heading(
                "Sign-off", "layout changed since" if changed else "unchanged since", ERROR if changed else OK
            )
            who = clean(signed.by) or "someone unnamed"
            note = clean(signed.note)
            lines.append(
                self.text(
                    f"Signed off by {who} at {when}{':' if note else '.'}",
                    _font(10, bold=True),
                    self.width,
                    max_lines=2,
                )
            )
            if note:
                lines.append(self.text(f"“{note}”", _font(10, italic=True), self.width, max_lines=4))
            now = sheet.layout.section.version
            if changed:
                detail = (
                    f"it was version {signed.section_version} then and is version {now} now"
                    if signed.section_version != now
                    else "a story in the block was edited since"
                )
                lines.append(
                    self.text(
                        f"⚠ The layout changed since that sign-off: {detail}. Review it and sign off again.",
                        _font(9.5, bold=True),
                        self.width,
                        color=ERROR,
                        max_lines=2,
                    )
                )
            else:
                lines.append(
                    self.text(
                        "✓ The layout is unchanged since: this sheet shows what was signed off.",
                        _font(9.5),
                        self.width,
                        color=OK,
                        max_lines=1,
                    )
                )
        fields = ("Approved by", "Date", "Signature")
        label_font = _font(9.5)
        line_gap = self.mm(14)
        text_h = sum(t.height for t in lines) + self.mm(1.5) * (len(lines) - 1)
        height = text_h + line_gap + self.mm(3)

        def paint(painter: QPainter, x: float, y: float) -> None:
            ty = y + self.mm(1)
            for part in lines:
                part.draw(painter, x, ty)
                ty += part.height + self.mm(1.5)
            baseline = y + text_h + line_gap
            widths = (0.42, 0.22, 0.36)
            cx = x
            painter.save()
            painter.setFont(label_font)
            metrics = QFontMetricsF(label_font, self.device)
            for field, share in zip(fields, widths, strict=True):
                span = self.width * share
                painter.setPen(INK)
                painter.drawText(QPointF(cx, baseline), field)
                start = cx + metrics.horizontalAdvance(field) + self.mm(2)
                end = cx + span - self.mm(6 if share != widths[-1] else 0)
                painter.setPen(QPen(INK, self.mm(0.3)))
                painter.drawLine(
                    QPointF(start, baseline + self.mm(0.8)), QPointF(end, baseline + self.mm(0.8))
                )
                cx += span
            painter.restore()

        yield Block(height, paint, space_before=self.mm(1))


# --- helpers -----------------------------------------------------------------------------------------------


def _thumbnails(sheet: ReviewSheet, box: QSize) -> dict[str, QImage]:
    """Decode each image once, at most twice the printed box's pixels, then scale it smoothly into the box."""
    thumbs: dict[str, QImage] = {}
    for sha, data in sheet.images.items():
        image = _decode(data, box)
        if image is not None:
            thumbs[sha] = image
    return thumbs


def _decode(data: bytes, box: QSize) -> QImage | None:
    # Decoded at twice the box at most (JPEG decodes straight at a fraction of its size: a 40-megapixel
    # photo never sits in memory), turned as the reader sees it, as the editor's picture view does.
    decoded = decode_oriented(data, limit=2 * max(box.width(), box.height()))
    if decoded is None:
        return None
    image = decoded[0]
    if image.width() > box.width() or image.height() > box.height():
        image = image.scaled(
            box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    if image.hasAlphaChannel():  # printed on white paper: flatten, so the PDF carries no soft mask
        flat = QImage(image.size(), QImage.Format.Format_RGB32)
        flat.fill(Qt.GlobalColor.white)
        painter = QPainter(flat)
        painter.drawImage(0, 0, image)
        painter.end()
        image = flat
    return image


def _sentence(text: str) -> str:
    """The checklist writes 'the slot is empty' (it reads well after 'slot 3: '); alone it needs a capital."""
    return text[:1].upper() + text[1:]


def _rank(finding: Finding) -> int:
    return {Severity.ERROR: 0, Severity.WARNING: 1}.get(finding.severity, 2)  # hints last


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _counts(errors: int, warnings: int) -> str:
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return " and ".join(parts) or "no problems"
