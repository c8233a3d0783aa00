"""What a database server's refusals mean to a person: one sentence each, never the driver's text.

SQLite says "locked" or "busy"; PostgreSQL answers with a SQLSTATE code, and a server that goes away (stopped,
restarted, the network down) shows up as a failed connect or as a connection dropped mid-statement. Each
becomes a sentence that says what happened, that nothing half-done was kept, and whether trying again helps
(``persistence.database`` raises it as ``StorageError``, or as ``ServerUnreachableError`` when the server
cannot be reached, which the desk's connection watch answers by retrying: ``ui/connection.py``).

The driver's own text is left out on purpose: it is multi-line, names hosts and internals, and is a
developer's message; the original exception stays chained for the log.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

SERVER_UNREACHABLE = (
    "The database server cannot be reached (it stopped or restarted, or the network is down); nothing was "
    "changed. ca-editor keeps trying and says when it is connected again."
)
_CONFLICT = (
    "Someone else changed the same section or story at the same moment, so the database refused this "
    "change; nothing was changed and your edits are kept. Try again."
)
_BUSY = (
    "The database server stayed busy: another workstation is holding what this change needs. Nothing was "
    "changed and your edits are kept; try again in a moment."
)

# SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html) -> the sentence a person reads.
_BY_STATE = {
    "40001": _CONFLICT,  # serialization_failure
    "40P01": _CONFLICT,  # deadlock_detected: PostgreSQL rolled one of the two back
    "55P03": _BUSY,  # lock_not_available (lock_timeout)
    "57014": _BUSY,  # query_canceled (statement_timeout)
    "53300": "The database server has too many connections open; nothing was changed. Try again in a "
    "moment, or ask whoever runs the server to raise max_connections.",
    "53100": "The database server's disk is full; nothing was changed. Ask whoever runs the server.",
    "53200": "The database server ran out of memory; nothing was changed. Try again in a moment.",
    "25006": "The database server only allows reading here (a read-only standby or transaction); your "
    "change was not saved.",
    "42501": "Your database login is not allowed to make this change (the README's Roles and grants); "
    "nothing was changed.",
    "28P01": "The database server refused the login (password authentication failed): check the password "
    "in ~/.pgpass, PGPASSFILE or the address; nothing was changed.",
    "28000": "The database server refused the login for this user or host (pg_hba.conf); nothing was "
    "changed.",
    "3D000": "That database does not exist on the server; create it first (createdb NAME). Nothing was "
    "changed.",
}
# A refused connect carries no SQLSTATE in psycopg, only libpq's or the server's line; these words tell them
# apart, first match wins ("no password supplied" is not a wrong password; a role's "does not exist" is not
# a database's).
_CONNECT_REFUSALS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("no password supplied",),
        "The database server asks for a password and none was given: put it in ~/.pgpass or the file "
        "PGPASSFILE names; nothing was changed.",
    ),
    (("pg_hba.conf",), _BY_STATE["28000"]),  # before "ssl": its line may end in "SSL off"
    (
        ('role "', "does not exist"),
        "The database server does not know this login (user); ask whoever runs the server to create it "
        "(the README's Roles and grants). Nothing was changed.",
    ),
    (('database "', "does not exist"), _BY_STATE["3D000"]),
    (("password",), _BY_STATE["28P01"]),
    (("too many clients",), _BY_STATE["53300"]),
    (("remaining connection slots",), _BY_STATE["53300"]),
    (
        ("ssl",),
        "The connection's SSL setting (sslmode) does not fit the server: SSL was required and the server "
        "does not offer it, or the reverse; nothing was changed.",
    ),
)
UNREACHABLE_AT_OPEN = (
    "the database server cannot be reached (no connection: it is stopped, or the host, port or network is "
    "wrong or down); nothing was changed. Start the server, or check the host and port, and try again."
)
# Classes of SQLSTATE that mean the connection itself is gone or not there yet.
_UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03")


def is_server_unreachable(exc: DBAPIError) -> bool:
    """The server cannot be reached: a failed connect, or a connection dropped under a statement."""
    if exc.connection_invalidated:
        return True
    state = sqlstate(exc)
    if state is None:
        # psycopg raises a connect failure ("connection failed: … Connection refused") and a connection closed
        # under it ("server closed the connection unexpectedly", "the connection is closed") without a code.
        text = str(exc.orig or exc).lower()
        return "connection" in text or "server" in text
    return state.startswith(_UNREACHABLE_STATES)


def server_error_message(exc: DBAPIError) -> str | None:
    """A person's sentence for a PostgreSQL server's refusal, or None when it is not one (SQLite, or a code
    the caller handles itself, such as a unique violation)."""
    if not _from_postgresql(exc):
        return None
    state = sqlstate(exc)
    if state in _BY_STATE:
        return _BY_STATE[state]
    if state is None:
        text = str(exc.orig).lower()
        for words, message in _CONNECT_REFUSALS:
            if all(word in text for word in words):
                return message
    if is_server_unreachable(exc):
        return SERVER_UNREACHABLE
    return None


def opening_error_message(exc: DBAPIError) -> str | None:
    """Why a PostgreSQL database could not be opened (a command, the desk's first start), or None."""
    message = server_error_message(exc)
    if message == SERVER_UNREACHABLE:
        return UNREACHABLE_AT_OPEN
    return message or server_refusal(exc)


def server_refusal(exc: DBAPIError) -> str | None:
    """Any other PostgreSQL refusal: its code (to quote to whoever runs the server), not its text."""
    if not _from_postgresql(exc):
        return None
    return f"The database server refused the action (code {sqlstate(exc) or 'none'}); nothing was changed."


def sqlstate(exc: DBAPIError) -> str | None:
    code = getattr(exc.orig, "sqlstate", None)
    return code if isinstance(code, str) else None


def _from_postgresql(exc: DBAPIError) -> bool:
    return type(exc.orig).__module__.startswith("psycopg")
