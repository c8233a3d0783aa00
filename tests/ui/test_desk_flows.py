"""The desk window driven as an editor would: flows across panes, each a regression test for a bug found.

Every test uses the real ``MainWindow`` on the demo section; dialogs are answered by button text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from ca_editor.services.container import Services
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.preview import PreviewMode
from ca_editor.ui.settings import Settings
from ca_editor.ui.theme import apply_theme, palette

ALT, CTRL = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot: QtBot, services: Services, tmp_path: Path) -> Iterator[MainWindow]:
    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(services, settings)
    window.show()
    qtbot.waitExposed(window)

    def active() -> bool:  # without a window manager the first request can get lost: ask until it lands
        window.activateWindow()
        return window.isActiveWindow()

    qtbot.waitUntil(active)
    yield window
    # Closed here rather than by qtbot.addWidget: pytest-qt closes its widgets before fixtures finish, and a
    # test that failed with unsaved edits would leave the window waiting on its "Save changes?" question.
    window.editor.maybe_leave = lambda: True  # type: ignore[method-assign]
    window.close()
    window.deleteLater()


def answer(button_text: str, seen: list[str]) -> None:
    """Press ``button_text`` in the next modal message box, noting what it said."""

    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, press)
            return
        seen.append(box.text())
        for button in box.buttons():
            if button.text() == button_text:
                button.click()
                return
        box.reject()

    QTimer.singleShot(0, press)


def click_story(qtbot: QtBot, window: MainWindow, story_id: int) -> None:
    model, view = window.stories.model, window.stories.view
    row = model.row_of(story_id)
    assert row is not None
    centre = view.visualRect(model.index(row, model.TITLE)).center()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    qtbot.wait(20)


def editor_story_id(window: MainWindow) -> int | None:
    story = window.editor.current_story()
    return story.id if story is not None else None


# --- the story list follows the editor -------------------------------------------------------------------


def test_after_new_story_clicking_the_story_that_was_open_opens_it(qtbot: QtBot, window: MainWindow) -> None:
    story_id = window.stories.model.story_at(1).id
    click_story(qtbot, window, story_id)
    assert editor_story_id(window) == story_id
    window.editor.new_action.trigger()
    assert window.editor.is_new()
    # The list must not still claim the old story is current: a click on it has to open it.
    click_story(qtbot, window, story_id)
    assert editor_story_id(window) == story_id


def test_cancel_on_unsaved_changes_keeps_the_list_on_the_editors_story(
    qtbot: QtBot, window: MainWindow
) -> None:
    first, second = window.stories.model.story_at(0).id, window.stories.model.story_at(2).id
    click_story(qtbot, window, first)
    window.editor.title_edit.setText("Unsaved title")
    seen: list[str] = []
    answer("Cancel", seen)
    click_story(qtbot, window, second)
    assert seen and editor_story_id(window) == first
    # The clicked row must not stay selected: "Add selected story" would add a story the editor does not show.
    qtbot.waitUntil(lambda: window.stories.selected_story_ids() == [first])
    assert window.stories.current_story_id() == first

    # A new story with unsaved text: Cancel keeps it, and no row pretends to be it; Discard then opens.
    answer("Discard", seen)  # the edits of the first story
    window.editor.new_action.trigger()
    window.editor.title_edit.setText("Not saved yet")
    answer("Cancel", seen)
    click_story(qtbot, window, second)
    assert window.editor.is_new()
    qtbot.waitUntil(lambda: window.stories.selected_story_ids() == [])
    answer("Discard", seen)
    click_story(qtbot, window, second)
    assert editor_story_id(window) == second


def test_a_story_created_in_the_editor_becomes_the_selected_row(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    before = window.stories.model.story_at(1).id
    click_story(qtbot, window, before)
    window.editor.new_action.trigger()
    window.editor.title_edit.setText("Created at the desk")
    assert window.editor.save()
    created = editor_story_id(window)
    assert created is not None and created != before
    # "Add selected story" (Ctrl+Shift+E) reads the list's selection: it must be the story just created.
    qtbot.waitUntil(lambda: window.stories.selected_story_ids() == [created])
    click_story(qtbot, window, before)
    assert editor_story_id(window) == before


# --- the story editor --------------------------------------------------------------------------------------


def test_ctrl_s_right_after_fixing_an_error_saves(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    story_id = window.stories.model.story_at(0).id
    click_story(qtbot, window, story_id)
    editor = window.editor
    editor.title_edit.clear()
    editor.validate_now()
    assert not editor.save_action.isEnabled()  # "A story needs a title"
    editor.title_edit.setFocus()
    QTest.keyClicks(editor.title_edit, "Fixed title")
    QTest.keyClick(editor.title_edit, Qt.Key.Key_S, CTRL)  # within the typing pause of the live checks
    assert services.stories.get(story_id).title == "Fixed title"


# --- keyboard ----------------------------------------------------------------------------------------------


def test_tab_leaves_the_story_list(qtbot: QtBot, window: MainWindow) -> None:
    view = window.stories.view
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert not view.hasFocus()
    assert QApplication.focusWidget() is not None


def test_alt_digit_puts_the_focus_on_a_control_that_takes_keys(qtbot: QtBot, window: MainWindow) -> None:
    story_id = window.desk.layout.slots[0].story.id
    click_story(qtbot, window, story_id)
    expected = {
        Qt.Key.Key_2: window.choice.view,
        Qt.Key.Key_3: window.archive.tree,
        Qt.Key.Key_4: window.editor.title_edit,
    }
    for key, widget in expected.items():
        QTest.keyClick(QApplication.focusWidget() or window, key, ALT)
        qtbot.waitUntil(widget.hasFocus)
    QTest.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_5, ALT)
    focused = QApplication.focusWidget()
    assert focused is not None and window.preview.isAncestorOf(focused)
    assert focused.focusPolicy() != Qt.FocusPolicy.NoFocus

    # Straight from Alt+2 the slot keys work: Down picks slot 2, Alt+Down moves it to 3.
    before = list(window.desk.layout.story_ids())
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_2, ALT)
    QTest.keyClick(window.choice.view, Qt.Key.Key_Down)
    QTest.keyClick(window.choice.view, Qt.Key.Key_Down, ALT)
    assert list(window.desk.layout.story_ids()) == [before[0], before[2], before[1], *before[3:]]


# --- theme -------------------------------------------------------------------------------------------------


def test_a_live_theme_switch_recolours_the_story_editor(qtbot: QtBot, window: MainWindow) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    role = QPalette.ColorRole
    try:
        for theme in ("dark", "light", "dark"):
            window.set_theme(theme)
            want = palette(theme)
            # The editor carries a style sheet (field problem borders); it must not keep the old palette.
            assert window.editor.title_edit.palette().color(role.Base) == want.color(role.Base), theme
            assert window.editor.heading.palette().color(role.WindowText) == want.color(role.WindowText)
    finally:
        apply_theme(app, "light")


# --- preview -----------------------------------------------------------------------------------------------


def test_the_story_preview_lets_go_of_a_deleted_story(qtbot: QtBot, window: MainWindow) -> None:
    story_id = window.stories.model.story_at(3).id
    click_story(qtbot, window, story_id)
    window.preview_story()
    shown = window.preview.single_view.url
    qtbot.waitUntil(lambda: shown().fileName() == f"preview-{story_id}.html", timeout=20_000)
    seen: list[str] = []
    answer("Delete", seen)
    window.editor.delete_action.trigger()
    assert seen and editor_story_id(window) is None
    # Not the deleted story's page any more, but "Select a story to preview its page."
    qtbot.waitUntil(lambda: shown().fileName() == "message.html")
    assert window.preview.mode is PreviewMode.STORY
