"""The manifest's spooled maps: sorted, last value per key, bounded buffer, cleaned up."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ca_editor.export.spool import SpooledMap, sorted_items


def test_entries_come_back_sorted_with_the_last_value_of_each_key_across_runs() -> None:
    spool = SpooledMap(run_entries=7)
    expected: dict[str, str] = {}
    chooser = random.Random(5)
    for number in range(300):
        key = f"stories/story-{chooser.randint(0, 120)}.html"
        spool[key] = expected[key] = f"value {number}"
    assert spool._runs  # it did spill
    assert list(spool.sorted_items()) == sorted(expected.items())
    assert len(spool) == len(expected)
    assert list(spool) == sorted(expected)


def test_two_readers_at_once_each_see_every_entry() -> None:
    spool = SpooledMap(run_entries=3)
    for number in range(10):
        spool[str(number)] = "x"
    first, second = spool.sorted_items(), spool.sorted_items()
    assert next(first) == ("0", "x")
    assert [key for key, _ in second] == [str(n) for n in range(10)]
    assert len(list(first)) == 9


def test_a_small_map_never_touches_the_disk_and_orders_like_sorted() -> None:
    spool = SpooledMap()
    for key in ("10", "9", "b", "A", "é", "z"):
        spool[key] = key
    assert spool._runs == []
    assert list(spool) == sorted(["10", "9", "b", "A", "é", "z"])
    assert list(sorted_items({"b": "1", "a": "2"})) == [("a", "2"), ("b", "1")]


@pytest.mark.parametrize(("key", "value"), [("a\tb", "v"), ("a\nb", "v"), ("a", "v\nw")])
def test_an_entry_that_would_break_a_line_is_refused(key: str, value: str) -> None:
    with pytest.raises(ValueError, match="not a manifest entry"):
        SpooledMap()[key] = value


def test_close_deletes_the_runs() -> None:
    spool = SpooledMap(run_entries=2)
    for number in range(5):
        spool[str(number)] = "x"
    folder = Path(spool._runs[0]).parent
    assert folder.is_dir()
    spool.close()
    assert not folder.exists()
    assert list(spool) == []
