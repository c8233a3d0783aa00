"""Two editors, one database file: two OS processes edit the same rows at once and no update is lost.

Each child does ``ROUNDS`` read-modify-write increments of a counter in one story's title
(``StoryService.update`` with ``expected_version``) and of a counter in one slot's page headline while
rotating the whole block (``SectionService.replace_slots`` with ``expected_version``), retrying on
``ConflictError`` as an editor would after reloading. A lost update would leave a counter below
``2 * ROUNDS`` or the block's order out of step with the number of rotations. ``StorageError`` ("database
is busy") must never reach the caller: writers take the lock with ``BEGIN IMMEDIATE`` and wait for it
within the busy timeout.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ca_editor.domain.errors import ConflictError, ConflictKind, StorageError
from ca_editor.domain.local_time import clock_time
from ca_editor.domain.model import SectionLayout, SlotEntry, StoryFields, StoryStatus
from ca_editor.locations import database_url
from ca_editor.persistence import engine
from ca_editor.persistence.database import Database
from ca_editor.persistence.models import SectionRow
from ca_editor.services.container import Services
from ca_editor.services.identity import Identity

ROUNDS = 1000  # per process, for the story and for the layout each (the issue asks for a thousand)

CHILD = r"""
import json, sys, time
from dataclasses import replace
from ca_editor.domain.errors import ConflictError, StorageError
from ca_editor.persistence import engine
from ca_editor.persistence.database import Database
from ca_editor.persistence.models import SectionRow
from ca_editor.services.container import Services
from ca_editor.services.identity import Identity

url, name = sys.argv[1], sys.argv[2]
story_id, section_id, tracked, rounds = (int(a) for a in sys.argv[3:7])
go = float(sys.argv[7])
services = Services.over(Database(url), Identity(name))
stories, sections = services.stories, services.sections
conflicts = {"story": 0, "layout": 0}
storage_errors = []
slowest = 0.0


def bump_story():
    story = stories.get(story_id)
    count = int(story.title.rsplit(" ", 1)[1])
    fields = replace(story.fields(), title=f"Counter {count + 1}")
    stories.update(story_id, fields, expected_version=story.version)


def bump_layout():
    layout = sections.layout(section_id)
    entries = list(layout.entries())
    at = next(i for i, e in enumerate(entries) if e.story_id == tracked)
    count = int(entries[at].headline.rsplit(" ", 1)[1])
    entries[at] = replace(entries[at], headline=f"Layout counter {count + 1}")
    entries = entries[1:] + entries[:1]  # every step also rotates the block by one
    sections.replace_slots(section_id, entries, expected_version=layout.section.version)


def until_done(kind, step):
    global slowest
    while True:
        started = time.perf_counter()
        try:
            step()
            return
        except ConflictError:
            conflicts[kind] += 1  # what an editor sees as "changed by NAME at TIME": reload, redo the step
        except StorageError as exc:
            storage_errors.append(str(exc))
            if len(storage_errors) > 20:
                raise
        finally:
            slowest = max(slowest, time.perf_counter() - started)


time.sleep(max(0.0, go - time.time()))
started = time.perf_counter()
for _ in range(rounds):
    until_done("story", bump_story)
    until_done("layout", bump_layout)
