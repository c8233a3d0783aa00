"""ReviewService on a real database: changes since a sign-off or export, decisions, state, restore plans."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests import layout_steps, people_steps

from ca_editor.domain.errors import ConflictError, ValidationError
from ca_editor.domain.model import SlotOverrides
from ca_editor.domain.snapshots import SnapshotKind
from ca_editor.services.container import Services
from ca_editor.services.snapshots import MAX_NOTE


def test_never_signed_off_shows_the_whole_block_as_new(services: Services) -> None:
    section_id = services.section_id()
    changes = services.review.changes_since(section_id, SnapshotKind.SIGN_OFF)
    assert changes.snapshot is None
    assert len(changes.diff.added) == 8
    assert changes.diff.section == ()
    state = services.review.state(section_id)
    assert state.decision is None and not state.signed_off and not state.changed


def test_changes_since_sign_off_follow_moves_edits_and_overrides(services: Services) -> None:
    people_steps.call_me(services, "Desk Chief")
    section_id = services.section_id()
    signed = services.review.sign_off(section_id, "  Good for tonight  ")
    assert (signed.kind, signed.taken_by, signed.note) == (
        SnapshotKind.SIGN_OFF,
        "Desk Chief",
        "Good for tonight",
    )
    nothing = services.review.changes_since(section_id, SnapshotKind.SIGN_OFF)
    assert nothing.snapshot == signed and nothing.diff.is_empty
    assert services.review.state(section_id).signed_off

    layout = services.sections.layout(section_id)
    layout_steps.move(services, section_id, layout.slots[4].id, 1)
    story = layout.slots[1].story
    services.stories.update(
        story.id,
        replace(story.fields(), body=story.body + "\n\nA late paragraph."),
        expected_version=story.version,
    )
    layout_steps.set_overrides(
        services, section_id, layout.slots[2].id, SlotOverrides(headline="Page headline")
    )

    diff = services.review.changes_since(section_id, SnapshotKind.SIGN_OFF).diff
    assert [(m.story_id, m.from_position, m.to_position) for m in diff.moved] == [
        (layout.slots[4].story.id, 5, 1)
    ]
    assert [e.story_id for e in diff.edits] == [story.id]
    assert [c.field for c in diff.edits[0].changes] == ["body"]
    assert [(o.story_id, o.field, o.new) for o in diff.overrides] == [
        (layout.slots[2].story.id, "headline", "Page headline")
    ]
    state = services.review.state(section_id)
    assert state.signed_off and state.changed and state.changes_since == 3


def test_since_last_export_uses_the_latest_export_snapshot(services: Services) -> None:
    section_id = services.section_id()
    services.snapshots.take(section_id, SnapshotKind.EXPORT)
    layout = services.sections.layout(section_id)
    layout_steps.remove(services, section_id, layout.slots[0].id)
    exported = services.snapshots.take(section_id, SnapshotKind.EXPORT)
    layout_steps.remove(services, section_id, services.sections.layout(section_id).slots[0].id)
    changes = services.review.changes_since(section_id, SnapshotKind.EXPORT)
    assert changes.snapshot == exported
    assert [r.story_id for r in changes.diff.removed] == [layout.slots[1].story.id]
    # The sign-off tab is independent: never signed off, so everything is new there.
    assert services.review.changes_since(section_id, SnapshotKind.SIGN_OFF).snapshot is None


def test_send_back_needs_a_note_and_records_nothing_without_one(services: Services) -> None:
    section_id = services.section_id()
    with pytest.raises(ValidationError, match="say what needs to change"):
        services.review.send_back(section_id, "   ")
    assert services.snapshots.list(section_id) == []
    with pytest.raises(ValidationError, match="at most"):
        services.review.sign_off(section_id, "x" * (MAX_NOTE + 1))
    assert services.snapshots.list(section_id) == []

    people_steps.call_me(services, "Chief")
    sent = services.review.send_back(section_id, "Slot 3 needs a photo")
    state = services.review.state(section_id)
    assert state.sent_back and not state.signed_off and state.decision == sent
    assert (sent.kind, sent.taken_by, sent.note) == (SnapshotKind.SEND_BACK, "Chief", "Slot 3 needs a photo")


def test_a_decision_on_a_layout_that_changed_while_reviewing_is_refused(services: Services) -> None:
    section_id = services.section_id()
    seen = services.review.changes_since(section_id, SnapshotKind.SIGN_OFF).current
    layout = services.sections.layout(section_id)
    story = layout.slots[0].story
    services.stories.update(
        story.id, replace(story.fields(), title="Retitled"), expected_version=story.version
    )
    with pytest.raises(
        ConflictError, match=r"changed while you were reviewing it \(1 change: 1 story edited\)"
    ):
        services.review.sign_off(section_id, "ok", reviewed=seen)
    with pytest.raises(ConflictError, match="was not sent back"):
        services.review.send_back(section_id, "no", reviewed=seen)
    assert services.snapshots.list(section_id) == []
    fresh = services.review.changes_since(section_id, SnapshotKind.SIGN_OFF).current
    assert services.review.sign_off(section_id, "ok", reviewed=fresh).kind is SnapshotKind.SIGN_OFF


def test_compare_orders_two_snapshots_and_compares_one_with_now(services: Services) -> None:
    section_id = services.section_id()
    first = services.snapshots.take(section_id, SnapshotKind.EXPORT)
    layout = services.sections.layout(section_id)
    layout_steps.remove(services, section_id, layout.slots[-1].id)
    second = services.review.sign_off(section_id)
    for older, newer in ((first.id, second.id), (second.id, first.id)):
        diff = services.review.compare(older, newer)
        assert [r.story_id for r in diff.removed] == [layout.slots[-1].story.id]
    assert services.review.compare(second.id).is_empty
    assert len(services.review.compare(first.id).removed) == 1


def test_restore_plan_leaves_out_deleted_stories_and_refuses_what_cannot_fit(services: Services) -> None:
    section_id = services.section_id()
    layout = services.sections.layout(section_id)
    snapshot = services.snapshots.take(section_id, SnapshotKind.SIGN_OFF)
    plan = services.review.plan_restore(snapshot.id)
    assert plan.possible and plan.entries == layout.entries() and plan.missing == ()

    doomed = layout.slots[3].story
    services.stories.delete(doomed.id)
    plan = services.review.plan_restore(snapshot.id)
    assert plan.possible
    assert [s.id for s in plan.missing] == [doomed.id] and plan.missing[0].title == doomed.title
    assert plan.entries == tuple(e for e in layout.entries() if e.story_id != doomed.id)
    # The plan is what replace_slots accepts.
    restored = services.sections.replace_slots(section_id, plan.entries)
    assert restored.entries() == plan.entries


def test_restore_plan_with_no_story_left_is_refused(empty_services: Services) -> None:
    from ca_editor.domain.model import StoryFields
    from ca_editor.persistence.models import SectionRow

    with empty_services.db.write() as session:
        session.add(SectionRow(slug="s", title="S", description="", slot_count=2))
    section_id = empty_services.section_id()
    story = empty_services.stories.create(StoryFields(title="Only one"))
    layout_steps.assign(empty_services, section_id, story.id)
    snapshot = empty_services.snapshots.take(section_id, SnapshotKind.EXPORT)
    empty_services.stories.delete(story.id)
    plan = empty_services.review.plan_restore(snapshot.id)
    assert not plan.possible and plan.problem == "none of the stories of that layout exist any more"
