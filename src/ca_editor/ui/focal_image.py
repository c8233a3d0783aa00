"""The image with its focal point: click (or drag) where the crop should centre, see the 16:9 card cut.

The picture view of the one image picker (``ui/image_picker.py``), which the story editor's image field
and a slot's image override share. It draws the picture as it will stand after its EXIF orientation,
shades what the card crop (``domain.crop``, the same geometry the export cuts with) leaves out and marks
the focal point.

Keyboard: the view takes focus (Tab); arrow keys move the point by 2 % (Shift: 10 %); Home, Delete or
Backspace put it back in the centre, as does the "Centre" button beside it. The widget keeps the point;
whoever owns the form reads ``focus_point()`` and listens to ``focus_changed`` (a person's edits only).
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QImageIOHandler,
    QImageReader,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from ca_editor.domain.crop import CARD_ASPECT, crop_box
from ca_editor.domain.focus import Focus, clamp_focus, format_focus

KEY_STEP, KEY_STEP_LARGE = 0.02, 0.10
DECODE_LIMIT = 1024  # px: the view never needs more; a 12-megapixel JPEG decodes at a fraction of its size
_SHADE = QColor(0, 0, 0, 120)
_MARK = QColor("#ffd400")  # yellow reads on dark and light pictures alike, with a dark outline


def decode_oriented(data: bytes, limit: int = DECODE_LIMIT) -> tuple[QImage, QSize] | None:
    """The picture as the reader sees it (EXIF orientation applied), at most ``limit`` px each way, and
    its full oriented size; None when Qt cannot read it."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QBuffer.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)
    stored = reader.size()
    if stored.isValid() and stored.width() > 0 and stored.height() > 0:
        longest = max(stored.width(), stored.height())
        if longest > limit:  # scaled while decoding, in the stored orientation; rotation comes after
            reader.setScaledSize(stored.scaled(limit, limit, Qt.AspectRatioMode.KeepAspectRatio))
    turned = bool(reader.transformation() & QImageIOHandler.Transformation.TransformationRotate90)
    image = reader.read()
    if image.isNull():
        return None
    full = stored.transposed() if turned else stored
    if not full.isValid() or full.isEmpty():
        full = image.size()
    return image, full


