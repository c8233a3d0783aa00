"""Where a benchmark's stories live: an SQLite file or a PostgreSQL database, behind one small interface.

The benchmarks measure the app the same way on both engines. What differs per engine is here and only here:
how a database is had (a file; a database on a server named by URL; a throwaway cluster started like the
test suite's, ``tests/postgres_server.py``), how synthetic stories are bulk-loaded (``ui_scale.generate``
hands the same rows to ``bulk_load``), and the dialect of the raw-SQL baselines (placeholders, timestamps as
parameters, the full-text match).

``--db`` takes, in both benchmarks and as many times as wanted (one column per engine in the report):
``sqlite`` (a file in the benchmark's work folder), a file path, ``postgres`` (a throwaway server, stopped at
the end) or a ``postgresql://`` URL. On a server the benchmark makes its own databases, ``ca_bench_<what>``
(the URL's role needs CREATEDB), fills them under a ``_loading`` name and renames them when complete, and
keeps them: the next run against the same server reuses them (``dropdb`` to start over).
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SQLA_DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime on SQLite (naive UTC)
PG_SEARCH_CONFIG = "ca_editor_search"  # db/versions/0012_postgres_search.py
STORY_COLUMNS = (
    "slug, title, summary, body, byline, published_at, status, tags, "
    "image_alt, image_caption, image_credit, version, created_at, updated_at"
)


def is_server(spec: str) -> bool:
    return spec.startswith(("postgresql://", "postgres://", "postgresql+psycopg://"))


@dataclass(frozen=True)
class BenchDb:
    """One database a benchmark measures: ``url`` is what ``--db`` and ``open_services`` take."""

    url: str

    @property
    def engine(self) -> str:
        return "postgresql" if is_server(self.url) else "sqlite"

    @property
    def shown(self) -> str:
        from ca_editor.locations import shown_url

        return shown_url(self.url)

    def raw(self) -> Any:
        """A bare DB-API connection (stdlib sqlite3 or psycopg, autocommit) for the baselines."""
        if self.engine == "sqlite":
            return sqlite3.connect(self.url, isolation_level=None)
        import psycopg

        return psycopg.connect(libpq_url(self.url), autocommit=True)

    def sql(self, statement: str) -> str:
        """``statement`` written with ``?`` placeholders, in this engine's placeholder style."""
        return statement if self.engine == "sqlite" else statement.replace("?", "%s")

    def moment(self, value: datetime) -> object:
        """A naive UTC timestamp as a parameter compares with ``published_at`` on this engine."""
        return value.strftime(SQLA_DATETIME) if self.engine == "sqlite" else value

    def search_filter(self, word: str) -> tuple[str, tuple[object, ...]]:
        """The WHERE clause (``?`` placeholders) and parameters matching ``word`` as a full-text prefix."""
        if self.engine == "sqlite":
            return "id IN (SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?)", (f'"{word}"*',)
        return f"search_vector @@ to_tsquery('{PG_SEARCH_CONFIG}', ?)", (f"'{word}':*",)

    def scalar(self, statement: str, *params: object) -> Any:
        connection = self.raw()
        try:
            return connection.execute(self.sql(statement), params).fetchone()[0]
        finally:
            connection.close()


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


# ------------------------------------------------------------------------------------------ having one


class Servers:
    """The PostgreSQL server of one benchmark run for ``postgres``: started on demand, removed at close."""

    def __init__(self) -> None:
        self._throwaway: Any = None

    def server_url(self, spec: str) -> str:
        if is_server(spec):
            return spec
        if self._throwaway is None:
            sys.path.insert(0, str(ROOT))  # the test suite's server, not a second copy of it
            from tests.postgres_server import PostgresServer

            folder = Path(tempfile.mkdtemp(prefix="ca-editor-bench-postgres-"))
            self._throwaway = PostgresServer.start(folder)
            print(f"started a throwaway PostgreSQL server on port {self._throwaway.port}")
        return str(self._throwaway.url())

    def close(self) -> None:
        if self._throwaway is not None:
            self._throwaway.stop()
            shutil.rmtree(self._throwaway.folder, ignore_errors=True)
            self._throwaway = None


@contextlib.contextmanager
def servers() -> Iterator[Servers]:
    running = Servers()
    try:
        yield running
    finally:
        running.close()


