"""Raw SQL on a test's database, whichever engine holds it (an SQLite file or a PostgreSQL database).

Tests that look under the services (row counts, a row changed behind the services' back, a bulk insert)
go through SQLAlchemy on the same URL, so the check means the same on both engines. Parameters are named
(``:slug``); a list of dicts runs the statement once per dict.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text

from ca_editor.locations import database_url
from ca_editor.persistence.engine import make_engine
from ca_editor.services.container import Services

Target = Services | Engine | str | Path  # the services, an engine, or a URL / SQLite path


@contextmanager
def connected(target: Target) -> Iterator[Connection]:
    """One transaction on ``target``'s database, committed at the end."""
    if isinstance(target, Services):
        engine, own = target.db.engine, False
    elif isinstance(target, Engine):
        engine, own = target, False
    else:
        engine, own = make_engine(database_url(str(target))), True
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        if own:
            engine.dispose()


def rows(target: Target, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
    with connected(target) as connection:
        return [tuple(row) for row in connection.execute(text(sql), dict(params or {}))]


def scalar(target: Target, sql: str, params: Mapping[str, Any] | None = None) -> Any:
    with connected(target) as connection:
        return connection.execute(text(sql), dict(params or {})).scalar()


def run(
    target: Target, sql: str, params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
) -> None:
    with connected(target) as connection:
        if isinstance(params, Sequence):
            connection.execute(text(sql), [dict(p) for p in params])
        else:
            connection.execute(text(sql), dict(params or {}))


def table_counts(target: Target) -> dict[str, int]:
    """Rows per table (every table of the schema but Alembic's own)."""
    with connected(target) as connection:
        names = [n for n in inspect(connection).get_table_names() if n != "alembic_version"]
        return {n: int(connection.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one()) for n in names}
