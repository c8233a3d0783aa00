"""*File › Export section…* and *Export all sections…*: the open section, or every live section in one
bundle, from the window.

The CLI's ``export OUT --all`` (``services/export_all.py``) run by ``ui/export_flow.py`` on its lane, with
its progress dialog, checklist question and result box: the first live section is ``index.html``, every
other one ``sections/<slug>/index.html``, and the result lists where each section's page is.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from ca_editor.domain.changes import Change

if TYPE_CHECKING:  # the export flow (the bundle writer, jinja2) loads on the first export (issue 18: start)
    from ca_editor.ui.export_flow import ExportFlow
    from ca_editor.ui.main_window import MainWindow

ACTION_TEXT = "Export &all sections…"


def export_all_action(window: MainWindow) -> QAction:
    action = QAction(ACTION_TEXT, window)
    action.setObjectName("export-all-action")
    action.setStatusTip("Every live section in one bundle: this one at index.html, the others beside it")
    action.triggered.connect(lambda: export_every_section(window))
    return action


def export_every_section(window: MainWindow, folder: str | None = None) -> ExportFlow | None:
    """Ask for the folder (unless given), then export every live section; ``None`` when the person
    stopped before it began."""
    return export_from_window(window, every_section=True, folder=folder)


def export_from_window(
    window: MainWindow, *, every_section: bool, folder: str | None = None
) -> ExportFlow | None:
    """File › Export section… (the open section) or Export all sections…: ask, then run the flow."""
    if not window.editor.maybe_leave():  # the bundle shows what is saved
        return None
    if folder is None:
        what = "every live section" if every_section else "the section bundle"
        folder = QFileDialog.getExistingDirectory(
            window, f"Export {what} into…", window.settings.last_export_folder
        )
    if not folder:
        return None
    window.settings.last_export_folder = folder
    from ca_editor.ui.export_flow import ExportFlow  # here: not loaded before the first paint

    flow = ExportFlow(
        window, window.services, window.desk.section_id, Path(folder), every_section=every_section
    )
    who = window.services.identity.name
    # Each export recorded a snapshot: the review indicator, the layout history and the review follow.
    flow.worker.finished.connect(lambda: window.desk.broadcast(Change(who=who, snapshots=True)))
    flow.start()
    return flow