def database(
    spec: str, name: str, folder: Path, running: Servers, fill: Callable[[BenchDb], None]
) -> BenchDb:
    """The benchmark database ``name`` for ``--db spec``, made and filled by ``fill`` when missing.

    ``fill`` gets a migrated, seeded database (the demo section) and adds the benchmark's stories. ``sqlite``
    is ``folder/name.sqlite3``; another file spec is that file (kept, reused whenever it exists).
    """
    if spec == "sqlite":  # the benchmark's own file: complete once its mark is there
        path, done = folder / f"{name}.sqlite3", folder / f"{name}.done"
        if not (done.exists() and path.exists()):
            for stale in folder.glob(f"{name}.sqlite3*"):
                stale.unlink()
            folder.mkdir(parents=True, exist_ok=True)
            fill(_migrated(BenchDb(str(path))))
            done.touch()
        return BenchDb(str(path))
    if not (spec == "postgres" or is_server(spec)):  # a file named by the user: kept, reused as it is
        if not Path(spec).exists():
            Path(spec).parent.mkdir(parents=True, exist_ok=True)
            fill(_migrated(BenchDb(spec)))
        return BenchDb(spec)
    server = running.server_url(spec)
    target = f"ca_bench_{name}"
    if not _database_exists(server, target):
        loading = target + "_loading"
        _admin(server, f'DROP DATABASE IF EXISTS "{loading}"')
        _admin(server, f'CREATE DATABASE "{loading}"')
        fill(_migrated(BenchDb(_with_database(server, loading))))
        _admin(server, f'ALTER DATABASE "{loading}" RENAME TO "{target}"')  # complete, under its own name
    return BenchDb(_with_database(server, target))


def _migrated(db: BenchDb) -> BenchDb:
    from ca_editor.app import open_services

    open_services(db.url).db.dispose()  # migrated and seeded with the demo section (slots included)
    return db


def _with_database(server_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(libpq_url(server_url)).set(database=name).render_as_string(hide_password=False)


def _admin(server_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(libpq_url(server_url), autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def _database_exists(server_url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(libpq_url(server_url), autocommit=True) as connection:
        return (
            connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
        )


# ------------------------------------------------------------------------------------------ filling one


def bulk_load(db: BenchDb, rows: Iterable[Sequence[object]]) -> None:
    """Insert story rows (``STORY_COLUMNS`` order, ``published_at`` etc. as naive UTC datetimes), fast.

    SQLite: one transaction with the full-text trigger dropped, the FTS index rebuilt once at the end.
    PostgreSQL: ``COPY`` with the secondary indexes (the GIN search index among them) dropped and built
    again once at the end, then ``ANALYZE``. The search column is generated: COPY fills it as the app does.
    """
    if db.engine == "sqlite":
        _sqlite_load(db.url, rows)
    else:
        _postgres_load(db.url, rows)


def _sqlite_load(path: str, rows: Iterable[Sequence[object]]) -> None:
    def as_stored(row: Sequence[object]) -> tuple[object, ...]:
        return tuple(value.strftime(SQLA_DATETIME) if isinstance(value, datetime) else value for value in row)

    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA synchronous = OFF")
        # The full-text indexes' insert triggers (stories_fts, and 0020's by date): one rebuild at the end
        # is far faster than 1M triggers.
        triggers = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND name IN ('stories_fts_ai', 'stories_fts_by_date_ai')"
        ).fetchall()
        connection.execute("BEGIN")
        for name, _sql in triggers:
            connection.execute(f"DROP TRIGGER {name}")
        marks = ", ".join("?" * len(STORY_COLUMNS.split(",")))
        connection.executemany(
            f"INSERT INTO stories ({STORY_COLUMNS}) VALUES ({marks})", (as_stored(row) for row in rows)
        )
        connection.execute("INSERT INTO stories_fts(stories_fts) VALUES ('rebuild')")
        if any(name == "stories_fts_by_date_ai" for name, _sql in triggers):
            from ca_editor.persistence.search_by_date import FILL

            for statement in FILL:
                connection.execute(statement)
        for _name, sql in triggers:
            connection.execute(sql)
        connection.execute("COMMIT")
        connection.execute("ANALYZE")
    finally:
        connection.close()


def _postgres_load(url: str, rows: Iterable[Sequence[object]]) -> None:
    import psycopg

    with psycopg.connect(libpq_url(url)) as connection:  # one transaction, committed on leaving
        connection.execute("SET LOCAL maintenance_work_mem = '256MB'")
        indexes = connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'stories' "
            "AND schemaname = current_schema() AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = 'stories'::regclass)"
        ).fetchall()
        for name, _ in indexes:
            connection.execute(f'DROP INDEX "{name}"')  # type: ignore[arg-type]
        with connection.cursor().copy(f"COPY stories ({STORY_COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        for _, definition in indexes:
            connection.execute(definition)
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        connection.execute("ANALYZE stories")


# ------------------------------------------------------------------------------------------ reporting


def side_by_side(columns: dict[str, dict[str, str]]) -> str:
    """A Markdown table: one row per figure, one column per engine (figures missing on one engine: ``–``)."""
    names = list(columns)
    figures: list[str] = []
    for figures_of_one in columns.values():
        figures += [figure for figure in figures_of_one if figure not in figures]
    lines = ["| figure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for figure in figures:
        lines.append(f"| {figure} | " + " | ".join(columns[n].get(figure, "–") for n in names) + " |")
    return "\n".join(lines)
