"""Unsaved editor forms kept on disk, so that a crash (kill -9, power cut, a frozen desktop) loses seconds,
not an afternoon of writing.

Every desk action that changes data (a save, a slot move) is its own committed transaction, so what a crash
can lose is only what sits in a form and is not saved yet. The window writes that form here every few
seconds (``RecoverySession.save``) and removes it when the story is saved or the edits are discarded; the
next start offers what a dead window left (``RecoveryStore.orphans``).

Layout: one folder per database (named by a hash of its URL) under the user data folder; in it one small
JSON file per unsaved form, ``<session>.<key>.json`` (key ``story-<id>`` or ``new``), and one lock file per
running window, ``<session>.lock``, held with ``flock`` while the window lives. The kernel drops the lock
when the process dies, however it dies: a file whose session lock is free belongs to a window that is gone
and is offered; a file of a live window (a second window on the same database) never is.

Files are written atomically (temp file, fsync, ``os.replace``, fsync of the folder): a crash mid-write
leaves the previous copy. A file that cannot be read or parsed is set aside as ``*.unreadable`` with a log
line and never stops the start. The store is bounded: a form larger than ``MAX_ENTRY_BYTES`` is not kept
(the caller is told), and the oldest files of dead windows go once there are more than ``MAX_ENTRIES`` or
``MAX_STORE_BYTES``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import time
import weakref
from datetime import UTC, datetime
from pathlib import Path

from ca_editor.domain.model import StoryFields
from ca_editor.durable import fsync_dir, replace_atomically
from ca_editor.locations import recovery_dir
from ca_editor.services.recovery_entry import (
    ENTRY_SUFFIX,
    FORMAT,
    FORMAT_VERSION,
    KEY,
    BaseStory,
    RecoveredEdit,
    base_json,
    fields_json,
    parse_entry,
)

log = logging.getLogger(__name__)

MAX_ENTRY_BYTES = 16 * 2**20  # a body of a million characters (the limit) twice over, base and edit
MAX_ENTRIES = 64  # files per database folder
MAX_STORE_BYTES = 128 * 2**20
_SESSION = re.compile(r"^[0-9a-f]{16}$")
_LOCK_SUFFIX = ".lock"
_LOCK_GRACE_SECONDS = 60


class RecoveryError(Exception):
    """A recovery copy could not be written (disk full, read-only folder, too large)."""


def database_key(url: str) -> str:
    """The folder name for a database: a hash of its URL (a file path would need escaping)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]


class RecoveryStore:
    """The recovery folder of one database."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def for_database(cls, url: str, root: Path | None = None) -> RecoveryStore:
        return cls((root if root is not None else recovery_dir()) / database_key(url))

    def open_session(self) -> RecoverySession:
        """Claim a session for one window; its files are never offered while it is open."""
        return RecoverySession(self)

    def orphans(self) -> list[RecoveredEdit]:
        """The unsaved forms of windows that are gone, newest first. Unreadable files are set aside."""
        if not self.folder.is_dir():
            return []
        found: list[RecoveredEdit] = []
        alive: dict[str, bool] = {}
        for path in self._entry_files():
            session = path.name.split(".", 1)[0]
            if session not in alive:
                alive[session] = self._session_alive(session)
            if alive[session]:
                continue
            edit = self._read(path)
            if edit is not None:
                found.append(edit)
        self._clear_dead_leftovers(alive)
        found.sort(key=lambda e: e.saved_at, reverse=True)
        return found

    def discard(self, edit: RecoveredEdit) -> None:
        """Delete a recovered form (the user chose to drop it)."""
        with contextlib.suppress(FileNotFoundError):
            edit.path.unlink()
        fsync_dir(self.folder)

    # --- inside ------------------------------------------------------------------------------------------

    def _entry_files(self) -> list[Path]:
        try:
            paths = sorted(self.folder.iterdir())
        except OSError as exc:
            log.warning("cannot list the recovery folder %s: %s", self.folder, exc)
            return []
        return [p for p in paths if p.name.endswith(ENTRY_SUFFIX) and not p.name.startswith(".")]

    def _lock_path(self, session: str) -> Path:
        return self.folder / f"{session}{_LOCK_SUFFIX}"

    def _session_alive(self, session: str) -> bool:
        """Whether a running window holds ``session``'s lock (another window, or this one)."""
        if not _SESSION.match(session):
            return False
        try:
            fd = os.open(self._lock_path(session), os.O_RDWR)
        except FileNotFoundError:
            return False
        except OSError as exc:
            log.warning("cannot check recovery session %s: %s", session, exc)
            return True  # when in doubt, do not offer (or delete) another window's edits
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                log.warning("cannot check recovery session %s: %s", session, exc)
            return True
        finally:
            os.close(fd)  # releases the probe's lock, if it got one
        return False

    def _read(self, path: Path) -> RecoveredEdit | None:
        try:
            size = path.stat().st_size
            if size > MAX_ENTRY_BYTES:
                raise ValueError(f"{size:,} bytes, more than the {MAX_ENTRY_BYTES:,} a form can take")
            document = json.loads(path.read_bytes().decode("utf-8"))
            return parse_entry(path, document)
        except FileNotFoundError:
            return None  # discarded meanwhile (another window offered it too)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("skipping the unreadable recovery file %s: %s", path, exc)
            with contextlib.suppress(OSError):
                path.replace(path.with_name(path.name + ".unreadable"))  # kept for a person, not re-read
            return None

    def _clear_dead_leftovers(self, alive: dict[str, bool]) -> None:
        """Remove lock files and half-written temp files of dead sessions that hold no edit any more."""
        with_entries = {p.name.split(".", 1)[0] for p in self._entry_files()}
        try:
            names = [p.name for p in self.folder.iterdir()]
        except OSError:
            return
        for name in names:
            if name.startswith("."):
                session = name[1:].split(".", 1)[0]
            elif name.endswith(_LOCK_SUFFIX):
                session = name.removesuffix(_LOCK_SUFFIX)
                if session in with_entries or _younger_than(self.folder / name, _LOCK_GRACE_SECONDS):
                    continue  # a window that is starting may not hold its new lock yet
            else:
                continue
            is_alive = alive.get(session)
            if is_alive is None:
                is_alive = alive[session] = self._session_alive(session)
            if not is_alive:
                with contextlib.suppress(OSError):
                    (self.folder / name).unlink()

    def _prune(self, keep: Path) -> None:
        """Stay within ``MAX_ENTRIES`` and ``MAX_STORE_BYTES``: drop the oldest files of dead windows."""
        entries: list[tuple[float, int, Path]] = []
        for path in self._entry_files():
            with contextlib.suppress(OSError):
                stat = path.stat()
                entries.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        if len(entries) <= MAX_ENTRIES and total <= MAX_STORE_BYTES:
            return
        alive: dict[str, bool] = {}
        count = len(entries)
        for _mtime, size, path in sorted(entries):
            if count <= MAX_ENTRIES and total <= MAX_STORE_BYTES:
                break
            session = path.name.split(".", 1)[0]
            if path == keep:
                continue
            if session not in alive:
                alive[session] = self._session_alive(session)
            if alive[session]:
                continue
            log.warning("recovery folder over its bounds: dropping the oldest copy %s", path)
            with contextlib.suppress(OSError):
                path.unlink()
                count -= 1
                total -= size


