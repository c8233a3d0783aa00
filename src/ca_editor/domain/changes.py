"""What one desk operation changed: the record every pane reads to decide what to redraw.

Every operation of the desk (a story saved, a slot moved, a sign-off, an import, an undo, or another
program's change noticed by the window) produces one ``Change`` naming what it touched, who made it and
where it came from. The panes listen to that one broadcast and redraw only what it names: the slot list
ignores a save of a story that is not in the block, the story list re-reads only the rows named. The idea is
Anki's ``OpChanges``: the operation says what it changed, the panes decide what that means for them.

A record may carry the fresh data it names (the block as the write left it, the stories as saved), so a
pane shows it without reading the database again. Two records combine with ``|``: an undo step that deletes
a story and puts its slots back is one record naming both.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

from ca_editor.domain.model import SectionLayout, Story


class Origin(Enum):
    """Where a change came from."""

    WINDOW = "window"  # this window asked for it (a drop, a save, a menu command)
    UNDO = "undo"
    REDO = "redo"
    IMPORT = "import"
    OTHER_PROCESS = "other process"  # found on reading the database again (File › Reload, a restore)


@dataclass(frozen=True, slots=True)
class Change:
    """What changed. Empty sets mean "not that"; ``everything`` means "re-read all you show"."""

    origin: Origin = Origin.WINDOW
    who: str = ""
    saved_story_ids: frozenset[int] = frozenset()  # saved or brought back (also created)
    created_story_ids: frozenset[int] = frozenset()
    deleted_story_ids: frozenset[int] = frozenset()
    layout_section_ids: frozenset[int] = frozenset()  # whose editor's-choice block (or former list) changed
    placed_story_ids: frozenset[int] = frozenset()  # stories that entered or left a block (list markers)
    statuses: bool = False  # a story's workflow status changed (the status history, the review)
    dates_changed: bool = False  # a publication date may differ, or a story came or went (archive counts)
    snapshots: bool = False  # a sign-off, send-back or export was recorded (review and layout history)
    everything: bool = False
    layout: SectionLayout | None = field(default=None, compare=False)  # the block as the write left it
    stories: tuple[Story, ...] = field(default=(), compare=False)  # the stories as saved

    @classmethod
    def all(cls, origin: Origin, who: str = "") -> Change:
        """Anything may differ: every pane re-reads what it shows (after an import, a reload)."""
        return cls(origin=origin, who=who, everything=True, statuses=True, snapshots=True, dates_changed=True)

    @property
    def story_ids(self) -> frozenset[int]:
        """Every story whose row may show differently: saved, created, deleted, or moved in or out."""
        return self.saved_story_ids | self.deleted_story_ids | self.placed_story_ids

    @property
    def empty(self) -> bool:
        named = self.story_ids or self.layout_section_ids
        return not (named or self.everything or self.statuses or self.snapshots or self.dates_changed)

    def names_story(self, story_id: int) -> bool:
        return self.everything or story_id in self.story_ids

    def names_layout(self, section_id: int) -> bool:
        return self.everything or section_id in self.layout_section_ids

    def names_any_story(self, story_ids: frozenset[int] | set[int]) -> bool:
        return self.everything or not self.story_ids.isdisjoint(story_ids)

    def saved(self, story_id: int) -> Story | None:
        """The story as this change saved it, if the record carries it."""
        return next((s for s in reversed(self.stories) if s.id == story_id), None)

    def with_origin(self, origin: Origin) -> Change:
        return replace(self, origin=origin)

    def __or__(self, other: Change) -> Change:
        """Both changes as one: the union of what they name; the later one's data and origin win."""
        deleted = (self.deleted_story_ids - other.saved_story_ids) | other.deleted_story_ids
        saved = (self.saved_story_ids - other.deleted_story_ids) | other.saved_story_ids
        return Change(
            origin=other.origin,
            who=other.who or self.who,
            saved_story_ids=saved,
            created_story_ids=(self.created_story_ids | other.created_story_ids) - other.deleted_story_ids,
            deleted_story_ids=deleted,
            layout_section_ids=self.layout_section_ids | other.layout_section_ids,
            placed_story_ids=self.placed_story_ids | other.placed_story_ids,
            statuses=self.statuses or other.statuses,
            dates_changed=self.dates_changed or other.dates_changed,
            snapshots=self.snapshots or other.snapshots,
            everything=self.everything or other.everything,
            layout=other.layout if other.layout is not None else self.layout,
            stories=tuple(s for s in (*self.stories, *other.stories) if s.id not in other.deleted_story_ids),
        )


def layout_change(before: SectionLayout, after: SectionLayout, *, origin: Origin, who: str) -> Change:
    """A block went from ``before`` to ``after``: the stories that entered or left it are named."""
    placed = frozenset(before.story_ids()) ^ frozenset(after.story_ids())
    return Change(
        origin=origin,
        who=who,
        layout_section_ids=frozenset({after.section.id}),
        placed_story_ids=placed,
        layout=after,
    )


def story_change(
    story: Story,
    *,
    origin: Origin,
    who: str,
    created: bool = False,
    status_changed: bool = False,
    dates_changed: bool = False,
) -> Change:
    """One story saved (or created, or brought back)."""
    return Change(
        origin=origin,
        who=who,
        saved_story_ids=frozenset({story.id}),
        created_story_ids=frozenset({story.id}) if created else frozenset(),
        statuses=status_changed,
        dates_changed=dates_changed,
        stories=(story,),
    )
