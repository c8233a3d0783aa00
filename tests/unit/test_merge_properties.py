"""Properties of check-in's three-way merge (issue 15, item 4), over desks Hypothesis makes up.

A base desk is drawn, then each side edits it the way an editor can: stories edited field by field,
deleted or written new; settings changed; the block changed by removals, insertions and moves, and its
overrides re-dressed. Values come from tiny alphabets so that both sides often touch the same things.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from ca_editor.domain.merge import DeskSide, MergeOutcome, SlotPick, merge, resolve
from ca_editor.domain.merge_fields import MISSING, Side, normal, same

TITLES = st.sampled_from(["Floods", "Talks", "Harvest"])
BODIES = st.sampled_from(["one", "two", "three"])
TAGS = st.sampled_from([[], ["news"], ("news", "asia")])
HEADLINES = st.sampled_from([None, "Now", "Later"])
SETTINGS = {
    "title": st.sampled_from(["Central Asia", "The region"]),
    "description": st.sampled_from(["", "Daily"]),
    "slot_count": st.integers(min_value=1, max_value=5),
    "teaser_limit": st.sampled_from([None, 200, 400]),
}
STORY = st.fixed_dictionaries({"title": TITLES, "body": BODIES, "tags": TAGS})


@st.composite
def bases(draw: st.DrawFn) -> DeskSide:
    keys = [f"s{i}" for i in range(1, draw(st.integers(min_value=0, max_value=7)) + 1)]
    stories = {key: draw(STORY) for key in keys}
    desk_settings: dict[str, object] = draw(st.fixed_dictionaries(SETTINGS))
    slot_count = desk_settings["slot_count"]
    assert isinstance(slot_count, int)
    slot_keys = draw(st.lists(st.sampled_from(keys), unique=True, max_size=slot_count)) if keys else []
    slots = tuple(SlotPick(key, {"headline": draw(HEADLINES)}) for key in slot_keys)
    return DeskSide(desk_settings, slots, stories)


@st.composite
def edits(draw: st.DrawFn, base: DeskSide, prefix: str, twice: bool) -> DeskSide:
    """``base`` as one editor left it: every change an editor can make, each maybe (``twice``: placing a
    story already in the block is one, as the desk allows and the checklist flags)."""
    stories: dict[str, Mapping[str, object]] = {}
    for key, fields in base.stories.items():
        action = draw(st.sampled_from(["keep", "keep", "edit", "delete"]))
        if action == "edit":
            names = draw(st.sets(st.sampled_from(["title", "body", "tags"]), min_size=1))
            new = draw(STORY)
            stories[key] = {**fields, **{name: new[name] for name in sorted(names)}}
        elif action == "keep":
            stories[key] = fields
    for i in range(draw(st.integers(min_value=0, max_value=2))):
        stories[f"{prefix}{i + 1}"] = draw(STORY)
    desk_settings = {
        name: draw(strategy) if draw(st.booleans()) else base.settings[name]
        for name, strategy in SETTINGS.items()
    }
    block = [pick for pick in base.slots if pick.story in stories]
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        op = draw(st.sampled_from(["remove", "insert", "move", "lead", "dress"]))
        free = sorted(set(stories) - ({p.story for p in block} if not twice else set()))
        if op == "insert" and free:
            at = draw(st.integers(min_value=0, max_value=len(block)))
            block.insert(at, SlotPick(draw(st.sampled_from(free)), {"headline": draw(HEADLINES)}))
        elif block and op != "insert":
            i = draw(st.integers(min_value=0, max_value=len(block) - 1))
            if op == "remove":
                del block[i]
            elif op == "move":
                block.insert(draw(st.integers(min_value=0, max_value=len(block) - 1)), block.pop(i))
            elif op == "lead":  # the story every editor wants on top: both sides often pick the same one
                block.insert(0, block.pop(len(block) - 1))
            else:
                block[i] = SlotPick(block[i].story, {"headline": draw(HEADLINES)})
    slot_count = desk_settings["slot_count"]
    assert isinstance(slot_count, int)
    return DeskSide(desk_settings, tuple(block[:slot_count]), stories)


@st.composite
def merges(draw: st.DrawFn, twice: bool = False) -> tuple[DeskSide, DeskSide, DeskSide]:
    base = draw(bases())
    return base, draw(edits(base, "t", twice)), draw(edits(base, "m", twice))


def stories_in_block(desk: DeskSide) -> list[str]:
    return [pick.story for pick in desk.slots]


def settled(outcome: MergeOutcome, seed: int) -> dict[str, Side]:
    rng = random.Random(seed)
    sides: list[Side] = ["mine", "theirs"]
    return {c.id: rng.choice(sides) for c in outcome.conflicts}


@given(merges(twice=True))
def test_merging_with_an_unchanged_side_returns_the_other_side(
    sides: tuple[DeskSide, DeskSide, DeskSide],
) -> None:
    base, theirs, mine = sides
    for outcome, expected in ((merge(base, base, mine), mine), (merge(base, theirs, base), theirs)):
        assert outcome.merged == expected
        assert outcome.conflicts == () and outcome.fallen_out == () and outcome.notices == ()


@given(merges(twice=True))
def test_the_same_change_on_both_sides_is_that_change_once(
    sides: tuple[DeskSide, DeskSide, DeskSide],
) -> None:
    base, changed, _ = sides
    outcome = merge(base, changed, changed)
    assert outcome.merged == changed and outcome.conflicts == ()


@given(merges(twice=True), st.integers())
def test_no_story_is_placed_twice_unless_a_side_did(
    sides: tuple[DeskSide, DeskSide, DeskSide], seed: int
) -> None:
    outcome = merge(*sides)
    _, theirs, mine = sides
    most = Counter(stories_in_block(theirs)) | Counter(stories_in_block(mine))  # the larger count of each
    for desk in (outcome.merged, resolve(outcome, settled(outcome, seed)).result):
        assert Counter(stories_in_block(desk)) <= most


@given(merges(twice=True), st.randoms())
def test_the_outcome_does_not_depend_on_the_order_mappings_were_built_in(
    sides: tuple[DeskSide, DeskSide, DeskSide], rnd: random.Random
) -> None:
    def shuffled(desk: DeskSide) -> DeskSide:
        def mixed(mapping: Mapping[str, object]) -> dict[str, object]:
            items = list(mapping.items())
            rnd.shuffle(items)
            return dict(items)

        stories = {key: mixed(fields) for key, fields in mixed(desk.stories).items()}  # type: ignore[arg-type]
        slots = tuple(SlotPick(p.story, mixed(p.overrides)) for p in desk.slots)
        return DeskSide(mixed(desk.settings), slots, stories)

    first, again = merge(*sides), merge(*(shuffled(desk) for desk in sides))
    assert repr((first.merged, first.conflicts, first.fallen_out, first.notices)) == repr(
        (again.merged, again.conflicts, again.fallen_out, again.notices)
    )


@given(merges(twice=True), st.integers())
def test_conflict_ids_are_unique_and_stable_under_any_choices(
    sides: tuple[DeskSide, DeskSide, DeskSide], seed: int
) -> None:
    outcome = merge(*sides)
    ids = [c.id for c in outcome.conflicts]
    assert len(ids) == len(set(ids))
    assert merge(*sides).conflicts == outcome.conflicts
    resolve(outcome, settled(outcome, seed))  # asserts the re-run found the same conflicts
    assert resolve(outcome, {}).result == outcome.merged  # nothing chosen: everything at theirs


@given(merges())
def test_taking_all_mine_gives_mine_for_every_conflicting_field(
    sides: tuple[DeskSide, DeskSide, DeskSide],
) -> None:
    outcome = merge(*sides)
    result = resolve(outcome, {c.id: "mine" for c in outcome.conflicts}).result
    for c in outcome.conflicts:
        if c.kind == "setting":
            assert same(result.settings.get(c.field, MISSING), c.mine)
        elif c.kind == "story":
            assert same(result.stories[c.subject].get(c.field, MISSING), c.mine)
        elif c.kind == "override" and c.subject in stories_in_block(result):
            (pick,) = [p for p in result.slots if p.story == c.subject]
            assert same(pick.overrides.get(c.field, MISSING), c.mine)
        elif c.kind == "slot" and c.field == "story":
            assert c.theirs not in stories_in_block(result)


@given(merges(twice=True), st.integers())
def test_nothing_is_lost(sides: tuple[DeskSide, DeskSide, DeskSide], seed: int) -> None:
    base, theirs, mine = sides
    outcome = merge(*sides)
    resolution = resolve(outcome, settled(outcome, seed))
    result = resolution.result
    kept = set(result.stories)
    # A new story on either side, and one both sides still have, survives.
    assert (set(theirs.stories) | set(mine.stories)) - set(base.stories) <= kept
    assert set(theirs.stories) & set(mine.stories) <= kept
    # Every story that leaves a block it was in (and is not deleted) becomes a former slot.
    former = {pick.story for pick in resolution.former}
    left = (set(stories_in_block(theirs)) | set(stories_in_block(mine))) - set(stories_in_block(result))
    assert left & kept <= former
    # Every losing side of a story field conflict is kept as a copy of that side's story.
    copies = {(copy.source, copy.side) for copy in resolution.kept_copies}
    for decision in resolution.decisions:
        if decision.conflict.kind == "story":
            loser = "theirs" if decision.choice == "mine" else "mine"
            assert (decision.conflict.subject, loser) in copies
    slot_count = result.settings["slot_count"]
    assert isinstance(slot_count, int) and len(result.slots) <= slot_count
    assert set(stories_in_block(result)) <= kept


@settings(max_examples=30)
@given(merges())
def test_conflict_labels_read_well(sides: tuple[DeskSide, DeskSide, DeskSide]) -> None:
    for conflict in merge(*sides).conflicts:
        assert conflict.label and conflict.label[0].isupper() and "_" not in conflict.label
        assert all(conflict.texts)


@st.composite
def same_story_moved(draw: st.DrawFn) -> tuple[DeskSide, DeskSide, DeskSide]:
    """Both sides moved one story, and did nothing else."""
    count = draw(st.integers(min_value=2, max_value=6))
    keys = [f"s{i}" for i in range(1, count + 1)]
    base = DeskSide(
        {"slot_count": count}, tuple(SlotPick(key) for key in keys), {key: {"title": key} for key in keys}
    )
    moved = draw(st.integers(min_value=0, max_value=count - 1))

    def moved_to(at: int) -> DeskSide:
        block = list(base.slots)
        block.insert(at, block.pop(moved))
        return DeskSide(base.settings, tuple(block), base.stories)

    return base, moved_to(draw(st.integers(0, count - 1))), moved_to(draw(st.integers(0, count - 1)))


@given(same_story_moved())
def test_both_sides_moving_one_story_gives_either_sides_block_by_choice(
    sides: tuple[DeskSide, DeskSide, DeskSide],
) -> None:
    base, theirs, mine = sides
    outcome = merge(base, theirs, mine)
    all_theirs = resolve(outcome, {c.id: "theirs" for c in outcome.conflicts}).result
    all_mine = resolve(outcome, {c.id: "mine" for c in outcome.conflicts}).result
    if base in (theirs, mine):  # one side left it where it was: the other side's move stands
        assert all_theirs == all_mine == (mine if theirs == base else theirs)
    else:
        assert (all_theirs, all_mine) == (theirs, mine)


@given(merges(), st.integers())
def test_the_block_keeps_both_sides_insertions_removals_and_common_order(
    sides: tuple[DeskSide, DeskSide, DeskSide], seed: int
) -> None:
    base, theirs, mine = sides
    resolution = resolve(outcome := merge(*sides), settled(outcome, seed))
    block = stories_in_block(resolution.result)
    former = {pick.story for pick in resolution.former}
    for one, other in ((theirs, mine), (mine, theirs)):
        dressed = {pick.story: pick.overrides for pick in other.slots}
        for pick in base.slots:
            if pick.story not in stories_in_block(one) and same(dressed.get(pick.story), pick.overrides):
                assert pick.story not in block  # taken out on one side, left alone on the other
        for story in set(stories_in_block(one)) - set(stories_in_block(base)):
            assert story in block or story in former or story not in resolution.result.stories
    # Two stories both sides keep in the same order stay in that order.
    for x in block:
        for y in block:
            agreed = all(
                x in stories_in_block(desk)
                and y in stories_in_block(desk)
                and stories_in_block(desk).index(x) < stories_in_block(desk).index(y)
                for desk in (theirs, mine)
            )
            assert not agreed or block.index(x) < block.index(y)


@given(merges())
def test_swapping_the_sides_and_the_choices_gives_the_same_settings_and_stories(
    sides: tuple[DeskSide, DeskSide, DeskSide],
) -> None:
    base, theirs, mine = sides
    forward, backward = merge(base, theirs, mine), merge(base, mine, theirs)
    assert {c.id for c in forward.conflicts if c.kind != "slot"} == {
        c.id for c in backward.conflicts if c.kind != "slot"
    }
    all_mine = resolve(forward, {c.id: "mine" for c in forward.conflicts}).result
    all_theirs = resolve(backward, {c.id: "theirs" for c in backward.conflicts}).result
    assert normal(all_mine.settings) == normal(all_theirs.settings)
    assert normal(all_mine.stories) == normal(all_theirs.stories)
