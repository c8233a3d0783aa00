"""Run Alembic migrations at start-up, in one transaction, so a failure leaves the database as it was.

Alembic is imported only when a migration runs (its import costs a command 0.3 s): whether one is needed is
the stored revision (one query) against ``head_revision``, read from the migration files' own text.

Writing a migration (``db/versions``): add columns with plain ``ADD COLUMN``, not batch mode, where SQLite
allows it: a batch rebuild of ``stories`` drops the triggers that keep ``stories_fts`` (the search index)
and the ``desk_generation_*`` triggers of migration 0009 (``persistence.export_marks``), so a rebuild of a
triggered table must create its triggers again (``tests/integration/test_export_uptodate.py`` checks them).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from ca_editor.domain.errors import StorageError
from ca_editor.locations import migrations_dir
from ca_editor.persistence.engine import first_start_lock, is_sqlite, make_engine, writer
from ca_editor.persistence.revisions import head_revision as head_revision  # re-exported: callers ask here
from ca_editor.persistence.revisions import known_revisions as known_revisions

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(url: str, script_location: Path | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location or migrations_dir()))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head", script_location: Path | None = None) -> None:
    """Bring the database at ``url`` to ``revision``; all steps commit together or not at all."""
    from alembic import command

    config = alembic_config(url, script_location)
    # Table rebuilds (batch ALTER on SQLite) must not fire ON DELETE CASCADE, so migrations run with
    # foreign keys off and check them before committing instead.
    engine = make_engine(url, enforce_foreign_keys=False)
    try:
        # Two first starts at once must queue, not fail: SQLite's BEGIN IMMEDIATE takes the write lock,
        # PostgreSQL's transactional DDL runs every step in this one transaction behind an advisory lock.
        with writer(engine).begin() as connection:
            first_start_lock(connection)
            _refuse_foreign_schema(connection)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            if is_sqlite(connection):  # PostgreSQL never turns its foreign keys off: nothing to check there
                broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
                if broken:
                    raise RuntimeError(f"migration left {len(broken)} rows with broken references")
    finally:
        engine.dispose()


def _refuse_foreign_schema(connection: Connection) -> None:
    """Another program's database gets no ca-editor tables added to it."""
    tables = set(inspect(connection).get_table_names())
    if tables and "alembic_version" not in tables:
        shown = ", ".join(sorted(tables)[:5])
        raise StorageError(
            f"this is not a ca-editor database (it holds other tables: {shown}); it was not changed. "
            "Choose another file or a new name."
        )


def server_revision(engine: Engine) -> str | None:
    """The revision a server database records (``None``: none yet), in one query without Alembic (whose
    import costs a command 0.3 s); the twin of ``persistence.backup.stored_revision`` for a file."""
    with engine.connect() as connection:
        if connection.execute(text("SELECT to_regclass('alembic_version')")).scalar() is None:
            return None
        return connection.execute(text("SELECT max(version_num) FROM alembic_version")).scalar()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def alembic_head_revision(script_location: Path | None = None) -> str | None:
    """Alembic's own answer to ``head_revision`` (slow to import; for the test that keeps them equal)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://", script_location)).get_current_head()
