"""'Filter archive — Publication date': a year → month tree with counts, from/to pickers, a month chart.

The pane only emits a :class:`DateRange`; the story list turns it into SQL. Choosing a year or month,
changing a picker, clicking a chart bar and Clear all end in ``range_changed`` (once, and only on change).
"""

from __future__ import annotations

import logging
from datetime import date

from PySide6.QtCore import QDate, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.dates import MONTH_NAMES, DateRange, YearBucket
from ca_editor.domain.errors import CaEditorError
from ca_editor.services.stories import StoryService
from ca_editor.ui.background import Lane
from ca_editor.ui.stories.chart import MonthChart

RangeRole = Qt.ItemDataRole.UserRole + 1


class ArchiveTreeModel(QStandardItemModel):
    """Years with their months, newest first, each labelled with its story count."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setHorizontalHeaderLabels(["Publication date"])

    def set_buckets(self, buckets: tuple[YearBucket, ...]) -> None:
        self.removeRows(0, self.rowCount())
        for year in buckets:
            year_item = _item(f"{year.year} ({year.count:,})", DateRange.year(year.year), year.count)
            for month in year.months:
                label = f"{MONTH_NAMES[month.month - 1]} ({month.count:,})"
                year_item.appendRow(_item(label, DateRange.month(month.year, month.month), month.count))
            self.appendRow(year_item)

    def index_of(self, dates: DateRange) -> QModelIndex:
        """The year or month item whose range is exactly ``dates``, or an invalid index."""
        for row in range(self.rowCount()):
            year = self.index(row, 0)
            if year.data(RangeRole) == dates:
                return year
            for month_row in range(self.rowCount(year)):
                month = self.index(month_row, 0, year)
                if month.data(RangeRole) == dates:
                    return month
        return QModelIndex()


def _item(label: str, dates: DateRange, count: int) -> QStandardItem:
    item = QStandardItem(label)
    item.setEditable(False)
    item.setData(dates, RangeRole)
    stories = "story" if count == 1 else "stories"
    item.setToolTip(f"{count:,} {stories}; choose to show only these")
    item.setData(f"{label.split(' (')[0]}, {count:,} {stories}", Qt.ItemDataRole.AccessibleTextRole)
    return item


class ArchiveFilterPane(QWidget):
    range_changed = Signal(object)  # DateRange

    def __init__(self, stories: StoryService, parent: QWidget | None = None, *, load: bool = True) -> None:
        """``load=False`` leaves the counts to a later ``refresh()`` or ``refresh_later()`` (the window paints
        first)."""
        super().__init__(parent)
        self._stories = stories
        self._counter = Lane(self, "archive-counts", latest_only=True)
        self._range = DateRange()
        self._syncing = False

        self.heading = QLabel("Filter archive — Publication date")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)

        self.model = ArchiveTreeModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAccessibleName("Archive by year and month")
        self.tree.setToolTip("Choose a year or a month to show only its stories")
        # Selection, not the current index: focusing the tree makes a year current, and must not filter.
        self.tree.selectionModel().selectionChanged.connect(self._bucket_chosen)

        self.chart = MonthChart()
        self.chart.month_clicked.connect(self._month_clicked)

        self.from_check, self.from_date = _picker("From", "Show stories published on or after this day")
        self.to_check, self.to_date = _picker("To", "Show stories published on or before this day")
        for check, edit in ((self.from_check, self.from_date), (self.to_check, self.to_date)):
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self._pickers_changed)
            edit.dateChanged.connect(self._pickers_changed)

        self.clear_button = QPushButton("&Clear")
        self.clear_button.setAccessibleName("Clear the date filter")
        self.clear_button.setToolTip("Show stories of every date")
        self.clear_button.clicked.connect(self.clear)

        browse = QHBoxLayout()
        browse.addWidget(self.tree, 3)
        browse.addWidget(self.chart, 2)
        pickers = QGridLayout()
        pickers.addWidget(self.from_check, 0, 0)
        pickers.addWidget(self.from_date, 0, 1)
        pickers.addWidget(self.to_check, 1, 0)
        pickers.addWidget(self.to_date, 1, 1)
        pickers.addWidget(self.clear_button, 2, 1, Qt.AlignmentFlag.AlignRight)
        pickers.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(browse, 1)
        layout.addLayout(pickers)
        if load:
            self.refresh()

    # ------------------------------------------------------------------------------------------ public

    def current_range(self) -> DateRange:
        return self._range

    def refresh_later(self) -> None:
        """``refresh()`` with the counting on a background lane (a few hundred ms over a million stories):
        the tree follows when the counts arrive; the UI thread never waits for them."""
        self._counter.submit(
            lambda _task: self._stories.archive_buckets(), done=self._show, failed=self._unread
        )

    def refresh(self) -> None:
        """Re-read the year and month counts, keeping the expanded years and the chosen bucket."""
        try:
            buckets = self._stories.archive_buckets()
        except CaEditorError as exc:
            self._unread(exc)
            return
        self._show(buckets)

    def _unread(self, exc: BaseException) -> None:
        # The server gone away, say: the counts shown stay until the next change.
        logging.getLogger(__name__).warning("The archive counts could not be read: %s", exc)

    def _show(self, buckets: tuple[YearBucket, ...]) -> None:
        expanded = {
            self.model.index(row, 0).data(RangeRole)
            for row in range(self.model.rowCount())
            if self.tree.isExpanded(self.model.index(row, 0))
        }
        self._syncing = True
        try:
            self.model.set_buckets(buckets)
            for row in range(self.model.rowCount()):
                index = self.model.index(row, 0)
                if index.data(RangeRole) in expanded:
                    self.tree.expand(index)
            self._show_in_tree(self._range)
        finally:
            self._syncing = False
        self.chart.set_buckets(buckets)
        self.chart.set_selected(self._range)

    def set_range(self, dates: DateRange) -> None:
        """Show ``dates`` in the tree, pickers and chart, and announce it if it changed."""
        self._syncing = True
        try:
            self._show_in_tree(dates)
            self._show_in_pickers(dates)
        finally:
            self._syncing = False
        self.chart.set_selected(dates)
        if dates != self._range:
            self._range = dates
            self.range_changed.emit(dates)

    def clear(self) -> None:
        self.set_range(DateRange())

    # ------------------------------------------------------------------------------------------ inputs

    def _bucket_chosen(self) -> None:
        chosen = self.tree.selectionModel().selectedIndexes()
        if self._syncing or not chosen:
            return
        dates = chosen[0].data(RangeRole)
        if isinstance(dates, DateRange):
            self.set_range(dates)

    def _month_clicked(self, year: int, month: int) -> None:
        self.set_range(DateRange.month(year, month))

    def _pickers_changed(self) -> None:
        if self._syncing:
            return
        first = _to_date(self.from_date.date()) if self.from_check.isChecked() else None
        last = _to_date(self.to_date.date()) if self.to_check.isChecked() else None
        if first and last and first > last:
            # The picker just moved wins; the other follows it, so the range is never inside out.
            self._syncing = True
            try:
                if self.sender() is self.to_date:
                    self.from_date.setDate(self.to_date.date())
                    first = last
                else:
                    self.to_date.setDate(self.from_date.date())
                    last = first
            finally:
                self._syncing = False
        self.set_range(DateRange(first, last))

    # ------------------------------------------------------------------------------------------ display

    def _show_in_tree(self, dates: DateRange) -> None:
        index = self.model.index_of(dates) if not dates.is_open else QModelIndex()
        selection = self.tree.selectionModel()
        if index.isValid():
            if index.parent().isValid():
                self.tree.expand(index.parent())
            selection.setCurrentIndex(index, selection.SelectionFlag.ClearAndSelect)
            self.tree.scrollTo(index)
        else:
            selection.clearSelection()
            selection.setCurrentIndex(QModelIndex(), selection.SelectionFlag.Clear)

    def _show_in_pickers(self, dates: DateRange) -> None:
        for check, edit, day in (
            (self.from_check, self.from_date, dates.first),
            (self.to_check, self.to_date, dates.last),
        ):
            check.setChecked(day is not None)
            if day is not None:
                edit.setDate(QDate(day.year, day.month, day.day))


def _picker(label: str, tip: str) -> tuple[QCheckBox, QDateEdit]:
    check = QCheckBox(label)
    check.setAccessibleName(f"Filter {label.lower()} a date")
    check.setToolTip(f"{tip}; untick for no limit")
    edit = QDateEdit(QDate.currentDate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("d MMM yyyy")
    edit.setMinimumDate(QDate(1900, 1, 1))
    edit.setMaximumDate(QDate(2200, 12, 31))
    edit.setEnabled(False)
    edit.setAccessibleName(f"{label} date")
    edit.setToolTip(tip)
    return check, edit


def _to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
