"""Every icon the app shows, by meaning. The only module that imports qtawesome."""

from __future__ import annotations

from functools import cache

import qtawesome as qta
from PySide6.QtGui import QIcon

_ICONS = {
    "export": "mdi6.export-variant",
    "import": "mdi6.file-import-outline",
    "refresh": "mdi6.refresh",
    "quit": "mdi6.exit-to-app",
    "editors_choice": "mdi6.star",
    "story": "mdi6.file-document-outline",
    "open_folder": "mdi6.folder-open-outline",
}


@cache
def icon(name: str) -> QIcon:
    return qta.icon(_ICONS[name])
