"""SQLite through the standard library's driver, for the file work that needs no engine or session.

Backups, checks and salvage (``persistence/backup.py``, ``persistence/salvage.py``) open the file
directly: ``connect`` gives a connection that waits ``TIMEOUT_S`` for a lock and closes on leaving
``with`` (the stdlib's only ends the transaction there).
"""

from __future__ import annotations

import sqlite3
from types import TracebackType
from typing import Literal

#: How long a direct connection waits for another one's lock before it gives up.
TIMEOUT_S = 15.0


class ClosingConnection(sqlite3.Connection):
    """Closes on leaving ``with`` (the stdlib's only ends the transaction)."""

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None, /
    ) -> Literal[False]:
        super().__exit__(kind, exc, tb)
        self.close()
        return False


def connect(target: str, *, uri: bool = False) -> sqlite3.Connection:
    """A closing connection to ``target`` (a path, or an SQLite URI with ``uri``), busy timeout set."""
    connection = sqlite3.connect(target, uri=uri, timeout=TIMEOUT_S, factory=ClosingConnection)
    connection.execute(f"PRAGMA busy_timeout = {int(TIMEOUT_S * 1000)}")
    return connection


def quote_name(name: str) -> str:
    """A table or column name quoted for SQL."""
    return '"' + name.replace('"', '""') + '"'


def error_sentence(exc: sqlite3.Error) -> str:
    """What went wrong, said for a person: a full disk or a read-only place, else SQLite's words."""
    text = str(exc)
    if "full" in text.lower():
        return "the disk is full; free some space"
    if "readonly" in text.lower() or "read-only" in text.lower():
        return "the folder or file is read-only"
    return text
