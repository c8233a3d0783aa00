"""Start the Qt application around a set of services."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from ca_editor import __version__
from ca_editor.services.container import Services
from ca_editor.ui.main_window import MainWindow


def run(services: Services) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("ca-editor")
    app.setOrganizationName("ca-editor")
    app.setApplicationVersion(__version__)
    window = MainWindow(services)
    window.show()
    return int(app.exec())
