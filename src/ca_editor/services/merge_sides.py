"""The three sides of a check-in read from the databases: base and mine from the laptop desk, theirs from
the shared desk, as ``domain.merge.DeskSide`` values.

Only what can matter is read: every story in any side's block, every story the laptop wrote new, and
every story the check-out took whose version moved on either desk (or that either deleted). A story both
left alone merges to itself and is never read, so a check-in of 200 edits out of a 10,000-story archive
reads about 200 stories three times, not 10,000.

Keys (``domain.merge.StoryKey``): ``"s<id>"`` for a story the check-out took (ids are kept), ``"m<id>"`` for
one new on the laptop (its laptop id), ``"t<id>"`` for one new on the shared desk (in its block).

A story is its id AND its ``created_at``: SQLite (no AUTOINCREMENT) gives the next story written the id of
the newest one deleted, on the laptop desk or on a SQLite shared desk. A row under a taken id whose
``created_at`` is not the one recorded at check-out (``checkout_base_stories``) is a new story of that desk
("m"/"t", written under a new id) and the taken story counts as deleted there. Every way a story is made
(the window, the CLI, imports, check-in) stamps a new ``created_at``; the undo of a delete brings back the
old one with the old id, so it stays the same story.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
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
    taken = {
        int(i): (int(v), _aware(c))
        for i, v, c in laptop.execute(
            select(base_rows.c.story_id, base_rows.c.version, base_rows.c.created_at)
        )
    }
    mine_rows = {
        int(i): (int(v), _aware(c))
        for i, v, c in laptop.execute(select(stories.c.id, stories.c.version, stories.c.created_at))
    }
    theirs_rows = dict(_triples(shared, taken))
    # Rows under a taken id that are other stories (see the module): new there, the taken one deleted there.
    mine_reborn = {i for i, (_, created) in mine_rows.items() if i in taken and created != taken[i][1]}
    theirs_reborn = {i for i, (_, created) in theirs_rows.items() if created != taken[i][1]}
    mine_versions = {i: v for i, (v, _) in mine_rows.items() if i not in mine_reborn}
    theirs_versions = {i: v for i, (v, _) in theirs_rows.items() if i not in theirs_reborn}
    mine_block = read_block(laptop, section_id)
    theirs_block = read_block(shared, section_id)
    relevant = {
        story_id
        for story_id, (version, _) in taken.items()
        if mine_versions.get(story_id) != version or theirs_versions.get(story_id) != version
    }
    for block in (base_block, mine_block, theirs_block):
        relevant.update(slot["story_id"] for slot in block["slots"] if slot["story_id"] in taken)
    new_mine = (set(mine_rows) - set(taken)) | mine_reborn
    new_theirs = {slot["story_id"] for slot in theirs_block["slots"]} - (set(taken) - theirs_reborn)
    base_stories = {
        story_key("s", int(i)): dict(fields)
        for i, fields in _pairs(laptop, base_rows.c.story_id, base_rows.c.fields, relevant)
    }
    mine_stories = _stories(laptop, relevant - mine_reborn, "s") | _stories(laptop, new_mine, "m")
    theirs_stories = _stories(shared, relevant - theirs_reborn, "s") | _stories(shared, new_theirs, "t")
    return Sides(
        _side(base_block, base_stories, set(taken), "s"),
        _side(theirs_block, theirs_stories, set(taken) - theirs_reborn, "t"),
        _side(mine_block, mine_stories, set(taken) - mine_reborn, "m"),
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


def _triples(shared: Connection, taken: Iterable[int]) -> Iterator[tuple[int, tuple[int, datetime]]]:
    """The shared desk's version and creation time of each taken id it still has a row under."""
    table = StoryRow.__table__
    columns = (table.c.id, table.c.version, table.c.created_at)
    for batch in _batches(taken):
        for found, version, created in shared.execute(select(*columns).where(table.c.id.in_(batch))):
            yield int(found), (int(version), _aware(created))


def _aware(value: datetime) -> datetime:
    """A creation time comparable whichever column type read it (the ORM's aware, a plain naive UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _pairs(connection: Connection, key: Any, value: Any, ids: Iterable[int]) -> Iterator[tuple[int, Any]]:
    for batch in _batches(ids):
        for found, other in connection.execute(select(key, value).where(key.in_(batch))):
            yield int(found), other


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), BATCH):
        yield ordered[start : start + BATCH]
