"""The story list pane: search box, status filter, the lazily fetched table and a count.

Every filter is a new SQL query (``StoryQuery``); the selection is kept by story id across queries,
sorting and refreshes, and ``story_selected`` fires only when the current story really changes.

A search runs on a worker (``Lane``), so typing never waits for it: a newer keystroke (or any other filter)
cancels the running search (``services.cancellation``: the connection is interrupted, not waited for) and
its answer, if any, is dropped. The count of the shown stories follows on another worker, also cancelled
when a newer query replaces it.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.changes import Change
from ca_editor.domain.dates import DateRange
from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.model import StoryStatus, StorySummary
from ca_editor.domain.workflow import LABELS, ORDER
from ca_editor.services.cancellation import Cancellation, QueryCancelled
from ca_editor.services.stories import StoryQuery, StoryService, StorySort
from ca_editor.ui.background import Lane, Task, log_failure
from ca_editor.ui.icons import icon
from ca_editor.ui.stories.model import StoryListModel

SEARCH_DELAY_MS = 150
COUNT_FALLBACK_MS = 250
STATUS_CHOICES: tuple[tuple[str, StoryStatus | None], ...] = (
    ("All statuses", None),
    *((LABELS[status], status) for status in ORDER),
)


class StoryListPane(QWidget):
    story_selected = Signal(object)  # the current story's id, or None
    story_activated = Signal(int)  # double-click or Enter on a story

    def __init__(self, stories: StoryService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._stories = stories
        self._total: int | None = None
        self._current_id: int | None = None
        self._kept: tuple[list[int], int | None] = ([], None)
        self._restoring = False
        self._follow: int | None = None  # a story shown by the editor, to select once a refresh lists it

        self._build_heading()
        self._build_filters()

        self.model = StoryListModel(stories, self)
        self.view = QTableView()
        self._build_view()

        self.count_label = QLabel()
        self.count_label.setAccessibleName("Story count")
        self._count_pending = False
        self._count_generation = 0
        self._counter = Lane(self, "story-count", latest_only=True)
        self._count_cancel = Cancellation()
        self._searcher = Lane(self, "story-search", latest_only=True)
        self._search_cancel: Cancellation | None = None  # the running search's, until its rows are shown
        self._count_timer = QTimer(self, singleShot=True)
        self._count_timer.timeout.connect(self._update_count)
        self.view.viewport().installEventFilter(self)

        filters = QHBoxLayout()
        filters.addWidget(self.search_box, 1)
        filters.addWidget(self.order_choice)
        filters.addWidget(self.status_filter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)

        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)
        self.model.modelReset.connect(self._schedule_count)
        self.model.dataChanged.connect(self._rows_arrived)
        self._query = StoryQuery(limit=None)
        self.model.set_query(self._query)

    def _build_heading(self) -> None:
        self.heading = QLabel("Stories")
        self.heading.setObjectName("pane-heading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.heading.setFont(font)

    def _build_filters(self) -> None:
        self.search_box = QLineEdit(placeholderText="Search titles, summaries and bodies…")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_box.setAccessibleName("Search stories")
        self.search_box.setToolTip("Any words: every word must appear; the last one may be a prefix")
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_filters)
        self.search_box.textChanged.connect(self._search_timer.start)
        self.search_box.returnPressed.connect(self._apply_filters)

        self.status_filter = QComboBox()
        for label, status in STATUS_CHOICES:
            self.status_filter.addItem(label, status.value if status else "")  # Qt turns a StrEnum into str
        self.status_filter.setAccessibleName("Status filter")
        self.status_filter.setToolTip("Show only stories with this status")
        self.status_filter.currentIndexChanged.connect(self._apply_filters)

        # Relevance is a choice, never the default: ranking every match is the slow order at scale.
        self.order_choice = QComboBox()
        self.order_choice.addItem("Newest first", StorySort.PUBLISHED.value)
        self.order_choice.addItem("Best match first", StorySort.RELEVANCE.value)
        self.order_choice.setAccessibleName("Search order")
        self.order_choice.setToolTip("How search results are ordered: newest first, or best match first")
        self.order_choice.currentIndexChanged.connect(self._apply_filters)

    def _build_view(self) -> None:
        view = self.view
        view.setModel(self.model)
        view.setAccessibleName("Stories")
        view.setToolTip("Drag stories onto the editor's-choice block; Enter opens a story")
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.setDragEnabled(True)
        view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        view.setDefaultDropAction(Qt.DropAction.CopyAction)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setTabKeyNavigation(False)  # Tab leaves for the next pane; arrows move between rows
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = view.verticalHeader()
        rows.hide()
        # Uniform fixed row heights: the view never measures rows, whatever their number.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(view.fontMetrics().height() + 10)
        header = view.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        metrics = view.fontMetrics()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(StoryListModel.TITLE, QHeaderView.ResizeMode.Stretch)
        # The title gets what is left: the other columns are as narrow as their longest value allows.
        header.setMinimumSectionSize(28)
        header.resizeSection(StoryListModel.PUBLISHED, metrics.horizontalAdvance("30 September 2026") + 16)
        status_width = metrics.horizontalAdvance("Published") + 24 + 20  # the text and its status icon
        header.resizeSection(StoryListModel.STATUS, status_width)
        header.resizeSection(StoryListModel.CHOICE, metrics.horizontalAdvance("★") + 24)
        header.setSortIndicator(StoryListModel.PUBLISHED, Qt.SortOrder.DescendingOrder)
        view.setSortingEnabled(True)
        view.selectionModel().currentRowChanged.connect(self._current_changed)
        view.activated.connect(self._activated)

    # ------------------------------------------------------------------------------------------ public

    def selected_story_ids(self) -> list[int]:
        """The selected stories, in list order."""
        rows = sorted(index.row() for index in self.view.selectionModel().selectedRows())
        return [self.model.story_at(row).id for row in rows if self.model.is_loaded(row)]

    def current_story_id(self) -> int | None:
        return self._current_id

    def set_date_range(self, dates: DateRange) -> None:
        """Show only stories published within ``dates`` (the archive filter's choice)."""
        if dates != self._query.dates:
            self._set_query(replace(self._query, dates=dates))

    def refresh(self) -> None:
        """Re-read the list after an edit, keeping the selection, the current story and the scroll."""
        scroll = self.view.verticalScrollBar().value()
        top = self.view.indexAt(self.view.viewport().rect().topLeft())
        top_id = self.model.story_at(top.row()).id if top.isValid() else None
        self._total = None
        self.model.refresh()
        row = self.model.row_of(top_id) if top_id is not None else None
        if row is not None:
            self.view.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop)
        else:
            self.view.verticalScrollBar().setValue(scroll)
        self._schedule_count()

    def follow(self, change: Change) -> None:
        """The desk's broadcast: the rows it names, in place, when none can move or leave (a changed date
        or status may, and is re-read with the page; ``StoryListModel.take_named`` says when)."""
        if not self.model.take_named(change):
            self.refresh()

    def select_story(self, story_id: int) -> bool:
        """Make ``story_id`` the current, only selected story (fetching pages as needed); False if absent."""
        row = self.model.fetch_until(story_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.view.selectionModel().setCurrentIndex(index, flags)
        self.view.scrollTo(index)
        return True

    def show_current(self, story_id: int | None) -> None:
        """Agree with the editor when it changed story by itself (a new story, one created or brought back).

        Without this the list keeps the old row current, and a click on that row changes nothing, so it
        does not open. The story's row becomes the selection, or nothing is selected while it is not listed
        (a story just created appears with the next refresh, and is selected then). Announces nothing.
        """
        if story_id == self._current_id:
            return
        self._current_id = story_id
        row = self.model.row_of(story_id) if story_id is not None else None
        self._follow = story_id if row is None else None
        selection_model = self.view.selectionModel()
        self._restoring = True
        try:
            if row is None:
                selection_model.clearSelection()
                selection_model.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
            else:
                flags = (
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
                )
                selection_model.setCurrentIndex(self.model.index(row, 0), flags)
                self.view.scrollTo(self.model.index(row, 0))
        finally:
            self._restoring = False

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    # ------------------------------------------------------------------------------------------ filters

    def _apply_filters(self) -> None:
        self._search_timer.stop()
        value = self.status_filter.currentData()
        status = StoryStatus(value) if value else None
        query = replace(self._query, text=self.search_box.text(), status=status)
        if query != self._query or self._order_changed():
            self._set_query(query)

    def _order_changed(self) -> bool:
        best_first = self.order_choice.currentData() == StorySort.RELEVANCE.value
        return bool(self._query.text.strip()) and best_first != (self._query.sort is StorySort.RELEVANCE)

    def _set_query(self, query: StoryQuery) -> None:
        # Keep the order the header shows; the model owns it after a header click.
        model_query = self.model.query()
        self._query = replace(query, sort=model_query.sort, descending=model_query.is_descending)
        best_first = self.order_choice.currentData() == StorySort.RELEVANCE.value
        if best_first and query.text.strip():
            self._query = replace(self._query, sort=StorySort.RELEVANCE, descending=True)
        elif self._query.sort is StorySort.RELEVANCE:
            self._query = replace(self._query, sort=StorySort.PUBLISHED, descending=True)
        self._stop_search()
        if self._query.text.strip():
            self._search(self._query)
            return
        self.model.set_query(self._query)
        self._show_top()

    def _show_top(self) -> None:
        self.view.scrollToTop()
        self._scroll_to_current()

    def searching(self) -> bool:
        """A search was asked for and its rows are not shown yet."""
        return self._search_cancel is not None

    def _search(self, query: StoryQuery) -> None:
        cancel = self._search_cancel = Cancellation()
        first_page = replace(query, limit=self.model.page_size)

        def found(rows: list[StorySummary]) -> None:
            if cancel is self._search_cancel:  # else a newer query replaced it while the answer travelled
                self._search_cancel = None
                self.model.show(query, rows)
                self._show_top()

        self._searcher.submit(
            lambda _task: self._stories.list(first_page, cancel=cancel),
            done=found,
            failed=self._search_failed,
        )

    def _stop_search(self) -> None:
        if self._search_cancel is not None:
            self._search_cancel.cancel()  # from this thread: the worker's query stops where it is
            self._search_cancel = None

    def _search_failed(self, exc: BaseException) -> None:
        if isinstance(exc, QueryCancelled):
            return  # a newer query replaced it: expected, nothing to say
        if not isinstance(exc, CaEditorError):
            log_failure(exc)  # a bug
        self.count_label.setText(f"The search failed: {exc}")

    def _schedule_count(self) -> None:
        # Counted once the first rows have painted (see eventFilter): a count over a big search costs as
        # much as the search itself. The timer is the fallback for a pane that is not on screen.
        self.count_label.setText("Counting stories…")
        self._count_pending = True
        self._count_timer.start(COUNT_FALLBACK_MS)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._count_pending and event.type() == QEvent.Type.Paint and watched is self.view.viewport():
            self._count_timer.start(0)
        return super().eventFilter(watched, event)

    def _update_count(self) -> None:
        self._count_pending = False
        self._count_generation += 1
        self._count_cancel.cancel()  # the older count, if it still runs: its answer is not wanted
        query = self.model.query()
        all_read = not self.model.canFetchMore(QModelIndex()) and not self.model.counted
        if all_read and self._total is not None:
            self._show_count(self._count_generation, self.model.rowCount(), self._total)  # all loaded
            return
        # Counting a search that matches half of a million stories takes as long as the search itself
        # (about 0.5 s): it runs on a worker thread, so typing and scrolling never wait for it.
        filtered = bool(query.text.strip()) or query.status is not None or not query.dates.is_open
        loaded = self.model.rowCount() if all_read else None
        generation, known_total = self._count_generation, self._total
        cancel = self._count_cancel = Cancellation()

        def count(_task: Task) -> tuple[int, int]:
            total = known_total if known_total is not None else self._stories.count(cancel=cancel)
            shown = (
                loaded if loaded is not None else self._stories.count(query, cancel) if filtered else total
            )
            return shown, total

        self._counter.submit(
            count, done=lambda counts: self._show_count(generation, *counts), failed=self._count_failed
        )

    def _count_failed(self, exc: BaseException) -> None:
        # Cancelled (a newer count replaced it), or storage trouble: the label keeps saying "Counting…"; the
        # list itself reports storage trouble.
        if not isinstance(exc, CaEditorError):
            log_failure(exc)  # a bug

    def _show_count(self, generation: int, shown: int, total: int) -> None:
        if generation != self._count_generation:
            return  # an older query's answer, arriving after a newer one was asked
        self._total = total
        self.model.set_row_count(shown)  # the list is now that long; far rows are read as shown
        self.count_label.setText(f"{shown:,} of {total:,} stories")

    # ------------------------------------------------------------------------------------------ selection

    def _remember_selection(self) -> None:
        self._kept = (self.selected_story_ids(), self._current_id)
        self._restoring = True

    def _restore_selection(self) -> None:
        selected, current = self._kept
        if self._follow is not None and self._follow == current and self.model.row_of(current) is not None:
            selected, self._follow = [current], None
        selection = QItemSelection()
        for story_id in selected:
            row = self.model.row_of(story_id)
            if row is not None:
                selection.select(
                    self.model.index(row, 0), self.model.index(row, self.model.columnCount() - 1)
                )
        selection_model = self.view.selectionModel()
        selection_model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        row = self.model.row_of(current) if current is not None else None
        if row is not None:
            selection_model.setCurrentIndex(
                self.model.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate
            )
        self._restoring = False
        index = selection_model.currentIndex()
        if index.isValid():  # a story that left the list stays the editor's story until another is chosen
            self._current_changed(index)

    def _scroll_to_current(self) -> None:
        index = self.view.selectionModel().currentIndex()
        if index.isValid():
            self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _rows_arrived(self, top: QModelIndex, bottom: QModelIndex) -> None:
        index = self.view.selectionModel().currentIndex()
        if index.isValid() and top.row() <= index.row() <= bottom.row() and not self._restoring:
            self._current_changed(index)  # a far row made current before its page arrived

    def _current_changed(self, index: QModelIndex) -> None:
        if self._restoring or (index.isValid() and not self.model.is_loaded(index.row())):
            return  # a far row still being read: announced when it arrives (``_rows_arrived``)
        story_id = self.model.story_at(index.row()).id if index.isValid() else None
        if story_id != self._current_id:
            self._current_id, self._follow = story_id, None
            self.story_selected.emit(story_id)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.story_activated.emit(self.model.story_at(index.row()).id)
