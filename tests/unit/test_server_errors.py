"""A PostgreSQL server's refusals reach a person as one sentence, never as the driver's text."""

from __future__ import annotations

import sqlite3

import psycopg
import psycopg.errors
import pytest
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, ProgrammingError

from ca_editor.domain.errors import ServerUnreachableError, StorageError
from ca_editor.persistence.database import _storage_errors
from ca_editor.persistence.engine import server_timeouts
from ca_editor.persistence.server_errors import (
    SERVER_UNREACHABLE,
    UNREACHABLE_AT_OPEN,
    opening_error_message,
    server_error_message,
)

REFUSED = (
    'connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused\n'
    "\tIs the server running on that host and accepting TCP/IP connections?"
)
DRIVER_WORDS = ("psycopg", "sqlstate", "fatal", "\n", "127.0.0.1", "5432")


def _raised(orig: Exception, kind: type = OperationalError) -> StorageError:
    with pytest.raises(StorageError) as caught, _storage_errors():
        raise kind("SELECT 1", {}, orig)
    return caught.value


@pytest.mark.parametrize(
    ("orig", "words"),
    [
        (psycopg.errors.SerializationFailure("could not serialize access"), "at the same moment"),
        (
            psycopg.errors.DeadlockDetected("deadlock detected\nDETAIL: Process 12 waits"),
            "at the same moment",
        ),
        (psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"), "stayed busy"),
        (psycopg.errors.QueryCanceled("canceling statement due to statement timeout"), "stayed busy"),
        (psycopg.errors.TooManyConnections("sorry, too many clients already"), "too many connections"),
        (psycopg.errors.DiskFull("could not extend file"), "disk is full"),
    ],
)
def test_a_refusal_is_a_sentence_without_the_driver_text(orig: Exception, words: str) -> None:
    error = _raised(orig)
    assert words in str(error)
    assert not any(word in str(error).lower() for word in DRIVER_WORDS)
    assert "nothing was changed" in str(error).lower()


@pytest.mark.parametrize(
    "orig",
    [
        psycopg.OperationalError(REFUSED),
        psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"),
        psycopg.OperationalError("the connection is closed"),
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        psycopg.errors.CannotConnectNow("the database system is starting up"),
    ],
)
def test_a_server_gone_away_is_told_as_such_so_the_desk_retries(orig: Exception) -> None:
    error = _raised(orig)
    assert isinstance(error, ServerUnreachableError)
    assert str(error) == SERVER_UNREACHABLE


def test_a_closed_connection_the_driver_calls_an_interface_error_is_gone_away_too() -> None:
    assert isinstance(_raised(psycopg.InterfaceError("the connection is lost"), InterfaceError), StorageError)


def test_a_refused_grant_is_a_sentence_but_a_unique_violation_is_the_callers() -> None:
    error = _raised(
        psycopg.errors.InsufficientPrivilege("permission denied for table stories"), ProgrammingError
    )
    assert "not allowed" in str(error)
    with pytest.raises(IntegrityError), _storage_errors():
        raise IntegrityError("INSERT", {}, psycopg.errors.UniqueViolation("duplicate key"))


def test_an_unknown_refusal_names_its_code_not_its_text() -> None:
    orig = psycopg.errors.InternalError_("could not open file base/1234: secret path")
    error = _raised(orig)
    assert "XX000" in str(error)
    assert "secret path" not in str(error)


def test_sqlite_errors_keep_their_own_sentences() -> None:
    assert server_error_message(OperationalError("BEGIN", {}, sqlite3.OperationalError("locked"))) is None
    assert "busy" in str(_raised(sqlite3.OperationalError("database is locked")))


@pytest.mark.parametrize(
    ("fatal", "words"),
    [
        (REFUSED, UNREACHABLE_AT_OPEN),
        ('connection failed: … failed: FATAL:  database "desk" does not exist', "createdb"),
        ('connection failed: … failed: FATAL:  role "amina" does not exist', "does not know this login"),
        ('connection failed: … FATAL:  password authentication failed for user "amina"', "password"),
        ('connection failed: … FATAL:  no pg_hba.conf entry for host "10.0.0.9"', "pg_hba.conf"),
        ('connection failed: … FATAL:  no pg_hba.conf entry for host "10.0.0.9", SSL off', "pg_hba.conf"),
        ("connection failed: … fe_sendauth: no password supplied", "none was given"),
        ("connection failed: … server does not support SSL, but SSL was required", "sslmode"),
    ],
)
def test_a_database_that_cannot_be_opened_says_why_in_one_line(fatal: str, words: str) -> None:
    message = opening_error_message(OperationalError("connect", {}, psycopg.OperationalError(fatal)))
    assert message is not None
    assert words in message
    assert "\n" not in message
    assert "FATAL" not in message


def test_a_silent_server_is_given_up_on_in_seconds_unless_the_url_or_environment_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    timeouts = server_timeouts("postgresql://amina@db.example/desk")
    assert timeouts["connect_timeout"] == 10
    assert timeouts["tcp_user_timeout"] == 30_000 and timeouts["keepalives"] == 1
    assert "connect_timeout" not in server_timeouts("postgresql://amina@db.example/desk?connect_timeout=3")
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "4")
    assert "connect_timeout" not in server_timeouts("postgresql://amina@db.example/desk")
