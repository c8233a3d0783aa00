"""The story list pane: lazy model, SQL sorting and filtering, hostile search text, selection, drag data."""

from __future__ import annotations

import random
import sqlite3
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt

from ca_editor.domain.dates import DateRange
from ca_editor.domain.model import StoryStatus
from ca_editor.services.container import Services
from ca_editor.services.stories import StoryQuery, StoryService
from ca_editor.ui.dnd import STORY_IDS_MIME, decode_ids
from ca_editor.ui.stories import StoryIdRole, StoryListModel, StoryListPane

NEWEST = "published_at IS NULL, published_at DESC, id DESC"
STATUS_RANK = "CASE status WHEN 'draft' THEN 0 WHEN 'ready' THEN 1 WHEN 'approved' THEN 2 ELSE 3 END"
IN_SLOTS = "EXISTS (SELECT 1 FROM slots WHERE slots.story_id = stories.id)"
SQL_ORDERS = {
    (StoryListModel.PUBLISHED, Qt.SortOrder.DescendingOrder): NEWEST,
    (StoryListModel.PUBLISHED, Qt.SortOrder.AscendingOrder): "published_at IS NULL, published_at, id",
    (StoryListModel.TITLE, Qt.SortOrder.DescendingOrder): "title DESC, id DESC",
    (StoryListModel.TITLE, Qt.SortOrder.AscendingOrder): "title, id",
    (StoryListModel.STATUS, Qt.SortOrder.DescendingOrder): f"{STATUS_RANK} DESC, {NEWEST}",
    (StoryListModel.STATUS, Qt.SortOrder.AscendingOrder): f"{STATUS_RANK}, {NEWEST}",
    (StoryListModel.CHOICE, Qt.SortOrder.DescendingOrder): f"{IN_SLOTS} DESC, {NEWEST}",
    (StoryListModel.CHOICE, Qt.SortOrder.AscendingOrder): f"{IN_SLOTS}, {NEWEST}",
}


def bulk_insert(db_path: Path, count: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    start = datetime(2018, 1, 1)
    rows = []
    for number in range(count):
        moment = start + timedelta(minutes=rng.randrange(6 * 365 * 24 * 60))
        published = None if rng.random() < 0.03 else moment.strftime("%Y-%m-%d %H:%M:%S.%f")
        title = f"{rng.choice(['Almaty', 'Bishkek', 'Osh', 'Dushanbe'])} report {rng.randrange(500)}"
        status = rng.choice(["draft", "ready", "approved", "published"])
        rows.append((f"bulk-{number}", title, published, status))
    with sqlite3.connect(db_path) as connection:
        connection.executemany(
            "INSERT INTO stories (slug, title, summary, body, byline, published_at, status, tags, image_alt, "
            "image_caption, image_credit, version, created_at, updated_at) VALUES (?, ?, 'Summary', 'Body', "
            "'', ?, ?, '[]', '', '', '', 1, '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000')",
            rows,
        )


def sql_ids(db_path: Path, order_by: str) -> list[int]:
    with sqlite3.connect(db_path) as connection:
        return [r[0] for r in connection.execute(f"SELECT id FROM stories ORDER BY {order_by}")]


def load_all(model: StoryListModel) -> None:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())


def model_ids(model: StoryListModel) -> list[int]:
    return [model.index(row, 0).data(StoryIdRole) for row in range(model.rowCount())]


@pytest.fixture
def pane(qtbot, services: Services) -> StoryListPane:
    widget = StoryListPane(services.stories)
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def big(qtbot, services: Services, db_path: Path) -> StoryListPane:
    bulk_insert(db_path, 3000)
    widget = StoryListPane(services.stories)
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def search(qtbot, pane: StoryListPane, text: str) -> None:
    pane.search_box.setText(text)
    qtbot.waitUntil(lambda: pane.model.query().text == text, timeout=3000)


def test_model_passes_the_model_tester(qtmodeltester, services: Services) -> None:
    model = StoryListModel(services.stories)
    model.set_query(StoryQuery())
    qtmodeltester.check(model)


def test_lazy_model_passes_the_model_tester(qtmodeltester, big: StoryListPane) -> None:
    qtmodeltester.check(big.model)
    big.model.fetchMore(QModelIndex())
    qtmodeltester.check(big.model)


