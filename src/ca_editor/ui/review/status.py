"""The status-bar indicator of the section's review state; a click opens the review window."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QToolButton, QWidget

from ca_editor.domain.errors import CaEditorError
from ca_editor.services.review import ReviewService, ReviewState
from ca_editor.ui.icons import icon
from ca_editor.ui.review.common import kind_icon, state_text


class ReviewStatus(QToolButton):
    """ "Signed off by X today 14:05" / "Changed since sign-off (…)" / "Sent back by X: “note”"."""

    def __init__(self, review: ReviewService, section_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._review = review
        self._section_id = section_id
        self._variant_id: int | None = None  # the layout the desk edits: sign-off is per layout
        self.state: ReviewState | None = None
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setIconSize(QSize(16, 16))
        self.setAccessibleName("Review state")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the menu's Review › Review layout… is the keyboard way
        self.refresh()

    def follow_variant(self, variant_id: int | None) -> None:
        """The desk now edits ``variant_id``'s layout (None: the main one): say where that one stands."""
        if variant_id != self._variant_id:
            self._variant_id = variant_id
            self.refresh()

    def refresh(self) -> None:
        try:
            state = self._review.state(self._section_id, self._variant_id)
        except CaEditorError as exc:
            self.setText(f"Review state unknown: {exc}")
            return
        self.state = state
        full = state_text(state, note_limit=400)
        self.setText(state_text(state, note_limit=40))
        self.setToolTip(full + "\nClick to review the layout.")
        if state.decision is None:
            self.setIcon(icon("notice"))
        elif state.changed:
            self.setIcon(icon("problem_warning"))
        else:
            self.setIcon(kind_icon(state.decision.kind))
