"""The story list as a lazily fetched table: publication date, title, status, editor's-choice marker.

The model holds plain :class:`StorySummary` rows and asks the story service for one page at a time
(``canFetchMore``/``fetchMore``, keyset paging). Once the pane hands it the count (``set_row_count``, from
its count worker) the model has that many rows: the ones read from the top stay, any other page is read on
a background lane when the view shows it and only a few such pages are held (``far_pages.py``), so Ctrl+End
over a million stories reads one page, off the UI thread, and memory stays flat wherever the list scrolls.
Sorting and filtering are new SQL queries; there is no proxy model.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from ca_editor.domain.changes import Change
from ca_editor.domain.dates import human_date
from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.model import StorySummary
from ca_editor.domain.workflow import LABELS
from ca_editor.services.stories import StoryQuery, StoryService, StorySort
from ca_editor.ui.background import Lane, Task, log_failure
from ca_editor.ui.dnd import STORY_IDS_MIME, encode_ids
from ca_editor.ui.icons import icon
from ca_editor.ui.stories.far_pages import FarPages

Index = QModelIndex | QPersistentModelIndex

StoryIdRole = Qt.ItemDataRole.UserRole + 1
PAGE_SIZE = 200


class StoryListModel(QAbstractTableModel):
    PUBLISHED, TITLE, STATUS, CHOICE = range(4)
    HEADERS = ("Published", "Title", "Status", "Editor's choice")
    HEADER_TIPS = (
        "Publication date (UTC); undated stories come last",
        "Story title",
        "Workflow status: draft, ready, approved or published",
        "Marked with a star when the story is in the editor's-choice block",
    )
    SORTS = (StorySort.PUBLISHED, StorySort.TITLE, StorySort.STATUS, StorySort.EDITORS_CHOICE)
    StoryIdRole = StoryIdRole

    def __init__(
        self, stories: StoryService, parent: QObject | None = None, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__(parent)
        self._stories = stories
        self._page_size = page_size
        self._query = StoryQuery(limit=None)
        self._rows: list[StorySummary] = []
        self._row_of: dict[int, int] = {}
        self._cursor: StorySummary | None = None  # the last row read: the next page starts after it
        self._exhausted = True
        self._fetching = False
        self._total: int | None = None  # every row of the query, once counted (``set_row_count``)
        self._far = FarPages(page_size)  # rows beyond those read from the top
        self._far_lane = Lane(self, "story-pages")
        self._generation = 0  # a page read for an older query is dropped

    # ------------------------------------------------------------------------------------------ queries

    def query(self) -> StoryQuery:
        """The filters and order in force (without paging)."""
        return self._query

    def set_query(self, query: StoryQuery) -> None:
        """Show ``query``'s stories from the top: the first page now, the rest as the view scrolls."""
        self.show(query, None)

    @property
    def page_size(self) -> int:
        return self._page_size

    def show(self, query: StoryQuery, first_page: list[StorySummary] | None) -> None:
        """Show ``query`` from the top with ``first_page`` read elsewhere (a search, on a worker thread);
        None: read it now."""
        self._query = replace(query, limit=None, offset=0, after=None)
        self.beginResetModel()
        if first_page is None:
            first_page = self._stories.list(replace(self._query, limit=self._page_size))
        self._set_rows(first_page)
        self.endResetModel()

    def refresh(self) -> None:
        """Re-read the rows shown so far after an edit, without losing the place.

        When the same stories come back in the same order (an edited title under date order), only their
        data changes, so selection, current row and scroll stay exactly as they were. Otherwise the model
        resets and the view restores the selection by story id.
        """
        wanted = max(len(self._rows), self._page_size)
        rows = self._stories.list(replace(self._query, limit=wanted))
        self._far.mark_stale()  # shown as they are until read again, when the view next paints them
        if self._total is not None and self._total > len(rows):
            self.dataChanged.emit(
                self.index(len(rows), 0), self.index(self._total - 1, len(self.HEADERS) - 1)
            )
        if [r.id for r in rows] == [r.id for r in self._rows]:
            self._rows = rows
            self._cursor = rows[-1] if rows else None
            self._exhausted = len(rows) < wanted
            if rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(self.HEADERS) - 1))
            return
        self.beginResetModel()
        self._set_rows(rows, wanted)
        self.endResetModel()

    def take_named(self, change: Change) -> bool:
        """Show what ``change`` says of the listed stories without reading, when that cannot move or hide
        a row; False (nothing done): re-read with ``refresh()``.

        In place: a story placed into a block gets its star (unless the list is ordered by the star); a
        saved story that comes with the change keeps its row when its date and status (what the order and
        the filters look at), and its title under title order, are as listed. Anything else is re-read: a
        story created, deleted or taken out of a block (it may sit in another), a text search in force (an
        edited summary can change the matches), a saved story not listed here (it may now belong).
        """
        if change.everything or change.created_story_ids or change.deleted_story_ids:
            return False
        if self._query.text.strip():
            return False
        fresh = self._placed(change)
        if fresh is None:
            return False
        for story_id in change.saved_story_ids:
            story, row = change.saved(story_id), self._row_of.get(story_id)
            if story is None or row is None:
                return False
            shown = fresh.get(row, self._rows[row])
            if (story.published_at, story.status) != (shown.published_at, shown.status):
                return False
            if self._query.sort is StorySort.TITLE and story.title != shown.title:
                return False
            fresh[row] = replace(shown, slug=story.slug, title=story.title)
        for row, summary in fresh.items():
            self._rows[row] = summary
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))
        return True

    def _placed(self, change: Change) -> dict[int, StorySummary] | None:
        """The listed rows of the stories ``change`` put into its block, starred; None: re-read instead."""
        if not change.placed_story_ids:
            return {}
        if change.layout is None or self._query.sort is StorySort.EDITORS_CHOICE:
            return None
        in_block = set(change.layout.story_ids())
        if not change.placed_story_ids <= in_block:
            return None  # taken out: another section's block may still hold it
        rows = (self._row_of.get(story_id) for story_id in change.placed_story_ids)
        return {row: replace(self._rows[row], in_editors_choice=True) for row in rows if row is not None}

    def _set_rows(self, rows: list[StorySummary], asked: int | None = None) -> None:
        # Rows from the top only, until the pane counts the query again (``set_row_count``).
        self._total, self._generation = None, self._generation + 1
        self._far.clear()
        self._rows = rows
        self._row_of = {story.id: number for number, story in enumerate(rows)}
        self._cursor = rows[-1] if rows else None
        self._exhausted = len(rows) < (asked or self._page_size)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.SORTS):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if self._query.sort is self.SORTS[column] and self._query.is_descending == descending:
            return
        self.set_query(
            replace(self._query, sort=self.SORTS[column], descending=descending, newest_first=True)
        )

    # ------------------------------------------------------------------------------------------ lookup

    def story_at(self, row: int) -> StorySummary:
        """The story of ``row``; one of a page not held yet is read now (a selection of it, say)."""
        if row < len(self._rows):
            return self._rows[row]
        story = self._far.story(row)
        if story is None:
            number = row // self._page_size
            self._far.put(number, self._read_far(number, self._query, self._far.anchor(number, self._head)))
            story = self._far.story(row)
        if story is None:
            raise IndexError(row)
        return story

    def rows_held(self) -> int:
        """How many stories the model holds in memory: those read from the top and the far pages."""
        return len(self._rows) + self._far.rows_held()

    @property
    def counted(self) -> bool:
        """The list has as many rows as the query matches (``set_row_count``), far ones read as shown."""
        return self._total is not None

    def is_loaded(self, row: int) -> bool:
        """Whether ``row``'s story is held (a far row still being read shows a placeholder)."""
        return row < len(self._rows) or self._far.story(row) is not None

    def row_of(self, story_id: int) -> int | None:
        """The row of a story among those fetched so far."""
        row = self._row_of.get(story_id)
        return row if row is not None else self._far.row_of(story_id)

    def set_row_count(self, count: int) -> None:
        """How many stories the query matches (the pane's count): the list has that many rows from now on,
        those beyond the rows read from the top read when shown."""
        if count <= len(self._rows) and self._total is None:
            return  # all read already, or fewer than read: the rows read stand
        shown = self.rowCount()
        count = max(count, len(self._rows))
        if count > shown:
            self.beginInsertRows(QModelIndex(), shown, count - 1)
            self._total = count
            self.endInsertRows()
        elif count < shown:
            self.beginRemoveRows(QModelIndex(), count, shown - 1)
            self._total = count
            self._far.beyond(count)
            self.endRemoveRows()

    def _head(self, row: int) -> StorySummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _read_far(self, number: int, query: StoryQuery, after: StorySummary | None) -> list[StorySummary]:
        size = self._page_size
        if after is not None:
            return self._stories.list(replace(query, limit=size, after=after))
        return self._stories.list(replace(query, limit=size, offset=number * size))

    def _ask_far(self, row: int) -> None:
        number = row // self._page_size
        self._far.touch(number)
        if not self._far.want(number):
            return
        far, query, generation = self._far, self._query, self._generation
        after = far.anchor(number, self._head)

        def read(_task: Task) -> list[StorySummary] | None:  # on the lane's thread
            return self._read_far(number, query, after) if far.still_wanted(number) else None

        self._far_lane.submit(
            read,
            done=lambda rows: self._far_arrived(generation, number, rows),
            failed=lambda exc: self._far_failed(number, exc),
        )

    def _far_arrived(self, generation: int, number: int, rows: list[StorySummary] | None) -> None:
        if generation != self._generation:
            return
        if rows is None:
            self._far.skipped(number)
            return
        self._far.put(number, rows)
        first = number * self._page_size
        last = min(first + self._page_size, self.rowCount()) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.HEADERS) - 1))

    def _far_failed(self, number: int, exc: BaseException) -> None:
        self._far.skipped(number)  # asked again when next shown
        if not isinstance(exc, CaEditorError):
            log_failure(exc)

    def fetch_until(self, story_id: int, max_pages: int = 50) -> int | None:
        """Fetch pages until ``story_id`` is loaded (or ``max_pages`` more pages); its row or ``None``."""
        for _ in range(max_pages):
            row = self.row_of(story_id)
            if row is not None or self._exhausted or self._fetching:
                return row
            self._fetching = True
            try:
                self._fetch_page()  # from the top, counted or not
            finally:
                self._fetching = False
        return self.row_of(story_id)

    # ------------------------------------------------------------------------------------------ lazy

    def canFetchMore(self, parent: Index) -> bool:
        counted = self._total is not None  # every row is there: far ones are read as they are shown
        return not parent.isValid() and not self._exhausted and not self._fetching and not counted

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent):
            return
        # Whoever listens to rowsAboutToBeInserted (a view, the model tester) may ask for more again; a
        # nested fetch would insert the following page before this one.
        self._fetching = True
        try:
            self._fetch_page()
        finally:
            self._fetching = False

    def _fetch_page(self) -> None:
        page = self._stories.list(replace(self._query, limit=self._page_size, after=self._cursor))
        self._exhausted = len(page) < self._page_size
        self._cursor = page[-1] if page else self._cursor
        page = [story for story in page if story.id not in self._row_of]  # an edit may have moved one
        if not page:
            return
        first = len(self._rows)
        if self._total is not None and first + len(page) <= self._total:  # rows the list has already
            self._rows += page
            self._row_of.update((story.id, first + n) for n, story in enumerate(page))
            self.dataChanged.emit(
                self.index(first, 0), self.index(len(self._rows) - 1, len(self.HEADERS) - 1)
            )
            return
        self.beginInsertRows(QModelIndex(), self.rowCount(), first + len(page) - 1)
        self._rows += page
        self._row_of.update((story.id, first + n) for n, story in enumerate(page))
        self._total = None if self._total is None else len(self._rows)
        self.endInsertRows()

    # ------------------------------------------------------------------------------------------ Qt

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else max(len(self._rows), self._total or 0)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            # The marker column is a star wide; its name stays in the tooltip and for screen readers.
            return "★" if section == self.CHOICE else self.HEADERS[section]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.HEADER_TIPS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        row, column = index.row(), index.column()
        story = self._rows[row] if row < len(self._rows) else self._far.story(row)
        if row >= len(self._rows):
            self._ask_far(row)  # a far page: read (again, when stale) on the lane; placeholders meanwhile
        if story is None:
            loading = role == Qt.ItemDataRole.DisplayRole and column == self.TITLE
            return "…" if loading else "Loading" if role == Qt.ItemDataRole.AccessibleTextRole else None
        if role == StoryIdRole:
            return story.id
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(story, column)
        if role == Qt.ItemDataRole.DecorationRole and column == self.CHOICE and story.in_editors_choice:
            return icon("editors_choice")
        if role == Qt.ItemDataRole.DecorationRole and column == self.STATUS:
            return icon(f"status_{story.status.value}")  # shape and colour per status (ui/icons.py)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if column == self.CHOICE:
                return "In editor's choice" if story.in_editors_choice else "Not in editor's choice"
            return _display(story, column) or "No date"
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(story, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.CHOICE:
            return Qt.AlignmentFlag.AlignCenter
        return None

    # ------------------------------------------------------------------------------------------ drag

    def mimeTypes(self) -> list[str]:
        return [STORY_IDS_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid() and 0 <= i.row() < self.rowCount()})
        return encode_ids(STORY_IDS_MIME, [self.story_at(row).id for row in rows])

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.IgnoreAction


def _display(story: StorySummary, column: int) -> str:
    if column == StoryListModel.PUBLISHED:
        return human_date(story.published_at) if story.published_at else "—"
    if column == StoryListModel.TITLE:
        return story.title
    if column == StoryListModel.STATUS:
        return LABELS[story.status]
    return ""


def _tooltip(story: StorySummary, column: int) -> str:
    if column == StoryListModel.PUBLISHED:
        if story.published_at is None:
            return "No publication date yet"
        return f"Published {human_date(story.published_at)}, {story.published_at:%H:%M} UTC"
    if column == StoryListModel.CHOICE:
        return (
            "In the editor's-choice block" if story.in_editors_choice else "Not in the editor's-choice block"
        )
    if column == StoryListModel.STATUS:
        return f"Status: {story.status.value}"
    return story.title
