"""Section › Settings…: the form, its problems, the question before fewer slots, undo, and a refusal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMenu
from pytestqt.qtbot import QtBot

from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.section_settings import SectionSettings
from ca_editor.services.container import Services
from ca_editor.ui import section_settings_dialog
from ca_editor.ui.desk import StepRefused
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.section_settings_dialog import TAKE_OUT, SectionSettingsDialog


@pytest.fixture
def window(open_desk: Callable[..., MainWindow], services: Services) -> MainWindow:
    return open_desk(services)


def dialog_for(window: MainWindow, qtbot: QtBot) -> SectionSettingsDialog:
    dialog = SectionSettingsDialog(window.desk, window)
    qtbot.addWidget(dialog)
    return dialog


def press_ok(dialog: SectionSettingsDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def saved_section(window: MainWindow) -> SectionSettings:
    return SectionSettings.of(window.services.sections.layout(window.desk.section_id).section)


def test_the_section_menu_sits_after_slots_and_opens_the_form(window: MainWindow, qtbot: QtBot) -> None:
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles.index("Se&ction") == titles.index("&Slots") + 1
    menu = window.menuBar().actions()[titles.index("Se&ction")].menu()
    assert isinstance(menu, QMenu)
    action = next(a for a in menu.actions() if a.text() == "&Settings…")
    seen: list[str] = []

    def close_it() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SectionSettingsDialog)
        seen.append(dialog.heading.text())
        dialog.reject()

    QTimer.singleShot(0, close_it)
    action.trigger()
    assert seen == [window.desk.layout.section.title]


def test_a_new_heading_shows_in_the_window_and_undo_restores_it(window: MainWindow, qtbot: QtBot) -> None:
    before = saved_section(window)
    dialog = dialog_for(window, qtbot)
    dialog.heading.setText("Central Asia this week")
    dialog.description.setPlainText("Five countries, one page.")
    press_ok(dialog)
    after = saved_section(window)
    assert (after.title, after.description) == ("Central Asia this week", "Five countries, one page.")
    assert window.desk.layout.section.title == "Central Asia this week"
    assert window.windowTitle().startswith("Central Asia this week — ")
    assert window.preview._layout is window.desk.layout  # the preview renders the desk's new block
    assert window.desk.undo_stack.undoText() == "Change section settings"
    window.desk.undo_stack.undo()
    assert saved_section(window) == before
    assert window.windowTitle().startswith(f"{before.title} — ")
    window.desk.undo_stack.redo()
    assert saved_section(window) == after


def test_problems_show_beside_their_fields_and_disable_ok(window: MainWindow, qtbot: QtBot) -> None:
    dialog = dialog_for(window, qtbot)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled()
    dialog.heading.setText("  ")
    dialog.slug.setText("Not A Slug")
    assert not ok.isEnabled()
    assert "heading" in dialog.messages["title"].text()
    assert "lower-case" in dialog.messages["slug"].text()
    assert dialog.messages["description"].text() == ""
    dialog.heading.setText("Back")
    dialog.slug.setText("back")
    assert ok.isEnabled()
    dialog.teaser_on.setChecked(False)
    assert not dialog.teaser_limit.isEnabled()
    assert dialog.settings().teaser_limit is None


def test_fewer_slots_asks_names_the_story_and_undo_brings_it_back(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = window.desk
    start = desk.layout.entries()
    last = desk.layout.slots[-1].story
    questions: list[str] = []
    answers = iter(["Cancel", TAKE_OUT])

    def fake_ask(*args: object, **_: object) -> str:
        questions.append(str(args[3]))
        return next(answers)

    monkeypatch.setattr(section_settings_dialog, "ask", fake_ask)
    dialog = dialog_for(window, qtbot)
    dialog.slots.setValue(len(start) - 1)
    assert "1 story leaves" in dialog.slots_note.text()
    press_ok(dialog)  # Cancel: nothing changed, the form stays open
    assert desk.services.sections.layout(desk.section_id).entries() == start
    assert desk.undo_stack.count() == 0
    press_ok(dialog)
    assert len(questions) == 2 and last.title in questions[1]
    layout = desk.services.sections.layout(desk.section_id)
    assert layout.entries() == start[:-1]
    assert layout.section.slot_count == len(start) - 1
    assert desk.former()[0].story.id == last.id  # the latest taken out
    assert last.id in [f.story.id for f in window.choice.former_model.rows()]
    assert window.choice.count_label.text().startswith(f"{len(start) - 1} of {len(start) - 1} slots filled")
    desk.undo_stack.undo()
    layout = desk.services.sections.layout(desk.section_id)
    assert layout.entries() == start  # the story is back in its slot, with its page-only edits
    assert last.id not in [f.story.id for f in desk.former()]
    assert window.choice.count_label.text().startswith(f"{len(start)} of ")
    desk.undo_stack.redo()
    assert desk.services.sections.layout(desk.section_id).entries() == start[:-1]


def test_a_section_changed_by_someone_else_is_refused_and_nothing_changes(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    services, desk = window.services, window.desk
    dialog = dialog_for(window, qtbot)
    section = services.sections.layout(desk.section_id).section
    theirs = replace(SectionSettings.of(section), description="Changed in another window")
    services.section_settings.change(section.id, theirs, expected_version=section.version)
    shown: list[CaEditorError] = []
    monkeypatch.setattr(window, "show_error", shown.append)  # the one error place, without its box
    dialog.heading.setText("Mine")
    press_ok(dialog)
    assert len(shown) == 1 and isinstance(shown[0], StepRefused)
    assert saved_section(window) == theirs
    assert desk.layout.section.description == "Changed in another window"  # the desk shows theirs now
    assert desk.undo_stack.count() == 0
    assert not dialog.isVisible()
