"""The desk window on a temporary database: every pane exercised, state restored, shortcuts unambiguous."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget
from pytestqt.qtbot import QtBot

from ca_editor.domain.dates import DateRange
from ca_editor.locations import demo_dir
from ca_editor.services.container import Services
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.preview import PreviewMode, WidthPreset
from ca_editor.ui.settings import Settings
from ca_editor.ui.shortcuts import ShortcutsDialog, shortcut_rows
from ca_editor.ui.theme import apply_theme, is_dark


def _demo_titles() -> list[str]:
    lines = (demo_dir() / "stories.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["title"] for line in lines if line.strip()]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def window(open_desk: Callable[..., MainWindow], services: Services, settings: Settings) -> MainWindow:
    return open_desk(services, settings)


def screenshot_path(tmp_path: Path, name: str) -> Path:
    return Path(os.environ.get("CA_EDITOR_SCREENSHOT_DIR", tmp_path)) / name


def test_smoke_every_pane_works_on_the_demo_section(
    qtbot: QtBot, window: MainWindow, services: Services, tmp_path: Path
) -> None:
    titles = _demo_titles()
    model = window.stories.model
    qtbot.waitUntil(lambda: model.rowCount() == len(titles))
    assert window.choice.model.rowCount() == 8
    assert window.windowTitle().startswith("Central Asia — 8 of 8 slots filled")

    # Story list: search through the full-text index, hostile text included.
    window.stories.search_box.setText("Steinmeier")
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    window.stories.search_box.setText('"unbalanced AND (')
    qtbot.waitUntil(lambda: model.rowCount() == 0)
    window.stories.search_box.clear()
    qtbot.waitUntil(lambda: model.rowCount() == len(titles))

    # Archive filter: a month narrows the list in the query.
    window.archive.set_range(DateRange.month(2023, 6))
    qtbot.waitUntil(lambda: model.rowCount() == 3)
    window.archive.clear()
    qtbot.waitUntil(lambda: model.rowCount() == len(titles))

    # Selecting a story opens it in the editor and the story preview follows unsaved edits.
    first_id = window.desk.layout.slots[0].story.id
    assert window.stories.select_story(first_id)
    qtbot.waitUntil(lambda: getattr(window.editor.current_story(), "id", None) == first_id)
    window.preview_story()
    assert window.preview.mode is PreviewMode.STORY

    # Editor's choice: a keyboard move is one undo step, visible in the history, and undone by Ctrl+Z.
    before = window.desk.layout.entries()
    window.choice.select_slot(window.desk.layout.slots[0].id)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.choice.view.setFocus()
    qtbot.waitUntil(window.choice.view.hasFocus)
    QTest.keyClick(window.choice.view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.desk.layout.entries() != before)
    assert services.sections.layout(window.desk.section_id).entries()[1] == before[0]
    assert window.history.model().rowCount() == 2  # "Opened the section" + the move
    window.undo_action.trigger()
    assert services.sections.layout(window.desk.section_id).entries() == before

    # Preview of the section page at phone width, then the screenshot of the whole desk.
    window.preview_section()
    window.preview.set_width_preset(WidthPreset.DESKTOP)
    with qtbot.waitSignal(window.preview.loaded, timeout=20_000):
        window.preview.refresh()
    window.preview_dock.raise_()
    qtbot.wait(300)  # the first paint after load
    shot = screenshot_path(tmp_path, "desk-window.png")
    assert window.grab().save(str(shot))
    assert shot.stat().st_size > 30_000


def test_window_fits_1280_by_800_with_every_pane_visible(window: MainWindow) -> None:
    window.resize(1280, 800)
    QApplication.processEvents()
    for dock in (window.choice_dock, window.archive_dock, window.editor_dock):
        assert dock.isVisible()
        assert dock.width() >= 250
    assert window.stories.width() >= 300
    assert window.frameGeometry().width() <= 1280 + 40


def test_dock_layout_and_geometry_come_back(qtbot: QtBot, services: Services, settings: Settings) -> None:
    first = MainWindow(services, settings)
    first.editor.maybe_leave = lambda: True  # type: ignore[method-assign]
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    first.resize(1100, 760)
    first.archive_dock.hide()
    first.preview_dock.raise_()
    first.preview.set_width_preset(WidthPreset.PHONE)
    first.preview.set_side_by_side(True)
    first.close()
    assert not settings.window_state.isEmpty()

    second = MainWindow(services, settings)
    second.editor.maybe_leave = lambda: True  # type: ignore[method-assign]
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert not second.archive_dock.isVisible()
    assert second.choice_dock.isVisible()
    assert second.size().width() == 1100
    assert second.preview.side_by_side
    assert second.preview.width_preset is WidthPreset.PHONE


def test_no_two_actions_share_a_shortcut(window: MainWindow) -> None:
    """Qt silently ignores an ambiguous shortcut; each key must mean one thing in the window."""
    owners: Counter[str] = Counter()
    for action in window.findChildren(type(window.undo_action)):
        context = action.shortcutContext()
        if context != Qt.ShortcutContext.WindowShortcut and context != Qt.ShortcutContext.ApplicationShortcut:
            continue  # a pane-local shortcut, only live while that pane has focus
        parent = action.parent()
        if isinstance(parent, QWidget) and not parent.isVisible():
            continue
        for key in action.shortcuts():
            owners[key.toString()] += 1
    clashes = {key: n for key, n in owners.items() if n > 1 and key}
    assert clashes == {}


def test_f1_lists_every_frequent_action(qtbot: QtBot, window: MainWindow) -> None:
    rows = shortcut_rows(window.menuBar())
    by_action = {action: keys for _, action, keys in rows}
    expected = {
        "Undo": QKeySequence(QKeySequence.StandardKey.Undo).toString(QKeySequence.SequenceFormat.NativeText),
        "Export section": "Ctrl+E",
        "Find stories": "Ctrl+F",
        "Keyboard shortcuts": "F1",
    }
    for action, keys in expected.items():
        assert any(name.startswith(action) and keys in found for name, found in by_action.items()), action
    assert any("Alt+Up" in keys for keys in by_action.values())
    dialog = ShortcutsDialog(window.menuBar(), window)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() >= len(rows) >= 20


def test_every_control_has_an_accessible_name(window: MainWindow) -> None:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QDateEdit,
        QHeaderView,
        QLineEdit,
        QPlainTextEdit,
    )

    missing = []
    for kind in (QAbstractButton, QAbstractItemView, QComboBox, QDateEdit, QLineEdit, QPlainTextEdit):
        for widget in window.findChildren(kind):
            if not widget.isVisibleTo(window) or widget.parent() is None:
                continue
            inside_line_edit = isinstance(widget.parent(), QLineEdit)  # its clear button
            if widget.objectName().startswith("qt_") or isinstance(widget, QHeaderView) or inside_line_edit:
                continue  # Qt's own parts: the toolbar overflow button, table headers, scroll corners
            name = widget.accessibleName() or getattr(widget, "text", lambda: "")()
            if not name:
                missing.append(f"{type(widget).__name__} {widget.objectName()!r} in {_path(widget)}")
    assert missing == []


def _path(widget: QWidget) -> str:
    names = []
    node: object = widget
    while isinstance(node, QWidget):
        names.append(node.objectName() or type(node).__name__)
        node = node.parentWidget()
    return "/".join(reversed(names))


def test_dark_and_light_palettes_switch_live(qtbot: QtBot, window: MainWindow, settings: Settings) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window.set_theme("dark")
    assert is_dark(app)
    assert settings.theme == "dark"
    window.set_theme("light")
    assert not is_dark(app)
    apply_theme(app, "light")


def test_export_action_runs_in_the_background(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    out = tmp_path / "bundle"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(out))
    monkeypatch.setattr("ca_editor.ui.export_flow.ExportFlow._finish", lambda self, box, button: None)
    flow = window.export_section()
    assert flow is not None
    qtbot.waitUntil(lambda: flow.outcome is not None, timeout=60_000)
    assert flow.outcome == "done", flow.message
    assert (out / "index.html").is_file()
    assert window.settings.last_export_folder == str(out)


def test_docks_are_named_for_state_saving(window: MainWindow) -> None:
    names = [dock.objectName() for dock in window.findChildren(QDockWidget)]
    assert len(names) == len(set(names)) >= 6  # docks of features beside the first five
    assert "dock-layout-history" in names
    assert all(names)


def test_a_link_clicked_in_the_preview_opens_that_story(qtbot: QtBot, window: MainWindow) -> None:
    target = window.desk.layout.slots[2].story
    window.preview.story_link_clicked.emit(target.slug)
    qtbot.waitUntil(lambda: getattr(window.editor.current_story(), "id", None) == target.id)
    assert window.stories.current_story_id() == target.id
    window.preview.story_link_clicked.emit("no-such-story")
    assert "no story" in window.statusBar().currentMessage()
