"""Start the Qt application around a set of services."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from ca_editor.services.container import Services
from ca_editor.ui.application import application
from ca_editor.ui.identity import ensure_user_name
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.preview.sandbox import allow_preview_as_root, show_sandbox_note
from ca_editor.ui.recovery import offer_recovery
from ca_editor.ui.settings import Settings
from ca_editor.ui.theme import apply_theme


def show_startup_error(message: str) -> None:
    """Say why the window cannot open, in a dialog, for people who started the app from a menu."""
    application()
    QMessageBox.critical(None, "ca-editor cannot start", message)


def run(services: Services) -> int:
    # Before the window builds the preview: as root QtWebEngine would not start (ui/preview/sandbox.py).
    sandbox_note = allow_preview_as_root()
    if sandbox_note is not None:
        print(f"ca-editor: {sandbox_note}", file=sys.stderr, flush=True)
    app = application()
    settings = Settings()
    apply_theme(app, settings.theme)
    services.people.adopt()  # a shared desk: the name the login gave once, on any workstation
    ensure_user_name(services.identity, settings)  # first run: ask who is at the keyboard (ui/identity.py)
    services.people.remember()  # a shared desk: the first name given becomes the login's display name
    window = MainWindow(services, settings)
    if sandbox_note is not None:
        show_sandbox_note(window.statusBar(), sandbox_note)
    window.show()
    QTimer.singleShot(0, lambda: offer_recovery(window))  # unsaved edits a crash left (ui/recovery.py)
    return int(app.exec())
