"""Draw a ``ReviewSheet`` onto A4 pages of a PDF with QPainter.

Every piece of the sheet is a block measured before anything is drawn (text laid out by ``QTextLayout`` to
its column's width, at most so many lines, the last one elided), so the pages are planned first and each
footer can say "Page 2 of 3". A block never splits across pages; a block is clipped to its own rectangle,
so no text (long words, stacked combining marks, right-to-left runs) can spill onto its neighbours.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QFontMetricsF,
    QImage,
    QPagedPaintDevice,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from ca_editor import __version__
from ca_editor.domain.checklist import Finding, Severity
from ca_editor.domain.dates import human_date
from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.local_time import full_time
from ca_editor.domain.model import PUBLISHABLE_STATUSES, Slot
from ca_editor.domain.workflow import LABELS
from ca_editor.ui.sheet.content import ReviewSheet, clean
from ca_editor.ui.sheet.pages import Pages
from ca_editor.ui.sheet.paper import (
    ACCENT,
    ARCHIVE_LISTED,
    ERROR,
    FAINT,
    GAP_MM,
    INK,
    MUTED,
    NUMBER_MM,
    OK,
    PANEL,
    RESOLUTION,
    RULE,
    THUMB_DPI,
    THUMB_H_MM,
    THUMB_W_MM,
    WARNING,
    Block,
    Text,
    sheet_font,
)
from ca_editor.ui.sheet.thumbnails import thumbnails

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


class _Sheet(Pages):
    def __init__(self, sheet: ReviewSheet, device: QPagedPaintDevice) -> None:
        super().__init__(sheet, device)
        self.thumbs = thumbnails(sheet, self.thumb_px())

    def thumb_px(self) -> QSize:
        return QSize(round(THUMB_W_MM / 25.4 * THUMB_DPI), round(THUMB_H_MM / 25.4 * THUMB_DPI))

    def blocks(self) -> Iterator[Block]:
        yield self.title_block()
        yield from self.slot_blocks()
        yield from self.checklist_blocks()
        yield from self.sign_off_blocks()

    # --- the title ---

    def layout_line(self, changed: str) -> str:
        """Which layout the sheet is about (sign-off is per layout), then its version."""
        variant = self.sheet.layout.variant
        if variant is None:
            return f"main layout, {changed}"
        until = f" – {full_time(variant.ends_at)}" if variant.ends_at is not None else " on"
        return f"variant “{clean(variant.name)}” (live {full_time(variant.starts_at)}{until}), {changed}"

    def title_block(self) -> Block:
        sheet, section = self.sheet, self.sheet.layout.section
        kicker = self.text(
            "REVIEW SHEET · EDITOR'S CHOICE", sheet_font(8.5, bold=True), self.width, color=ACCENT
        )
        title = self.text(self.title, sheet_font(24, bold=True, serif=True), self.width, max_lines=2)
        changed = f"version {section.version}"
        if section.updated_at is not None:
            who = f" by {clean(section.updated_by)}" if section.updated_by.strip() else ""
            changed += f", last changed {full_time(section.updated_at)}{who}"
        facts = [
            ("Generated", full_time(sheet.generated_at)),
            ("Printed by", clean(sheet.printed_by)),
            ("Database", clean(sheet.database)),
            ("Layout", self.layout_line(changed)),
            ("Status", self.status_line()),
        ]
        label_w = self.mm(24)
        rows = [
            (
                self.text(label, sheet_font(8.5, bold=True), label_w, color=MUTED, max_lines=1),
                self.text(value, sheet_font(8.5), self.width - label_w, color=INK, max_lines=2),
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
        pad = self.mm(3)
        edited = _edited(slot)
        parts = self.slot_texts(slot, findings, edited, self.width - text_x)
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

    def slot_texts(
        self, slot: Slot, findings: Sequence[Finding], edited: list[str], width: float
    ) -> list[Text]:
        """Headline, what was edited for this page, status line, checklist count, summary: top to bottom."""
        story = slot.story
        headline = clean(slot.headline) or "(no headline)"
        parts = [self.text(headline, sheet_font(12, bold=True, serif=True), width, max_lines=3)]
        if edited:
            note = f"{EDIT_MARK} {_join(edited).capitalize()} edited for this page"
            parts.append(self.text(note, sheet_font(8.5, bold=True), width, color=ACCENT, max_lines=1))
            if slot.overrides.headline is not None:
                own = f"Story's own headline: {clean(story.title)}"
                parts.append(self.text(own, sheet_font(8.5, italic=True), width, color=MUTED, max_lines=2))
        meta = [LABELS.get(story.status, str(story.status))]
        meta.append(human_date(story.published_at) if story.published_at else "no publication date")
        meta.append(story.slug)
        status_color = MUTED if story.status in PUBLISHABLE_STATUSES else WARNING
        parts.append(self.text(" · ".join(meta), sheet_font(8.5), width, color=status_color, max_lines=2))
        if findings:
            errors = sum(f.severity is Severity.ERROR for f in findings)
            count = f"⚠ {_counts(errors, len(findings) - errors)} in the checklist below"
            color = ERROR if errors else WARNING
            parts.append(self.text(count, sheet_font(8.5, bold=True), width, color=color, max_lines=1))
        summary = clean(slot.summary)
        color = INK if summary else FAINT
        parts.append(self.text(summary or "(no summary)", sheet_font(9.5), width, color=color, max_lines=4))
        return parts

    def empty_row(self, position: int) -> Block:
        pad = self.mm(2.5)
        label = self.text(
            "Empty — nothing is placed in this slot",
            sheet_font(10, italic=True),
            self.width * 0.6,
            color=MUTED,
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
            sheet_font(18, bold=True, serif=True),
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
            label = self.text(
                note, sheet_font(8, italic=True), box.width() - self.mm(4), color=FAINT, max_lines=2
            )
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

    def finding_row(self, finding: Finding) -> Block:
        error = finding.severity is Severity.ERROR
        badge_w, where_w, pad = self.mm(20), self.mm(16), self.mm(1.3)
        badge = self.text(
            finding.severity.value.upper(),  # ERROR, WARNING or HINT
            sheet_font(8, bold=True),
            badge_w,
            color=ERROR if error else WARNING if finding.severity is Severity.WARNING else ACCENT,
            max_lines=1,
        )
        where = self.text(
            f"Slot {finding.slot}" if finding.slot is not None else "Archive",
            sheet_font(9, bold=True),
            where_w,
            max_lines=1,
        )
        message = self.text(
            _sentence(clean(finding.message) or finding.code),
            sheet_font(9.5),
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

    # --- the sign-off ---

    def sign_off_blocks(self) -> Iterator[Block]:
        signed = self.sheet.sign_off
        if signed is None:
            yield self.heading("Sign-off", "Not signed off yet", WARNING)
        else:
            changed = signed.changed_since
            yield self.heading(
                "Sign-off", "layout changed since" if changed else "unchanged since", ERROR if changed else OK
            )
        yield self.sign_off_block(self.sign_off_lines())

    def sign_off_lines(self) -> list[Text]:
        """Who signed off and when, their note, and whether the layout changed since."""
        signed, width = self.sheet.sign_off, self.width
        if signed is None:
            return [self.text("Not signed off yet.", sheet_font(10, bold=True), width, max_lines=1)]
        who = clean(signed.by) or "someone unnamed"
        note = clean(signed.note)
        by = f"Signed off by {who} at {full_time(signed.at)}{':' if note else '.'}"
        lines = [self.text(by, sheet_font(10, bold=True), width, max_lines=2)]
        if note:
            lines.append(self.text(f"“{note}”", sheet_font(10, italic=True), width, max_lines=4))
        now = self.sheet.layout.section.version
        if signed.changed_since:
            detail = (
                f"it was version {signed.section_version} then and is version {now} now"
                if signed.section_version != now
                else "a story in the block was edited since"
            )
            warning = f"⚠ The layout changed since that sign-off: {detail}. Review it and sign off again."
            lines.append(self.text(warning, sheet_font(9.5, bold=True), width, color=ERROR, max_lines=2))
        else:
            same = "✓ The layout is unchanged since: this sheet shows what was signed off."
            lines.append(self.text(same, sheet_font(9.5), width, color=OK, max_lines=1))
        return lines

    def sign_off_block(self, lines: list[Text]) -> Block:
        """The sign-off lines, then blank lines to sign by hand: approved by, date, signature."""
        line_gap = self.mm(14)
        text_h = sum(t.height for t in lines) + self.mm(1.5) * (len(lines) - 1)
        height = text_h + line_gap + self.mm(3)

        def paint(painter: QPainter, x: float, y: float) -> None:
            ty = y + self.mm(1)
            for part in lines:
                part.draw(painter, x, ty)
                ty += part.height + self.mm(1.5)
            self.signature_lines(painter, x, y + text_h + line_gap)

        return Block(height, paint, space_before=self.mm(1))

    def signature_lines(self, painter: QPainter, x: float, baseline: float) -> None:
        fields = ("Approved by", "Date", "Signature")
        label_font = sheet_font(9.5)
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
            painter.drawLine(QPointF(start, baseline + self.mm(0.8)), QPointF(end, baseline + self.mm(0.8)))
            cx += span
        painter.restore()


# --- helpers -----------------------------------------------------------------------------------------------


def _sentence(text: str) -> str:
    """The checklist writes 'the slot is empty' (it reads well after 'slot 3: '); alone it needs a capital."""
    return text[:1].upper() + text[1:]


def _rank(finding: Finding) -> int:
    return {Severity.ERROR: 0, Severity.WARNING: 1}.get(finding.severity, 2)  # hints last


def _edited(slot: Slot) -> list[str]:
    """Which of the slot's headline, summary and image are set for this page only."""
    overrides = slot.overrides
    pairs = (("headline", overrides.headline), ("summary", overrides.summary), ("image", overrides.image))
    return [name for name, value in pairs if value is not None]


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _counts(errors: int, warnings: int) -> str:
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return " and ".join(parts) or "no problems"
