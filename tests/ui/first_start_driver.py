"""Opens the desk window as a first start does (no saved settings) on whatever screen DISPLAY names, then
measures it and saves a screenshot, for ``tests/ui/test_desk_layout.py``.

    python first_start_driver.py DB OUT.json OUT.png

XDG_CONFIG_HOME and XDG_DATA_HOME must point at empty folders (the test's own), so nothing is restored.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QRect, QTimer
from PySide6.QtWidgets import QScrollArea, QWidget

from ca_editor.app import open_services
from ca_editor.ui.application import application
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.settings import Settings


def _rect(rect: QRect) -> list[int]:
    return [rect.x(), rect.y(), rect.width(), rect.height()]


def measure(window: MainWindow) -> dict[str, object]:
    view = window.choice.view
    viewport = view.viewport().rect()
    rows = [view.visualRect(view.model().index(row, 0)) for row in range(view.model().rowCount())]
    return {
        "available": _rect(window.screen().availableGeometry()),
        "frame": _rect(window.frameGeometry()),
        "window": _rect(window.geometry()),
        "minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()],
        "slot_rows": len(rows),
        "slot_rows_whole": sum(viewport.contains(rect) for rect in rows),
        "slot_scroll_max": view.verticalScrollBar().maximum(),
        "stories": [window.stories.width(), window.stories.height()],
        "story_rows_visible": window.stories.view.viewport().height()
        // max(1, window.stories.view.verticalHeader().defaultSectionSize()),
        "archive": [window.archive_dock.width(), window.archive_dock.height()],
        "archive_minimum": window.archive_dock.minimumSizeHint().height(),
        "choice": [window.choice_dock.width(), window.choice_dock.height()],
        "overrides_height": window.choice.overrides_area.height(),
        "overrides_fit": overrides_fit(window.choice.overrides_area),
        "editor": [window.editor_dock.width(), window.editor_dock.height()],
        "visible": {
            dock.objectName(): dock.isVisible()
            for dock in (window.choice_dock, window.archive_dock, window.editor_dock)
        },
    }


def overrides_fit(area: QScrollArea) -> dict[str, object]:
    """The overrides form's widths beside its scroll area's, and every visible part that sticks out."""
    viewport, form = area.viewport(), area.widget()
    return {
        "viewport": viewport.width(),
        "form": form.width(),
        "hint": form.sizeHint().width(),
        "minimum": form.minimumSizeHint().width(),
        "past_the_edge": past_the_edge(area),
    }


def past_the_edge(area: QScrollArea) -> list[str]:
    """The visible widgets of the scroll area's form that reach past the viewport's left or right side."""
    viewport, out = area.viewport(), []
    for child in area.widget().findChildren(QWidget):
        if not child.isVisibleTo(area):
            continue
        left = child.mapTo(viewport, child.rect().topLeft()).x()
        right = child.mapTo(viewport, child.rect().topRight()).x()
        if left < 0 or right >= viewport.width():
            out.append(f"{type(child).__name__} {child.accessibleName()!r}: {left}..{right}")
    return out


def main() -> int:
    db, out_json, out_png = sys.argv[1:]
    app = application()
    services = open_services(db)
    services.identity.set("Layout Tester")
    window = MainWindow(services, Settings())
    window.show()

    def done() -> None:
        Path(out_json).write_text(json.dumps(measure(window)), encoding="utf-8")
        window.grab().save(out_png)
        window.close()

    QTimer.singleShot(2000, done)  # the first paint, the dock sizes applied after it, the archive counted
    code = app.exec()
    services.db.dispose()
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
