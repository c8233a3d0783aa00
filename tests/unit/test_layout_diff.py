"""Comparing two layout snapshots: slots added, removed, moved (not merely shifted), overrides, edits."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from ca_editor.domain.layout_diff import diff_layouts
from ca_editor.domain.model import SlotEntry
from ca_editor.domain.snapshots import SnapshotContent, SnapshotStory
from ca_editor.domain.text_diff import DiffLine, LineKind, Op, Segment, text_diff, word_diff


def story(story_id: int, **changes: object) -> SnapshotStory:
    base = SnapshotStory(
        id=story_id,
        slug=f"story-{story_id}",
        title=f"Story {story_id}",
        summary=f"Summary of story {story_id}.",
        body=f"First paragraph of {story_id}.\n\nSecond paragraph.\n\nThird paragraph.",
        byline="Desk",
        published_at="2024-05-20T09:00:00+00:00",
        status="approved",
        tags=("Kazakhstan",),
        image_sha256=None,
        image_alt="",
        image_caption="",
        image_credit="",
        version=1,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def layout(
    *entries: SlotEntry | int,
    stories: dict[int, SnapshotStory] | None = None,
    slot_count: int = 8,
    title: str = "Central Asia",
) -> SnapshotContent:
    slots = tuple(e if isinstance(e, SlotEntry) else SlotEntry(e) for e in entries)
    texts = {s.story_id: story(s.story_id) for s in slots}
    texts.update(stories or {})
    return SnapshotContent(title, "News from the region", slot_count, slots, texts)


def test_identical_layouts_have_no_changes() -> None:
    before = layout(1, 2, 3)
    diff = diff_layouts(before, layout(1, 2, 3))
    assert diff.is_empty
    assert diff.summary() == "No changes"
    assert diff.sentences() == ("No changes.",)
    assert diff.marks(1) == ()


def test_a_story_saved_without_a_visible_change_is_no_change() -> None:
    before = layout(1, 2)
    after = layout(1, 2, stories={2: story(2, version=5)})
    assert diff_layouts(before, after).is_empty


def test_an_insertion_at_the_top_is_one_addition_and_a_shift_not_eight_moves() -> None:
    before = layout(1, 2, 3, 4)
    after = layout(9, 1, 2, 3, 4)
    diff = diff_layouts(before, after)
    assert [(a.story_id, a.position) for a in diff.added] == [(9, 1)]
    assert diff.moved == ()
    assert len(diff.shifted) == 1
    run = diff.shifted[0]
    assert (run.from_position, run.to_position, run.count) == (1, 2, 4)
    assert diff.count == 1
    assert "Slots 1–4 went down 1 place to 2–5, in the same order." in diff.sentences()
    assert diff.marks(1) == ("new",)
    assert diff.marks(3) == ("was slot 2",)


def test_removals_report_the_old_slot_and_pull_the_rest_up() -> None:
    diff = diff_layouts(layout(1, 2, 3, 4), layout(1, 3, 4))
    assert [(r.story_id, r.position) for r in diff.removed] == [(2, 2)]
    assert diff.moved == ()
    assert [(s.from_position, s.to_position, s.count) for s in diff.shifted] == [(3, 2, 2)]
    assert "“Story 2” removed (was at slot 2)." in diff.sentences()


def test_moving_one_story_reports_that_story_only() -> None:
    diff = diff_layouts(layout(1, 2, 3, 4, 5), layout(2, 3, 4, 1, 5))
    assert [(m.story_id, m.from_position, m.to_position) for m in diff.moved] == [(1, 1, 4)]
    assert diff.added == diff.removed == ()
    assert [(s.from_position, s.to_position, s.count) for s in diff.shifted] == [(2, 1, 3)]
    assert diff.marks(4) == ("moved from slot 1",)
    assert diff.summary() == "1 change: 1 moved"

    up = diff_layouts(layout(1, 2, 3, 4, 5), layout(5, 1, 2, 3, 4))
    assert [(m.story_id, m.from_position, m.to_position) for m in up.moved] == [(5, 5, 1)]


def test_a_swap_is_one_move_and_prefers_the_story_whose_slot_changed_for_real() -> None:
    diff = diff_layouts(layout(1, 2, 3), layout(2, 1, 3))
    assert len(diff.moved) == 1
    # Removing the first story and swapping the next two: story 3 keeps no slot, story 2 keeps slot 2.
    diff = diff_layouts(layout(1, 2, 3), layout(3, 2))
    assert [(m.story_id, m.from_position, m.to_position) for m in diff.moved] == [(3, 3, 1)]
    assert [r.story_id for r in diff.removed] == [1]


def test_a_story_placed_twice_is_matched_placement_by_placement() -> None:
    diff = diff_layouts(layout(1, 2, 1), layout(1, 2))
    assert [(r.story_id, r.position) for r in diff.removed] == [(1, 3)]
    assert diff.moved == diff.added == ()


def test_overrides_set_changed_and_removed() -> None:
    before = layout(SlotEntry(1, headline="Old page headline"), SlotEntry(2), SlotEntry(3, summary="Short"))
    after = layout(
        SlotEntry(1, headline="New page headline"),
        SlotEntry(2, image_sha256="a" * 64, image_alt="A yurt"),
        SlotEntry(3),
    )
    diff = diff_layouts(before, after)
    got = {(o.story_id, o.field): (o.old, o.new) for o in diff.overrides}
    assert got == {
        (1, "headline"): ("Old page headline", "New page headline"),
        (2, "image"): (None, "image aaaaaaaaaaaa (A yurt)"),
        (3, "summary"): ("Short", None),
    }
    sentences = diff.sentences()
    assert (
        "Slot 1 “Story 1”: page-only headline changed from “Old page headline” to “New page headline”."
        in sentences
    )
    assert "Slot 2 “Story 2”: page-only image set." in sentences
    assert "Slot 3 “Story 3”: page-only summary removed; the story's own shows again." in sentences
    headline = next(o for o in diff.overrides if o.field == "headline")
    assert headline.diff == (
        DiffLine(
            LineKind.CHANGED,
            (Segment(Op.DELETE, "Old"), Segment(Op.INSERT, "New"), Segment(Op.EQUAL, " page headline")),
        ),
    )
    assert diff.marks(1) == ("page-only headline changed",)


def test_only_the_alt_text_of_an_override_image_changed() -> None:
    before = layout(SlotEntry(1, image_sha256="b" * 64, image_alt="Old"))
    after = layout(SlotEntry(1, image_sha256="b" * 64, image_alt="New"))
    [change] = diff_layouts(before, after).overrides
    assert (change.field, change.old, change.new) == ("image_alt", "Old", "New")


def test_a_moved_focal_point_of_an_override_image_is_reported() -> None:
    image = "c" * 64
    before = layout(SlotEntry(1, image_sha256=image, image_alt="A yurt"))
    after = layout(SlotEntry(1, image_sha256=image, image_alt="A yurt", image_focus=(0.3, 0.25)))
    diff = diff_layouts(before, after)
    [change] = diff.overrides
    assert (change.field, change.old, change.new) == ("image_focus", "centre", "30% across, 25% down")
    assert change.sentence == (
        "Slot 1 “Story 1”: page-only image focal point moved from centre to 30% across, 25% down."
    )
    back = diff_layouts(after, before)
    assert [(c.field, c.old, c.new) for c in back.overrides] == [
        ("image_focus", "30% across, 25% down", "centre")
    ]


def test_alt_text_and_focal_point_changed_together_are_two_changes() -> None:
    image = "d" * 64
    before = layout(SlotEntry(1, image_sha256=image, image_alt="Old", image_focus=(0.1, 0.1)))
    after = layout(SlotEntry(1, image_sha256=image, image_alt="New", image_focus=(0.9, 0.9)))
    assert [c.field for c in diff_layouts(before, after).overrides] == ["image_alt", "image_focus"]


def test_a_replaced_override_image_is_one_change_whatever_its_focus() -> None:
    before = layout(SlotEntry(1, image_sha256="e" * 64, image_alt="A", image_focus=(0.2, 0.2)))
    after = layout(SlotEntry(1, image_sha256="f" * 64, image_alt="A", image_focus=(0.8, 0.8)))
    assert [c.field for c in diff_layouts(before, after).overrides] == ["image"]


def test_a_story_image_focal_point_change_is_a_story_edit() -> None:
    with_image = story(2, image_sha256="a" * 64, image_alt="Steppe")
    moved = replace(with_image, image_focus=(0.7, 0.4), version=2)
    diff = diff_layouts(layout(1, 2, stories={2: with_image}), layout(1, 2, stories={2: moved}))
    [edit] = diff.edits
    [change] = edit.changes
    assert (change.field, change.label) == ("image_focus", "Image focal point")
    assert (change.old, change.new) == ("centre", "70% across, 40% down")
    assert diff.sentences() == ("“Story 2” (slot 2): image focal point edited.",)


def test_snapshots_taken_before_focal_points_load_as_centred() -> None:
    content = layout(SlotEntry(1, image_sha256="a" * 64, image_alt="A", image_focus=(0.25, 0.75)))
    data = content.to_json()
    assert data["entries"][0]["image_focus"] == [0.25, 0.75]
    assert SnapshotContent.from_json(data) == content
    for entry in data["entries"]:
        del entry["image_focus"]
    for text in data["stories"]:
        del text["image_focus"]
    old = SnapshotContent.from_json(data)
    assert old.entries[0].image_focus is None
    assert old.stories[1].image_focus is None


def test_story_edits_list_each_changed_field_with_a_diff() -> None:
    before = layout(1, 2)
    edited = story(
        2,
        title="Story 2, updated",
        body="First paragraph of 2.\n\nSecond paragraph, rewritten.\n\nThird paragraph.",
        status="published",
        tags=("Kazakhstan", "Energy"),
        version=3,
    )
    diff = diff_layouts(before, layout(1, 2, stories={2: edited}))
    [edit] = diff.edits
    assert edit.story_id == 2 and edit.positions == (2,) and edit.title == "Story 2, updated"
    assert [c.field for c in edit.changes] == ["title", "body", "status", "tags"]
    status = next(c for c in edit.changes if c.field == "status")
    assert (status.old, status.new) == ("Approved", "Published")
    body = next(c for c in edit.changes if c.field == "body")
    kinds = [line.kind for line in body.diff]
    assert kinds == [LineKind.SAME, LineKind.SAME, LineKind.OLD, LineKind.NEW, LineKind.SAME, LineKind.SAME]
    new_line = body.diff[3]
    assert Segment(Op.INSERT, ", rewritten") in new_line.segments
    assert new_line.text == "Second paragraph, rewritten."
    assert diff.sentences() == ("“Story 2, updated” (slot 2): title, body, status and tags edited.",)
    assert diff.marks(2) == ("story edited: title, body, status, tags",)
    assert diff.summary() == "1 change: 1 story edited"


def test_a_story_that_arrived_is_added_not_edited() -> None:
    diff = diff_layouts(layout(1), layout(1, 2, stories={2: story(2, title="Changed")}))
    assert diff.edits == ()
    assert [a.title for a in diff.added] == ["Changed"]


def test_section_title_description_and_slot_count() -> None:
    before = layout(1, 2)
    after = replace(layout(1, 2, slot_count=10, title="Central Asia today"), section_description="Other")
    diff = diff_layouts(before, after)
    assert [(c.field, c.old, c.new) for c in diff.section] == [
        ("title", "Central Asia", "Central Asia today"),
        ("description", "News from the region", "Other"),
        ("slot_count", "8", "10"),
    ]
    assert "The block now has 10 slots (was 8)." in diff.sentences()
    assert "Section heading changed from “Central Asia” to “Central Asia today”." in diff.sentences()


def test_slug_and_teaser_advice_and_snapshots_that_did_not_record_them() -> None:
    before = replace(layout(1, 2), section_slug="central-asia", teaser_limit=0)
    after = replace(before, section_slug="asia", teaser_limit=400)
    diff = diff_layouts(before, after)
    assert [(c.field, c.old, c.new) for c in diff.section] == [
        ("slug", "central-asia", "asia"),
        ("teaser_limit", "off", "over 400 characters"),
    ]
    assert diff.count == 2
    older = layout(1, 2)  # taken before the slug and the teaser advice were recorded: None
    assert (older.section_slug, older.teaser_limit) == (None, None)
    assert diff_layouts(older, after).is_empty  # unknown is not a change from nothing
    assert SnapshotContent.from_json(older.to_json()) == older
    assert SnapshotContent.from_json(after.to_json()) == after


def test_long_bodies_keep_context_around_the_change_and_skip_the_rest() -> None:
    old = "\n".join(f"Line {i}" for i in range(20))
    new = old.replace("Line 10", "Line ten")
    lines = text_diff(old, new)
    assert [line.kind for line in lines] == [
        LineKind.SKIPPED,
        LineKind.SAME,
        LineKind.SAME,
        LineKind.OLD,
        LineKind.NEW,
        LineKind.SAME,
        LineKind.SAME,
        LineKind.SKIPPED,
    ]
    assert lines[0].skipped == 8 and lines[-1].skipped == 7


def test_unlike_lines_are_shown_removed_and_added_whole() -> None:
    lines = text_diff("keep\nalpha beta gamma", "keep\nsomething else entirely\nand more")
    assert [(line.kind, line.text) for line in lines] == [
        (LineKind.SAME, "keep"),
        (LineKind.OLD, "alpha beta gamma"),
        (LineKind.NEW, "something else entirely"),
        (LineKind.NEW, "and more"),
    ]


@given(st.text(max_size=60), st.text(max_size=60))
def test_a_word_diff_rebuilds_both_texts(old: str, new: str) -> None:
    segments = word_diff(old, new)
    assert "".join(s.text for s in segments if s.op != Op.INSERT) == old
    assert "".join(s.text for s in segments if s.op != Op.DELETE) == new


@given(st.lists(st.integers(1, 12), max_size=10, unique=True), st.randoms(use_true_random=False))
def test_moves_and_shifts_account_for_every_kept_story(ids: list[int], rnd: random.Random) -> None:
    after_ids = list(ids)
    rnd.shuffle(after_ids)
    after_ids = after_ids[: rnd.randint(0, len(after_ids))] + [100, 101][: rnd.randint(0, 2)]
    rnd.shuffle(after_ids)
    diff = diff_layouts(layout(*ids, slot_count=12), layout(*after_ids, slot_count=12))
    assert {a.story_id for a in diff.added} == set(after_ids) - set(ids)
    assert {r.story_id for r in diff.removed} == set(ids) - set(after_ids)
    moved = {m.story_id for m in diff.moved}
    kept_in_order = [i for i in after_ids if i in set(ids) and i not in moved]
    assert kept_in_order == [i for i in ids if i in set(kept_in_order)]  # the rest kept their order
    kept = [ids.index(i) for i in after_ids if i in set(ids)]
    longest = [1] * len(kept)  # the longest run kept in order: no fewer moves explain the new order
    for i in range(len(kept)):
        for j in range(i):
            if kept[j] < kept[i]:
                longest[i] = max(longest[i], longest[j] + 1)
    assert len(moved) == len(kept) - max(longest, default=0)
    shifted = sum(run.count for run in diff.shifted)
    unchanged = sum(1 for i in kept_in_order if ids.index(i) == after_ids.index(i))
    assert shifted + unchanged == len(kept_in_order)
    assert diff.is_empty == (ids == after_ids)


def test_a_single_shifted_story_says_why_in_plain_words() -> None:
    shifted = diff_layouts(layout(1, 2, 3), layout(1, 3)).shifted
    assert [run.sentence for run in shifted] == [
        "“Story 3” went up 1 place to slot 2 because of the changes above it."
    ]
