"""Three-way merge of the editor's-choice block as a list: where each kept slot goes.

The caller decides which slots the block keeps (``members``); this module decides their order and the
clashes of places. Slots are opaque, distinct, hashable values here (the caller names a story placed twice
by its occurrence), present in any of the three lists.

The rule, in the terms of ``layout_diff`` (a move is a change of a story's place *relative to the other
stories*, not of its slot number):

1. On each side, the base slots it kept are matched against base; the longest run that kept base's order
   stays put, the others were *moved* by that side. Among equally long runs (a swap of neighbours: which
   one moved?) the one reading as a move of a story the other side moved too wins, then the one leaving
   most slots at their old number. A slot new on a side was *placed* by it, as is a moved one.
2. **Anchors** are the kept base slots no side moved. They are in base's order on every side, so they
   frame the merged block; between two anchors is a *gap*.
3. Every other kept slot goes into the gap where the side that placed it put it, in that side's order.
   Both sides moved the same story into different gaps: a **place clash** (one story, two places).
   Both sides placed it into the same gap: it goes there once.
4. In one gap, slots *new to the block* on one side only (not in base's block, not in the other side's)
   are paired with the other side's, first with first: each pair is a **slot clash** (the same slot given
   different stories; a story replaced by two different ones is the common case). The loser falls out.
   A move never clashes with an insertion: both are kept, because the moved story is still wanted.
5. What two sides put into one gap, where it does not clash, is woven: the slots both placed there keep
   their common order, and between them theirs' slots come before mine's.

Every clash is settled by ``choice(clash_id)``, theirs until someone chooses. Ids name the slots only, so
a clash has the same id whatever was chosen for the others.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

from ca_editor.domain.merge_fields import Side


@dataclass(frozen=True, slots=True)
class SlotClash[E: Hashable]:
    id: str
    kind: Literal["story", "place"]  # two stories for one slot, or one story for two places
    theirs: E
    mine: E  # for a place clash, the same slot as ``theirs``
    base: E | None = None  # for a slot clash, the base slot both replaced (the gap's n-th removed one)


@dataclass(frozen=True, slots=True)
class SlotOrder[E: Hashable]:
    order: tuple[E, ...]  # every member once, in the merged order
    clashes: tuple[SlotClash[E], ...]
    losers: tuple[E, ...]  # the slot clashes' losers: in no block any more
    moved_out: tuple[E, ...]  # base slots one side moved and the other took out: out, worth a notice


def order_slots[E: Hashable](
    base: Sequence[E],
    theirs: Sequence[E],
    mine: Sequence[E],
    members: set[E],
    choice: Callable[[str], Side],
    name: Callable[[E], str],
) -> SlotOrder[E]:
    """Merge the order of ``members`` (see the module's rule); ``name`` spells a slot in clash ids."""
    in_base, in_theirs, in_mine = set(base), set(theirs), set(mine)
    # A one-place move is ambiguous ("B up" or "A down"): read each side's moves knowing the other's, so
    # that both sides moving one story is seen as that (a clash) rather than as two unrelated moves.
    first_theirs, first_mine = _unmoved(base, theirs, set()), _unmoved(base, mine, set())
    stay_theirs = _unmoved(base, theirs, (in_mine & in_base) - first_mine)
    stay_mine = _unmoved(base, mine, (in_theirs & in_base) - first_theirs)
    anchors = [
        e
        for e in base
        if e in members and (e not in in_theirs or e in stay_theirs) and (e not in in_mine or e in stay_mine)
    ]
    anchor_at = {e: i for i, e in enumerate(anchors)}
    gap_base, gap_theirs, gap_mine = _gaps(base, anchor_at), _gaps(theirs, anchor_at), _gaps(mine, anchor_at)
    placed_theirs = {e for e in gap_theirs if e in members and (e not in in_base or e not in stay_theirs)}
    placed_mine = {e for e in gap_mine if e in members and (e not in in_base or e not in stay_mine)}

    clashes: list[SlotClash[E]] = []
    for e in sorted(placed_theirs & placed_mine, key=theirs.index):
        if gap_theirs[e] != gap_mine[e]:
            clash = SlotClash(f"place:{name(e)}", "place", e, e)
            clashes.append(clash)
            (placed_mine if choice(clash.id) == "theirs" else placed_theirs).discard(e)

    # Slots new to the block on one side only: the only ones that can take another's slot.
    only_theirs = in_theirs - in_mine - in_base
    only_mine = in_mine - in_theirs - in_base
    order: list[E] = []
    losers: list[E] = []
    for gap in range(len(anchors) + 1):
        by_theirs = [e for e in theirs if e in placed_theirs and gap_theirs[e] == gap]
        by_mine = [e for e in mine if e in placed_mine and gap_mine[e] == gap]
        new_theirs = [e for e in by_theirs if e in only_theirs]
        new_mine = [e for e in by_mine if e in only_mine]
        replaced = [e for e in base if e not in members and gap_base.get(e) == gap]
        for n, (t, m) in enumerate(zip(new_theirs, new_mine, strict=False)):
            was = replaced[n] if n < len(replaced) else None
            clash = SlotClash(f"slot:{name(t)}|{name(m)}", "story", t, m, was)
            clashes.append(clash)
            by_mine.remove(m)
            if choice(clash.id) == "mine":
                by_theirs[by_theirs.index(t)] = m  # the winner takes the loser's place
                losers.append(t)
            else:
                losers.append(m)
        order.extend(_weave(by_theirs, by_mine))
        if gap < len(anchors):
            order.append(anchors[gap])
    moved_out = [
        e
        for e in base
        if e not in members
        and ((e in in_theirs and e not in stay_theirs) or (e in in_mine and e not in stay_mine))
    ]
    return SlotOrder(tuple(order), tuple(clashes), tuple(losers), tuple(moved_out))


def _gaps[E: Hashable](side: Sequence[E], anchor_at: dict[E, int]) -> dict[E, int]:
    """For each slot of ``side`` that is no anchor: how many anchors come before it there."""
    gap, result = 0, {}
    for e in side:
        if e in anchor_at:
            gap = anchor_at[e] + 1
        else:
            result[e] = gap
    return result


def _unmoved[E: Hashable](base: Sequence[E], side: Sequence[E], moved_elsewhere: set[E]) -> set[E]:
    """The base slots ``side`` kept in base's order: the longest such run; among equally long runs, the one
    with fewest slots in ``moved_elsewhere`` (the other side moved them), then most at an unchanged index.

    A block has at most a few dozen slots, so the quadratic search costs nothing and lets ties be
    broken the way a person reads a move (a swap moves the story that left its number, not its neighbour).
    """
    base_at = {e: i for i, e in enumerate(base)}
    kept = [(base_at[e], i, e) for i, e in enumerate(side) if e in base_at]
    score: list[tuple[int, int, int]] = []
    back: list[int] = []
    for i, (old, new, e) in enumerate(kept):
        gain = (1, -int(e in moved_elsewhere), int(old == new))
        best, link = gain, -1
        for j in range(i):
            candidate = (score[j][0] + gain[0], score[j][1] + gain[1], score[j][2] + gain[2])
            if kept[j][0] < old and candidate > best:
                best, link = candidate, j
        score.append(best)
        back.append(link)
    result: set[E] = set()
    i = max(range(len(kept)), key=lambda k: score[k], default=-1)
    while i != -1:
        result.add(kept[i][2])
        i = back[i]
    return result


def _weave[E: Hashable](first: list[E], second: list[E]) -> list[E]:
    """Both lists in one: their common slots in their longest common order, ``first``'s runs before
    ``second``'s between them. A common slot out of that order keeps ``first``'s place only."""
    common = _common_order(first, second)
    keep = set(common)
    second = [e for e in second if e in keep or e not in set(first)]
    result: list[E] = []
    i = j = 0
    for c in [*common, None]:
        while i < len(first) and first[i] != c:
            result.append(first[i])
            i += 1
        while j < len(second) and second[j] != c:
            result.append(second[j])
            j += 1
        if c is not None:
            result.append(c)
            i, j = i + 1, j + 1
    return result


def _common_order[E: Hashable](a: list[E], b: list[E]) -> list[E]:
    """The longest common subsequence of two short lists of distinct slots."""
    if a == b:
        return list(a)
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            table[i][j] = table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
    result: list[E] = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            result.append(a[i])
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return result
