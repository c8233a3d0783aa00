"""Where presence rows live (``services/presence.py``): the desk's own database on a server, a file beside
an SQLite desk.

A heartbeat is not a change of the desk. On SQLite every commit to the desk file moves its
``PRAGMA data_version`` and its modification time, which the backup service reads as "the data changed
since the last backup" (``services/backups.py``: periodic backups and the ones before a delete or an
import) and the live desks read as "wake up, a colleague wrote" (``persistence/data_version.py``). A
heartbeat every 15 s in the desk file would make every period take a backup of unchanged data, rotating
the useful ones out. So on SQLite the rows go to ``<desk file>-presence``, the same ``presence`` table
(made on first use; it holds nothing worth keeping, so it needs no migration and no backup), shared by
every process on that machine like the desk file itself. On PostgreSQL they stay in the desk's database
(migration 0014), where nothing watches commits that way and every workstation reaches them.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Table
from sqlalchemy.engine import URL
from sqlalchemy.schema import CreateIndex, CreateTable

from ca_editor.persistence.backup import sqlite_file
from ca_editor.persistence.database import Database
from ca_editor.persistence.models import PresenceRow

SUFFIX = "-presence"


def presence_file(desk: Database) -> Path | None:
    """The file beside an SQLite desk that holds its presence rows; ``None`` on a server or in memory."""
    file = sqlite_file(desk.url)
    return file.with_name(file.name + SUFFIX) if file is not None else None


def open_store(desk: Database) -> Database | None:
    """The database presence rows are written to: ``desk`` itself on a server, the file beside an SQLite
    desk (the table made if missing), ``None`` for an in-memory desk (nobody else can be there)."""
    if not desk.is_sqlite:
        return desk
    file = presence_file(desk)
    if file is None:
        return None
    store = Database(URL.create("sqlite", database=str(file)).render_as_string(hide_password=False))
    table = PresenceRow.__table__
    assert isinstance(table, Table)
    with store.write() as session:  # IF NOT EXISTS: two desks starting at once both get through
        session.execute(CreateTable(table, if_not_exists=True))
        for index in table.indexes:
            session.execute(CreateIndex(index, if_not_exists=True))
    return store
