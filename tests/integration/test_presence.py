"""Presence on both engines (issue 14, item 7): two desks on one database see each other, a crashed desk
expires, a closed one leaves at once. Expiry is tested with an injected clock, never by sleeping."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from ca_editor.app import open_services
from ca_editor.persistence.models import PresenceRow
from ca_editor.services.container import Services
from ca_editor.services.identity import Identity
from ca_editor.services.presence import EXPIRES, HEARTBEAT, PRUNE_EVERY, PresenceService

START = datetime(2026, 12, 7, 14, 5, tzinfo=UTC)


class Clock:
    """A clock both desks share; a test moves it on."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def wait(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def other(services: Services) -> Iterator[Services]:
    """A second desk: its own Services (own pool, own identity) on the same database."""
    opened = open_services(services.db.url, seed_demo=False)
    yield opened
    opened.db.dispose()


def desk(services: Services, name: str, clock: Clock | None = None) -> PresenceService:
    return PresenceService(services.db, Identity(name), clock=clock)


def rows_in(services: Services) -> int:
    with desk(services, "counter").store.read() as session:
        return int(session.scalar(select(func.count()).select_from(PresenceRow)) or 0)


def test_two_desks_see_each_other_and_not_themselves(services: Services, other: Services) -> None:
    section = services.section_id()
    clock = Clock()
    aigerim, timur = desk(services, "Aigerim", clock), desk(other, "Timur", clock)
    assert timur.others(section) == ()

    aigerim.beat(section)
    clock.wait(20)
    timur.beat(section)

    (seen,) = timur.others(section)
    assert (seen.person, seen.opened_at, seen.story_id, seen.editing_since) == ("Aigerim", START, None, None)
    assert [p.person for p in aigerim.others(section)] == ["Timur"]
    assert aigerim.others(section + 1000) == ()  # another section's desk sees nobody here


def test_who_edits_which_story_and_since_when(services: Services, other: Services) -> None:
    section = services.section_id()
    story = services.stories.list()[0]
    clock = Clock()
    aigerim, timur = desk(services, "Aigerim", clock), desk(other, "Timur", clock)
    timur.beat(section)
    clock.wait(60)
    timur.beat(section, story.id)
    clock.wait(HEARTBEAT.total_seconds())
    timur.beat(section, story.id, unsaved=True)  # the same story: still editing since the first beat

    (seen,) = aigerim.others(section)
    assert (seen.story_id, seen.story_title, seen.unsaved) == (story.id, story.title, True)
    assert seen.opened_at == START
    assert seen.editing_since == START + timedelta(seconds=60)

    clock.wait(30)
    timur.beat(section)  # the editor closed the story: the section stays open since 14:05
    (seen,) = aigerim.others(section)
    assert (seen.story_id, seen.editing_since, seen.opened_at) == (None, None, START)


def test_a_silent_desk_expires_and_is_pruned(services: Services, other: Services) -> None:
    section = services.section_id()
    clock = Clock()
    aigerim, timur = desk(services, "Aigerim", clock), desk(other, "Timur", clock)
    aigerim.beat(section)  # then Aigerim's workstation crashes: no more beats, no leave
    clock.wait(30)
    timur.beat(section)
    clock.wait(EXPIRES.total_seconds() - 30)
    assert [p.person for p in timur.others(section)] == ["Aigerim"]  # seen exactly 45 s ago: still there
    clock.wait(1)
    assert timur.others(section) == ()
    assert timedelta(seconds=60) >= EXPIRES + HEARTBEAT  # the last beat may be one heartbeat before a crash

    assert rows_in(services) == 2  # ignored, not yet gone
    assert timur.prune() == 1
    assert rows_in(services) == 1


def test_the_first_beat_prunes_and_a_pruned_desk_comes_back_with_its_times(
    services: Services, other: Services
) -> None:
    section = services.section_id()
    clock = Clock()
    aigerim, timur = desk(services, "Aigerim", clock), desk(other, "Timur", clock)
    aigerim.beat(section)
    clock.wait(600)  # Aigerim's laptop sleeps
    timur.beat(section)  # a window's first beat prunes
    assert rows_in(services) == 1

    aigerim.beat(section)  # awake again: the row is written anew, opened when it was
    (seen,) = timur.others(section)
    assert (seen.person, seen.opened_at) == ("Aigerim", START)

    for _ in range(PRUNE_EVERY):  # and every PRUNE_EVERY beats after
        clock.wait(HEARTBEAT.total_seconds())
        timur.beat(section)
    assert [p.person for p in aigerim.others(section)] == ["Timur"]
    assert rows_in(services) == 1


