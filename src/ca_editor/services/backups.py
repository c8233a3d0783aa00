"""Backups of the open database: on demand, before destructive steps, and periodically when the data changed.

``persistence.backup`` does the file work; this service knows which file is open and whether it changed since
its last backup. It watches ``PRAGMA data_version`` (``persistence/data_version.py``): the number moves
whenever any other connection (this process's, another window's, a script's) commits, so "changed" costs
one pragma, not a scan. Until the service has taken a backup it compares the newest backup's time with
the file's (and its WAL's) modification time instead.

Thread-safe: the window's periodic backup runs in a worker thread while the desk may ask for one before a
delete; one lock serialises them. On an in-memory or read-only database nothing is available: ``before``
and ``backup_if_changed`` do nothing, ``backup`` and ``restore`` say why.

On a database server (PostgreSQL) ``backup`` and ``restore`` work through the desk copy into an SQLite file
(``persistence/server_backup.py``), but nothing is automatic: a whole-desk copy per delete, import or ten
minutes, by every workstation of the desk, is no way to back up a server; its own backups (``pg_dump``,
scheduled or continuous archiving) are the server's job. ``automatic`` is False there, ``automatic_note``
says so (the Backups dialog shows it) and the first skipped automatic backup logs it once.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

from ca_editor.domain.errors import StorageError
from ca_editor.locations import backups_dir, server_backups_dir
from ca_editor.persistence import backup as files
from ca_editor.persistence import server_backup
from ca_editor.persistence.backup import Backup
from ca_editor.persistence.data_version import DataVersionWatch
from ca_editor.persistence.database import Database
from ca_editor.persistence.desk_copy import Progress
from ca_editor.persistence.salvage import SalvageReport, salvage

_log = logging.getLogger(__name__)

#: Minutes between the window's checks for a periodic backup (it backs up only when the data changed).
PERIODIC_MINUTES = 10
SALVAGE_ON_SERVER = (
    "salvage reads what is left of a damaged SQLite file; {name} is a PostgreSQL database, whose storage "
    "the server keeps sound itself. Nothing was changed. To go back to an earlier state restore a backup "
    "(ca-editor restore), or the server's own (pg_restore)"
)


class BackupService:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._file = files.sqlite_file(db.url)
        self._lock = threading.Lock()
        self._watch = DataVersionWatch(self._file) if self._file is not None else None
        self._backed_up_at_version: int | None = None
        self._server = not db.is_sqlite  # PostgreSQL: copy-format backups (``persistence/server_backup``)
        self._said_automatic_is_off = False

    # --- what there is ---------------------------------------------------------------------------------

    @property
    def file(self) -> Path | None:
        return self._file

    @property
    def available(self) -> bool:
        """Whether ``backup`` and ``restore`` can work: a writable SQLite file, or a database server."""
        return self._server or (self._file is not None and not self._db.read_only)

    @property
    def automatic(self) -> bool:
        """Whether ``before`` and ``backup_if_changed`` back up: on an SQLite file only (see the module)."""
        return self._file is not None and not self._db.read_only

    @property
    def is_server(self) -> bool:
        return self._server

    def automatic_note(self) -> str:
        """Why nothing is backed up automatically here ("" when it is)."""
        if not self._server:
            return ""
        return (
            f"{self._db.display_name} is a database server: its regular backups are the server's job "
            f"(pg_dump, or the server's scheduled backups), so ca-editor takes none automatically (before a "
            f"migration, a delete, an import, a layout restore or every {PERIODIC_MINUTES} minutes) there. "
            "Back up now copies the whole desk into an SQLite file on this computer; Restore copies one back"
        )

    def unavailable_reason(self) -> str:
        if self._file is None and not self._server:
            return "an in-memory database has no backups"
        if self._db.read_only and self._file is not None:
            return f"{self._file} is open read-only; back it up where it can be written"
        return ""

    @property
    def folder(self) -> Path | None:
        if self._server:
            return server_backups_dir(self._db.url)
        return backups_dir(self._file) if self._file is not None else None

    def backups(self) -> list[Backup]:
        """Newest first; empty when backups are not available."""
        return files.list_folder(self.folder) if self.folder is not None else []

    def newest_good(self) -> Backup | None:
        return next((b for b in self.backups() if b.is_good), None)

    # --- taking ----------------------------------------------------------------------------------------

    def backup(self, reason: str = "manual", *, progress: Progress | None = None) -> Backup:
        """Take a backup now; raises ``StorageError`` saying why when it cannot.

        ``progress(rows done, rows in all)``: reported by a server's backup (a copy), not by a file's.
        """
        if self._server:
            with self._lock:
                return server_backup.take_backup(self._db.url, reason, progress=progress)
        file = self._require()
        with self._lock:
            version = self._data_version()
            taken = files.take_backup(file, reason)
            self._backed_up_at_version = version
            return taken

    def before(self, action: str) -> Backup | None:
        """Back up before a destructive ``action`` ("delete", "import", …) if anything changed since the last.

        Raises ``StorageError`` when the backup fails: the caller should not go on with the action then.
        """
        if not self.automatic:
            self._say_automatic_is_off()
            return None
        if not self.changed():
            return None
        return self.backup(f"before-{action}")

    def backup_if_changed(self, reason: str = files.PERIODIC) -> Backup | None:
        """The periodic backup: only when the data changed since the last one (``None`` otherwise)."""
        if not self.automatic:
            self._say_automatic_is_off()
            return None
        if not self.changed():
            return None
        return self.backup(reason)

    def changed(self) -> bool:
        """Whether the database changed since this service's last backup (or, before one, the newest)."""
        if not self.automatic:
            return False
        with self._lock:
            if self._backed_up_at_version is not None:
                return self._data_version() != self._backed_up_at_version
            newest = self.newest_good()
            if newest is None:
                return True
            return self._modified_at() > newest.taken_at

    # --- restoring ---------------------------------------------------------------------------------------

    def restore(self, source: Path, *, progress: Progress | None = None) -> Backup | None:
        """Replace the open database with ``source`` (a backup or salvaged copy); returns the old one's copy.

        Closes this process's connections first (the engine reconnects to the new file on next use); refused
        while another program has the database open. The caller re-reads everything it shows afterwards.
        On a server: one transaction replaces the desk for every workstation (after a backup of it).
        """
        if self._server:
            with self._lock:
                return server_backup.restore(self._db.url, source, progress=progress)
        file = self._require()
        with self._lock:
            self._close_watch()
            self._db.dispose()
            kept = files.restore(file, source)
            self._backed_up_at_version = None
            return kept

    def salvage_into(self, target: Path | None = None) -> SalvageReport:
        """Copy what can be read from the open file into ``target`` (default: a new file beside it)."""
        if self._server:
            raise StorageError(SALVAGE_ON_SERVER.format(name=self._db.display_name))
        file = self._require_file()
        if target is None:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            target = file.with_name(f"{file.stem}-salvaged-{stamp}{file.suffix}")
        return salvage(file, target)

    def close(self) -> None:
        with self._lock:
            self._close_watch()

    # --- plumbing ----------------------------------------------------------------------------------------

    def _say_automatic_is_off(self) -> None:
        if self._server and not self._said_automatic_is_off:
            self._said_automatic_is_off = True
            _log.info("no automatic backup: %s", self.automatic_note())

    def _require_file(self) -> Path:
        if self._file is None:
            raise StorageError(self.unavailable_reason())
        return self._file

    def _require(self) -> Path:
        if not self.available:
            raise StorageError(self.unavailable_reason())
        return self._require_file()

    def _data_version(self) -> int | None:
        """``PRAGMA data_version`` of the watching connection; ``None``: unreadable."""
        assert self._watch is not None
        return self._watch.version()

    def _close_watch(self) -> None:
        if self._watch is not None:
            self._watch.close()

    def _modified_at(self) -> datetime:
        assert self._file is not None
        times = []
        for path in (self._file, self._file.with_name(self._file.name + "-wal")):
            try:
                times.append(path.stat().st_mtime)
            except OSError:
                continue
        return datetime.fromtimestamp(max(times, default=0.0), UTC)
