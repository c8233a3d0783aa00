"""Copy one section out of a desk (SQLite or PostgreSQL) into a new SQLite laptop desk, with its base.

What goes: the section and its settings, desk chiefs, block (slots and overrides), former slots, snapshots
and sign-offs; the stories in its block or former slots and the archive of the last N months (by publication
date; an undated draft by its last save), with their status history and cached pages; the pictures any of
those rows name; every person. Ids are kept, so a story's key is the same on both desks (``"s<id>"``; with
its creation time, recorded in ``checkout_base_stories``: SQLite hands a deleted story's id on).

Which rows of a table go is worked out from the reflected schema, not listed: the section and the stories
are chosen; any other table's row goes when every foreign key it holds points at a row that goes (a table a
later migration adds, keyed to a section or a story, travels without a change here); pictures go when a row
that goes names them. Bookkeeping tables and the check-out tables themselves stay.

The laptop desk is written to ``NAME.partial`` (migrated first, then filled in ONE transaction, read in one
snapshot of the source) and only the caller renames it into place: a desk half written is never mistaken for
a laptop desk.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    MetaData,
    and_,
    false,
    or_,
    select,
    text,
    true,
    union,
)

from ca_editor.persistence.checkout_block import read_block
from ca_editor.persistence.checkout_rows import story_fields
from ca_editor.persistence.desk_tables import BOOKKEEPING, copied_columns, desk_tables, order_by
from ca_editor.persistence.engine import is_sqlite, make_engine, writer
from ca_editor.persistence.migrate import upgrade

#: Tables a check-out never copies: the shared desk's record of check-outs, and a laptop's own origin.
CHECKOUT_TABLES = frozenset({"checkouts", "checkout_origin", "checkout_base_stories"})
BATCH_ROWS = 1000
ASSETS = "assets"


@dataclass(frozen=True, slots=True)
class Origin:
    """What the laptop desk records about where it came from (``checkout_origin``)."""

    token: str
    section_id: int
    origin_url: str  # without a password
    taken_by: str
    taken_at: datetime
    months: int


@dataclass(frozen=True, slots=True)
class LaptopCopy:
    rows: dict[str, int]  # table -> rows copied
    seconds: float

    @property
    def stories(self) -> int:
        return self.rows.get("stories", 0)


def sqlite_url(path: Path) -> str:
    from sqlalchemy.engine import URL

    return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)


def write_laptop_desk(source: Engine, partial: Path, origin: Origin, since: datetime) -> LaptopCopy:
    """Make the laptop desk at ``partial``: migrated, then filled from ``source`` in one transaction."""
    started = time.monotonic()
    url = sqlite_url(partial)
    upgrade(url)
    target_engine = make_engine(url)
    try:
        with snapshot(source) as reading, writer(target_engine).begin() as writing, _bulk(writing):
            rows = _copy(reading, writing, origin, since)
    finally:
        target_engine.dispose()
    return LaptopCopy(rows, time.monotonic() - started)


def _copy(source: Connection, target: Connection, origin: Origin, since: datetime) -> dict[str, int]:
    source_tables, target_tables = desk_tables(source), desk_tables(target)
    skipped = BOOKKEEPING | CHECKOUT_TABLES
    chosen = _chosen_rows(source_tables, origin.section_id, since.astimezone(UTC).replace(tzinfo=None))
    counts: dict[str, int] = {}
    for target_table in target_tables.sorted_tables:
        name = target_table.name
        if name in skipped or name not in source_tables.tables:
            continue
        table = source_tables.tables[name]
        columns = copied_columns(table, target_table)
        query = select(*(table.c[c] for c in columns)).where(chosen[name]).order_by(*order_by(table))
        result = source.execute(query.execution_options(stream_results=True, yield_per=BATCH_ROWS))
        copied = 0
        for partition in result.partitions(BATCH_ROWS):
            rows = [dict(zip(columns, row, strict=True)) for row in partition]
            target.execute(target_table.insert(), rows)
            if name == "stories":
                _record_base_stories(target, target_tables, rows)
            copied += len(rows)
        counts[name] = copied
    _record_origin(target, target_tables, source, origin)
    return counts


def _chosen_rows(tables: MetaData, section_id: int, since: datetime) -> dict[str, ColumnElement[bool]]:
    """For every table, the condition its rows that travel meet (see the module)."""
    sections, stories = tables.tables["sections"], tables.tables["stories"]
    chosen: dict[str, ColumnElement[bool]] = {"sections": sections.c.id == section_id}
    in_section: list[Any] = [
        select(t.c.story_id).where(t.c.section_id == section_id)
        for name in ("slots", "former_slots")
        if (t := tables.tables.get(name)) is not None
    ]
    archive = or_(
        stories.c.published_at >= since,
        and_(stories.c.published_at.is_(None), stories.c.updated_at >= since),
    )
    chosen["stories"] = or_(archive, stories.c.id.in_(union(*in_section))) if in_section else archive
    for table in tables.sorted_tables:  # parents before children: a parent's condition is known
        if table.name in chosen or table.name == ASSETS:
            continue
        conditions: list[ColumnElement[bool]] = []
        for key in table.foreign_keys:
            parent = key.column.table
            if parent.name == ASSETS:  # pictures follow the rows, not the other way round
                continue
            if parent.name not in chosen:
                conditions.append(false())  # a parent that never travels (bookkeeping)
                continue
            picked = select(key.column).where(chosen[parent.name])
            conditions.append(or_(key.parent.is_(None), key.parent.in_(picked)))
        chosen[table.name] = and_(true(), *conditions)
    chosen[ASSETS] = _pictures_named(tables, chosen)
    return chosen


def _pictures_named(tables: MetaData, chosen: Mapping[str, ColumnElement[bool]]) -> ColumnElement[bool]:
    assets = tables.tables[ASSETS]
    named = [
        select(key.parent).where(chosen[table.name], key.parent.is_not(None))
        for table in tables.sorted_tables
        if table.name in chosen
        for key in table.foreign_keys
        if key.column.table.name == ASSETS
    ]
    return assets.c.sha256.in_(union(*named)) if named else false()


def _record_base_stories(target: Connection, tables: MetaData, rows: list[dict[str, Any]]) -> None:
    base = tables.tables["checkout_base_stories"]
    target.execute(
        base.insert(),
        [
            {
                "story_id": row["id"],
                "version": row["version"],
                "fields": story_fields(row),
                "created_at": _naive_utc(row["created_at"]),  # the story's identity with its id
            }
            for row in rows
        ],
    )


def _naive_utc(value: datetime) -> datetime:
    """As ``UTCDateTime`` stores it (the reflected columns take and give plain values)."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _record_origin(target: Connection, tables: MetaData, source: Connection, origin: Origin) -> None:
    target.execute(
        tables.tables["checkout_origin"].insert(),
        {
            "token": origin.token,
            "section_id": origin.section_id,
            "origin_url": origin.origin_url,
            "taken_by": origin.taken_by,
            "taken_at": origin.taken_at.astimezone(UTC).replace(tzinfo=None),
            "months": origin.months,
            "base": read_block(source, origin.section_id),
        },
    )


