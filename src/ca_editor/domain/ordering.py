"""Ordering maths of the editor's-choice block, as pure functions over tuples.

Positions here are 0-based list indexes; the UI shows them 1-based. Every function returns a new tuple and
never loses or duplicates an item, which the property tests check.
"""

from __future__ import annotations

from collections.abc import Sequence


def move[T](items: Sequence[T], source: int, target: int) -> tuple[T, ...]:
    """Move ``items[source]`` so that it ends at index ``target`` (both clamped to the list)."""
    result = list(items)
    if not result:
        return ()
    source = _clamp(source, len(result) - 1)
    target = _clamp(target, len(result) - 1)
    result.insert(target, result.pop(source))
    return tuple(result)


def insert[T](items: Sequence[T], item: T, at: int, capacity: int) -> tuple[tuple[T, ...], T | None]:
    """Insert ``item`` at index ``at``; if that overfills the block, the last item falls out and is returned.

    The new item always lands inside the block: asking for a place past the last slot of a full block puts
    it in the last slot.
    """
    if capacity < 1:
        raise ValueError("capacity must be at least 1")
    result = list(items)
    result.insert(_clamp(at, min(len(result), capacity - 1)), item)
    evicted = result.pop() if len(result) > capacity else None
    return tuple(result), evicted


def would_evict[T](items: Sequence[T], capacity: int) -> T | None:
    """The item that inserting one more would push out, so the UI can name it before anything changes."""
    return items[capacity - 1] if len(items) >= capacity else None


def remove[T](items: Sequence[T], index: int) -> tuple[T, ...]:
    if not 0 <= index < len(items):
        raise IndexError(f"no slot at index {index}")
    return tuple(items[:index]) + tuple(items[index + 1 :])


def qt_move_target(source: int, destination_child: int) -> int:
    """Translate Qt's ``moveRows`` destination (an index *before* removal) into a final index.

    Qt names the row before which the moved row is inserted, counted in the list as it was; moving down
    therefore lands one row earlier than that number.
    """
    return destination_child - 1 if destination_child > source else destination_child


def duplicates[T](items: Sequence[T]) -> set[T]:
    seen: set[T] = set()
    dup: set[T] = set()
    for item in items:
        (dup if item in seen else seen).add(item)
    return dup


def _clamp(value: int, upper: int) -> int:
    return max(0, min(value, upper))
