"""The three sides of a check-in read from the databases: base and mine from the laptop desk, theirs from
the shared desk, as ``domain.merge.DeskSide`` values.

Only what can matter is read: every story in any side's block, every story the laptop wrote new, and
every story the check-out took whose version moved on either desk (or that either deleted). A story both
left alone merges to itself and is never read, so a check-in of 200 edits out of a 10,000-story archive
reads about 200 stories three times, not 10,000.

Keys (``domain.merge.StoryKey``): ``"s<id>"`` for a story the check-out took (ids are kept), ``"m<id>"`` for
one new on the laptop (its laptop id), ``"t<id>"`` for one new on the shared desk (in its block).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from ca_editor.domain.merge import DeskSide, SlotPick, StoryKey
from ca_editor.persistence.checkout_block import read_block
from ca_editor.persistence.checkout_rows import STORY_FIELD_COLUMNS, BaseStoryRow, story_fields
from ca_editor.persistence.models import StoryRow

BATCH = 900  # ids per IN (…): under SQLite's old 999-variable limit


@dataclass(frozen=True, slots=True)
class Sides:
    base: DeskSide
    theirs: DeskSide
    mine: DeskSide


def story_key(prefix: str, story_id: int) -> StoryKey:
    return f"{prefix}{story_id}"


def key_id(key: StoryKey) -> tuple[str, int]:
    """``"s12"`` → ``("s", 12)``."""
    return key[0], int(key[1:])


def read_sides(
    laptop: Connection, shared: Connection, section_id: int, base_block: Mapping[str, Any]
) -> Sides:
    """Base (the check-out's record), mine (the laptop now) and theirs (the shared desk now)."""
    base_rows = BaseStoryRow.__table__
    stories = StoryRow.__table__
    base_versions = {
        int(i): int(v) for i, v in laptop.execute(select(base_rows.c.story_id, base_rows.c.version))
    }
    mine_versions = {int(i): int(v) for i, v in laptop.execute(select(stories.c.id, stories.c.version))}
    theirs_versions = dict(_pairs(shared, stories.c.id, stories.c.version, base_versions))
    mine_block = read_block(laptop, section_id)
    theirs_block = read_block(shared, section_id)
    taken = set(base_versions)
    relevant = {
        story_id
        for story_id, version in base_versions.items()
        if mine_versions.get(story_id) != version or theirs_versions.get(story_id) != version
    }
    for block in (base_block, mine_block, theirs_block):
        relevant.update(slot["story_id"] for slot in block["slots"] if slot["story_id"] in taken)
    new_mine = set(mine_versions) - taken
    new_theirs = {slot["story_id"] for slot in theirs_block["slots"]} - taken
    base_stories = {
        story_key("s", int(i)): dict(fields)
        for i, fields in _pairs(laptop, base_rows.c.story_id, base_rows.c.fields, relevant)
    }
    mine_stories = _stories(laptop, relevant, "s") | _stories(laptop, new_mine, "m")
    theirs_stories = _stories(shared, relevant, "s") | _stories(shared, new_theirs, "t")
    return Sides(
        _side(base_block, base_stories, taken, "s"),
        _side(theirs_block, theirs_stories, taken, "t"),
        _side(mine_block, mine_stories, taken, "m"),
    )


def _side(
    block: Mapping[str, Any], stories: dict[StoryKey, dict[str, Any]], taken: set[int], new: str
) -> DeskSide:
    picks = tuple(
        SlotPick(
            story_key("s" if slot["story_id"] in taken else new, slot["story_id"]), dict(slot["overrides"])
        )
        for slot in block["slots"]
    )
    return DeskSide(dict(block["settings"]), picks, stories)


def _stories(connection: Connection, ids: Collection[int], prefix: str) -> dict[StoryKey, dict[str, Any]]:
    table = StoryRow.__table__
    columns = [table.c.id, *(table.c[name] for name in STORY_FIELD_COLUMNS)]
    found: dict[StoryKey, dict[str, Any]] = {}
    for batch in _batches(ids):
        for row in connection.execute(select(*columns).where(table.c.id.in_(batch))):
            found[story_key(prefix, int(row.id))] = story_fields(dict(row._mapping))
    return found


def _pairs(connection: Connection, key: Any, value: Any, ids: Iterable[int]) -> Iterator[tuple[int, Any]]:
    for batch in _batches(ids):
        for found, other in connection.execute(select(key, value).where(key.in_(batch))):
            yield int(found), other


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), BATCH):
        yield ordered[start : start + BATCH]
