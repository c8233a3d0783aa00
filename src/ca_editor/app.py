"""Composition root: open (create, migrate, seed) the database and wire the services. No Qt here."""

from __future__ import annotations

from alembic.util import CommandError
from sqlalchemy.exc import DatabaseError

from ca_editor.domain.errors import StorageError
from ca_editor.locations import database_url
from ca_editor.persistence.database import Database
from ca_editor.persistence.migrate import head_revision, upgrade
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
        upgrade(url)
        database = Database(url)
        if seed_demo:
            seed_demo_if_empty(database)
    except DatabaseError as exc:
        reason = str(exc.orig) if exc.orig else str(exc)
        raise StorageError(f"cannot open the database {_display(url)}: {reason}") from exc
    except CommandError as exc:  # the file carries a schema revision this version does not know
        raise StorageError(
            f"the database {_display(url)} was written by a newer ca-editor or another program ({exc}); "
            f"this version knows the "
            f"schema up to {head_revision()}. Update ca-editor; the database was not changed."
        ) from exc
    return Services.over(database)


def _display(url: str) -> str:
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url.split("@")[-1]
