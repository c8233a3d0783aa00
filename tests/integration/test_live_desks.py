"""Two desks on one database (issue 14, item 6): what one commits, the other's watch returns.

Each test opens a second ``Services`` over its own ``Database`` on the same file or server database (a
second workstation), makes changes through the first and waits on the second's ``EventWatch``: on
PostgreSQL it wakes on ``pg_notify``, on SQLite on ``PRAGMA data_version``. The events name what changed
and who did it; a desk never sees its own.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ca_editor.domain.desk_events import DeskEvent, EventKind, change_of
from ca_editor.domain.model import StoryStatus
from ca_editor.persistence.database import Database
from ca_editor.services.container import Services
from ca_editor.services.identity import Identity


@pytest.fixture
def colleague(services: Services) -> Iterator[Services]:
    """A second workstation on the same database, named Aigerim."""
    other = Services.over(Database(services.db.url), Identity("Aigerim"))
    yield other
    other.db.dispose()


def test_a_slot_move_reaches_the_other_desk(services: Services, colleague: Services) -> None:
    watch = services.live.watch()
    try:
        layout = colleague.sections.layout(colleague.section_id())
        entries = list(layout.entries())
        entries[0], entries[1] = entries[1], entries[0]
        started = time.monotonic()
        colleague.sections.replace_slots(layout.section.id, entries, expected_version=layout.section.version)
        events: list[DeskEvent] = []
        while not events and time.monotonic() - started < 5:
            events = watch.wait(0.5)
        took = time.monotonic() - started
    finally:
        watch.close()
    assert took < 2.0
    assert [e.kind for e in events] == [EventKind.SLOT_MOVED]
    event = events[0]
    assert event.who == "Aigerim"
    assert event.sections == {layout.section.id}
    assert event.notice() == f"Aigerim moved a slot in {layout.section.title}"
    change = change_of(events)
    assert change.names_layout(layout.section.id) and not change.story_ids


def test_saves_steps_and_sign_offs_are_named_and_own_events_are_not_returned(
    services: Services, colleague: Services
) -> None:
    watch = services.live.watch()
    try:
        story = colleague.stories.list()[0]
        opened = colleague.stories.get(story.id)
        fields = dataclasses.replace(opened.fields(), title="Saved by a colleague")
        saved = colleague.stories.update(story.id, fields, expected_version=opened.version)
        stepped_to = StoryStatus.READY if saved.status is not StoryStatus.READY else StoryStatus.DRAFT
        stepped = dataclasses.replace(fields, status=stepped_to)
        colleague.stories.update(story.id, stepped, expected_version=saved.version)
        mine = services.stories.get(story.id)  # this desk's own save: never reported back to it
        services.stories.update(story.id, mine.fields(), expected_version=mine.version)
        events: list[DeskEvent] = []
        deadline = time.monotonic() + 5
        while len(events) < 2 and time.monotonic() < deadline:
            events += watch.wait(0.5)
    finally:
        watch.close()
    assert [e.kind for e in events] == [EventKind.SAVED, EventKind.STATUS]
    assert events[0].notice() == "Aigerim saved “Saved by a colleague”"
    assert events[0].saved == {story.id}
    assert events[1].to_status == stepped_to.value and events[1].statuses
    assert change_of(events).names_story(story.id)


def test_an_event_log_is_written_in_the_changes_transaction_only(
    services: Services, colleague: Services
) -> None:
    """A refused write leaves no event: the event is part of the transaction it describes."""
    from ca_editor.domain.errors import ConflictError

    before = services.live.newest_event_id()
    layout = colleague.sections.layout(colleague.section_id())
    with pytest.raises(ConflictError):
        colleague.sections.replace_slots(
            layout.section.id, layout.entries()[::-1], expected_version=layout.section.version - 1
        )
    assert services.live.newest_event_id() == before


def test_creates_deletes_send_backs_and_exports_are_named(
    services: Services, colleague: Services, tmp_path: Path
) -> None:
    section_id = colleague.section_id()
    watch = services.live.watch()
    try:
        fields = dataclasses.replace(colleague.stories.get(colleague.stories.list()[0].id).fields())
        created = colleague.stories.create(
            dataclasses.replace(fields, title="A story from next door", slug="a-story-from-next-door")
        )
        colleague.stories.delete(created.id)
        colleague.review.send_back(section_id, "Swap the first two")
        colleague.exports.export(section_id, tmp_path / "site")
        events: list[DeskEvent] = []
        deadline = time.monotonic() + 10
        while len(events) < 4 and time.monotonic() < deadline:
            events += watch.wait(0.5)
    finally:
        watch.close()
    kinds = [e.kind for e in events]
    assert kinds == [EventKind.CREATED, EventKind.DELETED, EventKind.SEND_BACK, EventKind.EXPORT], kinds
    assert events[0].notice() == "Aigerim created “A story from next door”"
    assert events[1].deleted == {created.id} and events[1].dates
    own = (section_id, colleague.sections.layout(section_id).section.title)  # the desk names its section
    assert events[2].notice(own) == f"Aigerim sent {own[1]} back"
    assert events[3].notice(own) == f"Aigerim exported {own[1]}" and events[3].snapshots
    assert events[3].notice((section_id + 1, "Elsewhere")) == "Aigerim exported another section"


def test_old_events_are_pruned_and_a_desk_left_behind_re_reads_everything(
    services: Services, colleague: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ca_editor.persistence import desk_events

    monkeypatch.setattr(desk_events, "PRUNE_EVERY", 2)
    monkeypatch.setattr(desk_events, "KEEP", 3)
    watch = services.live.watch()
    try:
        layout = colleague.sections.layout(colleague.section_id())
        for _ in range(8):  # each step a write, every second one pruning all but the last three
            entries = layout.entries()
            layout = colleague.sections.replace_slots(
                layout.section.id, (*entries[1:], entries[0]), expected_version=layout.section.version
            )
        events = watch.wait(2.0)
    finally:
        watch.close()
    newest = services.live.newest_event_id()
    assert len(events) == 1 and events[0].everything  # what it missed is gone: re-read all
    assert events[0].change().everything
    assert watch.last_id == newest


@pytest.mark.postgresql_only
def test_a_watch_listens_again_after_the_server_came_back(tmp_path: Path) -> None:
    """A private server stopped and started under a waiting watch: no raise, and the next change arrives."""
    from tests.postgres_server import PostgresServer

    from ca_editor.app import open_services

    server = PostgresServer.start(tmp_path / "pg")
    try:
        server.admin('CREATE DATABASE "desk"')
        mine = open_services(server.url("desk"))
        theirs = Services.over(Database(mine.db.url), Identity("Timur"))
        watch = mine.live.watch()
        assert watch.wait(0.3) == []  # listening now
        server.stop("fast")
        assert watch.wait(1.0) == []  # the connection is gone: said once in the log, no raise
        server.restart()
        story = theirs.stories.get(theirs.stories.list()[0].id)
        theirs.stories.update(story.id, story.fields(), expected_version=story.version)
        events: list[DeskEvent] = []
        deadline = time.monotonic() + 10
        while not events and time.monotonic() < deadline:
            events = watch.wait(0.5)
        watch.close()
        assert [e.kind for e in events] == [EventKind.SAVED] and events[0].who == "Timur"
        theirs.db.dispose()
        mine.db.dispose()
    finally:
        server.stop("immediate")