@contextmanager
def _bulk(target: Connection) -> Iterator[None]:
    """Row-by-row triggers of the new desk set aside while it is filled, in its one transaction (SQLite's
    DDL is transactional): the full-text index and the change counter cost two thirds of the copy (3.5 s
    against 1.2 s for 11,000 stories). Only triggers known to be safe to replay at once: those that only
    write an external-content full-text index (rebuilt once after) and the change counter (moved once).
    Any other trigger keeps running row by row."""
    triggers = [(str(n), str(q)) for n, q in target.execute(text(_TRIGGERS)).all()]
    indexes = {
        str(name)
        for name, sql in target.execute(text(_VIRTUAL)).all()
        if re.search(r"(?is)using\s+fts5\(.*\bcontent\s*=\s*'[^']+'", str(sql))
    }
    aside = [(name, sql) for name, sql in triggers if _replayable(name, sql, indexes)]
    for name, _ in aside:
        target.execute(text(f'DROP TRIGGER "{name}"'))  # a name read from sqlite_master, not typed in
    yield
    for index in sorted(indexes):
        rebuild = f'INSERT INTO "{index}"("{index}") VALUES (\'rebuild\')'  # noqa: S608 - a name from sqlite_master
        target.execute(text(rebuild))
    for _, sql in aside:
        target.execute(text(sql))
    if any(name.startswith(_COUNTER) for name, _ in aside):
        target.execute(text("UPDATE desk_generation SET generation = generation + 1"))


_TRIGGERS = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
_VIRTUAL = "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
_COUNTER = "desk_generation_"  # migration 0009: each trigger only moves the counter


def _replayable(name: str, sql: str, indexes: set[str]) -> bool:
    if name.startswith(_COUNTER):
        return True
    body = re.split(r"(?i)\bbegin\b", sql, maxsplit=1)[-1]
    written = set(re.findall(r'(?i)\b(?:insert\s+into|update|delete\s+from)\s+"?(\w+)', body))
    return bool(written) and written <= indexes


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """One consistent read: a read transaction on SQLite, REPEATABLE READ on PostgreSQL."""
    options: dict[str, Any] = {}
    if not is_sqlite(engine):
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with engine.connect() as connection, connection.execution_options(**options).begin():
        yield connection
