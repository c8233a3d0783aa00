"""Backups of an SQLite database file: take, verify, rotate, list and restore.

A backup is a ``VACUUM INTO`` copy, a consistent snapshot even while other connections write, written under a
temporary name in the backups folder, checked with ``PRAGMA quick_check``, fsynced and only then renamed into
place, so a backup under its final name is always whole. Names say when and why:
``2026-11-27T14-05-00.123Z-before-delete.sqlite`` (UTC).

Rotation keeps the newest ``KEEP_PERIODIC`` periodic backups and the newest ``KEEP_PER_REASON`` of every other
reason (before a migration, a delete, an import, a restore …), so one busy kind never pushes out another.

Restore checks the backup first, keeps a copy of the current file (a verified backup if it can still be
read, else its raw bytes and WAL as a ``damaged`` copy), then replaces the database file with a copy of the
backup by rename. What can still be read from a damaged file is copied out by ``persistence/salvage.py``.

Everything here is SQLite-only and uses the driver directly (``persistence/sqlite_driver.py``: no engine,
no session); ``sqlite_file`` returning ``None`` is how callers tell. A PostgreSQL database's backups are
SQLite files too, written by the desk copy (``persistence/server_backup.py``), named and rotated alike.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote

from sqlalchemy.engine import URL, make_url

from ca_editor.domain.errors import StorageError
from ca_editor.durable import fsync_dir, fsync_file, replacing
from ca_editor.locations import backups_dir
from ca_editor.persistence import sqlite_driver

#: Periodic backups kept per database (the newest ones).
KEEP_PERIODIC = 10
#: Backups kept per other reason ("before-migration", "before-delete", "manual", …).
KEEP_PER_REASON = 5

SUFFIX = ".sqlite"
PERIODIC = "periodic"
DAMAGED = "damaged"  # raw copy of a file that could not be read; kept, never offered as a good backup
PARTIAL = ".partial"
_STAMP = "%Y-%m-%dT%H-%M-%S"
_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2})\.(\d{3})Z-([a-z0-9-]+)\.sqlite$")


class DamagedDatabaseError(StorageError):
    """The database file is damaged: SQLite's integrity check failed or could not even run."""

    def __init__(self, path: Path, details: str) -> None:
        self.path, self.details = path, details
        super().__init__(
            f"the database {path} is damaged ({details}). Nothing was changed. Restore the newest good "
            "backup with 'ca-editor restore --latest', or recover what can be read with 'ca-editor salvage'."
        )


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    taken_at: datetime  # aware UTC
    reason: str
    size: int

    @property
    def is_good(self) -> bool:
        """Taken by ``take_backup`` (verified when written), not a raw copy of a damaged file."""
        return self.reason != DAMAGED


# --- where ----------------------------------------------------------------------------------------------


def sqlite_file(url: str) -> Path | None:
    """The file an SQLAlchemy URL names, or ``None`` for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database.startswith("file:"):
        name, _, query = database.removeprefix("file:").partition("?")
        return None if "mode=memory" in query or not name else Path(unquote(name))
    return None if database in ("", ":memory:") else Path(database)


def read_only_uri(path: Path, *, immutable: bool = False) -> str:
    """An SQLite URI opening ``path`` for reading only (``immutable`` also skips locks and the WAL index)."""
    return f"file:{quote(str(path))}?{'immutable=1' if immutable else 'mode=ro'}"


def read_only_url(path: Path, *, immutable: bool = False) -> str:
    """The SQLAlchemy URL of ``read_only_uri``."""
    query = {"immutable": "1"} if immutable else {"mode": "ro"}
    url = URL.create("sqlite", database=f"file:{quote(str(path))}", query={**query, "uri": "true"})
    return url.render_as_string(hide_password=False)


def is_writable(path: Path) -> bool:
    """Whether SQLite can write ``path``: the file and its folder (for the WAL and its index)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def readable_url(path: Path) -> str:
    """A read-only URL that opens ``path``: ``mode=ro``, or ``immutable`` when the WAL index cannot be made.

    A WAL database on a read-only folder cannot be opened ``mode=ro`` without an existing ``-shm`` file;
    ``immutable`` reads it as it is, skipping locks (changes someone else makes meanwhile are not seen).
    """
    try:
        with sqlite_driver.connect(read_only_uri(path), uri=True) as connection:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return read_only_url(path)
    except sqlite3.Error:
        return read_only_url(path, immutable=True)


def stored_revision(path: Path, *, immutable: bool = False) -> str | None:
    """The schema revision Alembic recorded in ``path`` (``None`` for a file without one), read only.

    One query: every start asks it, to know whether Alembic has anything to do.
    """
    try:
        with sqlite_driver.connect(read_only_uri(path, immutable=immutable), uri=True) as connection:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc).lower():
            return None  # a new file, or another program's (``upgrade`` refuses that one)
        raise StorageError(f"cannot read {path}: {sqlite_driver.error_sentence(exc)}") from exc
    except sqlite3.Error as exc:
        raise StorageError(f"cannot read {path}: {sqlite_driver.error_sentence(exc)}") from exc
    return str(row[0]) if row else None


