"""The unit of work: one session and one transaction per service call, owned by the service layer.

``read()`` and ``write(actor)`` are context managers around one transaction, committed when the block ends
and rolled back whole if it raises; a service returns domain values (``persistence.mapping``), never the
session or a live row. Writers start with ``BEGIN IMMEDIATE`` on SQLite (``engine.writer``), so a read that
turns into a write never fails with "database is locked". A user action may make several calls (a story
delete first takes a backup, then deletes); what must be all or nothing is one ``write`` block.
"""

from __future__ import annotations

import atexit
import os
import re
import secrets
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event
from sqlalchemy.exc import DatabaseError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ca_editor.domain.errors import ServerUnreachableError, StorageError
from ca_editor.locations import shown_url
from ca_editor.persistence import desk_events
from ca_editor.persistence.backup import sqlite_file
from ca_editor.persistence.engine import BUSY_TIMEOUT_MS, is_sqlite, make_engine, writer
from ca_editor.persistence.known_sound import OpenedSound, opened_sound
from ca_editor.persistence.people import current_login
from ca_editor.persistence.server_errors import SERVER_UNREACHABLE, server_error_message, server_refusal


class Database:
    """Hands out short-lived sessions. Nothing outside the service layer ever holds one."""

    def __init__(self, url: str, *, read_only: bool = False, known_sound: bool = False) -> None:
        """``read_only``: the file cannot be written here (a locked share); reads work, writes are refused.

        ``known_sound``: the file was checked (or known) sound at open; a clean ``dispose`` then notes it
        sound as SQLite leaves it, so the next open can skip the full check (``persistence.known_sound``).
        """
        self.url = url
        self.read_only = read_only
        file = sqlite_file(url) if known_sound else None
        self._sound = _SoundNote(opened_sound(file) if file is not None else None)
        self.engine: Engine = make_engine(url)
        self._readers = sessionmaker(self.engine, expire_on_commit=False)
        self._writers = sessionmaker(writer(self.engine), expire_on_commit=False)
        # Each write leaves one event for the other desks on this database (persistence/desk_events.py);
        # ``token`` marks this desk's own, which its live watch passes over.
        self.token = secrets.token_hex(8)
        event.listen(self._writers, "before_flush", desk_events.collect)
        self._login: str | None = None  # the server's current_user, read on the first write (people.py)

    @property
    def display_name(self) -> str:
        """Where the data lives, for people: a file path, or host/database without the password."""
        file = sqlite_file(self.url)
        if file is not None and self.read_only:
            return str(file)
        return shown_url(self.url)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._damage_watch(), _storage_errors(), self._readers() as session, session.begin():
            yield session

    @contextmanager
    def write(self, actor: str = "") -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back whole if it raises.

        ``actor`` is the name of the person the change is made for; rows it touches record it (``actor_of``).
        On a server the login is recorded instead (``persistence.people``): the server vouches for it.
        """
        if self.read_only:
            raise StorageError(READ_ONLY_MESSAGE)
        with self._damage_watch(), _storage_errors(), self._writers() as session, session.begin():
            session.info[_ACTOR] = actor if self.is_sqlite else self._login_of(session)
            yield session
            desk_events.record(session, actor or actor_of(session), self.token)  # same transaction

    @property
    def login(self) -> str:
        """The database login every change is recorded under on a server ("" on SQLite: no logins)."""
        if self.is_sqlite:
            return ""
        if self._login is None:
            with self.read() as session:
                self._login = current_login(session)
        return self._login

    def _login_of(self, session: Session) -> str:
        """On a server the actor is the login (``current_user``), never a typed name; read once."""
        if self._login is None:
            self._login = current_login(session)
        return self._login

    def dispose(self) -> None:
        """Close every pooled connection; a file known sound is noted sound as the last close left it."""
        self._sound.close(self.engine)

    def dispose_at_exit(self) -> None:
        """Dispose when the process exits, if nobody did: the command line leaves its objects to the exit
        (``cli.main`` freezes the collector), and only a clean close lets the next start skip the full
        check. The engine is held weakly (tests open thousands); never in a forked child, whose inherited
        connections are its parent's."""
        engine, note, pid = weakref.ref(self.engine), self._sound, os.getpid()

        def close() -> None:
            alive = engine()
            if alive is not None and os.getpid() == pid:
                note.close(alive)

        atexit.register(close)

    @contextmanager
    def _damage_watch(self) -> Iterator[None]:
        """SQLite reporting damage mid-session (another program wrote the file): never note it sound."""
        try:
            yield
        except DatabaseError as exc:
            if _DAMAGE_WORDS.search(str(exc.orig or exc)):
                self._sound.opened = None
            raise
        except StorageError as exc:
            if _DAMAGE_WORDS.search(str(exc)):
                self._sound.opened = None
            raise


class _SoundNote:
    """The file as known sound at open, until a clean close notes it again or damage is seen (then None)."""

    def __init__(self, opened: OpenedSound | None) -> None:
        self.opened = opened

    def close(self, engine: Engine) -> None:
        engine.dispose()
        opened, self.opened = self.opened, None  # once: a later close must not vouch for what came after
        if opened is not None:
            opened.remember_at_close()


_ACTOR = "ca_editor.actor"
_DAMAGE_WORDS = re.compile(r"malformed|not a database|damaged|corrupt", re.IGNORECASE)
READ_ONLY_MESSAGE = (
    "The database is open read-only (the file or its folder cannot be written here); your change was not "
    "saved. Nothing was lost."
)


def actor_of(session: Session) -> str:
    """The name of the person this write transaction works for ("" when a script gave none)."""
    return str(session.info.get(_ACTOR, ""))


@contextmanager
def _storage_errors() -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        # A server's refusal (PostgreSQL: serialization, deadlock, lock timeout, gone away) is a sentence
        # whatever the driver's class for it; other driver errors than SQLite's operational ones (a unique
        # violation, say) are the caller's to interpret.
        message = server_error_message(exc)
        if message is None and not isinstance(exc, OperationalError | InterfaceError):
            raise
        message = message or describe_operational_error(exc)
        raise (ServerUnreachableError if message == SERVER_UNREACHABLE else StorageError)(message) from exc


def describe_operational_error(exc: DBAPIError) -> str:
    server = server_error_message(exc) or server_refusal(exc)
    if server is not None:
        return server
    text = str(exc.orig) if exc.orig else str(exc)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return (
            f"The database stayed busy for {BUSY_TIMEOUT_MS // 1000} seconds: another ca-editor or program "
            "is writing to it. Nothing was changed and your edits are kept; try again in a moment. If it "
            "stays busy, close other programs that have the file open (a stuck ca-editor, a sync tool)."
        )
    if "readonly" in lowered or "read-only" in lowered:
        return "The database file is read-only; your change was not saved. Check the file's permissions."
    if "full" in lowered:
        return "The disk is full; your change was not saved and the database is as it was. Free some space."
    if "malformed" in lowered or "not a database" in lowered:
        return "The database file is damaged; your change was not saved. Restore it from a backup."
    return f"The database could not complete the action ({text}); nothing was changed."
