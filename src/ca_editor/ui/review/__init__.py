"""Review of the layout by a desk chief: the block read-only, what changed since the last sign-off and
export, approve or send back; and the status-bar indicator of the section's review state.

The window's modules load on first use (``__getattr__`` below), not with the indicator the desk window
shows at start (issue 18: the desk's first paint)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ca_editor.domain.local_time import local_time
from ca_editor.ui.review.common import describe, kind_icon, state_text, with_note
from ca_editor.ui.review.status import ReviewStatus

if TYPE_CHECKING:
    from ca_editor.ui.review.diff_view import DiffView, diff_html
    from ca_editor.ui.review.layout_view import ReviewLayoutModel, ReviewLayoutView
    from ca_editor.ui.review.window import SEND_BACK_NEEDS_NOTE, ReviewWindow

_LOADED_ON_USE = {
    "DiffView": "diff_view",
    "diff_html": "diff_view",
    "ReviewLayoutModel": "layout_view",
    "ReviewLayoutView": "layout_view",
    "SEND_BACK_NEEDS_NOTE": "window",
    "ReviewWindow": "window",
}


def __getattr__(name: str) -> Any:
    module = _LOADED_ON_USE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


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
