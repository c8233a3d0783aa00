"""Composition root: open (create, migrate, seed) the database and wire the services. No Qt here."""

from __future__ import annotations

from sqlalchemy.exc import DatabaseError

from ca_editor.domain.errors import StorageError
from ca_editor.locations import database_url, shown_url
from ca_editor.persistence.backup import (
    is_writable,
    readable_url,
    sqlite_file,
    stored_revision,
    take_backup,
)
from ca_editor.persistence.database import Database
from ca_editor.persistence.known_sound import check_unless_known_sound
from ca_editor.persistence.migrate import head_revision, known_revisions, server_revision, upgrade
from ca_editor.persistence.server_errors import opening_error_message
from ca_editor.services.container import Services
from ca_editor.services.demo import seed_demo_if_empty


def open_services(db: str | None = None, *, seed_demo: bool = True) -> Services:
    """Open the database named by ``--db``/``$CA_EDITOR_DB``/the default, migrated to the newest schema.

    A database without any section gets the demo Central Asia section, so a first start shows real content.
    """
    try:
        url = database_url(db)
    except OSError as exc:
        reason = f"{exc.strerror or exc} ({exc.filename})"
        raise StorageError(f"cannot create the database folder: {reason}") from exc
    try:
        database = _open_checked(url, seed_demo=seed_demo)
    except DatabaseError as exc:
        reason = opening_error_message(exc) or (str(exc.orig) if exc.orig else str(exc))
        raise StorageError(f"cannot open the database {shown_url(url)}: {reason}") from exc
    database.dispose_at_exit()  # a clean close, so the next start can skip the full check
    return Services.over(database)


def _open_checked(url: str, *, seed_demo: bool) -> Database:
    """Check an SQLite file (damaged? writable?), back it up before a migration, migrate, open and seed.

    A damaged file raises ``DamagedDatabaseError`` untouched; a file that cannot be written here opens
    read-only when its schema is current (and is refused when it would need a migration).
    """
    path = sqlite_file(url)
    if path is None:  # a server: one query says whether Alembic has anything to do, as for a file
        database = Database(url)
        if server_revision(database.engine) != head_revision():
            _migrate(url)
    elif not path.exists() or path.stat().st_size == 0:
        _migrate(url)
        database = Database(url, known_sound=True)  # new: SQLite's own from the first byte
    elif not is_writable(path):
        check_unless_known_sound(path)
        read_url = readable_url(path)
        immutable = "immutable=1" in read_url
        if stored_revision(path, immutable=immutable) != head_revision():
            raise StorageError(
                f"the database {path} cannot be written here (read-only file or folder) and needs an upgrade "
                "to this version's schema first; open it once where it can be written. It was not changed."
            )
        return Database(read_url, read_only=True)
    else:
        check_unless_known_sound(path)  # the full check only when the file may have changed since last known
        revision = stored_revision(path)  # one query; Alembic is loaded only when this is not the head
        if revision != head_revision():
            if revision is not None and revision in known_revisions():
                take_backup(path, "before-migration")  # a migration that goes wrong can be undone by restore
            _migrate(url)
        database = Database(url, known_sound=True)
    if seed_demo:
        seed_demo_if_empty(database)
    return database


def _migrate(url: str) -> None:
    """Create or upgrade the schema with Alembic (imported here: a current schema never pays for it)."""
    from alembic.util import CommandError

    try:
        upgrade(url)
    except CommandError as exc:  # the file carries a schema revision this version does not know
        raise StorageError(
            f"the database {shown_url(url)} was written by a newer ca-editor or another program ({exc}); "
            f"this version knows the "
            f"schema up to {head_revision()}. Update ca-editor; the database was not changed."
        ) from exc
