"""The unit of work: one session and one transaction per user action, owned by the service layer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ca_editor.domain.errors import StorageError
from ca_editor.persistence.backup import sqlite_file
from ca_editor.persistence.engine import BUSY_TIMEOUT_MS, is_sqlite, make_engine, writer


class Database:
    """Hands out short-lived sessions. Nothing outside the service layer ever holds one."""

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        """``read_only``: the file cannot be written here (a locked share); reads work, writes are refused."""
        self.url = url
        self.read_only = read_only
        self.engine: Engine = make_engine(url)
        self._readers = sessionmaker(self.engine, expire_on_commit=False)
        self._writers = sessionmaker(writer(self.engine), expire_on_commit=False)

    @property
    def display_name(self) -> str:
        """Where the data lives, for people: a file path, or host/database without the password."""
        file = sqlite_file(self.url)
        if file is not None and self.read_only:
            return str(file)
        if self.url.startswith("sqlite:///"):
            return self.url.removeprefix("sqlite:///")
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with _storage_errors(), self._readers() as session, session.begin():
            yield session

    @contextmanager
    def write(self, actor: str = "") -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back whole if it raises.

        ``actor`` is the name of the person the change is made for; rows it touches record it (``actor_of``).
        """
        if self.read_only:
            raise StorageError(READ_ONLY_MESSAGE)
        with _storage_errors(), self._writers() as session, session.begin():
            session.info[_ACTOR] = actor
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


_ACTOR = "ca_editor.actor"
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
    except OperationalError as exc:
        raise StorageError(describe_operational_error(exc)) from exc


def describe_operational_error(exc: OperationalError) -> str:
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
