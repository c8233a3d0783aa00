"""Engines with the connection settings this app relies on.

SQLite gets, on every connection: foreign keys on, WAL, a busy timeout, and driver-level autocommit with an
explicit ``BEGIN`` emitted by SQLAlchemy (the documented pysqlite recipe). That recipe is what makes DDL
transactional, so a failing migration rolls back whole; it also lets writers ask for ``BEGIN IMMEDIATE``,
taking the write lock up front instead of failing with "database is locked" when a read turns into a write.
Everything SQLite-only sits behind ``is_sqlite`` so the same code runs on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.pool import ConnectionPoolEntry

BUSY_TIMEOUT_MS = 15_000
BEGIN_MODE_OPTION = "ca_editor_begin"  # execution option: "IMMEDIATE" for writers


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, enforce_foreign_keys: bool = True) -> Engine:
    """Create an engine for ``url``; ``enforce_foreign_keys=False`` is for migrations that rebuild tables."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    _configure_sqlite(engine, enforce_foreign_keys=enforce_foreign_keys)
    return engine


def _configure_sqlite(engine: Engine, *, enforce_foreign_keys: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Autocommit at the driver: pysqlite's own implicit BEGIN would otherwise defeat transactional DDL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute(f"PRAGMA foreign_keys = {'ON' if enforce_foreign_keys else 'OFF'}")
            if not _is_memory(engine):
                cursor.execute("PRAGMA journal_mode = WAL")
                # With WAL, NORMAL never corrupts the file; a power cut may lose the last commits, an app
                # crash none. FULL would fsync every commit, which the desk's many small saves would feel.
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(BEGIN_MODE_OPTION, "")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")


def writer(engine: Engine) -> Engine:
    """The same pool, but every transaction starts with ``BEGIN IMMEDIATE`` on SQLite."""
    return engine.execution_options(**{BEGIN_MODE_OPTION: "IMMEDIATE"}) if is_sqlite(engine) else engine


def _is_memory(engine: Engine) -> bool:
    database = engine.url.database
    return not database or database == ":memory:"
