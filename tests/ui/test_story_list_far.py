"""The story list over more stories than it holds (issue 18): once counted it has every row, reads the far
pages on a background lane when they are shown, and holds only a window of them."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from tests.ui.test_story_list import NEWEST, bulk_insert, sql_ids

from ca_editor.services.container import Services
from ca_editor.services.stories import StoryQuery, StoryService
from ca_editor.ui.stories import StoryIdRole, StoryListModel, StoryListPane
from ca_editor.ui.stories.far_pages import KEPT

STORIES = 3008  # the demo's 8 and 3,000 more


@pytest.fixture
def model(qtbot, services: Services, db_path: Path) -> StoryListModel:
    bulk_insert(db_path, 3000)
    listing = StoryListModel(services.stories, page_size=20)
    listing.set_query(StoryQuery())
    return listing


def shown(qtbot, model: StoryListModel, row: int) -> int:
    """Ask for ``row`` as a view painting it would; wait for its page; its story id."""
    model.index(row, StoryListModel.TITLE).data()
    qtbot.waitUntil(lambda: model.is_loaded(row), timeout=5000)
    return model.index(row, 0).data(StoryIdRole)


def test_counted_it_has_every_row_and_the_last_one_is_the_last_story(
    qtbot, model: StoryListModel, db_path: Path
) -> None:
    assert model.rowCount() == 20 and model.canFetchMore(QModelIndex())
    model.set_row_count(STORIES)
    assert model.rowCount() == STORIES and model.counted
    assert not model.canFetchMore(QModelIndex())  # nothing is appended: far rows are read as shown
    last = STORIES - 1
    assert not model.is_loaded(last)
    assert model.index(last, StoryListModel.TITLE).data() == "…"  # a placeholder while its page is read
    order = sql_ids(db_path, NEWEST)
    assert shown(qtbot, model, last) == order[-1]
    assert shown(qtbot, model, 1500) == order[1500]
    assert model.story_at(1500).id == order[1500]


def test_it_holds_a_window_of_rows_wherever_it_scrolls(qtbot, model: StoryListModel, db_path: Path) -> None:
    model.set_row_count(STORIES)
    order = sql_ids(db_path, NEWEST)
    for row in range(40, STORIES, 60):  # forty-nine pages, one after another
        assert shown(qtbot, model, row) == order[row]
    assert model.rows_held() <= 20 + KEPT * 20


def test_far_pages_are_read_off_the_ui_thread(qtbot, model: StoryListModel, monkeypatch) -> None:
    threads: list[str] = []
    real_list = StoryService.list

    def spy(self, query=StoryQuery(), *args, **kwargs):  # noqa: B008 - the service's own default
        threads.append(threading.current_thread().name)
        return real_list(self, query, *args, **kwargs)

    model.set_row_count(STORIES)
    monkeypatch.setattr(StoryService, "list", spy)
    shown(qtbot, model, STORIES - 1)
    shown(qtbot, model, 999)
    assert threads and threading.main_thread().name not in threads


def test_counted_model_passes_the_model_tester(qtmodeltester, qtbot, model: StoryListModel) -> None:
    model.set_row_count(STORIES)
    shown(qtbot, model, STORIES - 1)
    qtmodeltester.check(model)


def test_ctrl_end_selects_the_last_story_when_its_page_arrives(
    qtbot, services: Services, db_path: Path
) -> None:
    bulk_insert(db_path, 3000)
    pane = StoryListPane(services.stories)
    qtbot.addWidget(pane)
    pane.resize(900, 500)
    pane.show()
    qtbot.waitExposed(pane)
    qtbot.waitUntil(lambda: pane.model.counted, timeout=5000)  # the count arrived: every row is there
    assert pane.model.rowCount() == STORIES
    last = sql_ids(db_path, NEWEST)[-1]
    pane.view.setFocus()
    pane.view.setCurrentIndex(pane.model.index(0, 0))  # the top story, as after a click
    with qtbot.waitSignal(pane.story_selected, timeout=5000, check_params_cb=lambda i: i == last):
        QTest.keyClick(pane.view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert pane.current_story_id() == last
    assert pane.model.rows_held() < 1000
