"""A check-in as one step of the desk's undo history: Ctrl+Z takes the laptop's work out, Ctrl+Y back in.

The check-in itself is one transaction on the shared desk (``services/checkin*.py``). Undo cannot be that
transaction's inverse, so, as the other commands do (``ui/commands.py``), it holds captured states and
writes them back through the desk's own primitives: ``CheckinState`` is the section's settings, its block
and every story the check-in changed, created or deleted, read just before and just after it.

Undo, in an order that never leaves the block pointing at a story that is not there: bring back the stories
it deleted, put the changed stories' fields back, the settings, the block, then delete the stories it
created (the laptop's new ones and the kept copies). Redo runs the same road the other way. Each write is
version-checked: a story or block someone changed since is refused, never overwritten (the step is dropped
and the window says which), as every other undo in the desk. The stories are checked before anything is
written, so a refusal normally changes nothing; but unlike the check-in, undo is several transactions, and
a colleague's save landing between them leaves what was undone so far undone (the window says so).

What undo does not take back: the check-out stays recorded as checked in (the laptop desk cannot be brought
back a second time), and a story the check-in put in 'previously in editor's choice' stays listed there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ca_editor.domain.changes import Change
from ca_editor.domain.errors import ConflictError, ConflictKind, NotFoundError
from ca_editor.domain.model import SlotEntry, Story
from ca_editor.domain.section_settings import SectionSettings
from ca_editor.domain.text import shorten
from ca_editor.ui.commands import DeskCommand

if TYPE_CHECKING:
    from ca_editor.services.container import Services
    from ca_editor.ui.desk import Desk


@dataclass(frozen=True, slots=True)
class CheckinState:
    """The section as seen on one side of a check-in: settings, block, and the stories it touched (by id;
    a story absent from ``stories`` did not exist on this side)."""

    settings: SectionSettings
    entries: tuple[SlotEntry, ...]
    former: frozenset[int]
    stories: Mapping[int, Story]

    @classmethod
    def read(cls, services: Services, section_id: int, story_ids: Iterable[int]) -> CheckinState:
        """The section in the database now, and those of ``story_ids`` that exist (any thread: services)."""
        layout = services.sections.layout(section_id)
        stories: dict[int, Story] = {}
        for story_id in sorted(set(story_ids)):
            try:
                stories[story_id] = services.stories.get(story_id)
            except NotFoundError:  # not there on this side: that is what this records
                continue
        return cls(
            SectionSettings.of(layout.section),
            layout.entries(),
            frozenset(f.story.id for f in services.sections.former(section_id)),
            stories,
        )


class CheckinCommand(DeskCommand):
    """The check-in, already applied when pushed (``mark_applied``); see the module."""

    def __init__(self, desk: Desk, text: str, before: CheckinState, after: CheckinState) -> None:
        super().__init__(desk, text)
        self.before = before
        self.after = after
        # The version each story has in the database as this command last left it.
        self.versions = {story_id: story.version for story_id, story in after.stories.items()}

    def apply_change(self) -> Change:
        return self._go(self.before, self.after)

    def revert_change(self) -> Change:
        return self._go(self.after, self.before)

    def _go(self, source: CheckinState, target: CheckinState) -> Change:
        desk = self.desk
        self._refuse_if_saved_since(source, target)
        change = Change(desk.origin, desk.who)
        for story_id, story in target.stories.items():  # back: stories the other side has not (yet)
            if story_id not in source.stories:
                change = change | desk.restore_story(story)
                self.versions[story_id] = _saved_version(change, story_id, story.version)
        for story_id, story in target.stories.items():
            now = source.stories.get(story_id)
            if now is not None and now.fields() != story.fields():
                change = change | desk.save_story_fields(now, story.fields(), self.versions[story_id])
                self.versions[story_id] = _saved_version(change, story_id, self.versions[story_id])
        if SectionSettings.of(desk.layout.section) != target.settings:
            change = change | desk.apply_settings(target.settings)
        if desk.layout.entries() != target.entries:
            change = change | desk.apply_layout(target.entries, remember_only=target.former)
        for story_id in source.stories.keys() - target.stories.keys():  # gone on the target side
            _, removed = desk.remove_story(story_id)
            change = change | removed
        return change

    def _refuse_if_saved_since(self, source: CheckinState, target: CheckinState) -> None:
        """Before writing anything: a story this step would change or delete that someone saved since
        refuses the whole step (the block is checked by ``apply_layout`` itself)."""
        stories = self.desk.services.stories
        for story_id, story in source.stories.items():
            wanted = target.stories.get(story_id)
            if wanted is not None and wanted.fields() == story.fields():
                continue  # this step leaves it alone
            try:
                current = stories.get(story_id)
            except NotFoundError as exc:
                raise ConflictError(f"“{shorten(story.title, 40)}” was deleted since") from exc
            if current.version != self.versions[story_id]:
                raise ConflictError(
                    f"“{shorten(current.title, 40)}” was saved since by {current.updated_by or 'someone'}",
                    kind=ConflictKind.STORY,
                    subject_id=story_id,
                    who=current.updated_by,
                    current_version=current.version,
                )


def _saved_version(change: Change, story_id: int, fallback: int) -> int:
    saved = change.saved(story_id)
    return saved.version if saved is not None else fallback
