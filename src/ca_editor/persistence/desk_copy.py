"""Copy a whole desk from one database to another (SQLite or PostgreSQL, either way) in one transaction.

The target is migrated to this version's schema first when it is new or empty (a target at another
revision holding data is refused before anything changes, unless ``replace``). Then, in ONE transaction
on the target (``BEGIN IMMEDIATE`` on SQLite): refuse a target that holds data unless ``replace`` (its
rows are deleted first, children before parents), copy every table of ``persistence/desk_tables.py`` in
foreign-key order with its explicit ids, set PostgreSQL's sequences past the copied ids (``setval``:
otherwise the next new story would collide with a copied id), and read every table back to compare its
count and checksum with what was read from the source. Any difference raises and rolls the whole copy back.

The source is read in one snapshot (a read transaction on SQLite, ``REPEATABLE READ`` on PostgreSQL), so a
colleague saving meanwhile is either wholly in the copy or not at all. Rows go across in batches
(``executemany``; psycopg pipelines them), never the whole table in memory.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, MetaData, Table, bindparam, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from ca_editor.domain.desk_events import EventKind
from ca_editor.domain.errors import StorageError
from ca_editor.locations import shown_url
from ca_editor.persistence.backup import check_file, sqlite_file, take_backup
from ca_editor.persistence.desk_tables import (
    RENDER_CACHE,
    Checksum,
    Tally,
    copied_columns,
    desk_tables,
    engine_internal,
    order_by,
    row_count,
    tally,
)
from ca_editor.persistence.engine import is_sqlite, make_engine, writer
from ca_editor.persistence.migrate import head_revision, upgrade

Progress = Callable[[int, int], None]  # (rows done, rows in all)

#: Rows per batch; fewer when rows carry pictures (``BATCH_BYTES``).
BATCH_ROWS = 1000
BATCH_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class TableCopy:
    name: str
    rows: int
    checksum: str


@dataclass(frozen=True, slots=True)
class CopyReport:
    source: str  # shown (no password)
    target: str
    tables: tuple[TableCopy, ...]
    replaced: bool  # the target held a desk, now replaced
    seconds: float

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def summary(self) -> str:
        return (
            f"copied {self.rows} rows in {len(self.tables)} tables from {self.source} to {self.target} "
            f"in {self.seconds:.1f} s; counts and checksums verified"
        )


class CopyStoppedError(StorageError):
    """The database refused part of the copy (full, gone, no rights): the target was rolled back."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # what the database said, one line


class CopyMismatchError(StorageError):
    """The target's rows, read back, differ from the source's: the copy was rolled back."""


