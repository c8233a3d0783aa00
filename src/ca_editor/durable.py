"""Durable writes, shared by every layer that must survive a crash: the export, backups, recovery copies.

Every file the app replaces goes through ``replace_atomically`` (bytes or text it has) or ``replacing``
(a file something else writes: SQLite's ``VACUUM INTO``, a salvage): a temporary file beside the target,
fsynced, given the permissions of the file it replaces, renamed over it, then the folder fsynced. A reader
sees the old file or the whole new one; a crash or an error leaves the old one and no temporary. (The
export's bundle swap in ``export/staging.py`` renames whole folders, which no file helper can do.)

Like ``locations.py`` it sits outside the layers: it knows files, nothing of the desk.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path


def write_synced(path: Path, data: bytes | str | Iterable[bytes]) -> None:
    """Write ``data`` to ``path`` and fsync it before returning (a rename after this cannot expose a hole)."""
    chunks = [data.encode("utf-8")] if isinstance(data, str) else [data] if isinstance(data, bytes) else data
    with open(path, "wb") as out:  # noqa: PTH123
        for chunk in chunks:
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())


def fsync_file(path: Path) -> None:
    """Flush a file someone else wrote (SQLite's ``VACUUM INTO``, a copy) to the disk."""
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink in ``path`` durable."""
    with contextlib.suppress(OSError):  # not every file system can fsync a directory
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def temporary_name(name: str) -> str:
    """A hidden name beside ``name`` that no other process or thread writes at the same time.

    The process id alone is not enough: the preview (GUI thread) and an export (its thread) may store the
    same file at once, and one would truncate the other's half-written temporary. Not ``mkstemp``: its files
    are private (0600), and a cached picture is hard-linked into a bundle a web server must read."""
    return f".{name}.{os.getpid()}-{threading.get_ident()}.tmp"


def replace_atomically(
    path: Path,
    data: bytes | str | Iterable[bytes],
    *,
    sync: bool = True,
    temporary: Path | None = None,
    sync_folder: bool = True,
) -> None:
    """Give ``path`` the whole of ``data`` or leave it as it was: a temporary file beside it, renamed over it.

    ``sync=False`` is for small files whose loss in a power cut costs nothing but a repeat of some work (a
    hint, a cache entry): readers still see the old file or the whole new one, never a mix; only after a
    power cut may the new one be empty, which such a file's reader must treat as missing. ``temporary`` and
    ``sync_folder`` as for ``replacing``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path, temporary=temporary, sync=False, sync_folder=sync and sync_folder) as staged:
        if sync:
            write_synced(staged, data)
        else:
            chunks = (
                [data.encode("utf-8")]
                if isinstance(data, str)
                else [data]
                if isinstance(data, bytes)
                else data
            )
            with open(staged, "wb") as out:  # noqa: PTH123
                out.writelines(chunks)


@contextlib.contextmanager
def replacing(
    path: Path, *, temporary: Path | None = None, sync: bool = True, sync_folder: bool = True
) -> Iterator[Path]:
    """Replace ``path`` with the file the ``with`` block writes at the path it is given; all or nothing.

    The block writes the temporary by any means (``VACUUM INTO``, a library writing a file). On a clean exit
    it is fsynced (``sync``), given the permission bits of the file it replaces, renamed over ``path``, and
    ``path``'s folder fsynced (``sync_folder``; False for a caller that fsyncs its folders once at the end).
    On an exception ``path`` stays as it was and the temporary is removed. ``temporary``: where to stage
    (default: a hidden name beside ``path``; the in-place export stages in its journal, on the same disk).
    """
    staged = temporary or path.with_name(temporary_name(path.name))
    try:
        yield staged
        if sync:
            fsync_file(staged)
        _keep_mode(path, staged)
        staged.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            staged.unlink()
        raise
    if sync_folder:
        fsync_dir(path.parent)


def _keep_mode(path: Path, staged: Path) -> None:
    """A replaced file keeps its permissions (a PDF someone made private stays private)."""
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return  # a new file: what the umask gives, as for any file we create
    with contextlib.suppress(OSError):
        staged.chmod(mode)


def link_or_copy(source: str, target: str) -> None:
    """Hard-link ``source`` as ``target`` (a new name), or copy it where the file system has no hard links
    (some network or FAT folders): a copy is as correct, only slower. A missing ``source`` raises
    ``FileNotFoundError`` (callers treat a cache file gone since they looked as a miss)."""
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise
    except OSError:
        with open(source, "rb") as old, open(target, "xb") as new:  # noqa: PTH123
            new.write(old.read())
