"""Is the database server there? The one question the desk's connection watch asks (``ui/connection.py``).

Only a server can go away: an SQLite file is ``watched`` never. ``reachable()`` runs ``SELECT 1`` in a
read transaction, so it goes through the engine's pool as every other call does: ``pool_pre_ping`` throws
away the connections the server dropped and opens new ones, so the first answer after the server is back
is already a fresh connection, and the next save needs no retry of its own.
"""

from __future__ import annotations

from sqlalchemy import text

from ca_editor.domain.errors import ServerUnreachableError
from ca_editor.persistence.database import Database


class ConnectionService:
    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def watched(self) -> bool:
        """Whether the database is a server, which can go away while a desk is open."""
        return not self._db.is_sqlite

    def reachable(self) -> bool:
        """True when the server answers; False when it cannot be reached (stopped, restarting, network down).

        Any other refusal (too many connections, a login refused) means a server that is there: it is the
        action that fails then, with its own sentence, not the connection.
        """
        try:
            with self._db.read() as session:
                session.execute(text("SELECT 1"))
        except ServerUnreachableError:
            return False
        return True
