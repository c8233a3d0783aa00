"""The three-way merge of a section taken offline (check-in): base, theirs (the shared desk), mine (laptop).

A ``DeskSide`` is what one desk holds of the section: its settings, its block (``SlotPick``s in order) and
its stories, all as plain JSON-able values keyed by ``StoryKey`` (readers and appliers live in services).
``merge(base, theirs, mine)`` applies every change that does not clash and lists the clashes as
``Conflict``s, left at theirs; ``resolve(outcome, choices)`` settles them and says what lost, so that
nothing is lost: a story field's loser is kept as a copy of the story, a slot's loser as a former slot.

- Settings, each story and each slot's overrides merge field by field (``merge_fields``): one side's
  change is taken, the same change on both sides once, different changes are a conflict.
- A story new on either side is kept. A story deleted on one side is deleted, unless the other side
  edited it (its fields, or put it in the block or changed its overrides there): then it is kept, with a
  notice.
- The block merges as a list (``merge_slots`` has the rule): moves, insertions and removals of both sides
  are kept where they do not clash. A slot one side took out and the other re-dressed (changed its
  overrides) is kept, with a notice. Whatever no longer fits the merged slot count falls out, named.
- An override conflict's losing value is kept in the check-in's record (``Resolution.decisions``): a
  former slot cannot hold it while its story is still in the block.

Conflict ids: ``setting:<field>``, ``story:<key>:<field>``, ``override:<slot>:<field>``, ``slot:<theirs'
slot>|<mine's slot>`` and ``place:<slot>``, where a slot is its story key (``s12#2`` for a story's second
placement). Labels and texts come from ``merge_words``.

``resolve`` redoes the merge with the choices rather than patching the outcome: a choice can change what
fits in the block, and one code path cannot disagree with itself. Every order is fixed (settings in their
screen order, stories by key, the block by the rule), so equal inputs give an identical outcome whatever
order their mappings were built in, and a conflict's id names only what clashed, never a position.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from ca_editor.domain.merge_fields import FieldClash, Side, changed, in_order, merge_fields, normal
from ca_editor.domain.merge_slots import order_slots
from ca_editor.domain.merge_words import (
    OVERRIDE_LABELS,
    SETTING_LABELS,
    field_label,
    kept_out_though_moved,
    kept_though_deleted,
    kept_though_taken_out,
    natural_key,
    other,
    place_text,
    slot_label,
    story_title,
    value_text,
)

#: A story's identity across the two desks: ``"s<id>"`` for a story that existed at check-out (the laptop
#: keeps ids), ``"m<laptop id>"`` for one new on the laptop, ``"t<shared id>"`` for one new on the desk.
StoryKey = str
ConflictKind = Literal["setting", "story", "override", "slot"]


@dataclass(frozen=True, slots=True)
class SlotPick:
    """One slot of the block: which story, with which page-only overrides (``SlotEntry`` field names)."""

    story: StoryKey
    overrides: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DeskSide:
    """What one desk holds of the section: settings (``SETTING_LABELS`` names), the block in order, and
    the stories (``StoryFields`` names → JSON-able values: dates as ISO text, tags as a list or tuple)."""

    settings: Mapping[str, object]
    slots: tuple[SlotPick, ...]
    stories: Mapping[StoryKey, Mapping[str, object]]


@dataclass(frozen=True, slots=True)
class Conflict:
    """One thing both sides changed differently, shown side by side with a choice.

    ``subject``: "section" for a setting, else the story key (for a 'slot' conflict, theirs' story).
    ``field``: the setting, story or override field; for 'slot', "story" (one slot, two stories) or
    "place" (one story, two places; the values are 1-based slot numbers). ``position``: the 1-based slot
    in the merged block (None when not in it). ``texts``: base, theirs and mine as a person reads them.
    """

    id: str
    kind: ConflictKind
    subject: str
    field: str
    label: str
    base: object
    theirs: object
    mine: object
    texts: tuple[str, str, str]
    position: int | None = None


@dataclass(frozen=True, slots=True)
class MergeOutcome:
    merged: DeskSide  # every change that does not clash; each conflict at theirs
    conflicts: tuple[Conflict, ...]
    fallen_out: tuple[StoryKey, ...]  # no longer fit the slot count: to "previously in editor's choice"
    notices: tuple[str, ...]  # what a person should know that is no conflict
    base: DeskSide  # the inputs, so that ``resolve`` can redo the merge with the choices
    theirs: DeskSide
    mine: DeskSide


@dataclass(frozen=True, slots=True)
class KeptCopy:
    """A story version that lost a field conflict, kept whole so nothing is lost: save it as a new story
    (with a free slug: its ``slug`` is the original's)."""

    source: StoryKey
    side: Side
    fields: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Decision:
    conflict: Conflict
    choice: Side


@dataclass(frozen=True, slots=True)
class Resolution:
    result: DeskSide
    # Every slot of theirs' or mine's block whose story left the block and still exists: what fell out
    # (with its merged overrides) first, then conflict losers and what a side took out (theirs' pick
    # before mine's), once per story. Record each as a former slot.
    former: tuple[SlotPick, ...]
    kept_copies: tuple[KeptCopy, ...]
    decisions: tuple[Decision, ...]  # each conflict with its choice: the check-in's record
    fallen_out: tuple[StoryKey, ...]
    notices: tuple[str, ...]


def merge(base: DeskSide, theirs: DeskSide, mine: DeskSide) -> MergeOutcome:
    """Merge ``theirs`` and ``mine``, both descended from ``base``; conflicts are left at theirs."""
    run = _Run(base, theirs, mine, {})
    return MergeOutcome(run.side, run.conflicts, run.fallen_out, run.notices, base, theirs, mine)


def resolve(outcome: MergeOutcome, choices: Mapping[str, Side]) -> Resolution:
    """Settle ``outcome``'s conflicts: ``choices`` maps conflict ids to "mine" or "theirs" (missing:
    theirs; "take all mine" is every id → "mine"). An id no conflict has raises ``ValueError``."""
    unknown = set(choices) - {c.id for c in outcome.conflicts}
    if unknown:
        raise ValueError(f"no such conflict: {', '.join(sorted(unknown))}")
    run = _Run(outcome.base, outcome.theirs, outcome.mine, choices)
    # The same conflicts whatever was chosen: a choice settles a clash, it never makes or hides another.
    assert [c.id for c in run.conflicts] == [c.id for c in outcome.conflicts]
    decisions = tuple(Decision(c, choices.get(c.id, "theirs")) for c in outcome.conflicts)
    return Resolution(run.side, run.former(), run.copies, decisions, run.fallen_out, run.notices)


# --- the merge itself ---------------------------------------------------------------------------------

_Element = tuple[StoryKey, int]  # a slot: its story and which placement of that story (0: the first)
_STORY_FIELDS = ("title", "slug", "summary", "body", "byline", "published_at", "status", "tags")


class _Run:
    """One merge with fixed choices: what ``merge`` (no choices) and ``resolve`` both compute."""

    def __init__(self, base: DeskSide, theirs: DeskSide, mine: DeskSide, choices: Mapping[str, Side]):
        self.base, self.theirs, self.mine = base, theirs, mine
        self._choices = choices
        self._conflicts: list[Conflict] = []
        self._notices: list[str] = []
        self.copies: tuple[KeptCopy, ...] = ()
        self._fallen: tuple[SlotPick, ...] = ()
        settings = merge_fields(
            base.settings,
            theirs.settings,
            mine.settings,
            lambda name: self._choice(f"setting:{name}"),
            tuple(SETTING_LABELS),
        )
        for clash in settings.clashes:
            self._add("setting", f"setting:{clash.field}", "section", clash.field, None, clash)
        self.stories = self._merge_stories()
        slots, self.fallen_out = self._merge_slots(settings.merged.get("slot_count"))
        self.side = DeskSide(settings.merged, slots, self.stories)
        self.conflicts = tuple(self._conflicts)
        self.notices = tuple(self._notices)

    def _choice(self, conflict_id: str) -> Side:
        return self._choices.get(conflict_id, "theirs")

    def _chooser(self, prefix: str) -> Callable[[str], Side]:
        return lambda name: self._choice(prefix + name)

    # --- stories -------------------------------------------------------------------------------------

    def _merge_stories(self) -> dict[StoryKey, Mapping[str, object]]:
        base, theirs, mine = self.base.stories, self.theirs.stories, self.mine.stories
        merged: dict[StoryKey, Mapping[str, object]] = {}
        copies: list[KeptCopy] = []
        for key in sorted(set(base) | set(theirs) | set(mine), key=natural_key):
            b, t, m = base.get(key), theirs.get(key), mine.get(key)
            if t is None or m is None:
                side: Side = "mine" if t is None else "theirs"
                survivor = m if t is None else t
                if survivor is None:
                    continue  # deleted on both sides
                if b is not None and not (changed(b, survivor) or self._placed(key, side)):
                    continue  # deleted on one side, untouched on the other: deleted
                if b is not None:
                    self._notices.append(kept_though_deleted(story_title(survivor, key), other(side)))
                merged[key] = in_order(survivor, _STORY_FIELDS)
                continue
            if t in (m, b) or m == b:  # most stories of an archive: no field can clash, skip the work
                merged[key] = in_order(m if t == b else t, _STORY_FIELDS)
                continue
            result = merge_fields(b or {}, t, m, self._chooser(f"story:{key}:"), _STORY_FIELDS)
            merged[key] = result.merged
            for clash in result.clashes:
                self._add("story", f"story:{key}:{clash.field}", key, clash.field, None, clash)
            if result.theirs_lost:
                copies.append(KeptCopy(key, "theirs", in_order(t, _STORY_FIELDS)))
            if result.mine_lost:
                copies.append(KeptCopy(key, "mine", in_order(m, _STORY_FIELDS)))
        self.copies = tuple(copies)
        return merged

    def _placed(self, key: StoryKey, side: Side) -> bool:
        """Whether ``side`` put the story in the block or changed its overrides there (taking it out is no
        use of the story: a deletion on the other side still stands)."""

        def dressings(desk: DeskSide) -> Counter[object]:
            return Counter(normal(p.overrides) for p in desk.slots if p.story == key)

        return bool(dressings(self.theirs if side == "theirs" else self.mine) - dressings(self.base))

    # --- the block -----------------------------------------------------------------------------------

    def _merge_slots(self, slot_count: object) -> tuple[tuple[SlotPick, ...], tuple[StoryKey, ...]]:
        base, theirs, mine = (
            _elements(self.base.slots),
            _elements(self.theirs.slots),
            _elements(self.mine.slots),
        )
        known = set(self.base.stories) | set(self.theirs.stories) | set(self.mine.stories)
        members: set[_Element] = set()
        for e in set(base) | set(theirs) | set(mine):
            if e[0] in known and e[0] not in self.stories:
                continue  # its story is deleted
            if e not in base or (e in theirs and e in mine):
                members.add(e)
                continue
            # Taken out on one side: stays out, unless the other side changed its overrides.
            side: Side = "theirs" if e in theirs else "mine"
            kept = theirs if side == "theirs" else mine
            if e in kept and changed(base[e].overrides, kept[e].overrides):
                members.add(e)
                self._notices.append(kept_though_taken_out(self._title(e[0]), other(side)))
        merged = order_slots(list(base), list(theirs), list(mine), members, self._choice, _element_name)
        for e in merged.moved_out:
            if e[0] in self.stories or e[0] not in known:
                self._notices.append(
                    kept_out_though_moved(self._title(e[0]), "mine" if e in theirs else "theirs")
                )
        limit = slot_count if isinstance(slot_count, int) and not isinstance(slot_count, bool) else None
        block = merged.order[: max(limit, 0)] if limit is not None else merged.order
        position = {e: i + 1 for i, e in enumerate(block)}
        for clash in merged.clashes:
            if clash.kind == "place":
                e = clash.theirs
                places = (_index(base, e), _index(theirs, e), _index(mine, e))
                self._add_slot(f"place:{_element_name(e)}", e[0], "place", position.get(e), places)
            else:
                winner = clash.mine if self._choice(clash.id) == "mine" else clash.theirs
                was = clash.base[0] if clash.base else None
                self._add_slot(
                    clash.id,
                    clash.theirs[0],
                    "story",
                    position.get(winner),
                    (was, clash.theirs[0], clash.mine[0]),
                )
        # Overrides merge for the slots that fell out too: which ones fall depends on the choices, and a
        # conflict must not come and go with the choices made on others.
        picks = tuple(
            SlotPick(e[0], self._overrides(e, base, theirs, mine, position.get(e))) for e in merged.order
        )
        self._fallen = picks[len(block) :]
        return picks[: len(block)], tuple(pick.story for pick in self._fallen)

    def _overrides(
        self,
        e: _Element,
        base: dict[_Element, SlotPick],
        theirs: dict[_Element, SlotPick],
        mine: dict[_Element, SlotPick],
        at: int | None,
    ) -> Mapping[str, object]:
        if e not in theirs or e not in mine:
            return in_order((theirs.get(e) or mine[e]).overrides, tuple(OVERRIDE_LABELS))
        name = _element_name(e)
        result = merge_fields(
            base[e].overrides if e in base else {},
            theirs[e].overrides,
            mine[e].overrides,
            lambda f: self._choice(f"override:{name}:{f}"),
            tuple(OVERRIDE_LABELS),
        )
        for clash in result.clashes:
            self._add("override", f"override:{name}:{clash.field}", e[0], clash.field, at, clash)
        return result.merged

    def former(self) -> tuple[SlotPick, ...]:
        """The slots of both blocks whose story left the block (fallen out first, with merged overrides)."""
        in_block = {pick.story for pick in self.side.slots}
        known = set(self.base.stories) | set(self.theirs.stories) | set(self.mine.stories)
        result: dict[StoryKey, SlotPick] = {}
        for pick in (*self._fallen, *self.theirs.slots, *self.mine.slots):
            gone = pick.story in known and pick.story not in self.stories
            if pick.story not in in_block and not gone:
                result.setdefault(pick.story, pick)
        return tuple(result.values())

    # --- conflicts as a person reads them ---------------------------------------------------------

    def _add(
        self, kind: ConflictKind, cid: str, subject: str, name: str, at: int | None, clash: FieldClash
    ) -> None:
        label = field_label(kind, name, self._title(subject), at)
        texts = (value_text(name, clash.base), value_text(name, clash.theirs), value_text(name, clash.mine))
        self._conflicts.append(
            Conflict(cid, kind, subject, name, label, clash.base, clash.theirs, clash.mine, texts, at)
        )

    def _add_slot(
        self, cid: str, subject: StoryKey, name: str, at: int | None, values: tuple[object, object, object]
    ) -> None:
        base, theirs, mine = values
        if name == "place":
            texts = (place_text(base), place_text(theirs), place_text(mine))
        else:
            texts = (self._slot_text(base), self._slot_text(theirs), self._slot_text(mine))
        label = slot_label(name, self._title(subject), at)
        self._conflicts.append(Conflict(cid, "slot", subject, name, label, base, theirs, mine, texts, at))

    def _slot_text(self, key: object) -> str:
        return f"“{self._title(str(key))}”" if key else "empty"

    def _title(self, key: StoryKey) -> str:
        for stories in (self.theirs.stories, self.mine.stories, self.base.stories):
            if key in stories:
                return story_title(stories[key], key)
        return key


def _elements(slots: tuple[SlotPick, ...]) -> dict[_Element, SlotPick]:
    """The block's slots by identity, in order: a story placed twice is matched placement by placement."""
    seen: Counter[StoryKey] = Counter()
    result: dict[_Element, SlotPick] = {}
    for pick in slots:
        result[(pick.story, seen[pick.story])] = pick
        seen[pick.story] += 1
    return result


def _element_name(e: _Element) -> str:
    return e[0] if e[1] == 0 else f"{e[0]}#{e[1] + 1}"


def _index(side: dict[_Element, SlotPick], e: _Element) -> int | None:
    return list(side).index(e) + 1 if e in side else None