def copy_desk(
    source_url: str,
    target_url: str,
    *,
    replace: bool = False,
    render_cache: bool = True,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy everything of the desk at ``source_url`` (at this version's schema) into ``target_url``."""
    _refuse_same_database(source_url, target_url)
    started = time.monotonic()
    source_engine = make_engine(source_url)
    try:
        _require_current(source_engine, source_url)
        target_engine = _prepared_target(target_url, replace=replace)
        try:
            with (
                _storage_errors(target_url),
                _snapshot(source_engine) as source,
                writer(target_engine).begin() as target,
            ):
                tables, replaced = _copy(source, target, replace, render_cache, target_url, progress)
        finally:
            target_engine.dispose()
    finally:
        source_engine.dispose()
    return CopyReport(
        shown_url(source_url), shown_url(target_url), tables, replaced, time.monotonic() - started
    )


def _copy(
    source: Connection,
    target: Connection,
    replace: bool,
    render_cache: bool,
    target_url: str,
    progress: Progress | None,
) -> tuple[tuple[TableCopy, ...], bool]:
    source_tables, target_tables = desk_tables(source), desk_tables(target)
    missing = sorted(set(source_tables.tables) - set(target_tables.tables))
    if missing:
        raise StorageError(
            f"{shown_url(target_url)} has no table {', '.join(missing)} (another schema revision); "
            "nothing was changed"
        )
    plan = [
        (source_tables.tables[t.name], t, copied_columns(source_tables.tables[t.name], t))
        for t in target_tables.sorted_tables
        if t.name in source_tables.tables and (render_cache or t.name != RENDER_CACHE)
    ]
    held = _rows_held(target, target_tables)
    if held and not replace:
        raise StorageError(
            f"{shown_url(target_url)} already holds a desk ({_describe(held)}); nothing was changed. "
            "Copy into an empty database, or add --replace to overwrite it."
        )
    for table in reversed(target_tables.sorted_tables):  # children first: no foreign key refuses
        target.execute(table.delete())
    total = sum(row_count(source, source_table) for source_table, _, _ in plan)
    done = 0
    copied: list[TableCopy] = []
    for source_table, target_table, columns in plan:
        sent = Checksum()
        for batch in _batches(source, source_table, columns):
            target.execute(target_table.insert(), [dict(zip(columns, row, strict=True)) for row in batch])
            sent.add(batch)
            done += len(batch)
            if progress is not None:
                progress(done, total)
        copied.append(TableCopy(target_table.name, sent.rows, sent.tally().checksum))
    if target.dialect.name == "postgresql":
        _advance_sequences(target, [t for _, t, _ in plan])
    _verify(target, plan, copied, target_url)
    _announce(target)
    return tuple(copied), bool(held)


def _batches(source: Connection, table: Table, columns: list[str]) -> Iterator[list[tuple[Any, ...]]]:
    query = select(*(table.c[name] for name in columns)).order_by(*order_by(table))
    # Options on the statement: ``Connection.execution_options`` would change the connection for good.
    result = source.execute(query.execution_options(stream_results=True, yield_per=BATCH_ROWS))
    batch: list[tuple[Any, ...]] = []
    size = 0
    for row in result:
        values = tuple(row)
        batch.append(values)
        size += sum(len(v) for v in values if isinstance(v, bytes | str))
        if len(batch) >= BATCH_ROWS or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _verify(
    target: Connection, plan: list[tuple[Table, Table, list[str]]], copied: list[TableCopy], target_url: str
) -> None:
    """Read every table back in the copy's own transaction; any difference rolls the whole copy back."""
    for (_, target_table, columns), sent in zip(plan, copied, strict=True):
        found = tally(target, target_table, columns)
        if found != Tally(sent.rows, sent.checksum):
            raise CopyMismatchError(
                f"the copy of {target_table.name} in {shown_url(target_url)} differs from the source "
                f"({found.rows} rows read back, {sent.rows} sent; checksums {found.checksum[:12]} and "
                f"{sent.checksum[:12]}); the copy was rolled back and {shown_url(target_url)} is as it was"
            )


def _announce(target: Connection) -> None:
    """One event in the target's live log (migration 0013): desks open on it re-read everything at the
    commit (PostgreSQL's NOTIFY fires then) instead of showing the desk that was replaced."""
    if "desk_events" not in inspect(target).get_table_names():
        return
    who = target.execute(text("SELECT current_user")).scalar() if not is_sqlite(target) else ""
    target.execute(
        text(
            "INSERT INTO desk_events (at, who, token, kind, section_id, detail)"
            " VALUES (:at, :who, :token, :kind, NULL, :detail)"
        ).bindparams(bindparam("at", type_=DateTime())),  # each engine's own way to store a time
        {
            "at": datetime.now(UTC).replace(tzinfo=None),  # naive UTC, as ``models.UTCDateTime`` stores
            "who": str(who or ""),
            "token": "desk-copy",
            "kind": EventKind.OTHER.value,
            "detail": json.dumps({"everything": True}),
        },
    )


def _advance_sequences(target: Connection, tables: list[Table]) -> None:
    """Every serial or identity column's sequence set past the highest copied value."""
    for table in tables:
        for column in table.primary_key.columns:
            sequence = target.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            ).scalar_one()
            if sequence is None:
                continue
            highest = target.execute(select(func.max(column))).scalar_one()
            target.execute(
                text("SELECT setval(:sequence, :value, :called)"),
                {"sequence": sequence, "value": highest or 1, "called": highest is not None},
            )


def _rows_held(connection: Connection, tables: MetaData) -> dict[str, int]:
    held = {name: row_count(connection, table) for name, table in tables.tables.items()}
    return {name: count for name, count in held.items() if count}


def _describe(held: dict[str, int]) -> str:
    shown = [f"{count} {name}" for name, count in sorted(held.items(), key=lambda item: -item[1])[:4]]
    return ", ".join(shown) + (", …" if len(held) > 4 else "")


# --- the two ends ------------------------------------------------------------------------------------------


def _refuse_same_database(source_url: str, target_url: str) -> None:
    source_file, target_file = sqlite_file(source_url), sqlite_file(target_url)
    if source_file is not None and target_file is not None:
        same = source_file.resolve() == target_file.resolve()
    else:  # one server database, whoever logs in to it
        same = _server_database(source_url) == _server_database(target_url)
    if same:
        raise StorageError("the source and the target are the same database; nothing was copied")


def _server_database(url: str) -> tuple[str, str, int, str]:
    parsed = make_url(url)
    default_port = 5432 if parsed.get_backend_name() == "postgresql" else 0
    host = (parsed.host or "localhost").lower()
    return (parsed.get_backend_name(), host, parsed.port or default_port, parsed.database or "")


def _require_current(engine: Engine, url: str) -> None:
    if _revision(engine) != head_revision():
        raise StorageError(
            f"{shown_url(url)} is not at this version's schema; open it once with this version of ca-editor "
            "(it upgrades it), then copy"
        )


def _prepared_target(url: str, *, replace: bool) -> Engine:
    """The target, migrated to this version's schema when it is new or empty; refused when it holds another
    program's tables or (without ``replace``) a desk at another revision. An SQLite file about to be replaced
    is backed up first."""
    file = sqlite_file(url)
    if file is not None:
        check_file(file)  # a damaged file is refused untouched
    engine = make_engine(url)
    try:
        with _storage_errors(url), engine.connect() as connection:
            names = set(inspect(connection).get_table_names()) - engine_internal(connection)
            held = _rows_held(connection, desk_tables(connection)) if "alembic_version" in names else {}
            revision = _revision(connection) if "alembic_version" in names else None
        if held and not replace:
            raise StorageError(
                f"{shown_url(url)} already holds a desk ({_describe(held)}); nothing was changed. "
                "Copy into an empty database, or add --replace to overwrite it."
            )
        if held and file is not None:
            take_backup(file, "before-copy")  # replaced: a way back
        if revision != head_revision():
            with _storage_errors(url):
                _migrate(url)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _migrate(url: str) -> None:
    from alembic.util import CommandError

    try:
        upgrade(url)
    except CommandError as exc:  # a target newer than this version
        raise StorageError(f"cannot prepare {shown_url(url)}: {exc}; nothing was copied") from exc


def _revision(bind: Engine | Connection) -> str | None:
    def read(connection: Connection) -> str | None:
        if "alembic_version" not in inspect(connection).get_table_names():
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

    if isinstance(bind, Connection):
        return read(bind)
    with bind.connect() as connection:
        return read(connection)


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One consistent read of the source: a read transaction on SQLite, REPEATABLE READ on PostgreSQL."""
    options: dict[str, Any] = {}
    if not is_sqlite(engine):
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with engine.connect() as connection, connection.execution_options(**options).begin():
        yield connection


@contextmanager
def _storage_errors(url: str) -> Iterator[None]:
    """Driver errors as one sentence naming the database (never a traceback)."""
    try:
        yield
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        hint = ""
        if "permission denied" in reason.lower():  # an editor's login: replacing a desk is the owner's job
            hint = "; copying into a server database needs its owner's login (the one that runs migrations)"
        raise CopyStoppedError(
            f"the copy stopped ({reason}); it was rolled back and {shown_url(url)} is as it was{hint}", reason
        ) from exc
    except SQLAlchemyError as exc:
        raise StorageError(f"the copy stopped ({exc}); {shown_url(url)} is as it was") from exc
