"""The image picker: a picture with its focal point, a Choose button, and the form's own extras beside it.

One widget for the story editor's image field and a slot's page-only image (``ui/slots/overrides.py``).
It draws the picture (``ui/focal_image.py``: click where the crop should centre), asks for a file when
Choose is clicked, reads it (refusing one over the image service's limit before reading it) and stores it
through ``ImageService.add_noting``; the outcome (``Taken`` or ``Refused``) goes out on ``picked`` and the
form words it, since a story and a page slot say different things about a picture.

The picker knows no form: it never decides what the picture means. The form reads ``focus_point()``,
listens to ``focus_changed`` (a person's edits) and calls ``show()`` with what it holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ca_editor.domain.errors import CaEditorError, ValidationError
from ca_editor.domain.model import ImageAsset
from ca_editor.services.images import MAX_IMAGE_BYTES, ImageService
from ca_editor.ui.beside_or_under import BesideOrUnderLayout
from ca_editor.ui.focal_image import FocalImagePicker

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.gif);;All files (*)"

# Pillow's reason for refusing a file can end in "(cannot identify image file <_io.BytesIO object at 0x…>)".
_PYTHON_REPR = re.compile(r"\s*\([^()]*<_io\.\w+ object at 0x[0-9a-fA-F]+>[^()]*\)")


@dataclass(frozen=True)
class Taken:
    """The file was stored: its asset, and what a person should hear about it (first frame only …)."""

    name: str
    asset: ImageAsset
    notes: tuple[str, ...]

    def notes_text(self) -> str:
        return " ".join(note[:1].upper() + note[1:] + "." for note in self.notes)


@dataclass(frozen=True)
class Refused:
    """The file was not taken. ``kind``: "too large", "unreadable", "invalid" or "not stored";
    ``detail`` says why without a full stop ('notes.png is not a PNG, JPEG, WebP or GIF image')."""

    name: str
    kind: str
    detail: str


def take_image_file(images: ImageService, path: Path) -> Taken | Refused:
    """Read and store the picture at ``path``; a file over the service's limit is refused unread."""
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            limit = MAX_IMAGE_BYTES // 2**20
            return Refused(
                path.name,
                "too large",
                f"{path.name} is {size / 1e6:.1f} MB; images up to {limit} MB are accepted",
            )
        data = path.read_bytes()
        asset, notes = images.add_noting(data, name=path.name)
    except ValidationError as exc:
        return Refused(path.name, "invalid", "; ".join(_PYTHON_REPR.sub("", p.message) for p in exc.problems))
    except OSError as exc:
        return Refused(path.name, "unreadable", str(exc.strerror or exc))
    except CaEditorError as exc:
        return Refused(path.name, "not stored", str(exc))
    return Taken(path.name, asset, notes)


class ImagePicker(QWidget):
    """``picture`` (the focal view) and ``side``, a column for ``choose_button`` and the form's extras,
    beside the picture; with ``wrap`` the column goes under the picture when the width is short."""

    picked = Signal(object)  # Taken | Refused, after Choose (nothing when the dialog was cancelled)
    focus_changed = Signal(object)  # Focus | None: a person moved the focal point

    def __init__(
        self,
        images: ImageService,
        size: QSize,
        ask_path: Callable[[], str | None],
        *,
        wrap: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._images = images
        self._ask_path = ask_path
        self.picture = FocalImagePicker(size)
        self.picture.focus_changed.connect(self.focus_changed)
        self.choose_button = QPushButton()
        self.choose_button.clicked.connect(self.choose)
        self.side = QVBoxLayout()
        self.side.setContentsMargins(0, 0, 0, 0)
        if wrap:
            self.side.setSpacing(4)
            row = BesideOrUnderLayout(self)
            row.addWidget(self.picture)
            row.addItem(self.side)
            row.addChildLayout(self.side)  # widgets the form adds to the column later become ours
        else:
            beside = QHBoxLayout(self)
            beside.setContentsMargins(0, 0, 0, 0)
            beside.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignTop)
            beside.addLayout(self.side, 1)

    def choose(self) -> None:
        """Ask for a file, take it, and tell the form what came of it."""
        name = self._ask_path()
        if name:
            self.picked.emit(take_image_file(self._images, Path(name)))

    def show_image(self, sha256: str | None, focus: tuple[float, float] | None, *, empty_text: str) -> str:
        """Show the stored picture ``sha256`` with ``focus`` (None: ``empty_text``); returns why it could
        not be read ("" when it could). A picture Qt cannot draw keeps its focal point all the same."""
        view = self.picture.view
        if sha256 is None:
            view.set_empty_text(empty_text)
            self.picture.set_image(None)
            self.picture.set_focus_point(None)
            return ""
        problem = ""
        try:
            data: bytes | None = self._images.read(sha256)
        except CaEditorError as exc:
            data, problem = None, str(exc)
        view.set_empty_text("No preview")
        self.picture.set_image(data, focus)
        self.picture.set_focus_point(focus)
        return problem

    def focus_point(self) -> tuple[float, float] | None:
        return self.picture.focus_point()
