"""The window's one way to ask a question with buttons of its own words: ``ask``.

Every modal question whose answers are more than Yes/No (the conflict answers, delete, a full editor's
choice) is built here, so they behave alike: plain-text message (a title can hold "<b>"), Cancel is the
escape key and the answer when the box is closed otherwise, the default button is named by the caller,
a destructive answer is marked as such for the platform's style.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget


def ask(
    parent: QWidget | None,
    kind: QMessageBox.Icon,
    title: str,
    text: str,
    detail: str,
    buttons: Sequence[str],
    *,
    default: str,
    destructive: str = "",
) -> str:
    """A modal question; returns the text of the button pressed ("Cancel" when closed otherwise)."""
    box = QMessageBox(kind, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(detail)
    made: dict[QAbstractButton, str] = {}
    for label in buttons:
        if label == "Cancel":
            role = QMessageBox.ButtonRole.RejectRole
        elif label == destructive:
            role = QMessageBox.ButtonRole.DestructiveRole
        else:
            role = QMessageBox.ButtonRole.AcceptRole
        button = box.addButton(label, role)
        made[button] = label
        if label == default:
            box.setDefaultButton(button)
    if "Cancel" not in buttons:  # Escape answers the default (e.g. "OK") rather than doing nothing
        box.setEscapeButton(next(b for b, label in made.items() if label == default))
    box.exec()
    return made.get(box.clickedButton(), "Cancel")