def test_leave_removes_the_row_at_once(services: Services, other: Services) -> None:
    section = services.section_id()
    aigerim, timur = desk(services, "Aigerim"), desk(other, "Timur")
    aigerim.beat(section)
    assert [p.person for p in timur.others(section)] == ["Aigerim"]
    aigerim.leave()
    assert timur.others(section) == ()
    assert rows_in(services) == 0
    aigerim.leave()  # twice is harmless


def test_the_story_a_colleague_edits_may_be_deleted(services: Services, other: Services) -> None:
    """No foreign key: the delete goes through and the reader shows the desk without a title."""
    section = services.section_id()
    created = services.stories.list()[0]
    timur, aigerim = desk(other, "Timur"), desk(services, "Aigerim")
    timur.beat(section, created.id)
    services.stories.delete(created.id)
    (seen,) = aigerim.others(section)
    assert (seen.story_id, seen.story_title) == (created.id, "")


def test_the_real_clock_judges_freshness(services: Services, other: Services) -> None:
    """Without an injected clock: the server's now() on PostgreSQL, this computer's on SQLite."""
    section = services.section_id()
    desk(other, "Timur").beat(section)
    (seen,) = desk(services, "Aigerim").others(section)
    assert abs(seen.opened_at - datetime.now(UTC)) < timedelta(seconds=30)


def test_the_reader_uses_the_index(services: Services) -> None:
    if not services.db.is_sqlite:  # a table of a few rows: PostgreSQL's planner rightly scans it; the
        return  # index is there for when it is not (both engines get it from migration 0014)
    with desk(services, "planner").store.read() as session:
        plan = " ".join(
            str(row[-1])
            for row in session.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT token FROM presence"
                    " WHERE section_id = 1 AND seen_at >= '2026-01-01'"
                )
            )
        )
    assert "ix_presence_section_seen" in plan


@pytest.mark.sqlite_only
def test_a_heartbeat_is_no_change_of_the_desk_file(services: Services, other: Services) -> None:
    """Backups back up when the desk file changed (PRAGMA data_version, its mtime): heartbeats never count."""
    section = services.section_id()
    services.backups.backup("manual")
    desk_file = Path(services.db.url.removeprefix("sqlite:///"))
    modified = desk_file.stat().st_mtime_ns
    for person, services_of in (("Aigerim", services), ("Timur", other)):
        mine = desk(services_of, person)
        mine.beat(section)
        mine.beat(section, services.stories.list()[0].id, unsaved=True)
        assert mine.store.url != services.db.url
    assert len(desk(services, "reader").others(section)) == 2
    assert not services.backups.changed()
    assert desk_file.stat().st_mtime_ns == modified
    assert desk_file.with_name(desk_file.name + "-presence").exists()


_CRASHING_DESK = textwrap.dedent(
    """
    import sys, time
    from ca_editor.app import open_services
    from ca_editor.services.identity import Identity
    from ca_editor.services.presence import PresenceService
    services = open_services(sys.argv[1], seed_demo=False)
    PresenceService(services.db, Identity("Dana")).beat(services.section_id())
    print("beating", flush=True)
    time.sleep(60)
    """
)


def test_a_killed_desk_in_another_process_expires(services: Services) -> None:
    """Two processes on one database (one SQLite file, or one server): the other desk is seen while it
    runs, and after it is killed (no clean close) it is gone once its last beat is EXPIRES old."""
    section = services.section_id()
    child = subprocess.Popen(
        [sys.executable, "-c", _CRASHING_DESK, services.db.url],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "beating"
        reader = desk(services, "Aigerim")
        assert [p.person for p in reader.others(section)] == ["Dana"]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    later = Clock(datetime.now(UTC) + EXPIRES + timedelta(seconds=2))  # no sleeping: look from later
    assert desk(services, "Aigerim", later).others(section) == ()
