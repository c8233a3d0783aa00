"""Bringing a section back: the check-in of a laptop desk into the desk it was taken from.

Two steps, so a window can show the conflicts and let a person choose: ``plan_checkin(laptop)`` reads the
three sides (``services/merge_sides.py``) and merges them (``domain.merge``); ``apply_checkin(plan,
choices)`` writes the result in ONE transaction on this desk: the section row locked first, the sides read
again inside it (a colleague's save since the plan is merged too; a conflict the plan did not show refuses
the check-in), the resolution applied (``services/checkin_apply.py``), the ``checkouts`` row marked checked
in. Only after that commit is the laptop desk marked: a crash before the commit leaves both desks as they
were; a crash after it leaves the laptop unmarked, and the next check-in sees this desk's mark and only
marks the laptop. A laptop desk marked checked in, or whose check-out was released here, is refused.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.orm import Session

from ca_editor.domain.errors import ConflictError, StorageError
from ca_editor.domain.local_time import moment
from ca_editor.domain.merge import Conflict, MergeOutcome, merge, resolve
from ca_editor.domain.merge_fields import Side
from ca_editor.locations import shown_url
from ca_editor.persistence.backup import stored_revision
from ca_editor.persistence.checkout_copy import sqlite_url
from ca_editor.persistence.checkout_rows import CheckoutOriginRow, CheckoutRow
from ca_editor.persistence.database import Database, actor_of
from ca_editor.persistence.engine import make_engine, writer
from ca_editor.persistence.migrate import head_revision
from ca_editor.persistence.models import LayoutSnapshotRow, LayoutVariantRow, SectionRow, SlotRow, utcnow
from ca_editor.persistence.people import shown_name
from ca_editor.services.checkin_apply import Applied, apply_resolution
from ca_editor.services.identity import Identity, fallback_name
from ca_editor.services.merge_sides import Sides, read_sides
from ca_editor.services.sections import lock_section

#: Test hook (the crash test): "before-commit" or "after-commit" makes the check-in say so on stderr and
#: wait there, to be killed.
PAUSE_VARIABLE = "CA_EDITOR_TEST_CHECKIN_PAUSE"


class CheckinRefusedError(StorageError):
    """This laptop desk cannot be checked in here (already checked in, released, from another desk)."""


@dataclass(frozen=True, slots=True)
class LaptopOrigin:
    """What a laptop desk says about where it came from (``checkout_origin``)."""

    path: Path
    token: str
    section_id: int
    origin_url: str  # without a password
    taken_by: str
    taken_at: datetime
    months: int
    checked_in_at: datetime | None
    checked_in_by: str | None


@dataclass(frozen=True, slots=True)
class CheckinPlan:
    origin: LaptopOrigin
    section_slug: str
    outcome: MergeOutcome | None  # None: this desk has the check-in already; only the laptop is marked
    sides: Sides | None

    @property
    def finishing(self) -> bool:
        return self.outcome is None

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        return self.outcome.conflicts if self.outcome is not None else ()

    @property
    def notices(self) -> tuple[str, ...]:
        return self.outcome.notices if self.outcome is not None else ()

    def every(self, side: Side) -> dict[str, Side]:
        """The choices "take all mine" / "take all theirs"."""
        return {conflict.id: side for conflict in self.conflicts}


@dataclass(frozen=True, slots=True)
class CheckinResult:
    section_slug: str
    applied: Applied | None  # None: an earlier check-in had done it; this one marked the laptop desk

    def summary(self) -> str:
        if self.applied is None:
            return (
                f"section '{self.section_slug}': an earlier check-in had finished here; "
                "the laptop desk is marked now"
            )
        a = self.applied
        return (
            f"checked in section '{self.section_slug}': {a.updated} stories updated, {a.created} new, "
            f"{a.copies} kept as copies, {a.deleted} deleted, {a.former} to former slots, "
            f"{a.pictures} pictures"
        )


def laptop_origin(path: Path) -> LaptopOrigin:
    """Where the laptop desk at ``path`` came from; refused when it is no laptop desk."""
    path = path.expanduser().resolve()
    if not path.is_file():
        raise CheckinRefusedError(f"{path} does not exist")
    if stored_revision(path) != head_revision():
        raise CheckinRefusedError(
            f"{path} is not at this version's schema; open it once with this version of ca-editor (it "
            "upgrades it), then check it in"
        )
    with _laptop(path) as engine, engine.connect() as connection:
        row = connection.execute(select(CheckoutOriginRow.__table__)).first()
    if row is None:
        raise CheckinRefusedError(f"{path} is not a laptop desk (no check-out is recorded in it)")
    return LaptopOrigin(
        path, row.token, row.section_id, row.origin_url, row.taken_by, _aware(row.taken_at), row.months,
        _aware(row.checked_in_at) if row.checked_in_at else None, row.checked_in_by,
    )  # fmt: skip


class CheckinService:
    def __init__(self, db: Database, identity: Identity | None = None) -> None:
        self._db = db
        self._identity = identity or Identity()

    def plan_checkin(self, laptop: Path) -> CheckinPlan:
        origin = laptop_origin(laptop)
        _refuse_marked(origin)
        with self._db.read() as session:
            checkout = self._checkout(session, origin)
            slug = session.scalar(select(SectionRow.slug).where(SectionRow.id == origin.section_id)) or "?"
            if checkout.checked_in_at is not None:
                return CheckinPlan(origin, slug, None, None)
            with _laptop(origin.path) as engine, engine.connect() as reading:
                sides = _sides(reading, session.connection(), origin)
        return CheckinPlan(origin, slug, merge(sides.base, sides.theirs, sides.mine), sides)

    def apply_checkin(self, plan: CheckinPlan, choices: Mapping[str, Side]) -> CheckinResult:
        """Write the check-in with ``choices`` (conflict id → "mine" | "theirs"; every conflict needs one)."""
        origin = plan.origin
        _refuse_marked(laptop_origin(origin.path))
        unchosen = [c.label for c in plan.conflicts if c.id not in choices]
        if unchosen:
            raise ConflictError(f"choose mine or theirs for: {'; '.join(unchosen)}. Nothing was checked in.")
        applied: Applied | None = None
        with self._db.write(self._identity.name) as session:
            section = lock_section(session, origin.section_id)
            checkout = self._checkout(session, origin, lock=True)
            if checkout.checked_in_at is None:
                with _laptop(origin.path) as engine, engine.connect() as reading:
                    sides = _sides(reading, session.connection(), origin)
                    outcome = merge(sides.base, sides.theirs, sides.mine)
                    missing = [c.label for c in outcome.conflicts if c.id not in choices]
                    if missing:
                        raise ConflictError(
                            f"the shared desk changed since the check-in was prepared: {'; '.join(missing)}; "
                            "nothing was checked in. Check in again to see it."
                        )
                    known = {c.id for c in outcome.conflicts}
                    resolution = resolve(outcome, {k: v for k, v in choices.items() if k in known})
                    applied = apply_resolution(session, reading, section, sides, resolution)
                    applied.notices.extend(_offline_decisions(reading, origin))
                    applied.notices.extend(_offline_variants(reading, session.connection(), origin))
                checkout.checked_in_at = utcnow()
                checkout.checked_in_by = actor_of(session) or fallback_name()
                session.flush()
            _pause("before-commit")
        _pause("after-commit")
        _mark_laptop(origin, self._identity.name)
        return CheckinResult(plan.section_slug, applied)

    def _checkout(self, session: Session, origin: LaptopOrigin, *, lock: bool = False) -> CheckoutRow:
        query = select(CheckoutRow).where(CheckoutRow.token == origin.token)
        row = session.scalar(query.with_for_update() if lock else query)
        if row is None:
            raise CheckinRefusedError(
                f"{origin.path} was not taken from {self._db.display_name} (it came from "
                f"{shown_url(origin.origin_url)}); nothing was checked in"
            )
        if row.released_at is not None:
            who = shown_name(session, row.released_by or "")
            raise CheckinRefusedError(
                f"the check-out of {origin.path} was released by {who} {moment(row.released_at)}; it can "
                "no longer be checked in (open it with --db to copy what you need by hand). Nothing was "
                "checked in."
            )
        return row


def _sides(laptop: Connection, shared: Connection, origin: LaptopOrigin) -> Sides:
    base = laptop.execute(
        select(CheckoutOriginRow.base).where(CheckoutOriginRow.token == origin.token)
    ).scalar_one()
    return read_sides(laptop, shared, origin.section_id, base)


def _offline_decisions(laptop: Connection, origin: LaptopOrigin) -> list[str]:
    """Sign-offs and send-backs made on the laptop stay there: on a shared desk a sign-off is recorded
    under a login the server vouches for (and only a desk chief's counts), so it is not carried over."""
    snapshots = LayoutSnapshotRow.__table__
    made = laptop.execute(
        select(func.count())
        .select_from(snapshots)
        .where(snapshots.c.section_id == origin.section_id, snapshots.c.taken_at > origin.taken_at)
    ).scalar_one()
    if not made:
        return []
    return [
        f"{made} sign-off(s) or send-back(s) made offline stay in the laptop desk; sign off again here "
        "(a shared desk records its own)."
    ]


def _offline_variants(laptop: Connection, shared: Connection, origin: LaptopOrigin) -> list[str]:
    """Scheduled layouts travel out with a check-out but only the main block is merged back: a variant
    added, changed or removed on the laptop is named, so nobody believes it arrived."""
    mine, theirs = _variants(laptop, origin.section_id), _variants(shared, origin.section_id)
    differing = sorted(slug for slug in mine.keys() | theirs.keys() if mine.get(slug) != theirs.get(slug))
    if not differing:
        return []
    names = ", ".join(f"\u2018{(mine.get(slug) or theirs[slug])[0]}\u2019" for slug in differing)
    return [
        f"scheduled layouts differ on the laptop and were not brought back (a check-in merges the main "
        f"layout only): {names}. They stay in the laptop desk; move a variant's slots with "
        "'ca-editor variant slots … --export' there and '--import' here."
    ]


def _variants(connection: Connection, section_id: int) -> dict[str, tuple[object, ...]]:
    """Each variant of the section by slug: (name, start, end, its block's story ids in order)."""
    variants = LayoutVariantRow.__table__
    slots = SlotRow.__table__
    rows = connection.execute(
        select(
            variants.c.id, variants.c.slug, variants.c.name, variants.c.starts_at, variants.c.ends_at
        ).where(variants.c.section_id == section_id)
    ).all()
    found: dict[str, tuple[object, ...]] = {}
    for row in rows:
        block = connection.execute(
            select(slots.c.story_id).where(slots.c.variant_id == row.id).order_by(slots.c.position)
        ).scalars()
        found[row.slug] = (
            row.name,
            _aware(row.starts_at),
            _aware(row.ends_at) if row.ends_at else None,
            tuple(block),
        )
    return found


def _refuse_marked(origin: LaptopOrigin) -> None:
    if origin.checked_in_at is not None:
        raise CheckinRefusedError(
            f"{origin.path} was checked in already, {moment(origin.checked_in_at)} by "
            f"{origin.checked_in_by or 'someone'}; a laptop desk goes back once. Take the section out again "
            "for new work. Nothing was checked in."
        )


def _mark_laptop(origin: LaptopOrigin, who: str) -> None:
    with _laptop(origin.path) as engine, writer(engine).begin() as connection:
        connection.execute(
            update(CheckoutOriginRow)
            .where(CheckoutOriginRow.token == origin.token)
            .values(checked_in_at=utcnow(), checked_in_by=who or fallback_name())
        )


@contextmanager
def _laptop(path: Path) -> Iterator[Engine]:
    engine = make_engine(sqlite_url(path))
    try:
        yield engine
    finally:
        engine.dispose()


def _pause(stage: str) -> None:
    if os.environ.get(PAUSE_VARIABLE) == stage:
        print(f"check-in paused {stage}", file=sys.stderr, flush=True)
        time.sleep(600)


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)