print(json.dumps({
    "name": name,
    "seconds": time.perf_counter() - started,
    "conflicts": conflicts,
    "storage_errors": storage_errors,
    "slowest_step": slowest,
}))
"""


def _rotated(order: list[int], steps: int) -> list[int]:
    steps %= len(order)
    return order[steps:] + order[:steps]


def _shared_rows(services: Services) -> tuple[int, SectionLayout]:
    """A counter story and a small block of three stories, one slot carrying a counter headline."""
    counter = services.stories.create(StoryFields(title="Counter 0", status=StoryStatus.DRAFT))
    stories = [
        services.stories.create(
            StoryFields(title=f"Story {n}", body=f"Body {n}.", status=StoryStatus.APPROVED)
        )
        for n in range(3)
    ]
    with services.db.write() as session:
        section = SectionRow(slug="race", title="Race", description="", slot_count=3)
        session.add(section)
        session.flush()
        section_id = section.id
    entries = [SlotEntry(s.id) for s in stories]
    entries[0] = replace(entries[0], headline="Layout counter 0")
    layout = services.sections.replace_slots(section_id, entries)
    return counter.id, layout


@pytest.mark.slow  # ~60 s of CPU in the two children: about 40 s on an idle two-core machine
@pytest.mark.sqlite_only  # writers queue on SQLite's lock; the server's twin: test_no_lost_update_server
def test_two_processes_editing_the_same_rows_lose_no_update(empty_services: Services, db_path: Path) -> None:
    services = empty_services
    counter_id, layout = _shared_rows(services)
    counter = services.stories.get(counter_id)
    section_id, tracked = layout.section.id, layout.slots[0].story.id
    order_before = list(layout.story_ids())
    services.db.dispose()  # the parent holds no connection while the children work

    url = database_url(str(db_path))
    go = str(time.time() + 3)  # both children import first, then start at the same moment
    args = [str(section_id), str(tracked), str(ROUNDS), go]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, url, name, str(counter.id), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("Aigerim", "Timur")
    ]
    reports = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        reports.append(json.loads(out))
    print(json.dumps(reports, indent=1))  # timings: shown with -s, and in the report of a failing run

    assert [r["storage_errors"] for r in reports] == [[], []]  # "database is locked" never reached anyone
    # Both really collided: each saw the other's change at least once (otherwise this proves nothing).
    assert all(r["conflicts"]["story"] > 0 and r["conflicts"]["layout"] > 0 for r in reports)

    db = Database(url)
    try:
        after = Services.over(db)
        story = after.stories.get(counter.id)
        assert story.title == f"Counter {2 * ROUNDS}"
        assert story.version == counter.version + 2 * ROUNDS
        assert story.updated_by in {"Aigerim", "Timur"}
        layout_after: SectionLayout = after.sections.layout(section_id)
        assert list(layout_after.story_ids()) == _rotated(order_before, 2 * ROUNDS)
        headline = next(s.overrides.headline for s in layout_after.slots if s.story.id == tracked)
        assert headline == f"Layout counter {2 * ROUNDS}"
        assert layout_after.section.version == layout.section.version + 2 * ROUNDS
    finally:
        db.dispose()


def test_a_stale_save_carries_who_and_when_and_the_current_version(services: Services) -> None:
    aigerim = Services.over(services.db, Identity("Aigerim"))
    timur = Services.over(services.db, Identity("Timur"))
    opened = aigerim.stories.get(aigerim.stories.list()[0].id)
    theirs = timur.stories.update(
        opened.id, replace(opened.fields(), title="Theirs"), expected_version=opened.version
    )

    with pytest.raises(ConflictError) as caught:
        aigerim.stories.update(
            opened.id, replace(opened.fields(), title="Mine"), expected_version=opened.version
        )
    error = caught.value
    # On a server the database login is recorded, not the name a desk declares (issue 14, item 8): both
    # "desks" here share the test server's login.
    who = "Timur" if services.db.is_sqlite else theirs.updated_by
    assert (error.kind, error.subject_id, error.who) == (ConflictKind.STORY, opened.id, who)
    assert error.when == theirs.updated_at
    assert error.current_version == theirs.version
    assert (
        f"'Theirs' was changed by {who} at {theirs.updated_at.astimezone():%H:%M} since you opened it"
        in str(error)
    )

    layout = aigerim.sections.layout(aigerim.section_id())
    moved = timur.sections.replace_slots(
        layout.section.id, layout.entries()[::-1], expected_version=layout.section.version
    )
    with pytest.raises(ConflictError) as caught:
        aigerim.sections.replace_slots(
            layout.section.id, layout.entries(), expected_version=layout.section.version
        )
    error = caught.value
    assert (error.kind, error.subject_id, error.who) == (ConflictKind.LAYOUT, layout.section.id, who)
    assert error.current_version == moved.section.version
    assert f"changed by {who} at" in str(error)


def _hold_write_lock(db_path: Path) -> sqlite3.Connection:
    """Another program's write transaction: it holds SQLite's write lock until it commits."""
    holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE stories SET byline = byline")
    return holder


@pytest.mark.sqlite_only  # SQLite's one write lock and busy timeout; PostgreSQL locks rows, not the file
def test_a_save_waits_for_another_writer_of_a_few_seconds(services: Services, db_path: Path) -> None:
    story = services.stories.get(services.stories.list()[0].id)
    holder = _hold_write_lock(db_path)
    release = threading.Timer(2.0, holder.commit)
    release.start()
    try:
        started = time.monotonic()
        saved = services.stories.update(
            story.id, replace(story.fields(), byline="After the wait"), expected_version=story.version
        )
        waited = time.monotonic() - started
    finally:
        release.join()
        holder.close()
    assert saved.byline == "After the wait"
    assert waited >= 1.5  # it really waited for the lock instead of failing


@pytest.mark.sqlite_only  # "stayed busy" is SQLite's busy timeout running out
def test_a_writer_that_never_lets_go_gets_a_message_that_says_what_to_do(
    services: Services, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 300)  # the real wait is 15 s
    story = services.stories.get(services.stories.list()[0].id)
    holder = _hold_write_lock(db_path)
    try:
        with pytest.raises(StorageError) as caught:
            services.stories.update(
                story.id, replace(story.fields(), byline="x"), expected_version=story.version
            )
    finally:
        holder.rollback()
        holder.close()
    message = str(caught.value)
    assert "stayed busy" in message and "your edits are kept" in message and "try again" in message
    assert "database is locked" not in message
    assert services.stories.get(story.id).byline == story.byline
    # The connection is usable again at once, with the normal timeout back in place.
    assert services.stories.update(
        story.id, replace(story.fields(), byline="y"), expected_version=story.version
    )


def test_conflict_times_are_local_clock_times_with_the_date_when_not_today() -> None:
    now = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
    assert clock_time(now - timedelta(minutes=5), now) == f"{(now - timedelta(minutes=5)).astimezone():%H:%M}"
    earlier = now - timedelta(days=2)
    assert clock_time(earlier, now) == f"{earlier.astimezone().day} Mar {earlier.astimezone():%H:%M}"
    assert clock_time(now - timedelta(days=400), now).split()[2] == "2025"