def test_demo_rows_columns_and_roles(pane: StoryListPane, services: Services) -> None:
    model = pane.model
    assert model.rowCount() == 8
    horizontal = Qt.Orientation.Horizontal
    assert [model.headerData(c, horizontal) for c in range(4)] == ["Published", "Title", "Status", "★"]
    spoken = [model.headerData(c, horizontal, Qt.ItemDataRole.AccessibleTextRole) for c in range(4)]
    assert spoken == list(StoryListModel.HEADERS)
    story = model.story_at(0)
    assert model.index(0, model.TITLE).data() == story.title
    assert model.index(0, model.TITLE).data(Qt.ItemDataRole.ToolTipRole) == story.title
    assert model.index(0, model.STATUS).data() == "Published"
    assert model.index(0, model.CHOICE).data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.index(0, model.CHOICE).data(Qt.ItemDataRole.AccessibleTextRole) == "In editor's choice"
    assert model.index(0, model.PUBLISHED).data(StoryIdRole) == story.id
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsDragEnabled


def test_lazy_fetching_grows_as_the_view_scrolls(qtbot, big: StoryListPane) -> None:
    model = big.model
    assert model.rowCount() == 200  # one page, not 3,008 rows
    assert model.canFetchMore(QModelIndex())
    big.view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > 200, timeout=3000)
    for _ in range(4):
        big.view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() >= 600, timeout=3000)
    assert len(set(model_ids(model))) == model.rowCount()


def test_rows_have_one_fixed_height(big: StoryListPane) -> None:
    header = big.view.verticalHeader()
    assert header.sectionResizeMode(0).name == "Fixed"
    assert {big.view.rowHeight(r) for r in range(0, 200, 17)} == {header.defaultSectionSize()}


@pytest.mark.parametrize(("column", "order"), list(SQL_ORDERS))
def test_sorting_each_column_both_ways_equals_the_sql_order(
    big: StoryListPane, db_path: Path, column: int, order: Qt.SortOrder
) -> None:
    big.view.sortByColumn(column, order)
    load_all(big.model)
    assert model_ids(big.model) == sql_ids(db_path, SQL_ORDERS[column, order])


HOSTILE = [
    '"abc',
    "AND",
    "-foo",
    "title:x",
    "NEAR(",
    "*",
    "🙂🙂",
    "x" * 10_000,
    "a OR b",
    "'; DROP TABLE",
    "\\",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_search_text_never_raises(qtbot, pane: StoryListPane, services: Services, text: str) -> None:
    search(qtbot, pane, text)
    load_all(pane.model)
    assert pane.model.rowCount() == services.stories.count(StoryQuery(text=text))


@pytest.mark.parametrize("text", ['"Steinmeier', "-Steinmeier", "steinmeier*", "STEINMEIER)"])
def test_search_punctuation_around_a_word_still_finds_it(qtbot, pane: StoryListPane, text: str) -> None:
    search(qtbot, pane, text)
    assert pane.model.rowCount() == 1
    assert "Steinmeier" in pane.model.story_at(0).title


def test_search_is_debounced(qtbot, pane: StoryListPane) -> None:
    pane.search_box.setText("Steinmeier")
    assert pane.model.rowCount() == 8  # not yet: the query waits for the typing to pause
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1, timeout=3000)
    pane.search_box.clear()
    qtbot.waitUntil(lambda: pane.model.rowCount() == 8, timeout=3000)


def test_status_filter(qtbot, big: StoryListPane, services: Services) -> None:
    labels = [big.status_filter.itemText(i) for i in range(big.status_filter.count())]
    assert labels == ["All statuses", "Draft", "Ready", "Approved", "Published"]
    big.status_filter.setCurrentIndex(labels.index("Ready"))
    load_all(big.model)
    rows = [big.model.story_at(r) for r in range(big.model.rowCount())]
    assert rows and {r.status for r in rows} == {StoryStatus.READY}
    assert len(rows) == services.stories.count(StoryQuery(status=StoryStatus.READY))
    qtbot.waitUntil(lambda: big.count_label.text() == f"{len(rows):,} of 3,008 stories", timeout=3000)


def test_date_range_filters_in_the_query(big: StoryListPane, services: Services) -> None:
    dates = DateRange.month(2020, 2)
    big.set_date_range(dates)
    assert big.model.query().dates == dates
    load_all(big.model)
    rows = [big.model.story_at(r) for r in range(big.model.rowCount())]
    assert rows and all(r.published_at and dates.contains(r.published_at) for r in rows)
    assert len(rows) == services.stories.count(StoryQuery(dates=dates))


def test_count_label(qtbot, pane: StoryListPane) -> None:
    qtbot.waitUntil(lambda: pane.count_label.text() == "8 of 8 stories", timeout=3000)
    search(qtbot, pane, "Steinmeier")
    qtbot.waitUntil(lambda: pane.count_label.text() == "1 of 8 stories", timeout=3000)


