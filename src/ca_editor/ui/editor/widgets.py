"""Small pieces of the story editor: the message under a field and the coloured problem icons."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from ca_editor.ui.icons import icon

ERROR_COLOR = "#b3261e"
WARNING_COLOR = "#8a5300"  # amber dark enough for 4.5:1 contrast on a light window
NOTICE_COLOR = "#1a5fb4"

#: Marks a field with a problem; set through the ``problem`` dynamic property ("error", "warning" or "").
FIELD_STYLE = f"""
QLineEdit[problem="error"], QPlainTextEdit[problem="error"], QDateTimeEdit[problem="error"],
QComboBox[problem="error"], QLabel[problem="error"] {{
    border: 2px solid {ERROR_COLOR}; border-radius: 3px; }}
QLineEdit[problem="warning"], QPlainTextEdit[problem="warning"], QDateTimeEdit[problem="warning"],
QComboBox[problem="warning"], QLabel[problem="warning"] {{
    border: 2px solid {WARNING_COLOR}; border-radius: 3px; }}
"""


def tinted_pixmap(name: str, color: str, size: int = 16) -> QPixmap:
    """The icon ``name`` drawn in ``color`` (the icon set draws in the text colour)."""
    pixmap = icon(name).pixmap(QSize(size, size))
    painter = QPainter(pixmap)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(pixmap.rect(), QColor(color))
    painter.end()
    return pixmap


def severity_color(severity: str) -> str:
    return ERROR_COLOR if severity == "error" else WARNING_COLOR


class FieldMessage(QWidget):
    """An icon and a sentence under a field; hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.severity = ""
        self._icon = QLabel()
        self._icon.setFixedSize(16, 16)
        self._icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._text = QLabel()
        self._text.setWordWrap(True)
        self._text.setTextFormat(Qt.TextFormat.PlainText)  # messages quote user text: never rich text
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 2)
        row.setSpacing(4)
        row.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self._text, 1)
        self.hide()

    def text(self) -> str:
        return self._text.text()

    def show_message(self, severity: str, text: str) -> None:
        if not text:
            self.clear()
            return
        self.severity = severity
        color = severity_color(severity)
        self._icon.setPixmap(tinted_pixmap(f"problem_{severity}", color))
        self._icon.setAccessibleName("Error" if severity == "error" else "Warning")
        self._text.setStyleSheet(f"color: {color};")
        self._text.setText(text)
        self.setAccessibleName(f"{'Error' if severity == 'error' else 'Warning'}: {text}")
        self.show()

    def clear(self) -> None:
        self.severity = ""
        self._text.clear()
        self.hide()


class ElidedLabel(QLabel):
    """A one-line label that ends in '…' when narrower than its text (the full text is its tooltip)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:  # Qt override
        super().setText(text)
        self.setToolTip(text)

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override  # noqa: ARG002
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown)
        painter.end()
