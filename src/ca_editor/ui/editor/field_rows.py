"""The rows of the story editor's forms: a mnemonic caption, the field, and the message under it.

Every field is registered under its key (``FIELD_LABELS`` in ``domain/model.py``), so a problem that
names a field finds its widget (to mark and focus) and its message line (to say what is wrong).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from ca_editor.domain.model import FIELD_LABELS
from ca_editor.domain.story_form import FieldVerdict
from ca_editor.ui.editor.widgets import FieldMessage


def new_form(group: QGroupBox) -> QFormLayout:
    layout = QFormLayout(group)
    layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    return layout


class FieldRows:
    """The registry of fields, their messages and their captions across the editor's groups."""

    def __init__(self) -> None:
        self.fields: dict[str, QWidget] = {}
        self.messages: dict[str, FieldMessage] = {}
        self.captions: list[QLabel] = []

    def add(
        self,
        layout: QFormLayout,
        key: str,
        label: str,
        widget: QWidget,
        tip: str,
        extra: QWidget | None = None,
        holder: QWidget | None = None,
    ) -> QWidget:
        """Add ``widget`` (inside ``holder`` if given) beside a mnemonic label, its message below it."""
        widget.setAccessibleName(FIELD_LABELS[key])
        widget.setToolTip(tip)
        message = FieldMessage()
        message.setObjectName(f"{key}-message")
        cell = QWidget()
        stack = QVBoxLayout(cell)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.setSpacing(2)
        stack.addWidget(holder or widget)
        if extra is not None:
            stack.addWidget(extra)
        stack.addWidget(message)
        caption = QLabel(label)
        caption.setBuddy(widget)
        self.captions.append(caption)
        layout.addRow(caption, cell)
        self.register(key, widget, message)
        return widget

    def register(self, key: str, widget: QWidget, message: FieldMessage) -> None:
        self.fields[key] = widget
        self.messages[key] = message

    def align_captions(self) -> None:
        """One label column width for both forms, so the Story and Image fields line up."""
        width = max(caption.sizeHint().width() for caption in self.captions)
        for caption in self.captions:
            caption.setMinimumWidth(width)

    def show_verdict(self, key: str, verdict: FieldVerdict) -> None:
        """Say ``verdict`` under field ``key`` and mark the field (its border, its description)."""
        self.messages[key].show_message(verdict.severity, verdict.text)
        widget = self.fields[key]
        if widget.property("problem") != verdict.severity:
            widget.setProperty("problem", verdict.severity)
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        widget.setAccessibleDescription(verdict.text)