class RecoverySession:
    """One window's claim on the store: holds its lock file while open; writes and removes its own files."""

    def __init__(self, store: RecoveryStore) -> None:
        self.store = store
        self.id = secrets.token_hex(8)
        self._fd: int | None = None
        try:
            store.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(store._lock_path(self.id), os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            # Without a lock the window still works; its copies would just look like a dead window's to a
            # second window. Say so once, and try writing copies anyway.
            log.warning("cannot lock a recovery session in %s: %s", store.folder, exc)
        else:
            self._fd = fd
        self._closer = weakref.finalize(self, _close_fd, self._fd)

    @property
    def is_open(self) -> bool:
        return self._closer.alive

    def path(self, key: str) -> Path:
        if not KEY.match(key):
            raise ValueError(f"not a recovery key: {key!r}")
        return self.store.folder / f"{self.id}.{key}{ENTRY_SUFFIX}"

    def save(
        self,
        key: str,
        *,
        fields: StoryFields,
        base: BaseStory | None,
        who: str,
        story_id: int | None = None,
        saved_at: datetime | None = None,
    ) -> Path:
        """Write (or replace) the copy of one form, atomically. Raises ``RecoveryError`` when it cannot."""
        target = self.path(key)
        document = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "key": key,
            "story_id": story_id,
            "saved_at": (saved_at or datetime.now(UTC)).isoformat(),
            "who": who,
            "base": base_json(base),
            "fields": fields_json(fields),
        }
        data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if len(data) > MAX_ENTRY_BYTES:
            raise RecoveryError(
                f"the form is {len(data) / 2**20:.1f} MB, more than the {MAX_ENTRY_BYTES // 2**20} MB "
                "a recovery copy may take"
            )
        try:
            replace_atomically(target, data)
        except OSError as exc:
            raise RecoveryError(
                f"cannot write a recovery copy in {self.store.folder}: {exc.strerror or exc}"
            ) from exc
        self.store._prune(keep=target)
        return target

    def discard(self, key: str) -> None:
        """Remove this window's copy of one form (saved, or its edits discarded)."""
        with contextlib.suppress(FileNotFoundError):
            self.path(key).unlink()
            fsync_dir(self.store.folder)

    def adopt(self, edit: RecoveredEdit) -> Path:
        """Take a dead window's copy over: written under this session first, then the old file removed, so a
        crash in between leaves one copy or two, never none."""
        path = self.save(
            edit.key,
            fields=edit.fields,
            base=edit.base,
            who=edit.who,
            story_id=edit.story_id,
            saved_at=edit.saved_at,
        )
        if edit.path != path:
            with contextlib.suppress(FileNotFoundError):
                edit.path.unlink()
            fsync_dir(self.store.folder)
        return path

    def close(self, *, keep: bool = False) -> None:
        """End the session: remove its copies (unless ``keep``: unsaved edits the next start should offer),
        then release the lock."""
        if not self.is_open:
            return
        if not keep:
            prefix = f"{self.id}."
            for path in self.store._entry_files():
                if path.name.startswith(prefix):
                    with contextlib.suppress(OSError):
                        path.unlink()
            with contextlib.suppress(OSError):
                self.store._lock_path(self.id).unlink()
        self._closer()


def _close_fd(fd: int | None) -> None:
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


def _younger_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime < seconds
    except OSError:
        return False
