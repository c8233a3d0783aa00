"""Durable writes, shared by every layer that must survive a crash: the export, backups, recovery copies.

Like ``locations.py`` it sits outside the layers: it knows files, nothing of the desk.
"""

from __future__ import annotations

import contextlib
import os
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
