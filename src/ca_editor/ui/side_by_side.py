"""Mine and theirs side by side as rich text for a QTextBrowser: one block per differing field, the changed
lines tinted (mine amber, theirs blue, mixed into the palette's base so text stays legible in both themes),
long unchanged runs folded to "⋯".
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

from ca_editor.domain.text_diff import LineKind, Op, text_diff
from ca_editor.ui.story_differences import FieldDifference


def _tint(palette: QPalette, colour: str, amount: float) -> str:
    """``colour`` mixed into the palette's base: a background that keeps the palette's text legible."""
    base, tint = palette.color(QPalette.ColorRole.Base), QColor(colour)
    mixed = QColor(
        round(base.red() + (tint.red() - base.red()) * amount),
        round(base.green() + (tint.green() - base.green()) * amount),
        round(base.blue() + (tint.blue() - base.blue()) * amount),
    )
    return str(mixed.name())


@dataclass(frozen=True, slots=True)
class DiffColours:
    mine: str
    theirs: str
    muted: str
    rule: str

    @classmethod
    def of(cls, palette: QPalette) -> DiffColours:
        return cls(
            mine=_tint(palette, "#e0a030", 0.30),
            theirs=_tint(palette, "#3a8fd0", 0.30),
            muted=str(palette.color(QPalette.ColorRole.PlaceholderText).name()),
            rule=_tint(palette, str(palette.color(QPalette.ColorRole.Text).name()), 0.25),
        )


def _cell(text: str, background: str | None = None) -> str:
    style = "white-space: pre-wrap;"
    shown = html.escape(text) if text else "&nbsp;"
    colour = f' bgcolor="{background}"' if background else ""
    return f'<td width="50%"{colour} style="{style}">{shown}</td>'


def _line_rows(mine: str, theirs: str, colours: DiffColours, context: int = 2) -> list[str]:
    """Side-by-side rows of the app's one line diff (``domain.text_diff``); unchanged runs fold to "⋯"."""
    rows: list[str] = []
    olds: list[str] = []  # the changed lines of one run, paired k-th with k-th once the run ends
    news: list[str] = []

    def pair_up() -> None:
        for k in range(max(len(olds), len(news))):
            a = _cell(olds[k], colours.mine) if k < len(olds) else _cell("")
            b = _cell(news[k], colours.theirs) if k < len(news) else _cell("")
            rows.append(f"<tr>{a}{b}</tr>")
        olds.clear()
        news.clear()

    for line in text_diff(mine, theirs, context):
        if line.kind is LineKind.OLD:
            olds.append(line.text)
        elif line.kind is LineKind.NEW:
            news.append(line.text)
        elif line.kind is LineKind.CHANGED:  # one line each side
            olds.append("".join(s.text for s in line.segments if s.op is not Op.INSERT))
            news.append("".join(s.text for s in line.segments if s.op is not Op.DELETE))
        else:
            pair_up()
            if line.kind is LineKind.SKIPPED:
                rows.append(f'<tr><td colspan="2" style="color: {colours.muted};">⋯</td></tr>')
            else:
                rows.append(f"<tr>{_cell(line.text)}{_cell(line.text)}</tr>")
    pair_up()
    return rows


def comparison_html(differences: Sequence[FieldDifference], who: str, colours: DiffColours) -> str:
    """The comparison as rich text for a QTextBrowser: one block per differing field, mine left."""
    if not differences:
        return "<p>Your version and theirs are the same; saving changes nothing.</p>"
    parts = [
        '<table width="100%" cellspacing="0" cellpadding="4">',
        '<tr><th align="left" width="50%">Yours (not saved)</th>'
        f'<th align="left" width="50%">{html.escape(who)}\'s (saved)</th></tr>',
    ]
    for diff in differences:
        by = " and ".join(
            name for name, changed in (("you", diff.changed_by_me), (who, diff.changed_by_them)) if changed
        )
        note = f" — changed by {html.escape(by)}" if by else ""
        parts.append(
            f'<tr><td colspan="2" style="border-top: 1px solid {colours.rule};">'
            f"<b>{html.escape(diff.label)}</b>"
            f'<span style="color: {colours.muted};">{note}</span></td></tr>'
        )
        if diff.multiline:
            parts.extend(_line_rows(diff.mine, diff.theirs, colours))
        else:
            parts.append(f"<tr>{_cell(diff.mine, colours.mine)}{_cell(diff.theirs, colours.theirs)}</tr>")
    parts.append("</table>")
    return "".join(parts)
