"""Engines with the connection settings this app relies on.

SQLite gets, on every connection: foreign keys on, WAL, a busy timeout, and driver-level autocommit with an
explicit ``BEGIN`` emitted by SQLAlchemy (the documented pysqlite recipe). That recipe is what makes DDL
transactional, so a failing migration rolls back whole; it also lets writers ask for ``BEGIN IMMEDIATE``,
taking the write lock up front instead of failing with "database is locked" when a read turns into a write.
Everything SQLite-only sits behind ``is_sqlite`` so the same code runs on PostgreSQL.

PostgreSQL writers start with a plain ``BEGIN`` (READ COMMITTED): there is no database-wide write lock to
take. Row locks serialise writers of one row, the version columns (``version_id_col``) turn a lost update
into a conflict, and layout writes lock their section row (``SELECT … FOR UPDATE``). What SQLite's write lock
also did for a first start (migrate and seed once) is ``first_start_lock``, a transaction-scoped advisory
lock.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.pool import ConnectionPoolEntry

BUSY_TIMEOUT_MS = 15_000
BEGIN_MODE_OPTION = "ca_editor_begin"  # execution option: "IMMEDIATE" for writers


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, enforce_foreign_keys: bool = True) -> Engine:
    """Create an engine for ``url``; ``enforce_foreign_keys=False`` is for migrations that rebuild tables."""
    if not url.startswith("sqlite"):
        return create_engine(driver_url(url), pool_pre_ping=True, connect_args=server_timeouts(url))
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    _configure_sqlite(engine, enforce_foreign_keys=enforce_foreign_keys)
    return engine


# A server that vanishes from the network (no refusal, just silence) would otherwise hold a connect for the
# kernel's two minutes of SYN retries and a statement for a quarter of an hour of retransmissions, with the
# window frozen on a save. libpq's own settings bound both; a URL or PG* variable that sets one wins.
_SERVER_TIMEOUTS = {
    "connect_timeout": 10,  # seconds
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,  # milliseconds unacknowledged before the connection counts as gone
}
_TIMEOUT_VARIABLES = {"connect_timeout": "PGCONNECT_TIMEOUT"}


def server_timeouts(url: str) -> dict[str, int]:
    """libpq's connect and dead-peer timeouts for a server URL, but none that the URL or PG* variables set."""
    given = make_url(driver_url(url)).query
    return {
        name: value
        for name, value in _SERVER_TIMEOUTS.items()
        if name not in given and not os.environ.get(_TIMEOUT_VARIABLES.get(name, ""))
    }


def driver_url(url: str) -> str:
    """``postgresql://…`` (what people and libpq write) means psycopg 3 here, not SQLAlchemy's psycopg2."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url.removeprefix(plain)
    return url


def _configure_sqlite(engine: Engine, *, enforce_foreign_keys: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Autocommit at the driver: pysqlite's own implicit BEGIN would otherwise defeat transactional DDL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute(f"PRAGMA foreign_keys = {'ON' if enforce_foreign_keys else 'OFF'}")
            if not _is_memory(engine) and not _is_read_only(engine):
                # A read-only file keeps its journal mode: switching a rollback-journal file (one restored
                # from a backup, say) to WAL is a write, and refused there.
                cursor.execute("PRAGMA journal_mode = WAL")
                # With WAL, NORMAL never corrupts the file; a power cut may lose the last commits, an app
                # crash none. FULL would fsync every commit, which the desk's many small saves would feel.
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(BEGIN_MODE_OPTION, "") == "IMMEDIATE":
            _begin_immediate(connection)
        else:
            connection.exec_driver_sql("BEGIN")


def _begin_immediate(connection: Connection) -> None:
    """Take the write lock, waiting up to ``BUSY_TIMEOUT_MS`` for another writer (this or another process).

    SQLite's own busy handler backs off to 100 ms sleeps, so a writer waiting on another one that commits
    and starts again every few milliseconds keeps missing the gaps: two processes saving in a loop spent
    most of their time asleep. Here the wait is a loop of ``BEGIN IMMEDIATE`` tries with the busy timeout
    off and short sleeps (0.5 ms doubling to 8 ms, jittered so two waiters do not keep colliding). Only
    when the whole timeout passes does "database is locked" reach the caller (as ``StorageError``).
    """
    raw = connection.connection.dbapi_connection
    if raw is None or not isinstance(raw, sqlite3.Connection):  # another driver: its own busy handling
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = _FIRST_RETRY_S
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or time.monotonic() + delay > deadline:
                    break
            time.sleep(delay * (0.5 + random.random()))  # noqa: S311 - jitter, not cryptography
            delay = min(delay * 2, _LAST_RETRY_S)
        # Out of time (or another error): one last try through SQLAlchemy, which reports it as usual.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


_FIRST_RETRY_S, _LAST_RETRY_S = 0.0005, 0.008


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused because another connection holds a lock (SQLITE_BUSY / SQLITE_LOCKED)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc).lower() or "busy" in str(exc).lower()


def writer(engine: Engine) -> Engine:
    """The same pool, but every transaction starts with ``BEGIN IMMEDIATE`` on SQLite.

    On PostgreSQL the engine as it is: a plain ``BEGIN`` is right there (module docstring), and asking for
    more (SERIALIZABLE, a table lock) would make every save wait on every other for nothing.
    """
    return engine.execution_options(**{BEGIN_MODE_OPTION: "IMMEDIATE"}) if is_sqlite(engine) else engine


# Any fixed 64-bit number, the same in every ca-editor: the advisory lock of migrating and seeding.
FIRST_START_LOCK_KEY = 0x63612D6564697401  # "ca-edit" + 1


def first_start_lock(connection: Connection) -> None:
    """Queue behind any other workstation migrating or seeding this database, until this transaction ends.

    On SQLite the writer's ``BEGIN IMMEDIATE`` already did it. On PostgreSQL two first starts at once would
    both find an empty database and both create the tables (one failing on "already exists") or both seed
    the demo section; ``pg_advisory_xact_lock`` makes the second wait for the first's commit, after which
    (READ COMMITTED: every statement sees what was committed before it) it finds the work done.
    """
    _advisory_xact_lock(connection, FIRST_START_LOCK_KEY)


IMPORT_LOCK_KEY = FIRST_START_LOCK_KEY + 1


def import_lock(connection: Connection) -> None:
    """Queue behind any other import into this database, until this transaction ends.

    An import plans inside its write transaction and writes that plan ("nothing moves between"). SQLite's
    ``BEGIN IMMEDIATE`` makes that true; on PostgreSQL two imports of one new story would both plan "add"
    and the second fail on the unique slug. With this lock the second plans after the first's commit.
    """
    _advisory_xact_lock(connection, IMPORT_LOCK_KEY)


def _advisory_xact_lock(connection: Connection, key: int) -> None:
    if connection.dialect.name == "postgresql":  # SQLite: the writer's BEGIN IMMEDIATE holds the whole file
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _is_read_only(engine: Engine) -> bool:
    """Opened with ``mode=ro`` or ``immutable=1`` (``persistence.backup.read_only_url``)."""
    query = engine.url.query
    return query.get("mode") == "ro" or query.get("immutable") == "1"


def _is_memory(engine: Engine) -> bool:
    database = engine.url.database
    return not database or database == ":memory:"