def check_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database, or one that is damaged, before anything opens it.

    An empty or missing file passes (it becomes a new database).
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StorageError(f"cannot open the database {path}: {exc.strerror or exc}") from exc
    if size == 0:
        return
    if not has_sqlite_header(path):
        raise StorageError(f"cannot open the database {path}: file is not a database; it was not changed")
    problem = integrity_problem(path, immutable=not is_writable(path))
    if problem is not None:
        raise DamagedDatabaseError(path, problem)


# --- checking -------------------------------------------------------------------------------------------


def has_sqlite_header(path: Path) -> bool:
    """Whether ``path`` starts like an SQLite file, read through SQLite itself.

    Never with Python's ``open()``: closing any descriptor of a file drops every POSIX lock this process
    holds on it, including the locks of the app's own open connections, and another process's committed
    write was then lost (measured). SQLite's own opens keep that bookkeeping.
    """
    try:
        with sqlite_driver.connect(read_only_uri(path, immutable=True), uri=True) as connection:
            connection.execute("PRAGMA schema_version").fetchone()  # reads the header and nothing else
    except sqlite3.DatabaseError as exc:
        return "not a database" not in str(exc).lower()
    except sqlite3.Error:
        return False
    return True


def integrity_problem(path: Path, *, immutable: bool = False) -> str | None:
    """``None`` when ``PRAGMA quick_check`` finds ``path`` sound, else what it (or the failed attempt) said.

    On a damaged file quick_check can raise instead of reporting; that is a finding too.
    """
    try:
        with sqlite_driver.connect(read_only_uri(path, immutable=immutable), uri=True) as connection:
            rows = connection.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as exc:
        return str(exc)
    found = [str(row[0]) for row in rows]
    if found == ["ok"]:
        return None
    shown = "; ".join(found[:3])
    return shown + (f" (and {len(found) - 3} more)" if len(found) > 3 else "")


def verify(path: Path) -> None:
    """Raise ``StorageError`` unless ``path`` is a sound SQLite file."""
    if not has_sqlite_header(path):
        raise StorageError(f"{path} is not an SQLite database file")
    problem = integrity_problem(path)
    if problem is not None:
        raise StorageError(f"{path} is damaged ({problem})")


# --- taking and rotating --------------------------------------------------------------------------------


def reason_slug(reason: str) -> str:
    """Reasons become part of a file name: lower-case letters, digits and dashes, at most 40 characters."""
    slug = re.sub(r"[^a-z0-9]+", "-", reason.lower()).strip("-")[:40].strip("-")
    return slug or "manual"


def take_backup(database: Path, reason: str, *, now: datetime | None = None) -> Backup:
    """Copy ``database`` with ``VACUUM INTO`` into its backups folder, verified, then rotate the folder."""
    folder = backups_dir(database)
    slug = reason_slug(reason)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        clear_partials(folder)
        target = free_name(folder, now or datetime.now(UTC), slug)
        with replacing(target, temporary=target.with_name(target.name + PARTIAL)) as partial:
            with sqlite_driver.connect(read_only_uri(database), uri=True) as connection:
                connection.execute("VACUUM INTO ?", (str(partial),))
            problem = integrity_problem(partial)
            if problem is not None:
                raise StorageError(f"the copy failed its check ({problem}); the database was not changed")
    except sqlite3.Error as exc:
        raise StorageError(f"could not back up {database}: {sqlite_driver.error_sentence(exc)}") from exc
    except OSError as exc:
        raise StorageError(f"could not back up {database}: {exc.strerror or exc} ({exc.filename})") from exc
    rotate(database)
    return _describe(target)


def list_backups(database: Path) -> list[Backup]:
    """Backups of ``database``, newest first (files in the folder that are not backups are ignored)."""
    return list_folder(backups_dir(database))


