"""Fixtures for the UI tests: a desk window opened the way a person opens one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from ca_editor.services.container import Services
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.settings import Settings

OpenDesk = Callable[..., MainWindow]


def _ini_settings(path: Path) -> Settings:
    """The desk's settings in an INI file of the test's own, never the person's real ones."""
    return Settings(QSettings(str(path), QSettings.Format.IniFormat))


@pytest.fixture
def open_desk(qtbot: QtBot, tmp_path: Path) -> OpenDesk:
    """``open_desk(services, settings=None)``: a MainWindow over ``services``, shown and exposed.

    Without ``settings`` it reads and writes ``tmp_path/settings.ini``. qtbot closes the window at the
    test's end, and leaving the editor never asks (``maybe_leave`` answers yes): a test that fails with
    unsaved edits must not leave a modal "Save your changes?" box waiting for a click that never comes.
    """

    def open_window(services: Services, settings: Settings | None = None) -> MainWindow:
        window = MainWindow(services, settings or _ini_settings(tmp_path / "settings.ini"))
        window.editor.maybe_leave = lambda: True  # type: ignore[method-assign]
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    return open_window
