"""Composition root: open (create, migrate, seed) the database and wire the services. No Qt here."""

from __future__ import annotations

from sqlalchemy.exc import DatabaseError

from ca_editor.domain.errors import StorageError
from ca_editor.locations import database_url
from ca_editor.persistence.database import Database
from ca_editor.persistence.migrate import upgrade
from ca_editor.services.container import Services
from ca_editor.services.demo import seed_demo_if_empty


def open_services(db: str | None = None, *, seed_demo: bool = True) -> Services:
    """Open the database named by ``--db``/``$CA_EDITOR_DB``/the default, migrated to the newest schema.

    A database without any section gets the demo Central Asia section, so a first start shows real content.
    """
    url = database_url(db)
    try:
        upgrade(url)
        database = Database(url)
        if seed_demo:
            seed_demo_if_empty(database)
    except DatabaseError as exc:
        reason = str(exc.orig) if exc.orig else str(exc)
        raise StorageError(f"cannot open the database {_display(url)}: {reason}") from exc
    return Services.over(database)


def _display(url: str) -> str:
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url.split("@")[-1]
