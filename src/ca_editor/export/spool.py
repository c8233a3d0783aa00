"""A string map that spills to disk as it grows and reads back sorted: the manifest's maps in bounded memory.

The manifest names every file of the bundle with its sha256, every page with the fingerprint of its inputs and
every story with its state: three entries per story, which a bundle of 200,000 stories would otherwise hold in
memory until the manifest is written (about 0.85 KB a story). Entries are kept in a small buffer; a full
buffer is sorted and written to a temporary file as one run, and reading merges the runs (``heapq.merge``).
Keys and values are single-line strings without tabs (paths, hex digests, story ids, ``story_state`` lines);
anything else is refused.
"""

from __future__ import annotations

import heapq
import tempfile
from collections.abc import Iterable, Iterator, Mapping

RUN_ENTRIES = 20_000  # entries buffered before a run is written: about 4 MB


class SpooledMap:
    """Set entries with ``spool[key] = value``; ``sorted_items()`` reads them back, the last value per key."""

    def __init__(self, run_entries: int | None = None) -> None:
        self._limit = run_entries or RUN_ENTRIES
        self._buffer: dict[str, str] = {}
        self._runs: list[str] = []  # sorted runs, each read afresh by every reader
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def __setitem__(self, key: str, value: str) -> None:
        if "\t" in key or "\n" in key or "\n" in value:
            raise ValueError(f"not a manifest entry: {key!r}")
        self._buffer[key] = value
        if len(self._buffer) >= self._limit:
            self._spill()

    def __len__(self) -> int:
        if not self._runs:
            return len(self._buffer)
        return sum(1 for _ in self.sorted_items())  # a key may sit in two runs: count it once

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self.sorted_items())

    def sorted_items(self) -> Iterator[tuple[str, str]]:
        """Every entry, by key (as ``sorted`` orders ``str``: code points, which UTF-8 bytes keep)."""
        if not self._runs:  # all in memory: no merge (it costs a few microseconds an entry)
            return iter(sorted(self._buffer.items()))
        return self._merged()

    def _merged(self) -> Iterator[tuple[str, str]]:
        runs: list[Iterable[tuple[str, int, str]]] = [_read(path, n) for n, path in enumerate(self._runs)]
        last = len(self._runs)
        runs.append((key, last, value) for key, value in sorted(self._buffer.items()))
        merged = heapq.merge(*runs)  # by key, then by run: a key's latest value comes last
        pending: tuple[str, int, str] | None = None
        for entry in merged:
            if pending is not None and pending[0] != entry[0]:
                yield pending[0], pending[2]
            pending = entry
        if pending is not None:
            yield pending[0], pending[2]

    def close(self) -> None:
        """Delete the runs (also done when the map is garbage-collected)."""
        if self._folder is not None:
            self._folder.cleanup()
        self._folder, self._runs, self._buffer = None, [], {}

    def _spill(self) -> None:
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="ca-editor-manifest-")
        path = f"{self._folder.name}/run-{len(self._runs)}"
        with open(path, "x", encoding="utf-8", newline="\n") as run:  # noqa: PTH123
            run.writelines(f"{key}\t{value}\n" for key, value in sorted(self._buffer.items()))
        self._runs.append(path)
        self._buffer = {}


def _read(path: str, order: int) -> Iterator[tuple[str, int, str]]:
    with open(path, encoding="utf-8", newline="\n") as run:  # noqa: PTH123
        for line in run:
            key, _, value = line[:-1].partition("\t")
            yield key, order, value


def sorted_items(mapping: Mapping[str, str] | SpooledMap) -> Iterator[tuple[str, str]]:
    """A map's entries by key; a spooled map (or any map that knows its order) reads them back itself."""
    if isinstance(mapping, SpooledMap):
        return mapping.sorted_items()
    in_order = getattr(mapping, "sorted_items", None)
    if in_order is not None:
        return in_order()  # type: ignore[no-any-return]
    return iter(sorted(mapping.items()))
