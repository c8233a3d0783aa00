"""The editor's workflow box: the steps it offers, who and when each step records, undo, unsaved edits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from ca_editor.domain.model import Story, StoryFields, StoryStatus
from ca_editor.services.container import Services
from ca_editor.ui.desk import Desk
from ca_editor.ui.editor import StoryEditor
from ca_editor.ui.identity import ensure_user_name
from ca_editor.ui.settings import Settings

D, R, A, P = StoryStatus.DRAFT, StoryStatus.READY, StoryStatus.APPROVED, StoryStatus.PUBLISHED


@pytest.fixture
def desk(services: Services) -> Desk:
    return Desk(services, services.section_id())


@pytest.fixture
def editor(qtbot: QtBot, desk: Desk) -> Iterator[StoryEditor]:
    widget = StoryEditor(desk)
    qtbot.addWidget(widget)
    widget.resize(560, 800)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


def _story(services: Services, status: StoryStatus = D, title: str = "Almaty metro extension") -> Story:
    return services.stories.create(StoryFields(title=title, summary="Three new stations.", status=status))


def _click(qtbot: QtBot, editor: StoryEditor, forward: bool) -> None:
    button = editor.workflow.forward_button if forward else editor.workflow.back_button
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        (D, ["Mark ready"]),
        (R, ["Approve", "Send back to draft"]),
        (A, ["Publish", "Send back to ready"]),
        (P, ["Send back to ready"]),
    ],
)
def test_the_buttons_offered_match_the_status(
    editor: StoryEditor, services: Services, status: StoryStatus, offered: list[str]
) -> None:
    editor.show_story(_story(services, status).id)
    box = editor.workflow
    assert box.status is status
    assert box.offered_steps() == offered
    assert box.chips[status].accessibleName().endswith("current status")
    assert box.isEnabled() and not editor.status_combo.isVisible()  # the box, not a combo, moves the status


def test_nothing_open_offers_no_step(editor: StoryEditor) -> None:
    editor.show_story(None)
    assert editor.workflow.offered_steps() == [] and not editor.workflow.isEnabled()


def test_each_step_records_the_name_from_the_setting_and_the_time(
    qtbot: QtBot, editor: StoryEditor, desk: Desk, services: Services, settings: Settings
) -> None:
    story = _story(services)
    settings.user_name = "Dana K."
    assert not ensure_user_name(services.identity, settings, ask=_never_asked)
    editor.show_story(story.id)
    started = datetime.now(UTC)
    for expected in (R, A, P):
        _click(qtbot, editor, forward=True)
        assert services.stories.get(story.id).status is expected
        assert editor.workflow.status is expected
    history = services.stories.status_history(story.id)
    assert [(h.from_status, h.to_status, h.changed_by) for h in history[1:]] == [
        (D, R, "Dana K."),
        (R, A, "Dana K."),
        (A, P, "Dana K."),
    ]
    assert all(started <= h.changed_at <= datetime.now(UTC) for h in history[1:])
    box = editor.workflow
    local = history[-1].changed_at.astimezone()
    assert box.last_change.text() == f"Published by Dana K. at {local:%H:%M}"  # today: the clock alone
    assert box.history_toggle.text() == "History (4)"
    box.history_toggle.click()
    assert box.history_view.isVisible() and box.history_view.topLevelItemCount() == 4
    newest = box.history_view.topLevelItem(0)
    assert (newest.text(1), newest.text(2)) == ("Dana K.", "Approved → Published")
    assert desk.undo_stack.undoText() == "Publish “Almaty metro extension”"
    assert box.offered_steps() == ["Send back to ready"]


def test_undo_of_a_step_restores_the_status_and_the_history_keeps_both_moves(
    qtbot: QtBot, editor: StoryEditor, desk: Desk, services: Services
) -> None:
    services.identity.set("Timur Bekov")
    story = _story(services, R)
    editor.show_story(story.id)
    _click(qtbot, editor, forward=True)
    assert services.stories.get(story.id).status is A
    assert desk.undo_stack.undoText() == "Approve “Almaty metro extension”"

    desk.undo_stack.undo()
    assert services.stories.get(story.id).status is R
    assert editor.workflow.status is R and editor.workflow.offered_steps() == [
        "Approve",
        "Send back to draft",
    ]
    moves = [(h.from_status, h.to_status) for h in services.stories.status_history(story.id)]
    assert moves == [(None, R), (R, A), (A, R)]
    assert editor.workflow.last_change.text().startswith("Sent back to ready by Timur Bekov at ")

    desk.undo_stack.redo()
    assert services.stories.get(story.id).status is A
    assert editor.workflow.status is A
    assert len(services.stories.status_history(story.id)) == 4


def test_a_step_back_is_undoable_too(
    qtbot: QtBot, editor: StoryEditor, desk: Desk, services: Services
) -> None:
    story = _story(services, P)
    editor.show_story(story.id)
    _click(qtbot, editor, forward=False)
    assert services.stories.get(story.id).status is R
    assert desk.undo_stack.undoText() == "Send “Almaty metro extension” back to ready"
    desk.undo_stack.undo()
    assert services.stories.get(story.id).status is P


def test_a_step_saves_unsaved_edits_with_it_as_one_undoable_step(
    qtbot: QtBot, editor: StoryEditor, desk: Desk, services: Services
) -> None:
    story = _story(services, R)
    editor.show_story(story.id)
    editor.title_edit.setText("Almaty metro extension opens")
    assert editor.is_dirty()
    assert editor.workflow.offered_steps() == ["Save and approve", "Save and send back to draft"]
    assert "unsaved edits are saved with it" in editor.workflow.forward_button.toolTip()

    _click(qtbot, editor, forward=True)
    saved = services.stories.get(story.id)
    assert (saved.title, saved.status) == ("Almaty metro extension opens", A)
    assert not editor.is_dirty() and editor.workflow.offered_steps() == ["Publish", "Send back to ready"]
    assert desk.undo_stack.undoText() == "Edit “Almaty metro extension opens” (ready → approved)"
    desk.undo_stack.undo()
    back = services.stories.get(story.id)
    assert (back.title, back.status) == ("Almaty metro extension", R)


def test_a_form_that_cannot_be_saved_refuses_the_step_and_keeps_the_status(
    qtbot: QtBot, editor: StoryEditor, desk: Desk, services: Services
) -> None:
    story = _story(services, R)
    editor.show_story(story.id)
    editor.title_edit.setText("   ")  # a story needs a title
    _click(qtbot, editor, forward=True)
    assert services.stories.get(story.id).status is R
    assert len(services.stories.status_history(story.id)) == 1
    assert desk.undo_stack.count() == 0
    box = editor.workflow
    assert box.status is R and box.refusal.isVisible()
    assert box.refusal.text().startswith("Approve: not done.")
    assert editor.current_fields().status is R  # the refused step left no status edit behind


def test_a_new_story_can_be_saved_straight_into_ready(
    qtbot: QtBot, editor: StoryEditor, services: Services
) -> None:
    services.identity.set("Aigerim")
    editor.new_story()
    assert editor.workflow.status is D
    assert editor.workflow.offered_steps() == ["Save and mark ready"]
    assert editor.workflow.last_change.text().startswith("New story: not saved yet")
    editor.title_edit.setText("Wire copy from Bishkek")
    _click(qtbot, editor, forward=True)
    created = editor.current_story()
    assert created is not None and created.status is R
    assert [(h.from_status, h.to_status) for h in services.stories.status_history(created.id)] == [(None, R)]


def test_a_step_on_a_story_someone_else_moved_asks_first(
    qtbot: QtBot, editor: StoryEditor, services: Services
) -> None:
    story = _story(services, R)
    editor.show_story(story.id)
    services.stories.update(story.id, replace(story.fields(), status=D), expected_version=story.version)
    asked: list[str] = []

    def keep_mine() -> None:  # whatever the conflict question says, answer with its "keep editing" button
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, keep_mine)
            return
        asked.append(box.text())
        next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.RejectRole).click()

    QTimer.singleShot(0, keep_mine)
    _click(qtbot, editor, forward=True)
    assert asked and "since you opened it" in asked[0]
    assert services.stories.get(story.id).status is D  # theirs stands until the step is taken knowingly
    opened = editor.current_story()
    assert opened is not None and not editor.is_dirty()  # the refused step left no status edit behind
    assert editor.current_fields().status is opened.status is editor.workflow.status
    assert editor.workflow.refusal.isVisible()


def _never_asked(*_args: object) -> str:
    raise AssertionError("the name was asked for although the settings hold one")