def list_folder(folder: Path) -> list[Backup]:
    """The backups in ``folder``, newest first (a server database's too: ``persistence/server_backup.py``)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    found = [_describe(p) for p in entries if _NAME.match(p.name)]
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def newest_good(database: Path) -> Backup | None:
    return next((b for b in list_backups(database) if b.is_good), None)


def rotate(
    database: Path, *, keep_periodic: int = KEEP_PERIODIC, keep_per_reason: int = KEEP_PER_REASON
) -> list[Path]:
    """Delete all but the newest backups of each reason; returns what it deleted."""
    return rotate_folder(backups_dir(database), keep_periodic=keep_periodic, keep_per_reason=keep_per_reason)


def rotate_folder(
    folder: Path, *, keep_periodic: int = KEEP_PERIODIC, keep_per_reason: int = KEEP_PER_REASON
) -> list[Path]:
    by_reason: dict[str, list[Backup]] = defaultdict(list)
    for backup in list_folder(folder):
        by_reason[backup.reason].append(backup)
    removed: list[Path] = []
    for reason, backups in by_reason.items():
        keep = keep_periodic if reason == PERIODIC else keep_per_reason
        for backup in backups[keep:]:
            with contextlib.suppress(FileNotFoundError):
                backup.path.unlink()
                removed.append(backup.path)
    return removed


# --- restoring ------------------------------------------------------------------------------------------


def restore(database: Path, source: Path, *, reason: str = "before-restore") -> Backup | None:
    """Make ``database`` a copy of ``source`` (a backup or a salvaged file); returns the old file's copy.

    ``source`` must pass its check first. The current file is kept: as a verified backup when it can be read,
    else as a raw ``damaged`` copy together with its WAL. Refused while another connection has the database
    open (another ca-editor window or a script): replacing the file under it would lose its next saves.
    """
    verify(source)
    kept: Backup | None = None
    if database.exists():
        problem = integrity_problem(database)  # read-only: touches nothing
        if problem is not None:  # copied before any connection could checkpoint its WAL into it
            kept = keep_damaged_copy(database)
        _refuse_if_in_use(database)
        if problem is None:
            kept = take_backup(database, reason)
    try:
        with replacing(database, temporary=database.with_name(f".{database.name}.restoring")) as staged:
            shutil.copyfile(source, staged)
            # A WAL left by the old file would be replayed into the new one: the old file's -wal is kept in
            # the damaged copy above or was checkpointed by the last connection's close; remove what is left.
            for leftover in _sidecars(database):
                leftover.unlink(missing_ok=True)
    except OSError as exc:
        raise StorageError(
            f"could not restore {database}: {exc.strerror or exc}. "
            + (f"The previous file is kept as {kept.path}." if kept else "")
        ) from exc
    return kept


def keep_damaged_copy(database: Path, *, now: datetime | None = None) -> Backup:
    """Copy a file that cannot be read as a database, with its WAL, into the backups folder as is."""
    folder = backups_dir(database)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = free_name(folder, now or datetime.now(UTC), DAMAGED)
        shutil.copyfile(database, target)
        wal = database.with_name(database.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, target.with_name(target.name + "-wal"))
        fsync_file(target)
        fsync_dir(folder)
    except OSError as exc:
        raise StorageError(
            f"could not keep a copy of the damaged {database} before replacing it ({exc.strerror or exc}); "
            "nothing was changed"
        ) from exc
    return _describe(target)


# --- plumbing -------------------------------------------------------------------------------------------


def _refuse_if_in_use(database: Path) -> None:
    """Another open connection holds a lock on the WAL index: an exclusive lock cannot be had then."""
    try:
        connection = sqlite3.connect(
            str(database), timeout=1.0, isolation_level=None, factory=sqlite_driver.ClosingConnection
        )
        with connection:
            connection.execute("PRAGMA busy_timeout = 1000")
            connection.execute("PRAGMA locking_mode = EXCLUSIVE")
            connection.execute("BEGIN EXCLUSIVE")
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            # The last connection's close checkpoints the WAL into the file and removes it.
            connection.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise StorageError(
                f"{database} is open in another ca-editor window or program; close it, then restore. "
                "Nothing was changed."
            ) from exc
        # Any other failure (a damaged file) is for the integrity check to describe.
    except sqlite3.DatabaseError:
        pass


def _sidecars(database: Path) -> list[Path]:
    return [database.with_name(database.name + s) for s in ("-wal", "-shm", "-journal")]


def free_name(folder: Path, when: datetime, slug: str) -> Path:
    when = when.astimezone(UTC)
    millis = when.microsecond // 1000
    while True:
        path = folder / f"{when.strftime(_STAMP)}.{millis:03d}Z-{slug}{SUFFIX}"
        if not path.exists():
            return path
        millis += 1  # two backups in one millisecond: the second gets the next free name
        if millis == 1000:
            raise StorageError(f"too many backups at {when.isoformat()} in {folder}")


def _describe(path: Path) -> Backup:
    match = _NAME.match(path.name)
    if match is None:
        raise ValueError(path)
    stamp = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
    taken_at = stamp.replace(microsecond=int(match.group(2)) * 1000)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return Backup(path, taken_at, match.group(3), size)


def clear_partials(folder: Path, *, older_than_s: float = 3600.0) -> None:
    """Temporary copies left by a backup that was cut off (the app was killed mid-copy).

    Only old ones: another process may be writing a backup of the same database right now.
    """
    limit = datetime.now(UTC).timestamp() - older_than_s
    for leftover in folder.glob(f"*{PARTIAL}"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < limit:
                leftover.unlink()
