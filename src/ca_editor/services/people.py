"""Who is who on a shared desk: the login a change is recorded under, its display name, and desk chiefs.

On PostgreSQL the server says who someone is (``current_user``); the name a person types only becomes the
display name of their login, and only the first time (``adopt``): a name given later with ``--user`` or
``$CA_EDITOR_USER`` does not rename anyone. The window's "Your name…" (``rename``) is the one deliberate
change. On SQLite (one workstation, no logins) the typed name is recorded as it is, as before.

A section can name its desk chiefs (logins). On a shared desk with chiefs named, only their sign-off is
taken: anyone else's is refused (``ReviewService.sign_off``). The database enforces the rest: a role
without INSERT on ``sign_offs`` cannot sign off at all (README, "Roles and grants").
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ca_editor.domain.errors import NotAllowedError, NotFoundError, Problem, ValidationError
from ca_editor.persistence import people
from ca_editor.persistence.database import Database
from ca_editor.persistence.models import SectionRow
from ca_editor.services.identity import MAX_NAME, Identity

MAX_CHIEFS = 20


def refusal(action: str, login: str) -> NotAllowedError:
    """The sentence for a statement the server refused for the login's grants."""
    return NotAllowedError(
        f"Your database login '{login}' may not {action} on this desk (its grants do not allow it); "
        "nothing was changed. Ask whoever runs the database server to grant it if you should."
    )


class PeopleService:
    def __init__(self, db: Database, identity: Identity | None = None) -> None:
        self._db = db
        self._identity = identity or Identity()

    @property
    def shared(self) -> bool:
        """Whether the desk is on a server with logins (PostgreSQL)."""
        return not self._db.is_sqlite

    @property
    def login(self) -> str:
        """The login changes are recorded under ("" on SQLite)."""
        return self._db.login

    def adopt(self, declared: str = "") -> str | None:
        """Make the identity the login's display name on a shared desk; on SQLite take ``declared`` as is.

        A login without a display name takes ``declared`` (a name typed once, ``--user``) as its display
        name. Returns a sentence for the person when ``declared`` was not taken (another name is set).
        """
        name = " ".join(declared.split())[:MAX_NAME]
        if not self.shared:
            if name:
                self._identity.set(name)
            return None
        login = self.login
        self._identity.login = login
        with self._db.read() as session:
            recorded = people.display_name(session, login)
        if not recorded and name:
            self._record(login, name)
            recorded = name
        if recorded:
            self._identity.set(recorded)
        if name and recorded != name:
            return (
                f"On this shared desk your work is recorded under the database login '{login}', shown as "
                f"'{recorded}'; the name '{name}' was not taken (the window's Edit › Your name… changes it)."
            )
        return None

    def remember(self) -> None:
        """Shared desk: the name the window asked for becomes the login's display name, if it has none."""
        if self.shared and self._identity.is_set:
            with self._db.read() as session:
                recorded = people.display_name(session, self.login)
            if not recorded:
                self._record(self.login, self._identity.name)

    def rename(self, name: str) -> None:
        """The person changes the name shown for their login (the window's Your name…); SQLite: no-op."""
        if self.shared and name.strip():
            self._record(self.login, " ".join(name.split())[:MAX_NAME])

    def shown(self, login: str) -> str:
        """The name people see for ``login``."""
        with self._db.read() as session:
            return people.shown_name(session, login)

    def chiefs(self, section_id: int) -> tuple[str, ...]:
        """The section's desk chiefs (logins); empty when none are named."""
        with self._db.read() as session:
            return people.chiefs(session, section_id)

    def set_chiefs(self, section_id: int, logins: tuple[str, ...]) -> tuple[str, ...]:
        """Name the section's desk chiefs (replacing the list); a login the server does not know: refused."""
        wanted = tuple(dict.fromkeys(login.strip() for login in logins if login.strip()))
        if len(wanted) > MAX_CHIEFS:
            raise ValidationError([Problem("chiefs", f"at most {MAX_CHIEFS} desk chiefs can be named")])
        with self._db.write(self._identity.name) as session:
            if session.get(SectionRow, section_id) is None:
                raise NotFoundError(f"section {section_id} does not exist")
            if people.is_shared(session):
                known = set(session.scalars(text("SELECT rolname FROM pg_roles")))
                unknown = [login for login in wanted if login not in known]
                if unknown:
                    raise ValidationError(
                        [Problem("chiefs", f"the server has no login named {', '.join(map(repr, unknown))}")]
                    )
            try:
                people.set_chiefs(session, section_id, wanted)
            except DBAPIError as exc:
                if people.permission_denied(exc):
                    raise refusal("name desk chiefs", self.login) from exc
                raise
        return wanted

    def may_approve(self, section_id: int) -> bool:
        """Whether this login's sign-off counts for the section (always on SQLite or without chiefs)."""
        if not self.shared:
            return True
        chiefs = self.chiefs(section_id)
        return not chiefs or self.login in chiefs

    def _record(self, login: str, name: str) -> None:
        with self._db.write(name) as session:
            try:
                people.set_display_name(session, login, name)
            except DBAPIError as exc:
                if people.permission_denied(exc):
                    raise refusal("record its display name", login) from exc
                raise
