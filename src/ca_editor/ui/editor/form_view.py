"""The story editor's scrolling form: the Story, Image and Body groups, read and filled as one.

``StoryEditor`` keeps the state (``domain/story_form.py``) and the flow; this view holds the widgets, turns
them into ``StoryFields`` and back, and draws the verdicts the state gives for each field.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from ca_editor.domain.model import ImageAsset, StoryFields
from ca_editor.domain.story_form import StoryForm
from ca_editor.services.images import ImageService
from ca_editor.ui.editor.field_rows import FieldRows
from ca_editor.ui.editor.image_group import ImageGroup, refusal_text
from ca_editor.ui.editor.story_group import BodyGroup, StoryGroup
from ca_editor.ui.image_picker import Refused, Taken
from ca_editor.ui.plain_text import exact_text


class FormView(QScrollArea):
    """The three groups in a scroll area that never scrolls sideways."""

    def __init__(self, images: ImageService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = FieldRows()
        self.story = StoryGroup(self.rows)
        self.image = ImageGroup(images, self.rows)
        self.body = BodyGroup(self.rows)
        self.form = QWidget()
        column = QVBoxLayout(self.form)
        column.addWidget(self.story)
        column.addWidget(self.image)
        column.addWidget(self.body, 1)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidget(self.form)

    def set_tab_order(self) -> None:
        story, image, picture = self.story, self.image, self.image.image_picker
        chain: list[QWidget] = [
            story.title_edit,
            story.slug_edit,
            story.summary_edit,
            story.byline_edit,
            story.date_edit,
            story.undated_check,
            story.status_combo,
            story.tags_edit,
            picture.view,
            picture.centre_button,
            image.choose_button,
            image.remove_button,
            image.alt_edit,
            image.caption_edit,
            image.credit_edit,
            self.body.body_edit,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- values ----------------------------------------------------------------------------------------

    def read(self) -> StoryFields:
        return self.image.read(self.story.read(exact_text(self.body.body_edit)))

    def fill(self, fields: StoryFields, asset: ImageAsset | None) -> str:
        """Show ``fields`` and ``asset``; returns why the picture could not be read ("" when it could)."""
        self.story.fill(fields)
        self.body.body_edit.setPlainText(fields.body)
        return self.image.fill(fields, asset)

    def update_hints(self) -> None:
        """The summary's length and the date in UTC, for what the fields hold now."""
        self.story.update_counter()
        self.story.update_date_hint()

    def show_verdicts(self, state: StoryForm) -> None:
        for key in self.rows.messages:
            self.rows.show_verdict(key, state.field_verdict(key))

    def take_picked(self, outcome: Taken | Refused, state: StoryForm) -> bool:
        """Put what the picker made of a file into ``state``'s image messages; True when the picture
        changed (it is shown, centred)."""
        state.clear_image_messages()
        if isinstance(outcome, Refused):
            state.image_refusal = refusal_text(outcome)
            return False
        state.image_note = outcome.notes_text()
        state.image_refusal = self.image.set_image(outcome.asset)
        return True

    # --- focus -----------------------------------------------------------------------------------------

    def focus_field(self, key: str) -> None:
        widget = self.rows.fields.get(key)
        if widget is None:
            return
        if key == "image":
            widget = self.image.choose_button
        self.ensureWidgetVisible(widget)
        widget.setFocus()

    def focus_image(self, *, alt: bool) -> None:
        """The alt text, else the picture (its focal point), else Choose when there is no picture."""
        view = self.image.image_picker.view
        target: QWidget = self.image.choose_button
        if alt and self.image.alt_edit.isEnabled():
            target = self.image.alt_edit
        elif view.isEnabled():
            target = view
        self.ensureWidgetVisible(target)
        target.setFocus(Qt.FocusReason.OtherFocusReason)
