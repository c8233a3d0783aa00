"""The body editor: plain markdown text in a monospace font, lightly highlighted, with a word count."""

from __future__ import annotations

import re

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QColor, QFont, QFontDatabase, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QPlainTextEdit, QWidget

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")  # a link counts the words of its text, not of its URL


def word_count(text: str) -> int:
    """Words a reader sees: link text counts, URLs and markup characters do not."""
    return len(_WORD.findall(_MARKUP.sub(r"\1", text)))


def _format(
    color: str, *, bold: bool = False, italic: bool = False, underline: bool = False
) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    fmt.setFontUnderline(underline)
    return fmt


class MarkdownHighlighter(QSyntaxHighlighter):
    """Headings, emphasis, links, lists, quotes and code spans: enough to see the structure while typing."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        P = QRegularExpression
        self._rules: list[tuple[QRegularExpression, QTextCharFormat]] = [
            (P(r"^#{1,6}\s.*$"), _format("#1a5fb4", bold=True)),
            (P(r"^\s*(?:[-*+]|\d+[.)])\s"), _format("#a15c00", bold=True)),
            (P(r"^\s*>.*$"), _format("#5e5c64", italic=True)),
            (P(r"(\*|_)(?!\s)[^*_\n]+?(?<!\s)\1"), _format("#3d3846", italic=True)),
            (P(r"(\*\*|__)(?!\s).+?(?<!\s)\1"), _format("#3d3846", bold=True)),
            (P(r"!?\[[^\]\n]*\]\([^)\n]*\)"), _format("#1c71d8", underline=True)),
            (P(r"`[^`\n]+`"), _format("#26a269")),
        ]

    def highlightBlock(self, text: str) -> None:  # Qt override
        for pattern, fmt in self._rules:
            matches = pattern.globalMatch(text)
            while matches.hasNext():
                match = matches.next()
                self.setFormat(match.capturedStart(), match.capturedLength(), fmt)


class BodyEditor(QPlainTextEdit):
    """A markdown text box: monospace, tab moves focus on (Ctrl+Tab types none either), highlighted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.setFont(font)
        self.setTabChangesFocus(True)  # keyboard users must be able to leave the box
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.highlighter = MarkdownHighlighter(self.document())
