"""Backups of a database server's desk (PostgreSQL): the desk copy into an SQLite file, and back.

There is no file to ``VACUUM INTO`` on a server, and ``pg_dump`` is not on every workstation (nor of the
server's version). So a backup is ``persistence/desk_copy.py``'s copy of the whole desk into a new SQLite
file in this workstation's backups folder for that database (``locations.server_backups_dir``): one
consistent snapshot of the server (``REPEATABLE READ``), verified by counts and checksums and then by
``PRAGMA quick_check``, named and rotated like an SQLite file's backups (``persistence/backup.py``), and
itself a desk file ``--db`` can open. Restore is the copy back with ``replace``: one transaction on the
server, after a backup of the desk as it was. (The server's own backups, ``pg_dump`` or continuous
archiving, remain the server administrator's; these are the desk's way back that needs no server login
beyond the desk's own.)
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from ca_editor.domain.errors import StorageError
from ca_editor.durable import replacing
from ca_editor.locations import database_url, server_backups_dir, shown_url
from ca_editor.persistence import sqlite_driver
from ca_editor.persistence.backup import (
    PARTIAL,
    Backup,
    clear_partials,
    free_name,
    integrity_problem,
    list_folder,
    reason_slug,
    rotate_folder,
    stored_revision,
    verify,
)
from ca_editor.persistence.desk_copy import CopyStoppedError, Progress, copy_desk
from ca_editor.persistence.migrate import head_revision, upgrade


def list_backups(url: str) -> list[Backup]:
    """This workstation's backups of the server database ``url``, newest first."""
    return list_folder(server_backups_dir(url))


def newest_good(url: str) -> Backup | None:
    return next((b for b in list_backups(url) if b.is_good), None)


def take_backup(
    url: str, reason: str, *, now: datetime | None = None, progress: Progress | None = None
) -> Backup:
    """Copy the desk at ``url`` into a new, verified SQLite file in its backups folder; then rotate it."""
    folder = server_backups_dir(url)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        clear_partials(folder)
        target = free_name(folder, now or datetime.now(UTC), reason_slug(reason))
        staged = target.with_name(target.name + PARTIAL)
        try:
            with replacing(target, temporary=staged) as partial:
                try:
                    copy_desk(url, database_url(str(partial)), progress=progress)
                except CopyStoppedError as exc:  # said of the backup, not of its half-written file
                    raise StorageError(
                        f"could not back up {shown_url(url)} ({exc.reason}); no backup was written and the "
                        "database was not changed"
                    ) from exc
                _single_file(partial)
                problem = integrity_problem(partial)
                if problem is not None:
                    raise StorageError(f"the copy failed its check ({problem}); the database was not changed")
        finally:
            _remove_sidecars(staged)
    except OSError as exc:
        raise StorageError(
            f"could not back up into {folder}: {exc.strerror or exc} ({exc.filename})"
        ) from exc
    rotate_folder(folder)
    return next(b for b in list_folder(folder) if b.path == target)


def restore(url: str, source: Path, *, progress: Progress | None = None) -> Backup:
    """Make the desk at ``url`` a copy of the backup ``source``; returns the backup of the desk as it was.

    One transaction on the server: colleagues' desks see the restored desk at once (their unsaved edits meet
    the usual version check). A backup from before a schema upgrade is upgraded in a temporary copy first.
    """
    verify(source)
    kept = take_backup(url, "before-restore", progress=progress)  # then the copy back: two passes
    with _at_current_schema(source) as current:
        copy_desk(database_url(str(current)), url, replace=True, progress=progress)
    return kept


@contextlib.contextmanager
def _at_current_schema(source: Path) -> Iterator[Path]:
    """``source``, or an upgraded temporary copy of it when it is at an older schema revision."""
    if stored_revision(source) == head_revision():
        yield source
        return
    with tempfile.TemporaryDirectory(prefix="ca-editor-restore-") as folder:
        copied = Path(folder) / source.name
        shutil.copyfile(source, copied)
        upgrade(database_url(str(copied)))
        yield copied


def _single_file(path: Path) -> None:
    """The backup as one file: out of WAL mode (the copy's engine left it there), so it can be moved alone."""
    try:
        with sqlite_driver.connect(str(path)) as connection:
            connection.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as exc:
        raise StorageError(
            f"could not finish the backup {path}: {sqlite_driver.error_sentence(exc)}"
        ) from exc


def _remove_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
