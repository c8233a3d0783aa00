"""A text box's text exactly as it holds it.

``QPlainTextEdit.toPlainText`` and ``QTextEdit.toPlainText`` turn no-break spaces into plain ones (Qt
documents it). The client's teasers and some story bodies hold U+00A0, so reading them that way made a
story look edited the moment it opened and lost the characters on save.
"""

from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit, QTextEdit


def exact_text(edit: QPlainTextEdit | QTextEdit) -> str:
    """The text as typed or shown, no-break spaces kept; paragraph and line separators as newlines."""
    return edit.document().toRawText().replace("\u2029", "\n").replace("\u2028", "\n")
