"""Whether a database file is known sound, so that opening it can skip the full ``PRAGMA quick_check``.

SQLite does not damage its own files; damage comes from outside: a copy of a live file, a disk, another
program writing into it. So the check at open (0.3 s on a 200 MB file) is needed only when the file may
have changed since ca-editor last knew it sound. What ca-editor knew is one small note per database in the
user data folder (``locations.known_sound_mark``): the main file's device, inode, size, mtime and ctime
(nanoseconds), written when a check passes and when a ca-editor process closes the database cleanly (its
last connection gone, so SQLite's final checkpoint has run and no ``-wal`` with content is left).

At the next open the note must match the file exactly and no ``-wal`` or ``-journal`` with content may lie
beside it; anything else (another program wrote the file, a crash left a WAL, a file was copied in or
restored, the note is missing or unreadable) gets the full check as before. ctime cannot be set back by a
program (only the clock can), so a tool that restores the old mtime after writing still shows.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

from ca_editor.durable import replace_atomically
from ca_editor.locations import known_sound_mark
from ca_editor.persistence.backup import check_file

_FIELDS = ("device", "inode", "size", "mtime_ns", "ctime_ns")


def check_unless_known_sound(path: Path) -> None:
    """``backup.check_file`` (raises on a damaged or foreign file), skipped when ``path`` is as ca-editor
    last knew it sound; a file that passes is noted as sound."""
    if is_known_sound(path):
        return
    checked = _identity(path)
    check_file(path)
    if checked is not None and _identity(path) == checked:  # nobody wrote it while it was being checked
        remember_sound(path)


def is_known_sound(path: Path) -> bool:
    """Whether ``path`` is exactly the file ca-editor last noted as sound, with nothing pending beside it."""
    identity = _identity(path)
    if identity is None:
        return False
    try:
        noted = json.loads(known_sound_mark(path).read_bytes())
    except (OSError, ValueError):  # no note, or one a power cut left empty: check
        return False
    return isinstance(noted, dict) and all(noted.get(field) == identity[field] for field in _FIELDS)


def remember_sound(path: Path, *, mark: Path | None = None) -> None:
    """Note ``path`` as sound, as it is now (in ``mark``, by default its note in the user data folder); not
    when a WAL or journal with content lies beside it (another connection is open, or a crash left it). A
    note that cannot be written is no loss: the next open checks."""
    mark = mark or known_sound_mark(path)
    identity = _identity(path)
    if identity is None:
        _forget(mark)
        return
    with contextlib.suppress(OSError):
        replace_atomically(mark, json.dumps({"path": str(path), **identity}), sync=False)


@dataclass(frozen=True)
class OpenedSound:
    """A file opened while known sound: what its clean close needs to note it sound again."""

    path: Path
    device: int
    inode: int
    mark: Path  # resolved at open: the user data folder of that moment, not of the exit

    def remember_at_close(self) -> None:
        """After the last connection closed: note the file sound, unless the path now names another file
        than the one opened (replaced meanwhile: that one is for the next open to check)."""
        try:
            info = self.path.stat()
        except OSError:
            return
        if (info.st_dev, info.st_ino) != (self.device, self.inode):
            _forget(self.mark)
            return
        remember_sound(self.path, mark=self.mark)


def opened_sound(path: Path) -> OpenedSound | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return OpenedSound(path, info.st_dev, info.st_ino, known_sound_mark(path))


def _forget(mark: Path) -> None:
    with contextlib.suppress(OSError):
        mark.unlink(missing_ok=True)


def _identity(path: Path) -> dict[str, int] | None:
    """The main file's identity, or ``None`` when it cannot be read or has a WAL/journal with content."""
    try:
        info = path.stat()
    except OSError:
        return None
    for suffix in ("-wal", "-journal"):
        try:
            if path.with_name(path.name + suffix).stat().st_size > 0:
                return None
        except FileNotFoundError:
            continue
        except OSError:
            return None
    return {
        "device": info.st_dev,
        "inode": info.st_ino,
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns,
        "ctime_ns": info.st_ctime_ns,
    }
