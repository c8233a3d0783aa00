"""What changed in the editor's-choice block between two snapshots, in the terms a desk chief reviews.

``diff_layouts(before, after)`` compares two ``SnapshotContent`` values (a sign-off, an export, the block
now) and returns a ``LayoutDiff``: slots added and removed, stories moved, page-only overrides changed,
stories edited (each changed field with a text diff), and changes to the section itself.

Moves. A story placed at the top pushes every story below it down one slot, and a story taken out pulls
the rest up; listing each of those as "moved" would bury the one decision in noise. So a move is a change
of a story's place *relative to the other stories*: the stories kept in both blocks are matched (the k-th
placement of a story before with its k-th placement after), the longest run of them that kept its order
stays put, and only the others are reported as moved (the fewest moves that explain the new order; among
equally short explanations, the one leaving most stories at their old slot number). The stories that kept
their order but changed slot number anyway are reported as shifts, grouped into runs ("slots 3–7 are now
4–8"), so the reviewer can still see where every story went without reading them as decisions.

Each changed field carries its text diff (``domain/text_diff.py``): a one-line field gets one line of
word-level changes; a multi-line field (the body) gets the changed lines with a little context.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ca_editor.domain.focus import format_focus
from ca_editor.domain.model import FIELD_LABELS, SlotEntry
from ca_editor.domain.snapshots import SnapshotContent, SnapshotStory
from ca_editor.domain.text import shorten
from ca_editor.domain.text_diff import DiffLine, text_diff

#: Above this many kept stories, moves are found by plain patience sorting instead of the weighted search.
_WEIGHTED_LIMIT = 400


# --- the changes ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SectionChange:
    field: str  # "title", "description", "slug", "slot_count", "teaser_limit" (Section › Settings…)
    label: str
    old: str
    new: str
    diff: tuple[DiffLine, ...] = ()

    @property
    def sentence(self) -> str:
        if self.field == "slot_count":
            return f"The block now has {self.new} slots (was {self.old})."
        if self.field == "slug":
            return f"The section's slug is now {_quote(self.new)} (was {_quote(self.old)})."
        if self.field == "teaser_limit":
            return f"The teaser advice is now {self.new} (was {self.old})."
        return f"Section {self.label.lower()} changed from {_quote(self.old)} to {_quote(self.new)}."


@dataclass(frozen=True, slots=True)
class SlotAdded:
    story_id: int
    title: str
    position: int  # 1-based, in the block after

    @property
    def sentence(self) -> str:
        return f"“{self.title}” added at slot {self.position}."


@dataclass(frozen=True, slots=True)
class SlotRemoved:
    story_id: int
    title: str
    position: int  # 1-based, in the block before

    @property
    def sentence(self) -> str:
        return f"“{self.title}” removed (was at slot {self.position})."


@dataclass(frozen=True, slots=True)
class SlotMoved:
    """A story whose place among the other stories changed: a decision someone made."""

    story_id: int
    title: str
    from_position: int
    to_position: int

    @property
    def sentence(self) -> str:
        return f"“{self.title}” moved from slot {self.from_position} to slot {self.to_position}."


@dataclass(frozen=True, slots=True)
class SlotsShifted:
    """A run of stories that kept their order but changed slot number because of the changes around them."""

    from_position: int  # first slot of the run before
    to_position: int  # first slot of the run after
    count: int
    titles: tuple[str, ...]

    @property
    def offset(self) -> int:
        return self.to_position - self.from_position

    @property
    def sentence(self) -> str:
        direction = "down" if self.offset > 0 else "up"
        places = abs(self.offset)
        by = f"{places} place{'s' if places != 1 else ''}"
        if self.count == 1:
            # A slot's number is one more than the stories above it: only a change above moves it.
            return (
                f"“{self.titles[0]}” went {direction} {by} to slot {self.to_position} "
                "because of the changes above it."
            )
        old = f"{self.from_position}–{self.from_position + self.count - 1}"
        new = f"{self.to_position}–{self.to_position + self.count - 1}"
        return f"Slots {old} went {direction} {by} to {new}, in the same order."


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str  # attribute of ``SnapshotStory`` or ``SlotEntry``
    label: str
    old: str
    new: str
    diff: tuple[DiffLine, ...]


@dataclass(frozen=True, slots=True)
class OverrideChange:
    """A slot's page-only headline, summary or image set, changed or removed (``None``: the story's own)."""

    story_id: int
    title: str
    position: int  # 1-based, in the block after
    field: str  # "headline", "summary", "image", "image_alt", "image_focus"
    label: str
    old: str | None
    new: str | None
    diff: tuple[DiffLine, ...]

    @property
    def sentence(self) -> str:
        where = f"Slot {self.position} “{self.title}”"
        what = f"page-only {self.label.lower()}"
        if self.field == "image_alt":
            return f"{where}: {what} changed from {_quote(self.old or '')} to {_quote(self.new or '')}."
        if self.field == "image_focus":
            return f"{where}: {what} moved from {self.old} to {self.new}."
        if self.field == "image":
            if self.old is None:
                return f"{where}: {what} set."
            if self.new is None:
                return f"{where}: {what} removed; the story's own image shows again."
            return f"{where}: {what} replaced."
        if self.old is None:
            return f"{where}: {what} set to {_quote(self.new or '')}."
        if self.new is None:
            return f"{where}: {what} removed; the story's own shows again."
        return f"{where}: {what} changed from {_quote(self.old)} to {_quote(self.new)}."


@dataclass(frozen=True, slots=True)
class StoryEdit:
    story_id: int
    title: str  # as it is after
    positions: tuple[int, ...]  # its slots after, 1-based
    changes: tuple[FieldChange, ...]

    @property
    def sentence(self) -> str:
        fields = [c.label.lower() for c in self.changes]
        listed = fields[0] if len(fields) == 1 else ", ".join(fields[:-1]) + " and " + fields[-1]
        slots = ", ".join(str(p) for p in self.positions)
        where = f"slot {slots}" if len(self.positions) == 1 else f"slots {slots}"
        return f"“{self.title}” ({where}): {listed} edited."


@dataclass(frozen=True, slots=True)
class LayoutDiff:
    section: tuple[SectionChange, ...] = ()
    added: tuple[SlotAdded, ...] = ()
    removed: tuple[SlotRemoved, ...] = ()
    moved: tuple[SlotMoved, ...] = ()
    shifted: tuple[SlotsShifted, ...] = ()
    overrides: tuple[OverrideChange, ...] = ()
    edits: tuple[StoryEdit, ...] = ()

    @property
    def is_empty(self) -> bool:
        # Shifts follow from the other changes; on their own they cannot happen.
        return self.count == 0

    @property
    def count(self) -> int:
        """Changes a reviewer decides on (shifts are consequences, not counted)."""
        parts = (self.section, self.added, self.removed, self.moved, self.overrides, self.edits)
        return sum(len(p) for p in parts)

    def summary(self) -> str:
        if self.is_empty:
            return "No changes"
        counted = (
            (len(self.added), "added", "added"),
            (len(self.removed), "removed", "removed"),
            (len(self.moved), "moved", "moved"),
            (len(self.overrides), "page-only edit", "page-only edits"),
            (len(self.edits), "story edited", "stories edited"),
            (len(self.section), "section change", "section changes"),
        )
        words = [f"{n} {one if n == 1 else many}" for n, one, many in counted if n]
        total = self.count
        return f"{total} change{'s' if total != 1 else ''}: " + ", ".join(words)

    def sentences(self) -> tuple[str, ...]:
        """Every change as a sentence, in the order a reviewer reads them: section, slots, texts."""
        groups = (
            self.section,
            self.added,
            self.removed,
            self.moved,
            self.shifted,
            self.overrides,
            self.edits,
        )
        lines = [change.sentence for group in groups for change in group]
        return tuple(lines) or ("No changes.",)

    def marks(self, position: int, *, shifts: bool = True) -> tuple[str, ...]:
        """Short notes for slot ``position`` (1-based) of the block after: what changed there (with
        ``shifts=False``, only the changes someone made there, not "was slot N")."""
        words: list[str] = []
        words += ["new" for a in self.added if a.position == position]
        words += [f"moved from slot {m.from_position}" for m in self.moved if m.to_position == position]
        for run in self.shifted if shifts else ():
            if run.to_position <= position < run.to_position + run.count:
                words.append(f"was slot {position - run.offset}")
        words += [f"page-only {o.label.lower()} changed" for o in self.overrides if o.position == position]
        for edit in self.edits:
            if position in edit.positions:
                words.append("story edited: " + ", ".join(c.label.lower() for c in edit.changes))
        return tuple(words)


# --- comparing ---------------------------------------------------------------------------------------------


def diff_layouts(before: SnapshotContent, after: SnapshotContent) -> LayoutDiff:
    """What changed from ``before`` to ``after``; ``LayoutDiff().is_empty`` when nothing a reader sees did."""
    old_keys, new_keys = _keys(before.entries), _keys(after.entries)
    old_at = {key: index for index, key in enumerate(old_keys)}
    new_at = {key: index for index, key in enumerate(new_keys)}
    kept = [key for key in new_keys if key in old_at]  # in the order after

    def title(story_id: int) -> str:
        story = after.stories.get(story_id) or before.stories.get(story_id)
        return story.title if story else f"story {story_id}"

    added = tuple(
        SlotAdded(key[0], title(key[0]), index + 1) for index, key in enumerate(new_keys) if key not in old_at
    )
    removed = tuple(
        SlotRemoved(key[0], title(key[0]), index + 1)
        for index, key in enumerate(old_keys)
        if key not in new_at
    )
    stayed = _kept_in_order([old_at[k] for k in kept], [new_at[k] for k in kept])
    moved = tuple(
        SlotMoved(key[0], title(key[0]), old_at[key] + 1, new_at[key] + 1)
        for key, in_order in zip(kept, stayed, strict=True)
        if not in_order
    )
    shifted = _shift_runs(
        [(old_at[k], new_at[k], title(k[0])) for k, s in zip(kept, stayed, strict=True) if s]
    )
    overrides = tuple(
        change
        for key in kept
        for change in _override_changes(
            before.entries[old_at[key]], after.entries[new_at[key]], title(key[0]), new_at[key] + 1
        )
    )
    edits = _story_edits(before, after, kept, new_keys)
    return LayoutDiff(_section_changes(before, after), added, removed, moved, shifted, overrides, edits)


def _keys(entries: Sequence[SlotEntry]) -> list[tuple[int, int]]:
    """(story id, occurrence): a story placed twice is matched placement by placement, in order."""
    seen: Counter[int] = Counter()
    keys = []
    for entry in entries:
        keys.append((entry.story_id, seen[entry.story_id]))
        seen[entry.story_id] += 1
    return keys


def _kept_in_order(old_positions: list[int], new_positions: list[int]) -> list[bool]:
    """Which kept stories stay (not moved): the longest run increasing in ``old_positions``.

    ``old_positions`` is listed in the order of the block after. Among runs of equal length the one with
    most stories at an unchanged index wins, so a swap or a removal names the story that really went.
    """
    n = len(old_positions)
    if n > _WEIGHTED_LIMIT:
        return _patience(old_positions)
    score: list[tuple[int, int]] = []
    back: list[int] = []
    for i in range(n):
        same = int(old_positions[i] == new_positions[i])
        best, link = (1, same), -1
        for j in range(i):
            if old_positions[j] < old_positions[i]:
                candidate = (score[j][0] + 1, score[j][1] + same)
                if candidate > best:
                    best, link = candidate, j
        score.append(best)
        back.append(link)
    result = [False] * n
    if n:
        i = max(range(n), key=lambda k: score[k])
        while i != -1:
            result[i] = True
            i = back[i]
    return result


def _patience(values: list[int]) -> list[bool]:
    tails: list[int] = []  # values
    tail_at: list[int] = []  # their indexes
    back = [-1] * len(values)
    for i, value in enumerate(values):
        k = bisect_left(tails, value)
        back[i] = tail_at[k - 1] if k else -1
        if k == len(tails):
            tails.append(value)
            tail_at.append(i)
        else:
            tails[k], tail_at[k] = value, i
    result = [False] * len(values)
    i = tail_at[-1] if tail_at else -1
    while i != -1:
        result[i] = True
        i = back[i]
    return result


def _shift_runs(stayed: list[tuple[int, int, str]]) -> tuple[SlotsShifted, ...]:
    runs: list[SlotsShifted] = []
    for old, new, title in stayed:  # in the order after, which is also the order before
        if old == new:
            continue
        last = runs[-1] if runs else None
        if last and last.offset == new - old and last.to_position + last.count == new + 1:
            runs[-1] = SlotsShifted(
                last.from_position, last.to_position, last.count + 1, (*last.titles, title)
            )
        else:
            runs.append(SlotsShifted(old + 1, new + 1, 1, (title,)))
    return tuple(runs)


_OVERRIDE_LABELS = {"headline": "Headline", "summary": "Summary"}


def _override_changes(old: SlotEntry, new: SlotEntry, title: str, position: int) -> list[OverrideChange]:
    changes = []
    for name, label in _OVERRIDE_LABELS.items():
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            changes.append(
                OverrideChange(new.story_id, title, position, name, label, a, b, text_diff(a or "", b or ""))
            )
    if old.image_sha256 != new.image_sha256:
        a, b = _image_text(old.image_sha256, old.image_alt), _image_text(new.image_sha256, new.image_alt)
        changes.append(
            OverrideChange(new.story_id, title, position, "image", "Image", a, b, text_diff(a or "", b or ""))
        )
    elif old.image_sha256 is not None:  # the same picture: its description or its crop may have changed
        if (old.image_alt or "") != (new.image_alt or ""):
            a, b = old.image_alt or "", new.image_alt or ""
            changes.append(
                OverrideChange(
                    new.story_id, title, position, "image_alt", "Image description", a, b, text_diff(a, b)
                )
            )
        if old.image_focus != new.image_focus:
            a, b = format_focus(old.image_focus), format_focus(new.image_focus)
            changes.append(
                OverrideChange(
                    new.story_id, title, position, "image_focus", "Image focal point", a, b, text_diff(a, b)
                )
            )
    return changes


def _image_text(sha256: str | None, alt: str | None) -> str | None:
    if sha256 is None:
        return None
    return f"image {sha256[:12]}" + (f" ({alt})" if alt else "")


#: The story fields compared, in the order a reviewer reads them (their names on screen: ``FIELD_LABELS``).
_STORY_FIELDS = (
    "title", "summary", "body", "byline", "published_at", "status", "tags", "slug",
    "image_sha256", "image_alt", "image_caption", "image_credit", "image_focus",
)  # fmt: skip


def _story_edits(
    before: SnapshotContent,
    after: SnapshotContent,
    kept: Iterable[tuple[int, int]],
    new_keys: Sequence[tuple[int, int]],
) -> tuple[StoryEdit, ...]:
    edits = []
    for story_id in dict.fromkeys(key[0] for key in kept):  # once per story, in the order after
        old, new = before.stories.get(story_id), after.stories.get(story_id)
        if old is None or new is None:
            continue
        changes = tuple(_field_changes(old, new))
        if changes:
            positions = tuple(i + 1 for i, key in enumerate(new_keys) if key[0] == story_id)
            edits.append(StoryEdit(story_id, new.title, positions, changes))
    return tuple(edits)


def _field_changes(old: SnapshotStory, new: SnapshotStory) -> Iterable[FieldChange]:
    for name in _STORY_FIELDS:
        a, b = _field_text(name, getattr(old, name)), _field_text(name, getattr(new, name))
        if a != b:
            yield FieldChange(name, FIELD_LABELS[name], a, b, text_diff(a, b))


def _field_text(name: str, value: object) -> str:
    if name == "image_focus":  # None is the centre, which a reviewer should read as such
        return format_focus(value) if isinstance(value, tuple) else format_focus(None)
    if value is None:
        return ""
    if name == "tags" and isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if name == "published_at" and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value).astimezone(UTC)
        except ValueError:
            return value
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    if name == "image_sha256" and isinstance(value, str):
        return f"image {value[:12]}"
    if name == "status" and isinstance(value, str):
        return value.capitalize()
    return str(value)


def _section_changes(before: SnapshotContent, after: SnapshotContent) -> tuple[SectionChange, ...]:
    """Section › Settings… changes, in the dialog's order and words; a setting an older snapshot did not
    record (``None``) is not compared."""
    changes = []
    for name, label in (("section_title", "Heading"), ("section_description", "Description")):
        a, b = getattr(before, name), getattr(after, name)
        if a != b:
            changes.append(SectionChange(name.removeprefix("section_"), label, a, b, text_diff(a, b)))
    if None not in (before.section_slug, after.section_slug) and before.section_slug != after.section_slug:
        changes.append(SectionChange("slug", "Slug", before.section_slug or "", after.section_slug or ""))
    if before.slot_count != after.slot_count:
        changes.append(
            SectionChange("slot_count", "Number of slots", str(before.slot_count), str(after.slot_count))
        )
    if None not in (before.teaser_limit, after.teaser_limit) and before.teaser_limit != after.teaser_limit:
        old, new = _teaser_text(before.teaser_limit), _teaser_text(after.teaser_limit)
        changes.append(SectionChange("teaser_limit", "Teaser advice", old, new))
    return tuple(changes)


def _teaser_text(limit: int | None) -> str:
    return f"over {limit:,} characters" if limit else "off"


# --- sentences --------------------------------------------------------------------------------------------


def _quote(text: str, limit: int = 80) -> str:
    return f"“{shorten(text, limit)}”"
