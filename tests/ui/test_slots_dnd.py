"""Real mouse drag-and-drop into and within the editor's-choice slots, under a real X server.

``QDrag.exec`` runs its own event loop and reads the real pointer, so synthetic QTest mouse events cannot
drive it. ``xdotool`` moves the X server's pointer (XTest) from a background process while the test keeps
Qt's event loop turning; the outcome is then read back from the database.
"""

from __future__ import annotations

import os
import shutil

import pytest
from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QTableView, QWidget
from tests.ui.real_mouse import real_drag

from ca_editor.domain.model import Story, StoryFields
from ca_editor.ui.desk import Desk
from ca_editor.ui.dnd import STORY_IDS_MIME, encode_ids
from ca_editor.ui.slots import EditorsChoicePane

pytestmark = [
    pytest.mark.xvfb,
    # The drag pixmap asks for an ARGB window; pytest-xvfb's default 16-bit screen has no such visual, so
    # Qt's xcb plugin says it falls back to the root visual (harmless; absent at -o xvfb_colordepth=24).
    pytest.mark.qt_log_ignore("Falling back to using screens root_visual"),
]


@pytest.fixture(autouse=True)
def _real_x_server(qapp) -> None:
    if not os.environ.get("DISPLAY") or QGuiApplication.platformName() != "xcb":
        pytest.skip(
            f"needs a real X server (DISPLAY={os.environ.get('DISPLAY')!r}, "
            f"Qt platform {QGuiApplication.platformName()!r}); drags do nothing offscreen"
        )
    if shutil.which("xdotool") is None:
        pytest.skip("needs xdotool to move the real pointer (scripts/install-system-deps test)")


class StoryRows(QAbstractTableModel):
    """A minimal story table that drags story ids the way the story list does."""

    def __init__(self, stories: list[tuple[int, str]]) -> None:
        super().__init__()
        self.stories = stories

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.stories)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role == Qt.ItemDataRole.DisplayRole:
            return self.stories[index.row()][1]
        return None

    def flags(self, index):
        return super().flags(index) | Qt.ItemFlag.ItemIsDragEnabled

    def mimeTypes(self) -> list[str]:
        return [STORY_IDS_MIME]

    def mimeData(self, indexes) -> QMimeData:
        return encode_ids(STORY_IDS_MIME, sorted({self.stories[i.row()][0] for i in indexes}))

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction


def db_story_ids(desk: Desk) -> list[int]:
    return list(desk.services.sections.layout(desk.section_id).story_ids())


def global_point(view: QAbstractItemView, row: int, where: str) -> QPoint:
    rect = view.visualRect(view.model().index(row, 0))
    y = {"center": rect.center().y(), "low": rect.bottom() - 3, "high": rect.top() + 3}[where]
    return view.viewport().mapToGlobal(QPoint(rect.left() + 140, y))


@pytest.fixture
def desk(qtbot, services) -> Desk:
    return Desk(services, services.section_id())


@pytest.fixture
def window(qtbot, desk) -> tuple[QWidget, EditorsChoicePane, QTableView]:
    newcomer = desk.services.stories.create(StoryFields(title="Newcomer from the wires"))
    table = QTableView()
    table.setModel(StoryRows([(newcomer.id, newcomer.title)]))
    table.setDragEnabled(True)
    table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setStretchLastSection(True)
    pane = EditorsChoicePane(desk)
    top = QWidget()
    row = QHBoxLayout(top)
    row.addWidget(table, 1)
    row.addWidget(pane, 2)
    top.resize(790, 590)
    top.move(0, 0)
    qtbot.addWidget(top)
    top.show()
    qtbot.waitExposed(top)
    top.activateWindow()
    qtbot.wait(100)
    return top, pane, table


def test_real_mouse_reorders_slots(qtbot, desk, window) -> None:
    _top, pane, _table = window
    before = db_story_ids(desk)
    moved_slot = desk.layout.slots[0].id

    real_drag(qtbot, global_point(pane.view, 0, "center"), global_point(pane.view, 2, "low"))
    qtbot.waitUntil(lambda: db_story_ids(desk) != before, timeout=5_000)

    after = db_story_ids(desk)
    assert after == [before[1], before[2], before[0], *before[3:]]  # slot 1 now below slot 3
    assert sorted(after) == sorted(before)  # nothing lost, nothing duplicated
    assert pane.model.rowCount() == 8
    assert pane.selected_slot() is not None and pane.selected_slot().id == moved_slot
    assert desk.undo_stack.count() == 1
    desk.undo_stack.undo()
    assert db_story_ids(desk) == before


def test_real_mouse_drops_a_story_from_the_list(qtbot, desk, window) -> None:
    _top, pane, table = window
    before = db_story_ids(desk)
    newcomer = table.model().stories[0][0]
    asked: list[list[Story]] = []
    pane.confirm_eviction = lambda parent, stories: asked.append(stories) or True

    start = table.viewport().mapToGlobal(table.visualRect(table.model().index(0, 0)).center())
    real_drag(qtbot, start, global_point(pane.view, 1, "high"))  # between slot 1 and slot 2
    qtbot.waitUntil(lambda: db_story_ids(desk) != before, timeout=5_000)

    after = db_story_ids(desk)
    assert [[s.id for s in stories] for stories in asked] == [[before[7]]]  # named before anything changed
    assert after == [before[0], newcomer, *before[1:7]]
    assert len(set(after)) == 8  # nothing duplicated; the last one went to the 'previously' list
    assert [f.story.id for f in desk.former()] == [before[7]]
    assert table.model().rowCount() == 1  # the list keeps its row: a drop copies
    desk.undo_stack.undo()
    assert db_story_ids(desk) == before
