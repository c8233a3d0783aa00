"""A ``LayoutDiff`` as a readable page: sentences for the slot changes, red/green text diffs for the texts.

Deleted words are struck through and inserted ones underlined as well as coloured, so the diff does not
depend on colour alone; the colours follow the palette (a light and a dark set, both legible).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QTextBrowser, QWidget

from ca_editor.domain.layout_diff import LayoutDiff
from ca_editor.domain.text_diff import DiffLine, LineKind, Op, Segment

_LIGHT = {
    "del_line": "#ffebe9",
    "del_word": "#ffc1bd",
    "del_text": "#82071e",
    "ins_line": "#e6ffec",
    "ins_word": "#abf2bc",
    "ins_text": "#055d20",
    "muted": "#5f5f5f",
    "rule": "#d0d0ce",
}
_DARK = {
    "del_line": "#3a1d20",
    "del_word": "#7d2b33",
    "del_text": "#ffdcd7",
    "ins_line": "#16351f",
    "ins_word": "#2c6a3d",
    "ins_text": "#d7f7dc",
    "muted": "#a8a8a6",
    "rule": "#44484e",
}
_GUTTER = {
    LineKind.SAME: " ",
    LineKind.OLD: "−",
    LineKind.NEW: "+",
    LineKind.CHANGED: "~",
    LineKind.SKIPPED: "…",
}


def diff_html(diff: LayoutDiff, *, dark: bool = False, intro: str = "") -> str:
    """The whole diff as Qt rich text (``intro``: plain text shown first, e.g. what it is compared with)."""
    c = _DARK if dark else _LIGHT
    parts = []
    if intro:
        parts.append(f"<p style='color:{c['muted']}'>{escape(intro).replace(chr(10), '<br>')}</p>")
    parts.append(f"<p><b>{escape(diff.summary())}</b></p>")
    if diff.is_empty:
        return "".join(parts)
    if diff.section:
        parts.append("<h4>The section</h4>")
        for change in diff.section:
            parts.append(f"<p>{escape(change.sentence)}</p>")
            if change.diff:
                parts.append(_lines_html(change.diff, c))
    slot_sentences = [change.sentence for group in (diff.added, diff.removed, diff.moved) for change in group]
    shifted = [run.sentence for run in diff.shifted]  # consequences, shown muted
    if slot_sentences or shifted:
        parts.append("<h4>Slots</h4><ul>")
        parts += [f"<li>{escape(s)}</li>" for s in slot_sentences]
        parts += [f"<li style='color:{c['muted']}'>{escape(s)}</li>" for s in shifted]
        parts.append("</ul>")
    if diff.overrides:
        parts.append("<h4>Page-only edits</h4>")
        for override in diff.overrides:
            parts.append(f"<p>{escape(override.sentence)}</p>")
            changed = (
                override.old is not None and override.new is not None
            )  # set/removed: the sentence says it
            if changed and override.field in ("headline", "summary"):
                parts.append(_lines_html(override.diff, c))
    if diff.edits:
        parts.append("<h4>Stories edited</h4>")
        for edit in diff.edits:
            slots = ", ".join(str(p) for p in edit.positions)
            parts.append(
                f"<p><b>“{escape(edit.title)}”</b> <span style='color:{c['muted']}'>(slot {slots})</span></p>"
            )
            for field in edit.changes:
                parts.append(f"<p style='margin-left:12px'>{escape(field.label)}</p>")
                parts.append(_lines_html(field.diff, c, indent=12))
    return "".join(parts)


def _lines_html(lines: tuple[DiffLine, ...], c: dict[str, str], indent: int = 0) -> str:
    rows = []
    for line in lines:
        gutter = f"<td style='color:{c['muted']}' width='14'>{_GUTTER[line.kind]}</td>"
        if line.kind is LineKind.SKIPPED:
            text = f"{line.skipped} unchanged line{'s' if line.skipped != 1 else ''}"
            rows.append(f"<tr>{gutter}<td style='color:{c['muted']}'><i>{text}</i></td></tr>")
            continue
        background = {LineKind.OLD: c["del_line"], LineKind.NEW: c["ins_line"]}.get(line.kind)
        style = f" bgcolor='{background}'" if background else ""
        body = "".join(_segment_html(s, c) for s in line.segments) or "&nbsp;"
        rows.append(f"<tr>{gutter}<td{style} style='white-space:pre-wrap'>{body}</td></tr>")
    return (
        f"<table cellspacing='0' cellpadding='2' width='100%' style='margin-left:{indent}px; "
        f"border-left:2px solid {c['rule']}'>" + "".join(rows) + "</table>"
    )


def _segment_html(segment: Segment, c: dict[str, str]) -> str:
    text = escape(segment.text)
    if segment.op is Op.DELETE:
        return (
            f"<span style='background-color:{c['del_word']}; color:{c['del_text']}; "
            f"text-decoration:line-through'>{text}</span>"
        )
    if segment.op is Op.INSERT:
        return (
            f"<span style='background-color:{c['ins_word']}; color:{c['ins_text']}; "
            f"text-decoration:underline'>{text}</span>"
        )
    return text


class DiffView(QTextBrowser):
    """Read-only view of one ``LayoutDiff``; re-renders when the palette switches between light and dark."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setAccessibleName("Changes")
        self._diff: LayoutDiff | None = None
        self._intro = ""

    @property
    def diff(self) -> LayoutDiff | None:
        return self._diff

    def show_diff(self, diff: LayoutDiff | None, intro: str = "") -> None:
        self._diff, self._intro = diff, intro
        self._render()

    def _render(self) -> None:
        if self._diff is None:
            self.setPlainText(self._intro)
            return
        scroll = self.verticalScrollBar().value()
        self.setHtml(diff_html(self._diff, dark=_is_dark(), intro=self._intro))
        self.verticalScrollBar().setValue(scroll)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._render()


def _is_dark() -> bool:
    return QApplication.palette().window().color().lightness() < 128
