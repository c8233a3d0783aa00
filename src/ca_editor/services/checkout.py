"""Taking a section offline: check-out into a new SQLite laptop desk, release of an abandoned one, who has
which section out.

``checkout`` writes the laptop desk (``persistence/checkout_copy.py``) to ``NAME.partial``, records the
check-out on this desk (``checkouts``, one row with a random token the laptop keeps too), and only then
renames the file into place: a failure on either side leaves no laptop desk and no check-out. The section
stays editable here; the check-in merges both (``services/checkin.py``).
"""

from __future__ import annotations

import secrets
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from ca_editor.domain.errors import NotFoundError, StorageError
from ca_editor.persistence.checkout_copy import LaptopCopy, Origin, write_laptop_desk
from ca_editor.persistence.checkout_rows import CheckoutRow
from ca_editor.persistence.database import Database, actor_of
from ca_editor.persistence.models import SectionRow, utcnow
from ca_editor.persistence.people import shown_name
from ca_editor.services.identity import Identity, fallback_name

DEFAULT_MONTHS = 12


@dataclass(frozen=True, slots=True)
class CheckoutResult:
    path: Path
    section_slug: str
    token: str
    copied: LaptopCopy

    def summary(self) -> str:
        return (
            f"took section '{self.section_slug}' offline into {self.path}: {self.copied.stories} stories, "
            f"{sum(self.copied.rows.values())} rows in {self.copied.seconds:.1f} s"
        )


@dataclass(frozen=True, slots=True)
class ActiveCheckout:
    """A check-out not yet checked in or released: who took the section, since when, where to."""

    token: str
    section_id: int
    section_slug: str
    who: str  # the display name
    since: datetime
    taken_to: str
    months: int


class CheckoutService:
    def __init__(self, db: Database, identity: Identity | None = None) -> None:
        self._db = db
        self._identity = identity or Identity()

    def checkout(self, section_id: int, into: Path, months: int = DEFAULT_MONTHS) -> CheckoutResult:
        """Copy the section, its stories and ``months`` of archive into the new SQLite desk ``into``."""
        if months < 0:
            raise StorageError("--months cannot be negative; nothing was taken offline")
        into = into.expanduser().resolve()
        if not into.parent.is_dir():
            raise StorageError(f"the folder {into.parent} does not exist; nothing was taken offline")
        if into.exists():
            raise StorageError(
                f"{into} exists already; a check-out makes a new desk file. Nothing was taken."
            )
        partial = into.with_name(into.name + ".partial")
        _remove_sqlite(partial)  # what a crashed earlier check-out left
        with self._db.read() as session:
            section = session.get(SectionRow, section_id)
            if section is None:
                raise NotFoundError(f"section {section_id} does not exist")
            slug = section.slug
        now = utcnow()
        token = secrets.token_hex(16)
        origin = Origin(token, section_id, url_without_password(self._db.url), self._who(), now, months)
        try:
            copied = write_laptop_desk(self._db.engine, partial, origin, months_before(now, months))
            with self._db.write(self._identity.name) as session:
                session.add(
                    CheckoutRow(
                        token=token,
                        section_id=section_id,
                        taken_by=actor_of(session) or fallback_name(),
                        taken_at=now,
                        taken_to=f"{into} on {socket.gethostname()}",
                        months=months,
                    )
                )
        except BaseException:
            _remove_sqlite(partial)
            raise
        partial.rename(into)
        return CheckoutResult(into, slug, token, copied)

    def release(self, section_id: int) -> list[ActiveCheckout]:
        """Release every open check-out of the section (an abandoned laptop), recording who and when; their
        laptop desks can no longer be checked in. Returns what was released (empty: nothing was out)."""
        with self._db.write(self._identity.name) as session:
            rows = self._open_rows(session, section_id, lock=True)
            released = [self._active(session, row) for row in rows]
            for row in rows:
                row.released_at = utcnow()
                row.released_by = actor_of(session) or fallback_name()
            return released

    def active_checkout(self, section_id: int) -> ActiveCheckout | None:
        """The newest open check-out of the section (for "taken offline by NAME since …"), or None."""
        with self._db.read() as session:
            rows = self._open_rows(session, section_id)
            return self._active(session, rows[-1]) if rows else None

    def active(self) -> list[ActiveCheckout]:
        """Every open check-out on this desk, oldest first."""
        with self._db.read() as session:
            return [self._active(session, row) for row in self._open_rows(session, None)]

    def _open_rows(
        self, session: Session, section_id: int | None, *, lock: bool = False
    ) -> list[CheckoutRow]:
        query = select(CheckoutRow).where(
            CheckoutRow.released_at.is_(None), CheckoutRow.checked_in_at.is_(None)
        )
        if section_id is not None:
            query = query.where(CheckoutRow.section_id == section_id)
        if lock:
            query = query.with_for_update()
        return list(session.scalars(query.order_by(CheckoutRow.taken_at, CheckoutRow.id)))

    def _active(self, session: Session, row: CheckoutRow) -> ActiveCheckout:
        slug = session.scalar(select(SectionRow.slug).where(SectionRow.id == row.section_id)) or "?"
        return ActiveCheckout(
            row.token,
            row.section_id,
            slug,
            shown_name(session, row.taken_by),
            row.taken_at,
            row.taken_to,
            row.months,
        )

    def _who(self) -> str:
        return self._db.login or self._identity.name


def url_without_password(url: str) -> str:
    """``url`` with no password left in it (user or query): what a laptop desk may keep on disk."""
    if url.startswith("sqlite"):
        return url
    parsed = make_url(url)
    query = {key: value for key, value in parsed.query.items() if key.lower() != "password"}
    bare = URL.create(  # not ``URL.set``: it leaves a field given as None as it was
        parsed.drivername, parsed.username, None, parsed.host, parsed.port, parsed.database, query
    )
    return bare.render_as_string(hide_password=False)


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` ``months`` calendar months earlier (the day clamped to the month's length)."""
    import calendar

    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day).astimezone(UTC)


def _remove_sqlite(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
