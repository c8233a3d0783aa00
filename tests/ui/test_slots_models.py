"""The editor's-choice item models: consistency, model-level moves and drops, eviction question, flags."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from ca_editor.domain.model import SlotEntry, StoryFields
from ca_editor.ui.desk import Desk
from ca_editor.ui.dnd import SLOT_IDS_MIME, STORY_IDS_MIME, encode_ids
from ca_editor.ui.slots import FormerListModel, SlotListModel

MOVE, COPY = Qt.DropAction.MoveAction, Qt.DropAction.CopyAction


@pytest.fixture
def desk(qtbot, services) -> Desk:
    return Desk(services, services.section_id())


def db_story_ids(desk: Desk) -> list[int]:
    """The block as the database has it now (not the desk's cached copy)."""
    return list(desk.services.sections.layout(desk.section_id).story_ids())


def db_positions_contiguous(desk: Desk) -> bool:
    layout = desk.services.sections.layout(desk.section_id)
    return [s.position for s in layout.slots] == list(range(1, len(layout.slots) + 1))


def test_slot_model_is_consistent(qtmodeltester, desk) -> None:
    model = SlotListModel(desk)
    qtmodeltester.check(model)
    desk.remove_slots([desk.layout.slots[2].id])
    qtmodeltester.check(model)
    assert model.rowCount() == 8  # seven filled slots and one placeholder
    empty = model.index(7, 0)
    assert empty.data() == "8. — empty"
    assert empty.flags() == Qt.ItemFlag.NoItemFlags  # neither draggable nor a drop target
    assert model.flags(QModelIndex()) & Qt.ItemFlag.ItemIsDropEnabled
    first = model.index(0, 0)
    assert first.flags() & Qt.ItemFlag.ItemIsDragEnabled
    assert not first.flags() & Qt.ItemFlag.ItemIsDropEnabled


def test_former_model_is_consistent(qtmodeltester, desk) -> None:
    model = FormerListModel(desk)
    qtmodeltester.check(model)
    gone = desk.layout.slots[4]
    desk.remove_slots([gone.id])
    qtmodeltester.check(model)
    assert model.rowCount() == 1
    assert model.index(0, 0).data(FormerListModel.StoryIdRole) == gone.story.id
    assert "Was slot 5" in model.index(0, 0).data()


def test_move_rows_keeps_every_story_once(desk) -> None:
    model = SlotListModel(desk, show_empty=False)
    before = db_story_ids(desk)
    assert model.moveRows(QModelIndex(), 0, 1, QModelIndex(), 3)  # slot 1 before row 3: ends at index 2
    expected = [before[1], before[2], before[0], *before[3:]]
    assert db_story_ids(desk) == expected
    assert model.moveRows(QModelIndex(), 7, 1, QModelIndex(), 0)  # last to the top
    expected = [expected[7], *expected[:7]]
    assert db_story_ids(desk) == expected
    assert not model.moveRows(QModelIndex(), 2, 1, QModelIndex(), 3)  # onto itself: nothing happens
    assert sorted(db_story_ids(desk)) == sorted(before)
    assert db_positions_contiguous(desk)
    assert [model.index(r, 0).data(SlotListModel.StoryIdRole) for r in range(8)] == expected
    desk.undo_stack.undo()
    desk.undo_stack.undo()
    assert db_story_ids(desk) == before


def test_drop_slot_ids_moves_and_never_lets_the_view_remove_a_row(desk) -> None:
    model = SlotListModel(desk)
    before = db_story_ids(desk)
    slot = desk.layout.slots[0]
    data = model.mimeData([model.index(0, 0)])
    assert data.hasFormat(SLOT_IDS_MIME)
    assert model.canDropMimeData(data, MOVE, 3, 0, QModelIndex())
    assert not model.canDropMimeData(data, MOVE, -1, 0, model.index(2, 0))  # never onto an item
    placed: list[int] = []
    model.placed.connect(placed.append)
    assert model.dropMimeData(data, MOVE, 3, 0, QModelIndex()) is False
    assert db_story_ids(desk) == [before[1], before[2], before[0], *before[3:]]
    assert placed == [2]
    assert desk.layout.slots[2].id == slot.id  # the slot kept its identity (and overrides)
    desk.undo_stack.undo()
    assert db_story_ids(desk) == before


def test_drop_story_ids_asks_before_pushing_the_last_story_out(desk) -> None:
    model = SlotListModel(desk)
    before = db_story_ids(desk)
    last = desk.layout.slots[-1].story
    newcomer = desk.services.stories.create(StoryFields(title="Newcomer from the wires")).id
    asked: list[list[str]] = []

    model.confirm_eviction = lambda stories: asked.append([s.title for s in stories]) or False
    assert not model.dropMimeData(encode_ids(STORY_IDS_MIME, [newcomer]), COPY, 1, 0, QModelIndex())
    assert asked == [[last.title]]
    assert db_story_ids(desk) == before  # cancel: nothing changed
    assert desk.undo_stack.count() == 0

    model.confirm_eviction = lambda stories: asked.append([s.title for s in stories]) or True
    assert model.dropMimeData(encode_ids(STORY_IDS_MIME, [newcomer]), COPY, 1, 0, QModelIndex())
    assert db_story_ids(desk) == [before[0], newcomer, *before[1:7]]
    assert [f.story.id for f in desk.former()] == [last.id]
    desk.undo_stack.undo()
    assert db_story_ids(desk) == before
    assert last.id not in [f.story.id for f in desk.former()]  # back in its slot, no longer 'previously'


def test_drop_story_ids_into_room_asks_nothing(desk) -> None:
    model = SlotListModel(desk)
    desk.remove_slots([desk.layout.slots[7].id])
    before = db_story_ids(desk)
    gone = desk.former()[0].story.id
    model.confirm_eviction = lambda stories: pytest.fail("nothing falls out of a block with room")
    assert model.dropMimeData(encode_ids(STORY_IDS_MIME, [gone]), COPY, 7, 0, QModelIndex())  # placeholder
    assert db_story_ids(desk) == [*before, gone]
    assert db_positions_contiguous(desk)


def test_drop_of_several_stories_into_a_full_block_names_the_last_slots(desk) -> None:
    model = SlotListModel(desk)
    now = db_story_ids(desk)
    asked: list[list[int]] = []
    model.confirm_eviction = lambda stories: asked.append([s.id for s in stories]) or True
    # The demo's eight stories are all placed: drop two of them again, at the end of the full block.
    assert model.dropMimeData(encode_ids(STORY_IDS_MIME, [now[2], now[3]]), COPY, -1, 0, QModelIndex())
    assert asked == [[now[7], now[6]]]  # exactly the two that fell out, named before anything changed
    assert db_story_ids(desk) == [*now[:6], now[2], now[3]]
    assert db_positions_contiguous(desk)


def test_foreign_or_malformed_drops_are_refused(desk) -> None:
    model = SlotListModel(desk)
    before = db_story_ids(desk)
    from PySide6.QtCore import QMimeData

    text = QMimeData()
    text.setText("1,2,3")
    assert not model.canDropMimeData(text, COPY, 0, 0, QModelIndex())
    assert not model.dropMimeData(text, COPY, 0, 0, QModelIndex())
    bad = QMimeData()
    bad.setData(STORY_IDS_MIME, b"not json")
    assert not model.dropMimeData(bad, COPY, 0, 0, QModelIndex())
    assert db_story_ids(desk) == before


def test_story_placed_twice_is_flagged(desk) -> None:
    model = SlotListModel(desk)
    twice = desk.layout.slots[0].story
    desk.remove_slots([desk.layout.slots[7].id])
    assert desk.assign([twice.id], 4)
    rows = [r for r in range(8) if model.index(r, 0).data(SlotListModel.StoryIdRole) == twice.id]
    assert rows == [0, 3]
    for row in rows:
        index = model.index(row, 0)
        assert any("placed twice" in m for m in index.data(SlotListModel.MarkersRole))
        assert "Placed twice" in index.data()
        assert "placed twice" in index.data(Qt.ItemDataRole.ToolTipRole)
        assert "Placed twice" in index.data(Qt.ItemDataRole.AccessibleTextRole)
    assert "also slot 4" in model.index(0, 0).data()
    other = model.index(1, 0)
    assert other.data(SlotListModel.MarkersRole) == ()


def test_override_marker_and_thumbnail(desk) -> None:
    model = SlotListModel(desk)
    slot = desk.layout.slots[1]
    desk.set_slot_overrides(slot.id, SlotEntry(slot.story.id, "Page headline"))
    index = model.index(1, 0)
    assert index.data() == "2. Page headline\nEdited for this page"
    assert f"Story's own headline: {slot.story.title}" in index.data(Qt.ItemDataRole.ToolTipRole)
    pixmap = index.data(Qt.ItemDataRole.DecorationRole)
    assert pixmap is not None and not pixmap.isNull()
    assert (pixmap.width(), pixmap.height()) == (96, 54)


def test_a_drag_of_several_slots_is_one_transaction_and_one_undo_step(qtbot, desk) -> None:
    """Issue 13, item 3: slots 1 and 3 dragged to before slot 6 arrive together, in one step."""
    model = SlotListModel(desk)
    before = db_story_ids(desk)
    first, third = desk.layout.slots[0], desk.layout.slots[2]
    writes: list[str] = []

    def count_writes(_conn, _cursor, statement: str, *_rest) -> None:
        if statement.lstrip().upper().startswith("UPDATE SECTIONS"):
            writes.append(statement)  # every layout transaction bumps the section's version once

    from sqlalchemy import event

    event.listen(desk.services.db.engine, "before_cursor_execute", count_writes)
    try:
        data = encode_ids(SLOT_IDS_MIME, [first.id, third.id])
        assert not model.dropMimeData(data, Qt.DropAction.MoveAction, 5, 0, QModelIndex())
    finally:
        event.remove(desk.services.db.engine, "before_cursor_execute", count_writes)

    expected = [before[1], before[3], before[4], before[0], before[2], *before[5:]]
    assert db_story_ids(desk) == expected
    assert [slot.story.id for slot in model.slots] == expected
    assert len(writes) == 1  # one transaction
    assert desk.undo_stack.count() == 1  # one undo step
    assert db_positions_contiguous(desk)

    desk.undo_stack.undo()  # one undo restores every slot
    assert db_story_ids(desk) == before
    assert [slot.story.id for slot in model.slots] == before
    desk.undo_stack.redo()
    assert db_story_ids(desk) == expected
