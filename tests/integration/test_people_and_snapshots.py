"""Who changed what: names on saves, the status history, and layout snapshots."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests import layout_steps, people_steps

from ca_editor.domain.errors import ConflictError
from ca_editor.domain.model import StoryFields, StoryStatus
from ca_editor.domain.snapshots import SnapshotKind
from ca_editor.services.container import Services
from ca_editor.services.identity import Identity


def test_a_save_records_who_made_it_and_a_refused_save_names_them(services: Services) -> None:
    people_steps.call_me(services, "Aigerim Sadykova")
    story = services.stories.create(StoryFields(title="Wire copy"))
    assert story.updated_by == "Aigerim Sadykova"
    people_steps.call_me(services, "Timur Bekov")
    services.stories.update(story.id, replace(story.fields(), title="Wire copy, edited"), expected_version=1)
    with pytest.raises(ConflictError, match=r"changed by Timur Bekov at \d\d:\d\d since you opened it"):
        services.stories.update(story.id, story.fields(), expected_version=story.version)


@pytest.mark.sqlite_only  # typed names on one workstation; two logins on a server: test_who_is_who.py
def test_every_status_change_is_recorded_with_who_and_when(services: Services) -> None:
    services.identity.set("Aigerim")
    story = services.stories.create(StoryFields(title="Steps"))
    for status, who in ((StoryStatus.READY, "Aigerim"), (StoryStatus.APPROVED, "Desk chief")):
        services.identity.set(who)
        story = services.stories.update(
            story.id, replace(story.fields(), status=status), expected_version=story.version
        )
    story = services.stories.update(
        story.id, replace(story.fields(), title="Steps, retitled"), expected_version=story.version
    )
    history = services.stories.status_history(story.id)
    assert [(h.from_status, h.to_status, h.changed_by) for h in history] == [
        (None, StoryStatus.DRAFT, "Aigerim"),
        (StoryStatus.DRAFT, StoryStatus.READY, "Aigerim"),
        (StoryStatus.READY, StoryStatus.APPROVED, "Desk chief"),
    ]
    assert history[0].changed_at <= history[-1].changed_at


def test_a_layout_change_records_who_made_it(services: Services) -> None:
    people_steps.call_me(services, "Layout editor")
    section_id = services.section_id()
    layout = services.sections.layout(section_id)
    moved = layout_steps.move(services, section_id, layout.slots[0].id, 3)
    assert moved.section.updated_by == "Layout editor"
    assert moved.section.version == services.sections.layout(section_id).section.version


def test_a_snapshot_keeps_the_block_and_its_texts_after_the_stories_change(services: Services) -> None:
    people_steps.call_me(services, "Desk chief")
    section_id = services.section_id()
    layout = services.sections.layout(section_id)
    snapshot = services.snapshots.take(section_id, SnapshotKind.SIGN_OFF, "  fine for tonight ")
    first = layout.slots[0].story
    services.stories.update(first.id, replace(first.fields(), title="Changed later"), expected_version=1)
    again = services.snapshots.get(snapshot.id)
    assert again == snapshot
    assert again.taken_by == "Desk chief" and again.note == "fine for tonight"
    assert again.content.entries == layout.entries()
    assert again.content.stories[first.id].title == first.title
    assert services.snapshots.current(section_id).stories[first.id].title == "Changed later"
    assert services.snapshots.latest(section_id, SnapshotKind.SIGN_OFF) == snapshot
    assert services.snapshots.latest(section_id, SnapshotKind.EXPORT) is None


def test_without_a_name_the_login_name_stands_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CA_EDITOR_USER", "  wire   robot ")
    identity = Identity()
    assert identity.name == "wire robot" and not identity.is_set
    identity.set(" Dana\tK. ")
    assert identity.name == "Dana K." and identity.is_set


def test_the_demo_content_is_recorded_as_the_demos_not_as_the_first_user(services: Services) -> None:
    """On a server the login that seeded the demo is recorded (the server vouches for it, not a name)."""
    story = services.sections.layout(services.section_id()).slots[0].story
    seeder = "ca_admin" if services.people.shared else "ca-editor demo"
    assert story.updated_by == seeder
    assert [h.changed_by for h in services.stories.status_history(story.id)] == [seeder]
