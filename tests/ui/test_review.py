"""The review window: changes since sign-off and export, approve, send back, and the status-bar indicator."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from tests import layout_steps

from ca_editor.domain.snapshots import SnapshotKind
from ca_editor.services.container import Services
from ca_editor.ui.desk import Desk
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.review import SEND_BACK_NEEDS_NOTE, ReviewWindow, diff_html
from ca_editor.ui.review.layout_view import MarksRole
from ca_editor.ui.theme import apply_theme


@pytest.fixture
def desk(qtbot: QtBot, services: Services) -> Desk:
    services.identity.set("Dana Chief")
    return Desk(services, services.section_id())


@pytest.fixture
def review(qtbot: QtBot, desk: Desk) -> ReviewWindow:
    window = ReviewWindow(desk)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def click(widget: object) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[call-overload]


def marks(window: ReviewWindow, row: int) -> tuple[str, ...]:
    return window.layout_model.index(row).data(MarksRole)  # type: ignore[no-any-return]


def test_changes_made_at_the_desk_show_in_the_open_window(
    qtbot: QtBot, desk: Desk, review: ReviewWindow
) -> None:
    services = desk.services
    services.review.sign_off(desk.section_id, "Morning page")
    review.refresh()
    assert review.tabs.tabText(0) == "Since last sign-off (no changes)"
    assert review.tabs.tabText(1) == "Since last export (8)"  # never exported: every slot is new there
    assert "Signed off by Dana Chief" in review.state_label.text()

    moved = desk.layout.slots[4]
    assert desk.move_slot(moved.id, 1)
    story = desk.layout.slots[2].story
    desk.update_story(story, replace(story.fields(), body=story.body + "\n\nA late paragraph."))

    qtbot.waitUntil(lambda: review.tabs.tabText(0) == "Since last sign-off (2)")
    text = review.since_sign_off.toPlainText()
    assert f"“{moved.story.title}” moved from slot 5 to slot 1." in text
    assert "A late paragraph." in text and "Stories edited" in text
    assert "Morning page" in text  # what it is compared with
    assert marks(review, 0) == ("moved from slot 5",)
    assert marks(review, 2) == ("was slot 2", "story edited: body")
    assert review.state_label.text().startswith("Changed since sign-off (2 changes)")
    # The export tab's marks follow the tab shown.
    review.tabs.setCurrentIndex(1)
    assert marks(review, 0) == ("new",)


def test_approve_records_a_sign_off_with_the_name_and_the_note(
    qtbot: QtBot, desk: Desk, review: ReviewWindow
) -> None:
    services = desk.services
    assert review.reviewer_label.text() == "Deciding as Dana Chief"
    QTest.keyClicks(review.note, "Good to go")
    with qtbot.waitSignal(review.decided) as decided:
        click(review.approve_button)
    snapshot = services.snapshots.latest(desk.section_id, SnapshotKind.SIGN_OFF)
    assert snapshot is not None and decided.args == [snapshot]
    assert (snapshot.taken_by, snapshot.note) == ("Dana Chief", "Good to go")
    assert snapshot.content.entries == desk.layout.entries()
    assert review.note.toPlainText() == ""
    assert review.message.text().startswith("Signed off today ")
    assert review.tabs.tabText(0) == "Since last sign-off (no changes)"


def test_send_back_requires_a_note(qtbot: QtBot, desk: Desk, review: ReviewWindow) -> None:
    services = desk.services
    click(review.send_back_button)
    assert review.message.text() == SEND_BACK_NEEDS_NOTE
    assert review.focusWidget() is review.note
    QTest.keyClicks(review.note, "   ")
    click(review.send_back_button)
    assert services.snapshots.list(desk.section_id) == []

    review.note.setPlainText("Slot 3 needs a better photo")
    assert review.message.text() == ""  # typing clears the complaint
    click(review.send_back_button)
    [sent] = services.snapshots.list(desk.section_id)
    assert (sent.kind, sent.taken_by, sent.note) == (
        SnapshotKind.SEND_BACK,
        "Dana Chief",
        "Slot 3 needs a better photo",
    )
    assert review.state_label.text().startswith("Sent back by Dana Chief")


def test_a_layout_changed_elsewhere_while_reviewing_is_not_signed_off(
    qtbot: QtBot, desk: Desk, review: ReviewWindow
) -> None:
    services = desk.services
    layout = services.sections.layout(desk.section_id)
    layout_steps.move(
        services, desk.section_id, layout.slots[0].id, 4
    )  # another desk: no signal reaches here
    click(review.approve_button)
    assert services.snapshots.list(desk.section_id) == []
    assert "changed while you were reviewing it" in review.message.text()
    # The window re-read the layout: the reviewer now sees the change and can approve it.
    assert (
        review.sheet is not None
        and review.sheet.current.entries == services.sections.layout(desk.section_id).entries()
    )
    click(review.approve_button)
    assert services.snapshots.latest(desk.section_id, SnapshotKind.SIGN_OFF) is not None


def test_the_layout_model_is_read_only_and_consistent(qtmodeltester, review: ReviewWindow) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(review.layout_model)
    index = review.layout_model.index(0)
    assert not review.layout_model.flags(index) & (Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsDragEnabled)


def test_the_diff_is_legible_in_the_dark_palette(qtbot: QtBot, desk: Desk, review: ReviewWindow) -> None:
    desk.services.review.sign_off(desk.section_id)
    story = desk.layout.slots[0].story
    desk.update_story(story, replace(story.fields(), title=story.title + " today"))
    qtbot.waitUntil(lambda: "today" in review.since_sign_off.toPlainText())
    diff = review.since_sign_off.diff
    assert diff is not None
    assert "#abf2bc" in diff_html(diff, dark=False) and "#2c6a3d" in diff_html(diff, dark=True)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        apply_theme(app, "dark")
        qtbot.waitUntil(lambda: "#2c6a3d" in review.since_sign_off.toHtml())
    finally:
        apply_theme(app, "light")
    qtbot.waitUntil(lambda: "#abf2bc" in review.since_sign_off.toHtml())


@pytest.fixture
def window(open_desk: Callable[..., MainWindow], services: Services) -> MainWindow:
    services.identity.set("Dana Chief")
    return open_desk(services)


def test_the_menu_opens_the_review_and_the_status_bar_follows_decisions(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    assert window.review_action.shortcut().toString() == "Ctrl+Shift+R"
    assert window.review_action in window.review_menu.actions()
    assert window.review_status.text() == "Never signed off"
    window.review_action.trigger()
    review = window.review_window
    assert review is not None and review.isVisible()

    review.note.setPlainText("Fine")
    click(review.approve_button)
    assert window.review_status.text().startswith("Signed off by Dana Chief today ")
    assert window.layout_history.model.rowCount() == 1  # the history pane follows too

    desk = window.desk
    assert desk.move_slot(desk.layout.slots[0].id, 2)
    qtbot.waitUntil(lambda: window.review_status.text().startswith("Changed since sign-off (1 change)"))
    desk.undo_stack.undo()
    qtbot.waitUntil(lambda: window.review_status.text().startswith("Signed off by"))

    review.note.setPlainText("Needs a lead photo")
    click(review.send_back_button)
    assert window.review_status.text().startswith("Sent back by Dana Chief")
    assert "“Needs a lead photo”" in window.review_status.text()

    shots = Path(os.environ.get("CA_EDITOR_SCREENSHOT_DIR", tmp_path))
    assert review.grab().save(str(shots / "review-window.png"))
