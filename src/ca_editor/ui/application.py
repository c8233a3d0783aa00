"""The one QApplication of the process, named so settings and the About box find it.

Its own module because two starts need it before any window exists: the normal start (``ui/launch.py``)
and the damaged-database dialog (``ui/backups.py``), which the window itself imports.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from ca_editor import __version__


def application() -> QApplication:
    """The running QApplication, or a new one, with the app's name, organisation and version set."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("ca-editor")
    app.setOrganizationName("ca-editor")
    app.setApplicationVersion(__version__)
    return app
