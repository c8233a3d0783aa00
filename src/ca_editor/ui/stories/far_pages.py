"""The story list's rows far from the top: a few pages held at a time, fetched on a background lane.

Once the list knows how many stories match (the count arrives on a worker), the view may jump anywhere in
them (Ctrl+End, a drag of the scroll bar). The model keeps the rows read from the top by keyset paging as
before; every other page is one of these: read off the UI thread (keyset after the page before when that is
held, else by offset), at most ``KEPT`` of them held, the least recently used dropped first. A page not held
yet shows placeholder rows until it arrives; a stale page (after an edit) keeps showing while it is read
again, so nothing flickers.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable

from ca_editor.domain.model import StorySummary

KEPT = 12  # pages held: 2,400 rows of 200, about a megabyte
WANTED = 8  # the most recently asked pages; an older request still queued is skipped, not read


class FarPages:
    """Pages of ``size`` rows by page number, with the row of each story held."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pages: OrderedDict[int, list[StorySummary]] = OrderedDict()
        self._stale: set[int] = set()
        self._asked: set[int] = set()
        self._wanted: deque[int] = deque(maxlen=WANTED)
        self._row_of: dict[int, int] = {}

    def rows_held(self) -> int:
        return sum(len(rows) for rows in self._pages.values())

    def clear(self) -> None:
        self._pages.clear()
        self._stale.clear()
        self._asked.clear()
        self._wanted.clear()
        self._row_of.clear()

    def story(self, row: int) -> StorySummary | None:
        page = self._pages.get(row // self.size)
        offset = row % self.size
        return page[offset] if page is not None and offset < len(page) else None

    def row_of(self, story_id: int) -> int | None:
        return self._row_of.get(story_id)

    def held(self, number: int) -> bool:
        return number in self._pages and number not in self._stale

    def want(self, number: int) -> bool:
        """Note that ``number`` is on screen; True when it must be asked for (not held fresh, not asked)."""
        self._wanted.append(number)
        if self.held(number) or number in self._asked:
            return False
        self._asked.add(number)
        return True

    def still_wanted(self, number: int) -> bool:
        """Read on the lane's thread before reading a page: scrolled past since, it is skipped."""
        return number in self._wanted

    def skipped(self, number: int) -> None:
        self._asked.discard(number)

    def put(self, number: int, rows: list[StorySummary]) -> None:
        self._asked.discard(number)
        self._drop(number)
        self._pages[number] = rows
        self._stale.discard(number)
        first = number * self.size
        self._row_of.update((story.id, first + n) for n, story in enumerate(rows))
        while len(self._pages) > KEPT:
            self._drop(next(iter(self._pages)))

    def touch(self, number: int) -> None:
        if number in self._pages:
            self._pages.move_to_end(number)

    def mark_stale(self) -> None:
        """An edit may have changed any row: each page shows as it is until read again."""
        self._stale = set(self._pages)
        self._asked.clear()

    def beyond(self, rows: int) -> None:
        """Forget every page from row ``rows`` on (the list got shorter)."""
        for number in [n for n in self._pages if (n + 1) * self.size > rows]:
            self._drop(number)

    def anchor(self, number: int, head: Callable[[int], StorySummary | None]) -> StorySummary | None:
        """The row just before page ``number`` when it is held (a keyset start), else None (an offset)."""
        row = number * self.size - 1
        return head(row) or self.story(row)

    def _drop(self, number: int) -> None:
        for story in self._pages.pop(number, []):
            self._row_of.pop(story.id, None)
        self._stale.discard(number)
