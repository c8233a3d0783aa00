"""The story editor's "Image" group: the shared picker (``ui/image_picker.py``) with Remove and the
picture's size, then its alt text, caption and credit (enabled only with a picture).

The group holds the chosen asset; the editor reads it into the form's fields and words what the picker
said about a file (``StoryForm.image_refusal`` / ``image_note``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QFileDialog, QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QWidget

from ca_editor.domain.model import ImageAsset, StoryFields
from ca_editor.services.images import ImageService
from ca_editor.ui.editor.field_rows import FieldRows, new_form
from ca_editor.ui.icons import icon
from ca_editor.ui.image_picker import IMAGE_FILTER, ImagePicker, Refused

THUMBNAIL = QSize(240, 160)  # big enough to click a face in: it sets the focal point


def refusal_text(refused: Refused) -> str:
    """What the story editor says under the image about a file it did not take."""
    if refused.kind == "unreadable":
        return f"Could not read {refused.name}: {refused.detail}. The image was not changed."
    if refused.kind == "not stored":
        return f"Could not store {refused.name}: {refused.detail}. The image was not changed."
    return f"{refused.detail}. The image was not changed."


class ImageGroup(QGroupBox):
    """The picture and its texts; ``changed`` on a person's edit, ``picked`` after Choose."""

    changed = Signal()
    picked = Signal(object)  # Taken | Refused, from the picker

    def __init__(self, images: ImageService, rows: FieldRows, parent: QWidget | None = None) -> None:
        super().__init__("Image", parent)
        self._last_dir = ""
        self.asset: ImageAsset | None = None
        form = new_form(self)
        self.picker = ImagePicker(images, THUMBNAIL, self._ask_path)
        self.image_picker = self.picker.picture  # the focal view: ui/focal_image.py
        self.picker.focus_changed.connect(self.changed)
        self.picker.picked.connect(self.picked)
        self.choose_button = self.picker.choose_button
        self.choose_button.setToolTip("Pick a PNG, JPEG, WebP or GIF file for the story")
        self.remove_button = QPushButton(icon("image_remove"), "Re&move")
        self.remove_button.setAccessibleName("Remove image")
        self.remove_button.setToolTip("Take the image off the story (the file stays in the database)")
        self.image_info = QLabel()
        self.image_info.setWordWrap(True)
        self.image_info.setAccessibleName("Image details")
        for part in (self.choose_button, self.remove_button, self.image_info):
            self.picker.side.addWidget(part)
        self.picker.side.addStretch(1)
        rows.add(
            form,
            "image",
            "Image",
            self.image_picker,
            "The story's picture, shown on its page and teaser; click it where the crop should centre",
            holder=self.picker,
        )
        self._add_texts(rows, form)

    def _add_texts(self, rows: FieldRows, form: QFormLayout) -> None:
        self.alt_edit = QLineEdit()
        self.alt_edit.setPlaceholderText("Describe the picture for readers who cannot see it")
        rows.add(
            form,
            "image_alt",
            "Alt te&xt",
            self.alt_edit,
            "Required with an image: what the picture shows, for screen readers and when it cannot load",
        )
        self.caption_edit = QLineEdit()
        rows.add(form, "image_caption", "&Caption", self.caption_edit, "Shown under the picture")
        self.credit_edit = QLineEdit()
        rows.add(form, "image_credit", "C&redit", self.credit_edit, "Photographer or agency")
        for line in (self.alt_edit, self.caption_edit, self.credit_edit):
            line.textChanged.connect(self.changed)

    def _ask_path(self) -> str | None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Choose an image for the story", self._last_dir, IMAGE_FILTER
        )
        if name:
            self._last_dir = str(Path(name).parent)
        return name or None

    # --- values ----------------------------------------------------------------------------------------

    def fill(self, fields: StoryFields, asset: ImageAsset | None) -> str:
        """Show the texts and ``asset``; returns why the picture could not be read ("" when it could)."""
        self.alt_edit.setText(fields.image_alt)
        self.caption_edit.setText(fields.image_caption)
        self.credit_edit.setText(fields.image_credit)
        for line in (self.alt_edit, self.caption_edit, self.credit_edit):
            line.setCursorPosition(0)
        return self.set_image(asset, fields.image_focus)

    def read(self, fields: StoryFields) -> StoryFields:
        """``fields`` with the picture and its texts (none without a picture)."""
        image = self.asset
        if image is None:
            return fields
        return replace(
            fields,
            image_sha256=image.sha256,
            image_alt=self.alt_edit.text(),
            image_caption=self.caption_edit.text(),
            image_credit=self.credit_edit.text(),
            image_focus=self.image_picker.focus_point(),
        )

    def set_image(self, asset: ImageAsset | None, focus: tuple[float, float] | None = None) -> str:
        """Show ``asset`` with ``focus`` (a newly chosen picture starts centred); returns why the picture
        could not be read ("" when it could)."""
        self.asset = asset
        has = asset is not None
        self.choose_button.setText("Re&place…" if has else "Ch&oose image…")
        self.choose_button.setIcon(icon("image_replace" if has else "image_choose"))
        self.choose_button.setAccessibleName("Replace image" if has else "Choose image")
        self.remove_button.setEnabled(has)
        for edit in (self.alt_edit, self.caption_edit, self.credit_edit):
            edit.setEnabled(has)
        problem = self.picker.show_image(asset.sha256 if asset else None, focus, empty_text="No image")
        if asset is None:
            self.image_info.setText("No image")
        else:
            kind = asset.media_type.removeprefix("image/").upper()
            self.image_info.setText(f"{kind}, {asset.width}×{asset.height}, {asset.byte_size / 1024:,.0f} KB")
        return problem
