"""The one place the window shows what did not work.

Desk steps raise (``CaEditorError``; ``StepRefused`` for a refused layout step, carrying the
``LayoutConflict`` when someone else changed the block). The pane that asked catches the error, keeps what it
needs for itself (the overrides form shows the sentence beside its Apply button) and hands it to ``report``,
which finds the window's ``show_error`` up the parent chain. Undo and redo refusals arrive through
``Desk.on_step_refused``, which the window points at the same ``show_error``. A pane used without a window
(tests, a script) logs the sentence instead of opening a dialog nobody would answer.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from ca_editor.domain.errors import CaEditorError
from ca_editor.ui.conflicts import show_layout_conflict
from ca_editor.ui.desk import StepRefused

_log = logging.getLogger(__name__)


def report(widget: QWidget | None, error: CaEditorError) -> None:
    """Hand ``error`` to the window that holds ``widget`` (its ``show_error``); log it when there is none."""
    while widget is not None:
        show = getattr(widget, "show_error", None)
        if callable(show):
            show(error)
            return
        widget = widget.parentWidget()
    _log.warning("%s", error)


def show_error(window: QMainWindow, error: CaEditorError) -> None:
    """A refused layout step names who changed the block (with Compare); anything else: a sentence in the
    status bar and a warning box."""
    if isinstance(error, StepRefused) and error.conflict is not None:
        show_layout_conflict(window, error.conflict)
        return
    message = str(error)
    window.statusBar().showMessage(message, 10_000)
    QMessageBox.warning(window, "That did not work", message)
