"""Page-only headline, summary and image of one slot, each beside the story's own value.

The override image carries its own focal point (click the picture: ``ui/focal_image.py``, the view the
story editor uses too). Apply saves all three in one undo step; each "Revert to the story's" button clears
one override in one click (also one undo step). The story itself is never changed from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.model import Slot, SlotEntry
from ca_editor.domain.text import shorten
from ca_editor.services.sections import MAX_OVERRIDE_HEADLINE, MAX_OVERRIDE_SUMMARY
from ca_editor.ui.desk import Desk
from ca_editor.ui.errors import report
from ca_editor.ui.icons import icon
from ca_editor.ui.image_picker import ImagePicker, Refused, Taken
from ca_editor.ui.plain_text import exact_text
from ca_editor.ui.slots.models import Thumbnails

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.gif)"
OVERRIDE_VIEW = QSize(192, 128)  # room to click a face: the override's focal point is set on it


def pick_image_file(parent: QWidget) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Choose an image for this page", "", IMAGE_FILTER)
    return path or None


class OverridesPanel(QGroupBox):
    """Edit the overrides of the slot given to ``set_slot`` (or show nothing to edit)."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__("Edited for this page", parent)
        self.desk = desk
        self.setAccessibleName("Overrides for this page")
        self.setToolTip("Headline, summary and image used on the section page only; the story is unchanged")
        #: Asks for an image file; tests replace it.
        self.pick_image_file: Callable[[QWidget], str | None] = pick_image_file
        self._thumbnails = Thumbnails(desk.services.images.read)
        self._slot: Slot | None = None
        self._loaded = SlotEntry(0)  # the saved values last put into the fields
        self._image_sha: str | None = None

        # One column, each field's name above it and its Revert button at the right of the name: the form
        # fits editor's choice at its narrowest (340 px) and only ever scrolls down, never sideways.
        form = QVBoxLayout(self)
        form.setSpacing(4)
        self._add_headline(form)
        self._add_summary(form)
        self._add_image(form)
        self._add_alt_text(form)
        self._add_apply_row(form)
        form.addStretch(1)

        self.set_slot(None)

    def _add_headline(self, form: QVBoxLayout) -> None:
        self.headline_edit = QLineEdit()
        self.headline_edit.setAccessibleName("Headline for this page")
        self.headline_edit.setToolTip("Leave empty to use the story's own headline")
        self.headline_own = _own_label("Story's own headline")
        self.headline_revert = self._revert_button("headline")
        form.addLayout(_title_row(_label("&Headline", self.headline_edit), self.headline_revert))
        form.addWidget(self.headline_edit)
        form.addWidget(self.headline_own)

    def _add_summary(self, form: QVBoxLayout) -> None:
        self.summary_edit = QPlainTextEdit()
        self.summary_edit.setTabChangesFocus(True)
        self.summary_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.summary_edit.setAccessibleName("Summary for this page")
        self.summary_edit.setToolTip("Leave empty to use the story's own summary")
        self.summary_own = _own_label("Story's own summary")
        self.summary_revert = self._revert_button("summary")
        form.addSpacing(6)
        form.addLayout(_title_row(_label("&Summary", self.summary_edit), self.summary_revert))
        form.addWidget(self.summary_edit)
        form.addWidget(self.summary_own)

    def _add_image(self, form: QVBoxLayout) -> None:
        # The shared picker (ui/image_picker.py, the story editor's too): Choose image and the story's own
        # picture stand beside the picture when the column is wide enough, under it when not.
        self.picker = ImagePicker(
            self.desk.services.images, OVERRIDE_VIEW, lambda: self.pick_image_file(self), wrap=True
        )
        self.picker.picked.connect(self._on_picked)
        self.image_picker = self.picker.picture
        self.image_picker.setAccessibleName("Image for this page")
        self.image_picker.view.set_empty_text("No override")
        self.image_own = QLabel()
        self.image_own.setAccessibleName("Story's own image")
        self.image_own.setFixedSize(self._thumbnails.size)
        self.image_own.setEnabled(False)
        self.choose_image = self.picker.choose_button
        self.choose_image.setIcon(icon("slot_image"))
        self.choose_image.setText("Choose image…")
        self.choose_image.setAccessibleName("Choose an image for this page")
        self.choose_image.setToolTip("Pick a PNG, JPEG, WebP or GIF file to show on this page instead")
        self.image_revert = self._revert_button("image")
        beside = self.picker.side
        beside.addWidget(self.choose_image, 0, Qt.AlignmentFlag.AlignLeft)
        beside.addSpacing(4)
        beside.addWidget(QLabel("Story's own:"), 0, Qt.AlignmentFlag.AlignLeft)
        beside.addWidget(self.image_own, 0, Qt.AlignmentFlag.AlignLeft)
        form.addSpacing(6)
        form.addLayout(_title_row(_label("I&mage", self.image_picker), self.image_revert))
        form.addWidget(self.picker)

    def _add_alt_text(self, form: QVBoxLayout) -> None:
        self.alt_edit = QLineEdit()
        self.alt_edit.setAccessibleName("Alt text of the image for this page")
        self.alt_edit.setToolTip("What the image shows, for readers who cannot see it (required)")
        form.addSpacing(6)
        form.addWidget(_label("&Alt text", self.alt_edit))
        form.addWidget(self.alt_edit)

    def _add_apply_row(self, form: QVBoxLayout) -> None:
        """What is wrong with the overrides (red), and Apply at its right."""
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Problems with the overrides")
        self.message.setStyleSheet("color: #b00020")
        self.apply_button = QPushButton("Apply")
        self.apply_button.setAccessibleName("Apply the overrides to this page")
        self.apply_button.setToolTip("Save headline, summary and image for this page (one undo step)")
        self.apply_button.clicked.connect(self.apply)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.apply_button, 0, Qt.AlignmentFlag.AlignTop)
        form.addSpacing(6)
        form.addLayout(bottom)

    # --- showing a slot --------------------------------------------------------------------------------

    @property
    def slot(self) -> Slot | None:
        return self._slot

    def set_slot(self, slot: Slot | None) -> None:
        """Show ``slot``; edits not yet applied survive a refresh of the same slot."""
        same = slot is not None and self._slot is not None and slot.id == self._slot.id
        dirty = self._edited() if same else SlotEntry(0)
        self._slot = slot
        self.setEnabled(slot is not None)
        self.message.clear()
        if slot is None:
            self._loaded = SlotEntry(0)
            self._fill(SlotEntry(0))
            self.headline_own.setText("Select a slot to edit its headline, summary and image for this page.")
            self.summary_own.clear()
            self.image_own.clear()
            return
        saved = slot.entry()

        def keep(name: str) -> object:  # an unsaved edit of this field survives; else the saved value
            edited = getattr(dirty, name)
            return edited if same and edited != getattr(self._loaded, name) else getattr(saved, name)

        shown = SlotEntry(
            slot.story.id,
            *(keep(name) for name in ("headline", "summary", "image_sha256", "image_alt", "image_focus")),  # type: ignore[arg-type]
        )
        self._loaded = saved
        self._fill(shown)
        story = slot.story
        self.headline_own.setText(f"Story's own: {shorten(story.title, 140)}")
        self.headline_own.setToolTip(story.title)
        self.headline_edit.setPlaceholderText(story.title)
        self.summary_own.setText(f"Story's own: {shorten(story.summary, 140) or '(no summary)'}")
        self.summary_own.setToolTip(story.summary)
        self.summary_edit.setPlaceholderText(story.summary)
        own = story.image
        self._show_thumb(
            self.image_own, own.asset.sha256 if own else None, "No image", own.focus if own else None
        )
        self.image_own.setToolTip(f"Story's own image: {own.alt}" if own else "The story has no image")
        self.headline_revert.setEnabled(saved.headline is not None)
        self.summary_revert.setEnabled(saved.summary is not None)
        self.image_revert.setEnabled(saved.image_sha256 is not None)

    def _fill(self, entry: SlotEntry) -> None:
        self.headline_edit.setText(entry.headline or "")
        self.summary_edit.setPlainText(entry.summary or "")
        self._image_sha = entry.image_sha256
        self.alt_edit.setText(entry.image_alt or "")
        self._show_override(entry.image_sha256, entry.image_focus)

    def _edited(self) -> SlotEntry:
        """What the fields say now, as an entry (empty text: use the story's own)."""
        story_id = self._slot.story.id if self._slot else 0
        headline = self.headline_edit.text().strip() or None
        summary = exact_text(self.summary_edit).strip() or None
        alt = self.alt_edit.text().strip() if self._image_sha else None
        focus = self.image_picker.focus_point() if self._image_sha else None
        return SlotEntry(story_id, headline, summary, self._image_sha, alt, focus)

    # --- changing ---------------------------------------------------------------------------------------

    def apply(self) -> bool:
        """Save the three fields as this slot's overrides; problems are shown beside the button."""
        slot = self._slot
        if slot is None:
            return False
        entry = self._edited()
        if entry.headline == slot.story.title:
            entry = replace(entry, headline=None)  # the same text as the story's is no override
        if entry.summary == slot.story.summary:
            entry = replace(entry, summary=None)
        problems = []
        if entry.headline is not None and len(entry.headline) > MAX_OVERRIDE_HEADLINE:
            problems.append(f"The headline is longer than {MAX_OVERRIDE_HEADLINE} characters.")
        if entry.summary is not None and len(entry.summary) > MAX_OVERRIDE_SUMMARY:
            problems.append(f"The summary is longer than {MAX_OVERRIDE_SUMMARY:,} characters.")
        if entry.image_sha256 is not None and not entry.image_alt:
            problems.append("Describe the image in the alt text: it is required for an image on the page.")
        if problems:
            self.message.setText(" ".join(problems))
            return False
        if entry == slot.entry():
            self.message.setText("Nothing to apply: these are the values the page already uses.")
            return False
        previous, self._loaded = self._loaded, entry  # what is saved is no longer an unsaved edit
        if not self._save(slot, entry):
            self._loaded = previous
            return False
        return True

    def revert(self, field: str) -> bool:
        """Clear one saved override (``headline``, ``summary`` or ``image``): one click, one undo step."""
        slot = self._slot
        if slot is None:
            return False
        saved = slot.entry()
        if field == "headline":
            entry = replace(saved, headline=None)
        elif field == "summary":
            entry = replace(saved, summary=None)
        elif field == "image":
            entry = replace(saved, image_sha256=None, image_alt=None, image_focus=None)
        else:
            raise ValueError(field)
        # The reverted field shows the story's value again; other unsaved edits stay.
        if field == "headline":
            self.headline_edit.clear()
        elif field == "summary":
            self.summary_edit.clear()
        else:
            self._image_sha = None
            self.alt_edit.clear()
            self._show_override(None, None)
        return self._save(slot, entry)

    def _save(self, slot: Slot, entry: SlotEntry) -> bool:
        try:
            return self.desk.set_slot_overrides(slot.id, entry)
        except CaEditorError as exc:
            self.message.setText(str(exc))  # why, beside Apply; the window shows it too
            report(self, exc)
            return False

    def _on_picked(self, outcome: Taken | Refused) -> None:
        """What the shared picker made of the chosen file, in this form's words."""
        if isinstance(outcome, Refused):
            if outcome.kind == "too large":
                text = f"{outcome.name} is too large for a page image (more than 20 MB)."
            elif outcome.kind == "invalid":
                text = outcome.detail[:1].upper() + outcome.detail[1:]
            else:
                text = f"Could not {'read' if outcome.kind == 'unreadable' else 'store'} {outcome.name}: "
                text += f"{outcome.detail}."
            self.message.setText(text)
            return
        self.message.clear()
        self._image_sha = outcome.asset.sha256
        self._show_override(outcome.asset.sha256, None)  # a new picture starts centred
        self.image_picker.setToolTip(f"{outcome.name} (not applied yet)")
        said = [outcome.notes_text()] if outcome.notes else []  # first frame only, converted, ...
        if not self.alt_edit.text().strip():
            self.alt_edit.setFocus()
            said.append("Describe the new image in the alt text, then Apply.")
        if said:
            self.message.setText(" ".join(said))

    def image_target(self, *, alt: bool = False) -> QWidget:
        """The control a checklist photo finding's Fix lands on: the alt text, the picture (focal
        point), or Choose image when the slot has no page-only picture."""
        if alt and self._image_sha is not None:
            return self.alt_edit
        return self.image_picker.view if self.image_picker.view.isEnabled() else self.choose_image

    # --- small parts -----------------------------------------------------------------------------------

    def _revert_button(self, field: str) -> QPushButton:
        button = QPushButton(icon("slot_revert"), "Revert")
        button.setAccessibleName(f"Revert the {field} to the story's own")
        button.setToolTip(f"Use the story's own {field} on this page again (one click, can be undone)")
        button.clicked.connect(lambda: self.revert(field))
        return button

    def _show_override(self, sha256: str | None, focus: tuple[float, float] | None) -> None:
        # A picture that cannot be read is drawn as "No preview"; the entry keeps its image and focus.
        self.picker.show_image(sha256, focus, empty_text="No override")
        self.image_picker.setToolTip(
            "The image shown on this page instead of the story's; click it where the crop should centre"
            if sha256
            else "No override"
        )

    def _show_thumb(
        self, label: QLabel, sha256: str | None, empty_text: str, focus: tuple[float, float] | None = None
    ) -> None:
        pixmap = self._thumbnails.get(sha256, focus=focus)
        if pixmap is None:
            label.clear()
            label.setText(empty_text)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        else:
            label.setPixmap(pixmap)


def _label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def _title_row(label: QLabel, revert: QPushButton) -> QHBoxLayout:
    """A field's name with its Revert button at the right, above the field."""
    row = QHBoxLayout()
    row.addWidget(label, 1, Qt.AlignmentFlag.AlignBottom)
    row.addWidget(revert)
    return row


def _own_label(accessible: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setEnabled(False)  # greyed: a read-only reference, not a field
    label.setAccessibleName(accessible)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
