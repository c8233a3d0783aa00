"""What a desk copy carries, read from the databases themselves: tables, columns, counts and checksums.

``persistence/desk_copy.py`` copies every table both databases have, in foreign-key order, reflected (not
listed here), so a table a later migration adds is copied without a change to this code. Left out:

- the engine's own machinery: an SQLite full-text index (a virtual table and its shadow tables, refilled by
  the ``stories`` triggers as rows arrive) and columns the database computes (a generated column, a
  ``tsvector`` kept by a trigger);
- ``BOOKKEEPING``: tables that describe one database rather than the desk (which schema revision it is at,
  its change counter, export marks naming bundle folders of this database's machine, who has it open now).

A checksum is the sum, modulo 2**256, of a BLAKE2 digest of every row in a canonical text form, so it does
not depend on the order rows come back in (text collations differ between engines) and needs no memory per
row. Values are compared as Python sees them through each engine's reflected types: a time is naive UTC on
both, JSON is parsed, a boolean is ``True``/``False``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Connection, MetaData, Table, func, inspect, select, text

from ca_editor.domain.errors import StorageError

#: Tables of one database, not of the desk: never copied, and what the target had is kept.
BOOKKEEPING = frozenset(
    {
        "alembic_version",  # the target's own migrations wrote it
        "desk_generation",  # a change counter the target's triggers keep moving
        "export_marks",  # "this folder holds this database's export": not true of the copy
        "desk_events",  # the live broadcast's recent changes (issue 14): news for open desks, not history
        "presence",  # who has a section open right now, on that database
    }
)
#: The render cache: derived from stories, copied unless asked not to (then the target renders again).
RENDER_CACHE = "rendered_bodies"

_DERIVED_TYPES = ("TSVECTOR",)
_MASK = (1 << 256) - 1


@dataclass(frozen=True, slots=True)
class Tally:
    """A table's row count and content checksum (hex)."""

    rows: int
    checksum: str


class Checksum:
    """An order-independent checksum of rows, fed as they stream by."""

    def __init__(self) -> None:
        self.rows = 0
        self._sum = 0

    def add(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            encoded = json.dumps([canonical(value) for value in row], ensure_ascii=False)
            digest = hashlib.blake2b(encoded.encode("utf-8", "surrogatepass"), digest_size=32).digest()
            self._sum = (self._sum + int.from_bytes(digest, "big")) & _MASK
            self.rows += 1

    def tally(self) -> Tally:
        return Tally(self.rows, f"{self._sum:064x}")


def canonical(value: Any) -> Any:
    """A value as JSON-able text that is the same whichever engine it was read from."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return ["bool", value]
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, float):
        return ["float", repr(value)]
    if isinstance(value, Decimal):
        return ["decimal", str(value.normalize())]
    if isinstance(value, datetime):  # naive UTC on both engines (models.UTCDateTime)
        return ["datetime", value.replace(tzinfo=None).isoformat()]
    if isinstance(value, date | time):
        return ["time", value.isoformat()]
    if isinstance(value, bytes | bytearray | memoryview):
        return ["bytes", hashlib.blake2b(bytes(value), digest_size=32).hexdigest()]
    # JSON columns: parsed on both engines; keys sorted so jsonb's own order would not matter either.
    return ["json", json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)]


def engine_internal(connection: Connection) -> set[str]:
    """Tables the engine keeps for itself: SQLite's virtual tables and their shadow tables."""
    if connection.dialect.name != "sqlite":
        return set()
    rows = connection.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL")
    ).all()
    virtual = {str(name) for name, sql in rows if re.match(r"(?is)\s*create\s+virtual\s+table", str(sql))}
    return {str(name) for name, _ in rows if any(str(name).startswith(v) for v in virtual)}


def desk_tables(connection: Connection) -> MetaData:
    """The desk's tables in ``connection``'s database, reflected (bookkeeping and engine tables left out)."""
    skipped = engine_internal(connection) | BOOKKEEPING
    names = [n for n in inspect(connection).get_table_names() if n not in skipped]
    metadata = MetaData()
    metadata.reflect(connection, only=names)
    return metadata


def is_derived(column: Column[Any]) -> bool:
    """A column the database fills itself: generated, or a full-text vector kept by a trigger."""
    return column.computed is not None or type(column.type).__name__.upper() in _DERIVED_TYPES


def copied_columns(source: Table, target: Table) -> list[str]:
    """The columns to copy: both tables' own data columns, in the target's order.

    A data column only one side has means the schemas differ (another revision): refused, never dropped.
    """
    ours = [c.name for c in source.columns if not is_derived(c)]
    theirs = [c.name for c in target.columns if not is_derived(c)]
    missing = sorted(set(ours) ^ set(theirs))
    if missing:
        raise StorageError(
            f"the two databases' {target.name} tables differ (columns {', '.join(missing)}); open both once "
            "with this version of ca-editor so they share its schema, then copy again. Nothing was changed."
        )
    return theirs


def order_by(table: Table) -> list[Column[Any]]:
    return list(table.primary_key.columns) or list(table.columns)


def tally(connection: Connection, table: Table, columns: Sequence[str]) -> Tally:
    """Count and checksum ``columns`` of ``table`` as ``connection`` sees it (streamed)."""
    checksum = Checksum()
    query = select(*(table.c[name] for name in columns))
    # On the statement, not the connection (that would make every later statement a server-side cursor).
    result = connection.execute(query.execution_options(stream_results=True, yield_per=2000))
    for partition in result.partitions():
        checksum.add(partition)
    return checksum.tally()


def row_count(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())
