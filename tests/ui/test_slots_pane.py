"""The editor's-choice pane: keyboard twins of every drag, overrides, put back, undo/redo round trips."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest

from ca_editor.domain.model import SlotEntry, StoryFields
from ca_editor.ui.desk import Desk
from ca_editor.ui.slots import EditorsChoicePane

ALT, CTRL, SHIFT = (
    Qt.KeyboardModifier.AltModifier,
    Qt.KeyboardModifier.ControlModifier,
    Qt.KeyboardModifier.ShiftModifier,
)


@pytest.fixture
def desk(qtbot, services) -> Desk:
    return Desk(services, services.section_id())


@pytest.fixture
def pane(qtbot, desk) -> EditorsChoicePane:
    pane = EditorsChoicePane(desk)
    pane.resize(560, 900)
    qtbot.addWidget(pane)
    pane.show()
    qtbot.waitExposed(pane)
    pane.activateWindow()
    pane.view.setFocus()
    qtbot.waitUntil(pane.view.hasFocus)
    return pane


def ids(desk: Desk) -> list[int]:
    return list(desk.services.sections.layout(desk.section_id).story_ids())


def db_slot(desk: Desk, story_id: int):
    return next(s for s in desk.services.sections.layout(desk.section_id).slots if s.story.id == story_id)


def key(pane: EditorsChoicePane, k: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier):
    QTest.keyClick(pane.view, k, mods)


def test_move_shortcuts_change_the_database_and_undo_redo(qtbot, desk, pane) -> None:
    s = ids(desk)
    pane.select_slot(desk.layout.slots[1].id)
    moved = desk.layout.slots[1].id

    key(pane, Qt.Key.Key_Up, ALT)
    assert ids(desk) == [s[1], s[0], *s[2:]]
    assert pane.selected_slot().id == moved  # the moved slot stays selected
    key(pane, Qt.Key.Key_Down, ALT)
    assert ids(desk) == s
    key(pane, Qt.Key.Key_End, ALT)
    assert ids(desk) == [s[0], *s[2:], s[1]]
    assert pane.selected_slot().position == 8
    key(pane, Qt.Key.Key_Home, ALT)
    assert ids(desk) == [s[1], s[0], *s[2:]]
    pane.ask_slot_position = lambda parent, slot, count: 5 if count == 8 else None
    key(pane, Qt.Key.Key_M, CTRL)
    after = [s[0], s[2], s[3], s[4], s[1], *s[5:]]
    assert ids(desk) == after
    assert pane.selected_slot().id == moved
    assert sorted(ids(desk)) == sorted(s)

    assert desk.undo_stack.count() == 5
    desk.undo_stack.undo()
    assert ids(desk) == [s[1], s[0], *s[2:]]
    desk.undo_stack.redo()
    assert ids(desk) == after
    while desk.undo_stack.canUndo():
        desk.undo_stack.undo()
    assert ids(desk) == s

    pane.select_slot(desk.layout.slots[0].id)
    assert not pane.move_up_action.isEnabled() and not pane.move_top_action.isEnabled()
    key(pane, Qt.Key.Key_Up, ALT)
    assert ids(desk) == s  # nothing above the first slot


def test_remove_and_put_back_with_overrides(qtbot, desk, pane) -> None:
    s = ids(desk)
    slot = desk.layout.slots[2]
    desk.set_slot_overrides(slot.id, SlotEntry(slot.story.id, "Page-only headline"))
    pane.select_slot(desk.layout.slots[2].id)

    key(pane, Qt.Key.Key_Delete)
    assert ids(desk) == [*s[:2], *s[3:]]
    assert pane.selected_slot().story.id == s[3]  # the next slot is selected
    assert pane.former_model.rowCount() == 1
    assert "Was slot 3" in pane.former_model.index(0, 0).data()
    assert pane.count_label.text() == "7 of 8 slots filled"
    assert pane.model.index(7, 0).data() == "8. — empty"

    desk.undo_stack.undo()
    assert ids(desk) == s and db_slot(desk, s[2]).overrides.headline == "Page-only headline"
    desk.undo_stack.redo()
    assert ids(desk) == [*s[:2], *s[3:]]

    pane.former_view.setFocus()
    qtbot.waitUntil(pane.former_view.hasFocus)
    pane.former_view.setCurrentIndex(pane.former_model.index(0, 0))
    assert pane.put_back_button.isEnabled()
    QTest.keyClick(pane.former_view, Qt.Key.Key_Return)
    assert ids(desk) == s  # back in slot 3
    assert db_slot(desk, s[2]).overrides.headline == "Page-only headline"  # with its override
    assert pane.former_model.rowCount() == 0
    assert pane.selected_slot().story.id == s[2]
    desk.undo_stack.undo()
    assert ids(desk) == [*s[:2], *s[3:]]
    desk.undo_stack.redo()
    assert ids(desk) == s


def test_put_back_into_a_full_block_asks_first(qtbot, desk, pane) -> None:
    s = ids(desk)
    desk.remove_slots([desk.layout.slots[0].id])
    newcomer = desk.services.stories.create(StoryFields(title="Newcomer from the wires"))
    desk.assign([newcomer.id])  # full again
    asked: list[list[str]] = []
    pane.confirm_eviction = lambda parent, stories: asked.append([x.title for x in stories]) or False
    assert not pane.put_back(s[0])
    assert asked == [["Newcomer from the wires"]]
    assert ids(desk) == [*s[1:], newcomer.id]
    pane.confirm_eviction = lambda parent, stories: True
    assert pane.put_back(s[0])
    assert ids(desk) == s


def test_add_selected_story_with_eviction_and_undo(qtbot, desk, pane) -> None:
    s = ids(desk)
    last = desk.layout.slots[7]
    desk.set_slot_overrides(last.id, SlotEntry(last.story.id, "Last one, edited", "Short summary"))
    newcomer = desk.services.stories.create(StoryFields(title="Newcomer from the wires"))
    assert not pane.add_story_action.isEnabled()  # no story list to read from yet
    pane.set_selected_story_provider(lambda: [newcomer.id])
    asked: list[list[int]] = []
    pane.confirm_eviction = lambda parent, stories: asked.append([x.id for x in stories]) or False
    pane.select_slot(desk.layout.slots[1].id)

    key(pane, Qt.Key.Key_E, CTRL | SHIFT)
    assert asked == [[s[7]]]
    assert ids(desk) == s  # cancelled: nothing changed

    pane.confirm_eviction = lambda parent, stories: True
    key(pane, Qt.Key.Key_E, CTRL | SHIFT)
    assert ids(desk) == [s[0], newcomer.id, *s[1:7]]  # at the selected slot; the last fell out
    assert pane.selected_slot().story.id == newcomer.id
    assert [f.story.id for f in desk.former()] == [s[7]]

    desk.undo_stack.undo()
    assert ids(desk) == s
    back = db_slot(desk, s[7])
    assert (back.position, back.overrides.headline, back.overrides.summary) == (
        8,
        "Last one, edited",
        "Short summary",
    )
    desk.undo_stack.redo()
    assert ids(desk) == [s[0], newcomer.id, *s[1:7]]


def test_overrides_apply_revert_undo_and_the_story_never_changes(qtbot, desk, pane) -> None:
    slot = desk.layout.slots[0]
    story_before = desk.services.stories.get(slot.story.id)
    pane.select_slot(slot.id)
    key(pane, Qt.Key.Key_F2)
    panel = pane.overrides
    assert panel.headline_edit.hasFocus()
    assert story_before.title in panel.headline_own.text()

    QTest.keyClicks(panel.headline_edit, "Shorter headline for the page")
    panel.summary_edit.setPlainText("A page-only summary.")
    panel.apply_button.click()
    saved = db_slot(desk, slot.story.id)
    assert (saved.overrides.headline, saved.overrides.summary) == (
        "Shorter headline for the page",
        "A page-only summary.",
    )
    assert desk.undo_stack.count() == 1  # one step for the whole form
    assert "Edited for this page" in pane.model.index(0, 0).data()
    assert panel.headline_revert.isEnabled()

    panel.summary_edit.setPlainText("An edit not applied yet")
    panel.headline_revert.click()  # one click
    saved = db_slot(desk, slot.story.id)
    assert saved.overrides.headline is None and saved.overrides.summary == "A page-only summary."
    assert panel.headline_edit.text() == ""
    assert panel.summary_edit.toPlainText() == "An edit not applied yet"  # unsaved edits survive
    desk.undo_stack.undo()
    assert db_slot(desk, slot.story.id).overrides.headline == "Shorter headline for the page"
    desk.undo_stack.redo()
    assert db_slot(desk, slot.story.id).overrides.headline is None
    desk.undo_stack.undo()
    desk.undo_stack.undo()
    assert not db_slot(desk, slot.story.id).overrides.any
    assert desk.services.stories.get(slot.story.id) == story_before  # the story itself never changed


def test_image_override_needs_alt_text_and_a_real_image(qtbot, desk, pane, tmp_path: Path) -> None:
    slot = desk.layout.slots[3]
    pane.select_slot(slot.id)
    panel = pane.overrides
    broken = tmp_path / "notes.png"
    broken.write_text("not an image")
    panel.pick_image_file = lambda parent: str(broken)
    panel.choose_image.click()
    assert "not a PNG, JPEG, WebP or GIF" in panel.message.text()

    picture = tmp_path / "map.png"
    image = QImage(320, 180, QImage.Format.Format_RGB32)
    image.fill(QColor("#2a6f97"))
    assert image.save(str(picture))
    panel.pick_image_file = lambda parent: str(picture)
    panel.choose_image.click()
    assert not panel.apply()
    assert "alt text" in panel.message.text()
    assert not db_slot(desk, slot.story.id).overrides.any

    panel.alt_edit.setText("A blue map of the region")
    assert panel.apply()
    saved = db_slot(desk, slot.story.id)
    assert saved.overrides.image is not None and saved.overrides.image.alt == "A blue map of the region"
    assert saved.story.image is None or saved.story.image.asset.sha256 != saved.overrides.image.asset.sha256
    panel.image_revert.click()
    assert db_slot(desk, slot.story.id).overrides.image is None
    desk.undo_stack.undo()
    assert db_slot(desk, slot.story.id).overrides.image is not None


def test_placed_twice_shows_in_the_heading(qtbot, desk, pane) -> None:
    twice = desk.layout.slots[0].story
    desk.remove_slots([desk.layout.slots[7].id])
    desk.assign([twice.id])
    assert pane.count_label.text() == "8 of 8 slots filled · a story is placed twice"
    assert "Placed twice" in pane.model.index(7, 0).data()


def test_every_control_is_named_and_explained(qtbot, pane) -> None:
    from PySide6.QtWidgets import QAbstractButton, QLineEdit, QListView, QPlainTextEdit

    for widget in pane.findChildren(QAbstractButton) + pane.findChildren(QListView):
        if widget.objectName().startswith("qt_") or not widget.isVisibleTo(pane):
            continue
        assert widget.toolTip() or widget.accessibleName() or widget.text(), widget
    for widget in pane.findChildren(QLineEdit) + pane.findChildren(QPlainTextEdit):
        assert widget.accessibleName() and widget.toolTip(), widget
    for action in pane.actions_for_menu():
        assert action.text() and action.toolTip() and not action.icon().isNull()
        assert action.shortcut().toString()
    shortcuts = [a.shortcut().toString() for a in pane.actions_for_menu()]
    assert len(shortcuts) == len(set(shortcuts))


def test_screenshot(qtbot, desk, pane, tmp_path: Path) -> None:
    slot = desk.layout.slots[1]
    desk.set_slot_overrides(slot.id, SlotEntry(slot.story.id, "A shorter page headline"))
    desk.remove_slots([desk.layout.slots[5].id])
    desk.assign([desk.layout.slots[0].story.id], 3)
    desk.remove_slots([desk.layout.slots[6].id])
    pane.select_slot(desk.layout.slots[1].id)
    qtbot.wait(50)
    shot = Path(os.environ.get("CA_EDITOR_SCREENSHOT_DIR", tmp_path)) / "editors-choice-pane.png"
    assert pane.grab().save(str(shot))
    assert shot.stat().st_size > 10_000
