"""Review of the layout by a desk chief: the block read-only, what changed since the last sign-off and
export, approve or send back; and the status-bar indicator of the section's review state."""

from ca_editor.domain.local_time import local_time
from ca_editor.ui.review.common import describe, kind_icon, state_text, with_note
from ca_editor.ui.review.diff_view import DiffView, diff_html
from ca_editor.ui.review.layout_view import ReviewLayoutModel, ReviewLayoutView
from ca_editor.ui.review.status import ReviewStatus
from ca_editor.ui.review.window import SEND_BACK_NEEDS_NOTE, ReviewWindow

__all__ = [
    "SEND_BACK_NEEDS_NOTE",
    "DiffView",
    "ReviewLayoutModel",
    "ReviewLayoutView",
    "ReviewStatus",
    "ReviewWindow",
    "describe",
    "diff_html",
    "kind_icon",
    "local_time",
    "state_text",
    "with_note",
]
