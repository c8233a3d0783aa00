"""Three-way merge of one record field by field: the section's settings, a story, a slot's overrides.

Each field is decided on its own: a field only one side changed takes that change; the same change on
both sides is taken once; different changes on both sides are a clash, settled by the caller's choice
(theirs until someone chooses). A field missing from a record (``MISSING``) is a value like any other, so
a field one side added or dropped merges the same way.

Values are compared after ``normal``: the readers hand over JSON-able values, and a list read from one
desk must equal the same tuple read from the other (tags, focal points).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Final, Literal

Side = Literal["theirs", "mine"]


class _Missing:
    """The value of a field a record does not have."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()


def normal(value: object) -> object:
    """``value`` in a form where equal data compares equal: sequences as tuples, mappings as sorted pairs."""
    if isinstance(value, list | tuple):
        return tuple(normal(item) for item in value)
    if isinstance(value, Mapping):
        return tuple(sorted(((str(k), normal(v)) for k, v in value.items()), key=lambda kv: kv[0]))
    return value


def same(a: object, b: object) -> bool:
    return normal(a) == normal(b)


@dataclass(frozen=True, slots=True)
class FieldClash:
    """One field both sides changed, differently."""

    field: str
    base: object
    theirs: object
    mine: object


@dataclass(frozen=True, slots=True)
class FieldMerge:
    merged: dict[str, object]
    clashes: tuple[FieldClash, ...]
    mine_lost: bool  # a clash was settled for theirs: mine's version of the record lost something
    theirs_lost: bool


def merge_fields(
    base: Mapping[str, object],
    theirs: Mapping[str, object],
    mine: Mapping[str, object],
    choice: Callable[[str], Side],
    order: tuple[str, ...] = (),
) -> FieldMerge:
    """Merge three versions of one record; ``choice(field)`` settles a clash on ``field``.

    Fields come out in ``order`` first, then the rest sorted by name, so the result (and the order of the
    clashes) never depends on the insertion order of the inputs.
    """
    merged: dict[str, object] = {}
    clashes: list[FieldClash] = []
    mine_lost = theirs_lost = False
    for name in _ordered(frozenset(base) | frozenset(theirs) | frozenset(mine), order):
        b, t, m = base.get(name, MISSING), theirs.get(name, MISSING), mine.get(name, MISSING)
        # Unchanged on theirs: mine's value (even when mine did not change it either, so that merging
        # with an unchanged theirs returns mine exactly, down to a list that equals a tuple).
        if same(t, b):
            value = m
        elif same(m, b) or same(t, m):
            value = t
        else:
            clashes.append(FieldClash(name, b, t, m))
            picked = choice(name)
            value = m if picked == "mine" else t
            mine_lost = mine_lost or picked == "theirs"
            theirs_lost = theirs_lost or picked == "mine"
        if value is not MISSING:
            merged[name] = value
    return FieldMerge(merged, tuple(clashes), mine_lost, theirs_lost)


def in_order(record: Mapping[str, object], order: tuple[str, ...]) -> dict[str, object]:
    """``record`` with its fields in ``order``, then the rest by name: one record, one spelling."""
    return {name: record[name] for name in _ordered(frozenset(record), order)}


@cache  # an archive's stories share a handful of field sets: order each once
def _ordered(names: frozenset[str], order: tuple[str, ...]) -> tuple[str, ...]:
    return (*(name for name in order if name in names), *sorted(names - set(order)))


def changed(base: Mapping[str, object], side: Mapping[str, object]) -> bool:
    """Whether ``side`` differs from ``base`` in any field."""
    return any(not same(base.get(name, MISSING), side.get(name, MISSING)) for name in set(base) | set(side))
