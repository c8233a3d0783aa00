"""Check-in's three-way merge, by example: what an editor expects when the laptop comes back."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from ca_editor.domain.merge import Conflict, DeskSide, MergeOutcome, SlotPick, merge, resolve

KEYS = ("s1", "s2", "s3", "s4", "s5", "s6", "m1", "m2", "t1", "t2")


def story(key: str, **fields: object) -> dict[str, object]:
    return {"title": f"Story {key}", "body": "text", "tags": ["news"], **fields}


def side(
    slots: str,
    *,
    stories: Mapping[str, Mapping[str, object]] | None = None,
    overrides: Mapping[str, Mapping[str, object]] | None = None,
    **settings: object,
) -> DeskSide:
    """A desk whose block is ``slots`` (story keys separated by spaces)."""
    overrides = overrides or {}
    return DeskSide(
        {"title": "Central Asia", "slug": "central-asia", "slot_count": 4, **settings},
        tuple(SlotPick(key, dict(overrides.get(key, {}))) for key in slots.split()),
        dict(stories) if stories is not None else {key: story(key) for key in KEYS},
    )


def block(outcome: MergeOutcome) -> list[str]:
    return [pick.story for pick in outcome.merged.slots]


def only(conflicts: tuple[Conflict, ...]) -> Conflict:
    assert len(conflicts) == 1, conflicts
    return conflicts[0]


# --- the block as a list ----------------------------------------------------------------------------------


def test_moves_insertions_and_removals_of_both_sides_are_all_kept() -> None:
    base = side("s1 s2 s3 s4")
    theirs = side("s4 s1 s2 s3")  # the shared desk moved s4 to the top
    mine = side("s1 m1 s2 s4")  # the laptop put m1 in slot 2 and took s3 out
    outcome = merge(base, theirs, mine)
    assert block(outcome) == ["s4", "s1", "m1", "s2"]
    assert outcome.conflicts == ()


def test_both_sides_moving_different_stories_keeps_both_moves() -> None:
    outcome = merge(side("s1 s2 s3 s4"), side("s4 s1 s2 s3"), side("s2 s3 s4 s1"))
    assert block(outcome) == ["s4", "s2", "s3", "s1"]
    assert outcome.conflicts == ()


def test_one_slot_given_different_stories_is_a_slot_conflict_named_by_its_slot() -> None:
    outcome = merge(side("s1 s2 s3"), side("s1 t1 s3"), side("s1 m1 s3"))
    conflict = only(outcome.conflicts)
    assert (conflict.kind, conflict.field, conflict.label, conflict.position) == (
        "slot",
        "story",
        "Slot 2",
        2,
    )
    assert (conflict.base, conflict.theirs, conflict.mine) == ("s2", "t1", "m1")
    assert conflict.texts == ("“Story s2”", "“Story t1”", "“Story m1”")
    assert block(outcome) == ["s1", "t1", "s3"]  # left at theirs until someone chooses

    mine_wins = resolve(outcome, {conflict.id: "mine"})
    assert [p.story for p in mine_wins.result.slots] == ["s1", "m1", "s3"]
    assert [p.story for p in mine_wins.former] == ["t1"]  # the loser is a former slot, nothing lost
    theirs_wins = resolve(outcome, {conflict.id: "theirs"})
    assert "m1" in [p.story for p in theirs_wins.former]


def test_insertions_at_different_places_do_not_clash() -> None:
    outcome = merge(side("s1 s2"), side("t1 s1 s2"), side("s1 m1 s2"))
    assert block(outcome) == ["t1", "s1", "m1", "s2"]
    assert outcome.conflicts == ()


def test_a_move_and_an_insertion_into_the_same_place_are_both_kept_theirs_first() -> None:
    outcome = merge(side("s1 s2 s3"), side("s3 s1 s2"), side("m1 s1 s2 s3"))
    assert block(outcome) == ["s3", "m1", "s1", "s2"]
    assert outcome.conflicts == ()


def test_both_moving_the_same_story_to_different_places_is_a_place_conflict() -> None:
    outcome = merge(side("s1 s2 s3 s4"), side("s4 s1 s2 s3"), side("s1 s4 s2 s3"))
    conflict = only(outcome.conflicts)
    assert (conflict.id, conflict.kind, conflict.field) == ("place:s4", "slot", "place")
    assert conflict.label == "Place of “Story s4”"
    assert (conflict.base, conflict.theirs, conflict.mine) == (4, 1, 2)
    assert conflict.texts == ("slot 4", "slot 1", "slot 2")
    assert block(outcome) == ["s4", "s1", "s2", "s3"]
    assert [p.story for p in resolve(outcome, {"place:s4": "mine"}).result.slots] == ["s1", "s4", "s2", "s3"]


def test_both_moving_the_same_story_to_the_same_place_is_that_move_once() -> None:
    outcome = merge(side("s1 s2 s3"), side("s3 s1 s2"), side("s3 s1 s2"))
    assert block(outcome) == ["s3", "s1", "s2"] and outcome.conflicts == ()


def test_what_no_longer_fits_the_slot_count_falls_out_and_is_named() -> None:
    outcome = merge(side("s1 s2 s3"), side("t1 s1 s2 s3"), side("s1 s2 s3 m1"))
    assert block(outcome) == ["t1", "s1", "s2", "s3"]
    assert outcome.fallen_out == ("m1",)
    assert [p.story for p in resolve(outcome, {}).former] == ["m1"]


def test_the_merged_slot_count_decides_what_falls_out() -> None:
    outcome = merge(side("s1 s2 s3"), side("s1 s2 s3", slot_count=2), side("s1 s2 s3"))
    assert block(outcome) == ["s1", "s2"] and outcome.fallen_out == ("s3",)


def test_a_slot_taken_out_on_one_side_and_re_dressed_on_the_other_stays_with_a_notice() -> None:
    base = side("s1 s2")
    theirs = side("s1 s2", overrides={"s2": {"headline": "New angle"}})
    outcome = merge(base, theirs, side("s1"))
    assert outcome.merged.slots[1] == SlotPick("s2", {"headline": "New angle"})
    assert "taken out of the block on the laptop" in only_notice(outcome)


def test_a_story_placed_twice_on_a_side_is_merged_placement_by_placement() -> None:
    outcome = merge(side("s1 s2"), side("s1 s2 s1"), side("s2 s1"))
    assert block(outcome) == ["s2", "s1", "s1"]


def only_notice(outcome: MergeOutcome) -> str:
    assert len(outcome.notices) == 1, outcome.notices
    return outcome.notices[0]


# --- fields -----------------------------------------------------------------------------------------------


def test_story_fields_merge_field_by_field() -> None:
    stories = {key: story(key) for key in KEYS}
    theirs = {**stories, "s1": story("s1", title="Floods in Almaty")}
    mine = {**stories, "s1": story("s1", body="Rewritten on the train")}
    outcome = merge(side("s1", stories=stories), side("s1", stories=theirs), side("s1", stories=mine))
    assert outcome.merged.stories["s1"] == story(
        "s1", title="Floods in Almaty", body="Rewritten on the train"
    )
    assert outcome.conflicts == ()


def test_the_same_field_changed_differently_is_a_story_conflict_and_the_loser_is_kept_as_a_copy() -> None:
    stories = {key: story(key) for key in KEYS}
    theirs = {**stories, "s1": story("s1", title="Floods in Almaty")}
    mine = {**stories, "s1": story("s1", title="Almaty under water")}
    outcome = merge(side("s1", stories=stories), side("s1", stories=theirs), side("s1", stories=mine))
    conflict = only(outcome.conflicts)
    assert (conflict.id, conflict.kind, conflict.subject) == ("story:s1:title", "story", "s1")
    assert conflict.label == "Title of “Floods in Almaty”"
    assert outcome.merged.stories["s1"]["title"] == "Floods in Almaty"

    chosen = resolve(outcome, {conflict.id: "mine"})
    assert chosen.result.stories["s1"]["title"] == "Almaty under water"
    (copy,) = chosen.kept_copies
    assert (copy.source, copy.side, copy.fields["title"]) == ("s1", "theirs", "Floods in Almaty")
    assert [(d.conflict.id, d.choice) for d in chosen.decisions] == [("story:s1:title", "mine")]


def test_the_same_change_on_both_sides_is_taken_once_even_as_list_and_tuple() -> None:
    stories = {key: story(key) for key in KEYS}
    theirs = {**stories, "s1": story("s1", tags=["floods", "almaty"])}
    mine = {**stories, "s1": story("s1", tags=("floods", "almaty"))}
    outcome = merge(side("s1", stories=stories), side("s1", stories=theirs), side("s1", stories=mine))
    assert outcome.conflicts == ()
    assert outcome.merged.stories["s1"]["tags"] == ["floods", "almaty"]


def test_a_story_deleted_on_one_side_and_edited_on_the_other_is_kept_with_a_notice() -> None:
    stories = {key: story(key) for key in KEYS}
    theirs = {k: v for k, v in stories.items() if k != "s5"}
    mine = {**stories, "s5": story("s5", body="Updated")}
    outcome = merge(side("s1", stories=stories), side("s1", stories=theirs), side("s1", stories=mine))
    assert outcome.merged.stories["s5"]["body"] == "Updated"
    assert only_notice(outcome) == (
        "“Story s5” was deleted on the shared desk but changed on the laptop: it is kept."
    )


def test_a_story_deleted_on_one_side_and_untouched_on_the_other_is_deleted_with_its_slot() -> None:
    stories = {key: story(key) for key in KEYS}
    mine = {k: v for k, v in stories.items() if k != "s2"}
    outcome = merge(side("s1 s2", stories=stories), side("s1 s2", stories=stories), side("s1", stories=mine))
    assert "s2" not in outcome.merged.stories
    assert block(outcome) == ["s1"]
    assert resolve(outcome, {}).former == ()  # a deleted story is no former slot


def test_a_story_deleted_on_one_side_and_put_in_the_block_on_the_other_is_kept() -> None:
    stories = {key: story(key) for key in KEYS}
    theirs = {k: v for k, v in stories.items() if k != "s6"}
    outcome = merge(side("s1", stories=stories), side("s1", stories=theirs), side("s1 s6", stories=stories))
    assert "s6" in outcome.merged.stories and block(outcome) == ["s1", "s6"]


def test_new_stories_on_either_side_are_kept() -> None:
    base = {key: story(key) for key in ("s1",)}
    outcome = merge(
        side("s1", stories=base),
        side("s1", stories={**base, "t1": story("t1")}),
        side("s1", stories={**base, "m1": story("m1")}),
    )
    assert set(outcome.merged.stories) == {"s1", "t1", "m1"}


def test_overrides_merge_field_by_field_and_clash_per_field() -> None:
    base = side("s1 s2", overrides={"s2": {"headline": "Old", "summary": "Old teaser"}})
    theirs = side("s1 s2", overrides={"s2": {"headline": "Desk", "summary": "Old teaser"}})
    mine = side("s1 s2", overrides={"s2": {"headline": "Laptop", "summary": "New teaser"}})
    outcome = merge(base, theirs, mine)
    conflict = only(outcome.conflicts)
    assert (conflict.id, conflict.kind, conflict.position) == ("override:s2:headline", "override", 2)
    assert conflict.label == "Headline on this page: “Story s2” (slot 2)"
    assert outcome.merged.slots[1].overrides == {"headline": "Desk", "summary": "New teaser"}


def test_settings_merge_field_by_field_with_readable_labels() -> None:
    outcome = merge(
        side("s1"),
        side("s1", title="Central Asia today", teaser_limit=300),
        side("s1", title="Central Asia now", description="The region"),
    )
    conflict = only(outcome.conflicts)
    assert (conflict.id, conflict.label, conflict.subject) == ("setting:title", "Heading", "section")
    assert outcome.merged.settings["teaser_limit"] == 300
    assert outcome.merged.settings["description"] == "The region"
    assert resolve(outcome, {"setting:title": "mine"}).result.settings["title"] == "Central Asia now"


def test_a_teaser_limit_turned_off_reads_off() -> None:
    outcome = merge(side("s1", teaser_limit=400), side("s1", teaser_limit=None), side("s1", teaser_limit=200))
    assert only(outcome.conflicts).texts == ("400", "off", "200")


def test_resolve_refuses_a_choice_for_no_conflict() -> None:
    outcome = merge(side("s1"), side("s1"), side("s1"))
    with pytest.raises(ValueError, match="no such conflict: setting:nope"):
        resolve(outcome, {"setting:nope": "mine"})


def test_choosing_a_smaller_slot_count_drops_the_last_slots_into_former() -> None:
    outcome = merge(side("s1 s2 s3"), side("s1 s2 s3", slot_count=3), side("s1 s2 s3", slot_count=2))
    assert block(outcome) == ["s1", "s2", "s3"]
    chosen = resolve(outcome, {"setting:slot_count": "mine"})
    assert [p.story for p in chosen.result.slots] == ["s1", "s2"]
    assert chosen.fallen_out == ("s3",) and [p.story for p in chosen.former] == ["s3"]


def test_two_stories_put_into_the_same_place_clash_over_a_slot_that_was_empty_in_base() -> None:
    outcome = merge(side("s1 s2"), side("s1 t1 s2"), side("s1 m1 s2"))
    conflict = only(outcome.conflicts)
    assert (conflict.id, conflict.label, conflict.base) == ("slot:t1|m1", "Slot 2", None)
    assert conflict.texts == ("empty", "“Story t1”", "“Story m1”")


def test_extra_stories_one_side_put_into_a_clashing_place_are_kept_after_the_winner() -> None:
    outcome = merge(side("s1 s2"), side("s1 t1 t2 s2"), side("s1 m1 s2"))
    conflict = only(outcome.conflicts)
    assert conflict.id == "slot:t1|m1"
    assert block(outcome) == ["s1", "t1", "t2", "s2"]
    assert [p.story for p in resolve(outcome, {conflict.id: "mine"}).result.slots] == ["s1", "m1", "t2", "s2"]


def test_mixed_choices_on_one_story_keep_a_copy_of_each_losing_side() -> None:
    stories = {key: story(key) for key in KEYS}
    theirs = {**stories, "s1": story("s1", title="Desk title", body="Desk body")}
    mine = {**stories, "s1": story("s1", title="Laptop title", body="Laptop body")}
    outcome = merge(side("s1", stories=stories), side("s1", stories=theirs), side("s1", stories=mine))
    assert [c.id for c in outcome.conflicts] == ["story:s1:title", "story:s1:body"]
    chosen = resolve(outcome, {"story:s1:title": "mine"})
    assert (chosen.result.stories["s1"]["title"], chosen.result.stories["s1"]["body"]) == (
        "Laptop title",
        "Desk body",
    )
    assert [(c.side, c.fields["title"], c.fields["body"]) for c in chosen.kept_copies] == [
        ("theirs", "Desk title", "Desk body"),
        ("mine", "Laptop title", "Laptop body"),
    ]


def test_a_slot_moved_on_one_side_and_taken_out_on_the_other_is_out_with_a_notice() -> None:
    outcome = merge(side("s1 s2 s3"), side("s3 s1 s2"), side("s1 s2"))
    assert block(outcome) == ["s1", "s2"] and outcome.conflicts == ()
    assert only_notice(outcome) == (
        "“Story s3” was moved on the shared desk but taken out of the block on the laptop: it stays out."
    )
