"""Who is who on a shared desk: the database login a change is recorded under, and the name shown for it.

On PostgreSQL every save, status step, sign-off and export records the login (``current_user``), not a
name someone typed: the server vouches for it. People see the display name the person gave once (table
``people``, migration 0015); a login without one is shown as itself. On SQLite there are no logins: the
name given at the workstation is recorded and shown as it is, and nothing here reads the database.

Display names are few and rarely change, so they are read once per database URL and kept; a login not
seen yet is looked up again (once per transaction), so a colleague who joined later is named at once.
"""

from __future__ import annotations

from sqlalchemy import Engine, delete, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ca_editor.persistence.models import PersonRow, SectionChiefRow

_NAMES: dict[str, dict[str, str]] = {}  # display name by login, per database URL
_LOOKED_AGAIN = "ca_editor.people_reloaded"
INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL's SQLSTATE for "permission denied"


def is_shared(session: Session) -> bool:
    """Whether the session is on a server with logins (PostgreSQL), not a workstation's SQLite file."""
    return session.get_bind().dialect.name != "sqlite"


def current_login(session: Session) -> str:
    """The server's name for whoever this connection is (``current_user``); "" on SQLite."""
    if not is_shared(session):
        return ""
    return str(session.scalar(text("SELECT current_user")) or "")


def shown_name(session: Session | None, recorded: str) -> str:
    """The name people see for what a row recorded: the login's display name on a shared desk."""
    if not recorded or session is None or not is_shared(session):
        return recorded
    key = _key(session)
    names = _NAMES.get(key)
    if names is None or (recorded not in names and not session.info.get(_LOOKED_AGAIN)):
        session.info[_LOOKED_AGAIN] = True
        names = _load(session, key)
    return names.get(recorded) or recorded


def display_name(session: Session, login: str) -> str:
    """The display name the login gave, read now ("" when none was given)."""
    return session.scalar(select(PersonRow.display_name).where(PersonRow.login == login)) or ""


def set_display_name(session: Session, login: str, name: str) -> None:
    """Record (or change) the name shown for ``login``."""
    row = session.get(PersonRow, login)
    if row is None:
        session.add(PersonRow(login=login, display_name=name))
    else:
        row.display_name = name
    session.flush()
    _NAMES.setdefault(_key(session), {})[login] = name


def chiefs(session: Session, section_id: int) -> tuple[str, ...]:
    """The logins whose sign-off counts as approval of the section, in name order."""
    stmt = (
        select(SectionChiefRow.login)
        .where(SectionChiefRow.section_id == section_id)
        .order_by(SectionChiefRow.login)
    )
    return tuple(session.scalars(stmt))


def set_chiefs(session: Session, section_id: int, logins: tuple[str, ...]) -> None:
    """Make ``logins`` the section's desk chiefs (replacing those named before)."""
    session.execute(delete(SectionChiefRow).where(SectionChiefRow.section_id == section_id))
    session.add_all(SectionChiefRow(section_id=section_id, login=login) for login in dict.fromkeys(logins))
    session.flush()


def permission_denied(exc: BaseException) -> bool:
    """Whether the server refused the statement for the login's grants (not for the data)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    return getattr(orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE


def _key(session: Session) -> str:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    return engine.url.set(username=None, password=None).render_as_string()  # one database, any login


def _load(session: Session, key: str) -> dict[str, str]:
    names = {row.login: row.display_name for row in session.scalars(select(PersonRow))}
    _NAMES[key] = names
    return names
