"""The archive filter pane: year → month tree with counts, pickers, clear, the month chart, and the list."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QDate, QModelIndex, QPoint, QPointF, Qt
from PySide6.QtWidgets import QAbstractItemView

from ca_editor.domain.dates import DateRange, MonthBucket, YearBucket
from ca_editor.domain.model import StoryFields
from ca_editor.services.container import Services
from ca_editor.services.stories import StoryQuery
from ca_editor.ui.stories import ArchiveFilterPane, ArchiveTreeModel, StoryListPane, month_series
from ca_editor.ui.stories.archive_pane import RangeRole


@pytest.fixture
def panes(qtbot, services: Services) -> tuple[ArchiveFilterPane, StoryListPane]:
    archive = ArchiveFilterPane(services.stories)
    stories = StoryListPane(services.stories)
    archive.range_changed.connect(stories.set_date_range)
    for widget in (archive, stories):
        qtbot.addWidget(widget)
        widget.resize(500, 500)
        widget.show()
        qtbot.waitExposed(widget)
    return archive, stories


def labels(model: ArchiveTreeModel, parent: QModelIndex = QModelIndex()) -> list[str]:  # noqa: B008
    return [model.index(row, 0, parent).data() for row in range(model.rowCount(parent))]


def test_tree_model_passes_the_model_tester(qtmodeltester, panes) -> None:
    archive, _ = panes
    qtmodeltester.check(archive.model)


def test_tree_shows_years_and_months_with_counts(panes) -> None:
    archive, _ = panes
    assert labels(archive.model) == ["2024 (2)", "2023 (6)"]
    assert labels(archive.model, archive.model.index(0, 0)) == ["July (1)", "May (1)"]
    assert archive.heading.text() == "Filter archive — Publication date"


def test_choosing_a_month_filters_the_list_in_sql(qtbot, panes, services: Services) -> None:
    archive, stories = panes
    month = archive.model.index(1, 0, archive.model.index(0, 0))  # May 2024
    with qtbot.waitSignal(archive.range_changed) as signal:
        archive.tree.selectionModel().select(
            month, archive.tree.selectionModel().SelectionFlag.ClearAndSelect
        )
    assert signal.args == [DateRange.month(2024, 5)]
    assert stories.model.query().dates == DateRange.month(2024, 5)
    rows = [stories.model.story_at(r) for r in range(stories.model.rowCount())]
    assert rows and all(DateRange.month(2024, 5).contains(r.published_at) for r in rows)
    assert len(rows) == services.stories.count(StoryQuery(dates=DateRange.month(2024, 5)))
    # The pickers follow the bucket.
    assert archive.from_check.isChecked() and archive.from_date.date() == QDate(2024, 5, 1)
    assert archive.to_check.isChecked() and archive.to_date.date() == QDate(2024, 5, 31)


def test_choosing_a_year_by_keyboard(qtbot, panes) -> None:
    archive, stories = panes
    archive.tree.setFocus()
    archive.tree.setCurrentIndex(archive.model.index(0, 0))
    qtbot.keyClick(archive.tree, Qt.Key.Key_Down)
    assert archive.current_range() == DateRange.year(2023)
    assert stories.model.rowCount() == 6


def test_focusing_the_tree_does_not_filter(panes) -> None:
    archive, stories = panes
    archive.tree.setFocus()
    archive.tree.selectionModel().setCurrentIndex(
        archive.model.index(0, 0), archive.tree.selectionModel().SelectionFlag.NoUpdate
    )
    assert archive.current_range() == DateRange()
    assert stories.model.rowCount() == 8


def test_from_and_to_pickers(qtbot, panes) -> None:
    archive, stories = panes
    received: list[DateRange] = []
    archive.range_changed.connect(received.append)
    archive.from_check.setChecked(True)
    archive.from_date.setDate(QDate(2023, 6, 10))
    assert archive.current_range() == DateRange(date(2023, 6, 10), None)
    assert stories.model.rowCount() == 4  # 12 and 21 June 2023, 20 May and 2 July 2024
    archive.to_check.setChecked(True)
    archive.to_date.setDate(QDate(2023, 12, 31))
    assert archive.current_range() == DateRange(date(2023, 6, 10), date(2023, 12, 31))
    assert stories.model.rowCount() == 2
    # Moving "to" before "from" drags "from" along rather than making an inside-out range.
    archive.to_date.setDate(QDate(2023, 6, 1))
    assert archive.current_range() == DateRange(date(2023, 6, 1), date(2023, 6, 1))
    assert received[-1] == archive.current_range()
    assert not archive.tree.selectionModel().hasSelection()


def test_clear_resets_everything_and_emits_once(qtbot, panes) -> None:
    archive, stories = panes
    archive.set_range(DateRange.month(2023, 6))
    assert stories.model.rowCount() == 3
    received: list[DateRange] = []
    archive.range_changed.connect(received.append)
    qtbot.mouseClick(archive.clear_button, Qt.MouseButton.LeftButton)
    assert received == [DateRange()]
    assert not archive.from_check.isChecked() and not archive.to_check.isChecked()
    assert not archive.tree.selectionModel().hasSelection()
    assert stories.model.rowCount() == 8
    archive.clear()
    assert received == [DateRange()]  # no change, no signal


def test_refresh_keeps_choice_and_counts_new_stories(panes, services: Services) -> None:
    archive, _ = panes
    archive.set_range(DateRange.month(2024, 7))
    services.stories.create(StoryFields(title="New", published_at=datetime(2024, 7, 9, tzinfo=UTC)))
    archive.refresh()
    assert labels(archive.model)[0] == "2024 (3)"
    chosen = archive.tree.selectionModel().selectedIndexes()
    assert [i.data(RangeRole) for i in chosen] == [DateRange.month(2024, 7)]
    assert chosen[0].data() == "July (2)"


def test_month_series_shows_gaps() -> None:
    buckets = (
        YearBucket(2024, 3, (MonthBucket(2024, 2, 1), MonthBucket(2024, 1, 2))),
        YearBucket(2023, 4, (MonthBucket(2023, 11, 4),)),
    )
    series = month_series(buckets)
    assert [(m.year, m.month, m.count) for m in series] == [
        (2024, 2, 1),
        (2024, 1, 2),
        (2023, 12, 0),
        (2023, 11, 4),
    ]
    assert month_series(()) == []


def test_chart_on_demo_data(qtbot, panes) -> None:
    archive, stories = panes
    series = archive.chart.series()
    assert (series[0].year, series[0].month) == (2024, 7)
    assert (series[-1].year, series[-1].month) == (2023, 5)
    assert len(series) == 15
    assert [m.label for m in series if m.count == 0][:2] == ["June 2024", "April 2024"]
    assert sum(m.count for m in series) == 8
    # Click the bar of May 2024 (the third row from the top).
    chart = archive.chart
    row = (chart.height() - 4) / len(series)
    with qtbot.waitSignal(archive.range_changed):
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(chart.width() - 5, int(2 + row * 2.5)))
    assert archive.current_range() == DateRange.month(2024, 5)
    assert stories.model.rowCount() == 1
    # Keyboard: Home, Down, Enter picks June 2024, a month without stories.
    chart.setFocus()
    for key in (Qt.Key.Key_Home, Qt.Key.Key_Down, Qt.Key.Key_Return):
        qtbot.keyClick(chart, key)
    assert archive.current_range() == DateRange.month(2024, 6)
    assert stories.model.rowCount() == 0
    assert chart._month_at(QPointF(0, 2 + row * 0.5).y()) == 0


def test_controls_are_named(panes) -> None:
    archive, _ = panes
    for control in (
        archive.tree,
        archive.chart,
        archive.from_check,
        archive.from_date,
        archive.to_check,
        archive.to_date,
        archive.clear_button,
    ):
        assert control.accessibleName(), control
        assert control.toolTip(), control
    assert archive.from_date.calendarPopup()
    assert archive.tree.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers


def test_empty_database(qtbot, empty_services: Services) -> None:
    archive = ArchiveFilterPane(empty_services.stories)
    qtbot.addWidget(archive)
    archive.show()
    assert archive.model.rowCount() == 0
    assert archive.chart.series() == []
    archive.chart.grab()  # paints "No dated stories" without error