def test_selection_signals_and_activation(qtbot, pane: StoryListPane) -> None:
    selected: list[object] = []
    activated: list[int] = []
    pane.story_selected.connect(selected.append)
    pane.story_activated.connect(activated.append)
    target = pane.model.story_at(3).id
    assert pane.select_story(target)
    assert selected == [target]
    assert pane.selected_story_ids() == [target]
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Qt.Key.Key_Return)
    assert activated == [target]
    assert pane.select_story(10_000_000) is False


def test_selection_and_scroll_survive_a_refresh_after_an_edit(
    qtbot, big: StoryListPane, services: Services
) -> None:
    big.view.scrollToBottom()
    qtbot.waitUntil(lambda: big.model.rowCount() > 200, timeout=3000)
    target = big.model.story_at(150).id
    big.select_story(target)
    top_before = big.view.indexAt(big.view.viewport().rect().topLeft()).row()
    emitted: list[object] = []
    big.story_selected.connect(emitted.append)
    story = services.stories.get(target)
    services.stories.update(
        target, replace(story.fields(), title="Edited title"), expected_version=story.version
    )
    big.refresh()
    assert big.selected_story_ids() == [target]
    assert big.model.story_at(big.model.row_of(target)).title == "Edited title"
    assert big.view.indexAt(big.view.viewport().rect().topLeft()).row() == top_before
    assert emitted == []  # the editor is not told to reload a story it already shows


def test_selection_kept_when_the_row_moves(big: StoryListPane, services: Services) -> None:
    big.view.sortByColumn(StoryListModel.TITLE, Qt.SortOrder.AscendingOrder)
    targets = [big.model.story_at(5).id, big.model.story_at(9).id]
    selection = big.view.selectionModel()
    for story_id in targets:
        index = big.model.index(big.model.row_of(story_id), 0)
        selection.select(
            index, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        )
    selection.setCurrentIndex(
        big.model.index(big.model.row_of(targets[0]), 0), QItemSelectionModel.SelectionFlag.NoUpdate
    )
    story = services.stories.get(targets[0])
    services.stories.update(
        targets[0], replace(story.fields(), title="AAA first now"), expected_version=story.version
    )
    big.refresh()
    assert big.model.row_of(targets[0]) == 0
    assert sorted(big.selected_story_ids()) == sorted(targets)
    assert big.current_story_id() == targets[0]
    # Sorting is a new query too; the selection follows the stories.
    big.view.sortByColumn(StoryListModel.PUBLISHED, Qt.SortOrder.AscendingOrder)
    kept = [i for i in targets if big.model.row_of(i) is not None]
    assert sorted(big.selected_story_ids()) == sorted(kept)


def test_dragged_rows_carry_their_story_ids(pane: StoryListPane) -> None:
    selection = pane.view.selectionModel()
    wanted = [pane.model.story_at(1).id, pane.model.story_at(4).id]
    for row in (4, 1):
        selection.select(
            pane.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    data = pane.model.mimeData(selection.selectedIndexes())
    assert pane.model.mimeTypes() == [STORY_IDS_MIME]
    assert decode_ids(data, STORY_IDS_MIME) == wanted
    assert pane.model.supportedDragActions() == Qt.DropAction.CopyAction
    assert pane.view.dragDropMode().name == "DragOnly"


def test_controls_are_named_and_keyboard_reachable(qtbot, pane: StoryListPane) -> None:
    for control in (pane.search_box, pane.status_filter, pane.view):
        assert control.accessibleName()
        assert control.toolTip()
        assert control.focusPolicy() & Qt.FocusPolicy.TabFocus
    pane.focus_search()
    assert pane.focusWidget() is pane.search_box


def test_set_date_range_with_same_range_keeps_rows(big: StoryListPane) -> None:
    big.model.fetchMore(QModelIndex())
    before = big.model.rowCount()
    big.set_date_range(DateRange())
    assert big.model.rowCount() == before
    big.set_date_range(DateRange(date(2019, 1, 1), None))
    assert big.model.rowCount() == 200


def test_a_big_search_is_counted_off_the_gui_thread(qtbot, big: StoryListPane, monkeypatch) -> None:
    import threading

    counted_on: list[str] = []
    real_count = StoryService.count

    def spy(self, query=StoryQuery(), cancel=None):  # noqa: B008 - the service's own default
        counted_on.append(threading.current_thread().name)
        return real_count(self, query, cancel)

    monkeypatch.setattr(StoryService, "count", spy)
    search(qtbot, big, "story")
    qtbot.waitUntil(lambda: big.count_label.text().endswith("of 3,008 stories"), timeout=5000)
    assert counted_on
    assert all(name != threading.main_thread().name for name in counted_on)
