"""Whether an SQLite file changed: ``PRAGMA data_version`` on a read-only connection of its own.

The number moves whenever any *other* connection (this process's engine, another window's, a script's)
commits to the file, so "did anything change?" costs one pragma, not a scan. The watching connection never
writes and is opened on first use. Used by the backup service (back up only when the data changed) and by
the live desk (``persistence/desk_events.py``: wake up and read a colleague's events).

Not thread-safe by itself: each user holds its own watch and serialises its calls.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ca_editor.persistence.backup import read_only_uri


class DataVersionWatch:
    def __init__(self, file: Path) -> None:
        self.file = file
        self._connection: sqlite3.Connection | None = None

    def connection(self) -> sqlite3.Connection:
        """The watching connection (read-only), opened on first use; raises ``sqlite3.Error``."""
        if self._connection is None:
            self._connection = sqlite3.connect(
                read_only_uri(self.file), uri=True, check_same_thread=False, timeout=15.0
            )
        return self._connection

    def version(self) -> int | None:
        """``PRAGMA data_version`` now; ``None``: the file cannot be read (the connection is closed then)."""
        try:
            row = self.connection().execute("PRAGMA data_version").fetchone()
        except sqlite3.Error:
            self.close()
            return None
        return int(row[0])

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
