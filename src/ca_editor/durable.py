"""Durable writes, shared by every layer that must survive a crash: the export, backups, recovery copies.

Like ``locations.py`` it sits outside the layers: it knows files, nothing of the desk.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable
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


def replace_atomically(path: Path, data: bytes | str, *, sync: bool = True) -> None:
    """Give ``path`` the whole of ``data`` or leave it as it was: a temporary file beside it, renamed over it.

    ``sync=False`` is for small files whose loss in a power cut costs nothing but a repeat of some work (a
    hint, a cache entry): readers still see the old file or the whole new one, never a mix; only after a
    power cut may the new one be empty, which such a file's reader must treat as missing.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(temporary_name(path.name))
    try:
        if sync:
            write_synced(temporary, data)
        else:
            temporary.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    if sync:
        fsync_dir(path.parent)


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
