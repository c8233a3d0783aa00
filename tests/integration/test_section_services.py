"""SectionService on both engines: the editor's-choice block, eviction, moves, undo, overrides."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests import db_query, layout_steps

from ca_editor.domain import ordering
from ca_editor.domain.errors import ConflictError, NotFoundError, ValidationError
from ca_editor.domain.model import SectionLayout, SlotOverrides, StoryFields, StoryImage, StoryStatus
from ca_editor.domain.release import Release
from ca_editor.services.container import Services


def slugs(layout: SectionLayout) -> list[str]:
    return [slot.story.slug for slot in layout.slots]


def assert_contiguous(layout: SectionLayout, services: Services) -> None:
    assert [slot.position for slot in layout.slots] == list(range(1, len(layout.slots) + 1))
    stored = [
        row[0]
        for row in db_query.rows(
            services,
            "SELECT position FROM slots WHERE section_id = :id ORDER BY position, id",
            {"id": layout.section.id},
        )
    ]
    assert stored == list(range(len(layout.slots)))


def new_story(services: Services, title: str) -> int:
    fields = StoryFields(
        title=title, status=StoryStatus.APPROVED, published_at=datetime(2024, 8, 1, tzinfo=UTC)
    )
    return services.stories.create(fields).id


@pytest.fixture
def section_id(services: Services) -> int:
    return services.section_id()


def test_demo_layout_follows_section_json(services: Services, section_id: int, demo_section: dict) -> None:
    layout = services.sections.layout(section_id)
    assert layout.section.slug == demo_section["slug"]
    assert layout.section.title == demo_section["title"]
    assert layout.section.description == demo_section["description"]
    assert layout.section.slot_count == demo_section.get("slot_count", 8)
    assert len(layout.slots) == len(demo_section["editors_choice"]) == 8
    assert slugs(layout) == demo_section["editors_choice"]
    assert layout.empty_slots == 0
    assert_contiguous(layout, services)
    assert [s.slug for s in services.sections.sections()] == [demo_section["slug"]]


def test_unknown_section_and_slot_are_not_found(services: Services, section_id: int) -> None:
    with pytest.raises(NotFoundError):
        services.sections.layout(section_id + 100)
    with pytest.raises(NotFoundError):
        layout_steps.move(services, section_id, 987654, 1)
    with pytest.raises(NotFoundError):
        layout_steps.remove(services, section_id, 987654)
    with pytest.raises(NotFoundError):
        layout_steps.assign(services, section_id, 987654)
    with pytest.raises(NotFoundError):
        services.section_id("no-such-section")


def test_assign_at_a_position_in_a_block_with_room(services: Services, section_id: int) -> None:
    layout = services.sections.layout(section_id)
    layout = layout_steps.remove(services, section_id, layout.slots[-1].id)
    assert layout.empty_slots == 1
    assert layout_steps.story_that_would_fall_out(services, section_id) is None
    before = slugs(layout)

    story_id = new_story(services, "Fresh from Bishkek")
    change = layout_steps.assign(services, section_id, story_id, position=2)

    assert change.evicted is None
    expected = [before[0], services.stories.get(story_id).slug, *before[1:]]
    assert slugs(change.layout) == expected
    assert slugs(services.sections.layout(section_id)) == expected  # and it was committed
    assert change.layout.slots[1].story.id == story_id
    assert_contiguous(change.layout, services)


def test_assign_without_position_appends(services: Services, section_id: int) -> None:
    layout = services.sections.layout(section_id)
    for slot in layout.slots[:3]:
        layout = layout_steps.remove(services, section_id, slot.id)
    story_id = new_story(services, "At the end")
    change = layout_steps.assign(services, section_id, story_id)
    assert change.evicted is None
    assert change.layout.slots[-1].story.id == story_id
    assert slugs(change.layout)[:-1] == slugs(layout)
    assert_contiguous(change.layout, services)


@pytest.mark.parametrize("position", [1, 4, 8])
def test_assign_into_a_full_block_evicts_the_last(services: Services, section_id: int, position: int) -> None:
    before = services.sections.layout(section_id)
    assert before.empty_slots == 0
    last = before.slots[-1].story

    warned = layout_steps.story_that_would_fall_out(services, section_id)
    assert warned is not None
    assert warned.id == last.id

    story_id = new_story(services, "Breaking from Almaty")
    change = layout_steps.assign(services, section_id, story_id, position=position)

    assert change.evicted is not None
    assert change.evicted.id == last.id
    remaining = [s for s in slugs(before) if s != last.slug]
    remaining.insert(position - 1, services.stories.get(story_id).slug)
    assert slugs(change.layout) == remaining
    assert len(change.layout.slots) == before.section.slot_count
    assert slugs(services.sections.layout(section_id)) == remaining
    assert_contiguous(change.layout, services)
    # The evicted story itself is still there; only its slot went.
    assert services.stories.get(last.id).slug == last.slug
    assert db_query.scalar(services, "SELECT count(*) FROM slots WHERE story_id = :id", {"id": last.id}) == 0


def test_assign_past_the_end_of_a_full_block_lands_in_the_last_slot(
    services: Services, section_id: int
) -> None:
    before = services.sections.layout(section_id)
    story_id = new_story(services, "Late edition")
    change = layout_steps.assign(services, section_id, story_id, position=99)
    assert change.evicted is not None
    assert change.evicted.id == before.slots[-1].story.id
    assert change.layout.slots[-1].story.id == story_id
    assert slugs(change.layout)[:-1] == slugs(before)[:-1]


@pytest.mark.parametrize(("source", "target"), [(1, 4), (4, 1), (8, 1), (1, 8), (3, 3), (2, 99)])
def test_move(services: Services, section_id: int, source: int, target: int) -> None:
    before = services.sections.layout(section_id)
    moving = before.slots[source - 1]
    after = layout_steps.move(services, section_id, moving.id, target)

    expected = list(slugs(before))
    expected.insert(min(target, len(expected)) - 1, expected.pop(source - 1))
    assert slugs(after) == expected
    assert slugs(after) == [s.story.slug for s in ordering.move(before.slots, source - 1, target - 1)]
    assert slugs(services.sections.layout(section_id)) == expected
    assert sorted(s.id for s in after.slots) == sorted(
        s.id for s in before.slots
    )  # slots are moved, not rebuilt
    assert_contiguous(after, services)


def test_remove(services: Services, section_id: int) -> None:
    before = services.sections.layout(section_id)
    gone = before.slots[3]
    after = layout_steps.remove(services, section_id, gone.id)
    assert slugs(after) == [s for s in slugs(before) if s != gone.story.slug]
    assert after.empty_slots == 1
    assert_contiguous(after, services)
    assert services.stories.get(gone.story.id).id == gone.story.id  # the story stays
    with pytest.raises(NotFoundError):
        layout_steps.remove(services, section_id, gone.id)


def test_restore_order_undoes_a_sequence_of_moves(services: Services, section_id: int) -> None:
    before = services.sections.layout(section_id)
    captured = [slot.id for slot in before.slots]
    layout_steps.move(services, section_id, before.slots[0].id, 5)
    layout_steps.move(services, section_id, before.slots[7].id, 1)
    assert slugs(services.sections.layout(section_id)) != slugs(before)

    restored = layout_steps.restore_order(services, section_id, captured)
    assert [slot.id for slot in restored.slots] == captured
    assert slugs(restored) == slugs(before)
    assert_contiguous(restored, services)

    reverse = list(reversed(captured))
    assert [s.id for s in layout_steps.restore_order(services, section_id, reverse).slots] == reverse


@pytest.mark.parametrize("change", ["missing", "extra", "duplicate-missing"])
def test_restore_order_with_a_different_set_of_slots_is_a_conflict(
    services: Services, section_id: int, change: str
) -> None:
    before = services.sections.layout(section_id)
    ids = [slot.id for slot in before.slots]
    layout_steps.move(services, section_id, ids[0], 3)
    moved = services.sections.layout(section_id)
    wrong = {
        "missing": ids[:-1],
        "extra": [*ids, max(ids) + 1],
        "duplicate-missing": [ids[0], *ids[:-1]],
    }[change]
    with pytest.raises(ConflictError):
        layout_steps.restore_order(services, section_id, wrong)
    assert services.sections.layout(section_id) == moved


def test_restore_order_after_someone_removed_a_slot_is_a_conflict(
    services: Services, section_id: int
) -> None:
    before = services.sections.layout(section_id)
    captured = [slot.id for slot in before.slots]
    after_remove = layout_steps.remove(services, section_id, captured[2])
    with pytest.raises(ConflictError):
        layout_steps.restore_order(services, section_id, captured)
    assert services.sections.layout(section_id) == after_remove


def test_overrides_change_the_slot_but_not_the_story(services: Services, section_id: int) -> None:
    layout = services.sections.layout(section_id)
    slot = layout.slots[1]
    story_before = services.stories.get(slot.story.id)
    donor = layout.slots[4].story
    assert donor.image is not None
    assert slot.story.image is not None
    assert donor.image.asset != slot.story.image.asset

    overrides = SlotOverrides(
        headline="Shorter headline for the front",
        summary="A teaser written for this page",
        image=StoryImage(donor.image.asset, "Alt text for this page"),
    )
    after = layout_steps.set_overrides(services, section_id, slot.id, overrides)
    changed = after.slots[1]
    assert changed.id == slot.id
    assert changed.headline == "Shorter headline for the front"
    assert changed.summary == "A teaser written for this page"
    assert changed.image is not None
    assert changed.image.asset == donor.image.asset
    assert changed.image.alt == "Alt text for this page"
    assert changed.overrides.any
    assert services.sections.layout(section_id).slots[1] == changed  # committed

    # The story itself is untouched: its title, summary, image and version.
    assert services.stories.get(slot.story.id) == story_before
    assert changed.story.title == story_before.title
    # No other slot changed.
    others_before = [s for i, s in enumerate(layout.slots) if i != 1]
    others_after = [s for i, s in enumerate(after.slots) if i != 1]
    assert others_after == others_before

    cleared = layout_steps.set_overrides(services, section_id, slot.id, SlotOverrides())
    reverted = cleared.slots[1]
    assert not reverted.overrides.any
    assert reverted.headline == story_before.title
    assert reverted.summary == story_before.summary
    assert reverted.image == story_before.image
    assert services.stories.get(slot.story.id) == story_before


def test_partial_override_keeps_the_rest_of_the_story(services: Services, section_id: int) -> None:
    slot = services.sections.layout(section_id).slots[0]
    after = layout_steps.set_overrides(
        services, section_id, slot.id, SlotOverrides(headline="Only the headline")
    )
    changed = after.slots[0]
    assert changed.headline == "Only the headline"
    assert changed.summary == slot.story.summary
    assert changed.image == slot.story.image


def test_overrides_follow_the_slot_when_it_moves(services: Services, section_id: int) -> None:
    slot = services.sections.layout(section_id).slots[0]
    layout_steps.set_overrides(services, section_id, slot.id, SlotOverrides(headline="Moving headline"))
    moved = layout_steps.move(services, section_id, slot.id, 6)
    assert moved.slots[5].id == slot.id
    assert moved.slots[5].headline == "Moving headline"
    assert all(s.headline == s.story.title for s in moved.slots if s.id != slot.id)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (SlotOverrides(headline="   "), "headline"),
        (SlotOverrides(headline="x" * 301), "headline"),
        (SlotOverrides(summary="x" * 2001), "summary"),
    ],
)
def test_invalid_overrides_are_refused_and_change_nothing(
    services: Services, section_id: int, overrides: SlotOverrides, field: str
) -> None:
    before = services.sections.layout(section_id)
    with pytest.raises(ValidationError) as caught:
        layout_steps.set_overrides(services, section_id, before.slots[0].id, overrides)
    assert field in [p.field for p in caught.value.problems]
    assert services.sections.layout(section_id) == before


def test_override_image_must_exist(services: Services, section_id: int) -> None:
    before = services.sections.layout(section_id)
    image = before.slots[0].story.image
    assert image is not None
    ghost = StoryImage(type(image.asset)("f" * 64, "image/png", 10, 10, 100), "alt")
    with pytest.raises(ValidationError):
        layout_steps.set_overrides(services, section_id, before.slots[0].id, SlotOverrides(image=ghost))
    assert services.sections.layout(section_id) == before


def test_layout_changes_bump_the_section_version(services: Services, section_id: int) -> None:
    def version() -> int:
        return int(
            db_query.scalar(services, "SELECT version FROM sections WHERE id = :id", {"id": section_id})
        )

    layout = services.sections.layout(section_id)
    seen = [version()]
    layout_steps.move(services, section_id, layout.slots[0].id, 2)
    seen.append(version())
    layout_steps.set_overrides(services, section_id, layout.slots[0].id, SlotOverrides(headline="h"))
    seen.append(version())
    layout_steps.remove(services, section_id, layout.slots[0].id)
    seen.append(version())
    assert seen == sorted(set(seen)), seen  # strictly increasing


def test_a_story_placed_twice_is_reported_in_the_export(services, tmp_path) -> None:
    section_id = services.section_id()
    first = services.sections.layout(section_id).slots[0].story

    layout_steps.assign(services, section_id, first.id)
    manifest = services.exports.export(
        section_id, tmp_path / "out", release=Release(override_reason="placed twice on purpose")
    )

    doubled = [p for p in manifest.problems if "more than one slot" in p]
    assert len(doubled) == 1
    assert first.title in doubled[0]
    assert "(1, " in doubled[0]


def test_a_version_that_moves_between_read_and_write_is_a_conflict_not_a_crash(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a server database shows when two writers interleave: the ORM's stale-version error at flush
    time. It must reach the desk as a conflict it knows how to explain, not as a crash."""
    from sqlalchemy.orm.exc import StaleDataError

    from ca_editor.domain.errors import ConflictError
    from ca_editor.services import sections

    section_id = services.section_id()
    before = services.sections.layout(section_id)

    def stale(*_args: object, **_kwargs: object) -> None:
        raise StaleDataError("UPDATE on 'sections' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(sections, "_touch", stale)
    with pytest.raises(ConflictError, match="changed by someone else while saving"):
        layout_steps.move(services, section_id, before.slots[0].id, 3)
    monkeypatch.undo()
    assert services.sections.layout(section_id).entries() == before.entries()


def test_an_override_focal_point_is_stored_and_one_outside_the_image_refused(services: Services) -> None:
    section_id = services.section_id()
    layout = services.sections.layout(section_id)
    slot = layout.slots[0]
    asset = next(s.story.image.asset for s in layout.slots if s.story.image is not None)
    inside = SlotOverrides(image=StoryImage(asset, "A photo", focus=(0.1, 0.9)))
    after = layout_steps.set_overrides(services, section_id, slot.id, inside)
    assert after.slots[0].overrides.image.focus == (0.1, 0.9)  # type: ignore[union-attr]
    assert after.slots[0].entry().image_focus == (0.1, 0.9)
    outside = SlotOverrides(image=StoryImage(asset, "A photo", focus=(1.5, 0.5)))
    with pytest.raises(ValidationError) as refused:
        layout_steps.set_overrides(services, section_id, slot.id, outside)
    assert [p.field for p in refused.value.problems] == ["image_focus"]
    assert services.sections.layout(section_id).slots[0].overrides.image.focus == (0.1, 0.9)  # type: ignore[union-attr]
    cleared = layout_steps.set_overrides(services, section_id, slot.id, SlotOverrides())
    assert cleared.slots[0].entry().image_focus is None
