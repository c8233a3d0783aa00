"""The review sheet's thumbnails: each picture decoded once, small, turned as the reader sees it, on white."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPainter

from ca_editor.ui.focal_image import decode_oriented
from ca_editor.ui.sheet.content import ReviewSheet


def thumbnails(sheet: ReviewSheet, box: QSize) -> dict[str, QImage]:
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