class FocalImageView(QWidget):
    """The picture, the card crop and the focal point; click, drag or arrow keys move the point."""

    focus_changed = Signal(object)  # Focus | None, when a person moved or reset it (not set_focus_point)

    def __init__(self, size: QSize, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(size)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAccessibleName("Image and focal point")
        self._image: QImage | None = None
        self._full = QSize()
        self._focus: Focus | None = None
        self._empty_text = "No image"
        self._describe()

    # --- state -------------------------------------------------------------------------------------

    def set_image(self, data: bytes | None, focus: Focus | None = None) -> bool:
        """Show the picture in ``data`` (None: nothing) with ``focus``; whether Qt could read it."""
        decoded = decode_oriented(data) if data else None
        self._image, self._full = decoded if decoded else (None, QSize())
        self._focus = focus
        self.setEnabled(self._image is not None)
        self._describe()
        self.update()
        return self._image is not None

    def set_empty_text(self, text: str) -> None:
        self._empty_text = text
        self.update()

    def has_image(self) -> bool:
        return self._image is not None

    def image_size(self) -> QSize:
        """The full picture's width and height after its EXIF orientation (empty without a picture)."""
        return QSize(self._full)

    def focus_point(self) -> Focus | None:
        return self._focus

    def set_focus_point(self, focus: Focus | None) -> None:
        """Show ``focus`` without telling anyone: for filling a form, not for a person's edit."""
        self._focus = focus
        self._describe()
        self.update()

    def crop_rect(self) -> QRectF:
        """Where the card's crop lies on the widget (empty without a picture)."""
        shown = self.image_rect()
        if self._image is None or shown.isEmpty():
            return QRectF()
        width, height = self._full.width(), self._full.height()
        left, top, right, bottom = crop_box(width, height, CARD_ASPECT, self._focus)
        scale = shown.width() / width
        return QRectF(
            shown.left() + left * scale,
            shown.top() + top * scale,
            (right - left) * scale,
            (bottom - top) * scale,
        )

    def image_rect(self) -> QRectF:
        """Where the picture is drawn: as large as fits, centred, its shape kept."""
        if self._image is None or self._full.isEmpty():
            return QRectF()
        area = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        fitted = self._full.scaled(area.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
        return QRectF(
            area.left() + (area.width() - fitted.width()) / 2,
            area.top() + (area.height() - fitted.height()) / 2,
            fitted.width(),
            fitted.height(),
        )

    def focus_at(self, position: QPointF) -> Focus | None:
        """The focal point a click at ``position`` sets (clamped into the picture); None off any picture."""
        shown = self.image_rect()
        if shown.isEmpty():
            return None
        x = (position.x() - shown.left()) / shown.width()
        y = (position.y() - shown.top()) / shown.height()
        return clamp_focus(x, y)

    # --- a person's edits --------------------------------------------------------------------------

    def move_focus_to(self, focus: Focus | None) -> None:
        """Set the point as a person's edit: shown, described and announced."""
        if self._image is None or focus == self._focus:
            return
        self._focus = focus
        self._describe()
        self.update()
        self.focus_changed.emit(focus)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._image is not None:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.move_focus_to(self.focus_at(event.position()))
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton and self._image is not None:
            self.move_focus_to(self.focus_at(event.position()))  # dragging slides the crop along
            event.accept()
            return
        super().mouseMoveEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._image is None:
            super().keyPressEvent(event)
            return
        key = event.key()
        if key in (Qt.Key.Key_Home, Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.move_focus_to(None)
            event.accept()
            return
        step = KEY_STEP_LARGE if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else KEY_STEP
        moves = {
            Qt.Key.Key_Left: (-step, 0.0),
            Qt.Key.Key_Right: (step, 0.0),
            Qt.Key.Key_Up: (0.0, -step),
            Qt.Key.Key_Down: (0.0, step),
        }
        if key not in moves:
            super().keyPressEvent(event)
            return
        x, y = self._focus or (0.5, 0.5)
        dx, dy = moves[Qt.Key(key)]
        self.move_focus_to(clamp_focus(x + dx, y + dy))
        event.accept()

    # --- drawing -----------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: ARG002
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        if self._image is None:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._empty_text)
        else:
            self._paint_picture(painter)
        border = palette.color(QPalette.ColorRole.Highlight if self.hasFocus() else QPalette.ColorRole.Mid)
        painter.setPen(QPen(border, 2 if self.hasFocus() else 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        painter.end()

    def _paint_picture(self, painter: QPainter) -> None:
        assert self._image is not None
        shown = self.image_rect()
        crop = self.crop_rect()
        painter.drawImage(shown, self._image)
        outside = QPainterPath()
        outside.addRect(shown)
        inside = QPainterPath()
        inside.addRect(crop)
        painter.fillPath(outside.subtracted(inside), _SHADE)  # what the card leaves out
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(0, 0, 0, 160), 3))
        painter.drawRect(crop)
        painter.setPen(QPen(QColor("white"), 1.5))
        painter.drawRect(crop)
        fx, fy = self._focus or (0.5, 0.5)
        centre = QPointF(shown.left() + fx * shown.width(), shown.top() + fy * shown.height())
        self._paint_marker(painter, centre, chosen=self._focus is not None)

    @staticmethod
    def _paint_marker(painter: QPainter, centre: QPointF, *, chosen: bool) -> None:
        radius = 7.0
        outline = QPen(QColor(0, 0, 0, 200), 4)
        mark = QPen(_MARK if chosen else QColor("white"), 2)
        if not chosen:
            mark.setStyle(Qt.PenStyle.DashLine)  # the centre by default, not a point someone chose
        x, y, reach = centre.x(), centre.y(), radius + 5
        ticks = [  # a crosshair with a gap in the middle, so the point itself stays visible
            (QPointF(x - reach, y), QPointF(x - 3, y)),
            (QPointF(x + 3, y), QPointF(x + reach, y)),
            (QPointF(x, y - reach), QPointF(x, y - 3)),
            (QPointF(x, y + 3), QPointF(x, y + reach)),
        ]
        for pen in (outline, mark):
            painter.setPen(pen)
            painter.drawEllipse(centre, radius, radius)
            for start, end in ticks:
                painter.drawLine(start, end)

    def _describe(self) -> None:
        if self._image is None:
            text = self._empty_text
        else:
            text = (
                f"Focal point: {format_focus(self._focus)}. Click the picture where the crop should centre; "
                "arrow keys move the point, Home puts it back in the centre."
            )
        self.setAccessibleDescription(text)
        self.setToolTip(text)


class FocalImagePicker(QWidget):
    """The view with a line saying where the point is and a button putting it back in the centre."""

    focus_changed = Signal(object)  # Focus | None, a person's edit

    def __init__(self, size: QSize, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = FocalImageView(size)
        self.view.focus_changed.connect(self._on_changed)
        self.where = QLabel()
        self.where.setAccessibleName("Focal point")
        self.where.setWordWrap(True)  # "20% across, 60% down" takes two lines under a narrow picture
        self.where.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.centre_button = QToolButton()
        self.centre_button.setText("Centre")
        self.centre_button.setAccessibleName("Reset the focal point to the centre")
        self.centre_button.setToolTip("Crop around the middle of the picture again (Home on the picture)")
        self.centre_button.clicked.connect(lambda: self.view.move_focus_to(None))
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.where, 1)
        line.addWidget(self.centre_button, 0, Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.view)
        column.addLayout(line)
        self.setFixedWidth(size.width())
        self.setFocusProxy(self.view)  # a label's mnemonic or a problem focuses the picture itself
        self._update_line()

    def set_image(self, data: bytes | None, focus: Focus | None = None) -> bool:
        loaded = self.view.set_image(data, focus)
        self._update_line()
        return loaded

    def focus_point(self) -> Focus | None:
        return self.view.focus_point()

    def set_focus_point(self, focus: Focus | None) -> None:
        self.view.set_focus_point(focus)
        self._update_line()

    def _on_changed(self, focus: Focus | None) -> None:
        self._update_line()
        self.focus_changed.emit(focus)

    def _update_line(self) -> None:
        has = self.view.has_image()
        focus = self.view.focus_point()
        # Short enough to sit beside the button under a 192 px picture; the label's name says what it is.
        self.where.setText(("Focus: centre" if focus is None else format_focus(focus)) if has else "")
        self.where.setToolTip("Click the picture to choose where the 16:9 card crop centres" if has else "")
        self.centre_button.setEnabled(has and focus is not None)
