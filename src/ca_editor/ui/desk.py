"""The desk: one open section, its undo history, and the change broadcast every pane listens to.

Panes never call mutating services themselves. They ask the desk (``assign``, ``move_slot``, ``update_story``
…), which applies the change through the services, pushes an undoable command, and emits what changed.
Panes re-read what they show from those signals, so a change made anywhere (or undone) shows everywhere.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence

from PySide6.QtCore import QMetaMethod, QObject, Signal
from PySide6.QtGui import QUndoStack

from ca_editor.domain import ordering
from ca_editor.domain.errors import CaEditorError, ConflictError, ConflictKind, NotFoundError
from ca_editor.domain.model import FormerSlot, SectionLayout, Slot, SlotEntry, Story, StoryFields, StoryStatus
from ca_editor.services.container import Services
from ca_editor.ui.commands import (
    CreateStoryCommand,
    DeleteStoryCommand,
    DeskCommand,
    LayoutCommand,
    UpdateStoryCommand,
    short_title,
)
from ca_editor.ui.conflicts import LayoutConflict


class Desk(QObject):
    layout_changed = Signal(object)  # SectionLayout: the block (and the former list) may differ
    stories_changed = Signal()  # the story list may differ: titles, statuses, markers, new or deleted rows
    story_saved = Signal(object)  # Story: saved, created or brought back (also by undo and redo)
    story_removed = Signal(int)  # story id: deleted (also by undo of a create)
    failed = Signal(str)  # a sentence for the user; nothing was changed
    # LayoutConflict: a layout step refused because someone else changed the block; the desk already shows
    # theirs. Only when something listens (the window's dialog); otherwise the sentence goes to ``failed``.
    layout_conflict = Signal(object)

    def __init__(self, services: Services, section_id: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.section_id = section_id
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(500)
        self._layout = services.sections.layout(section_id)

    # --- reading -------------------------------------------------------------------------------------------

    @property
    def layout(self) -> SectionLayout:
        return self._layout

    def former(self) -> list[FormerSlot]:
        return self.services.sections.former(self.section_id)

    def reload(self) -> None:
        """Re-read the block (after someone else's change, or a failed step) and tell every pane."""
        self._layout = self.services.sections.layout(self.section_id)
        self.layout_changed.emit(self._layout)
        self.stories_changed.emit()

    def report_failure(self, message: str) -> None:
        self.failed.emit(message)

    def refuse_step(self, message: str, error: CaEditorError, wanted: Sequence[SlotEntry] = ()) -> None:
        """A step failed (``message`` says which and why): re-read the block and tell the user.

        A block changed by someone else goes to ``layout_conflict`` with what this desk showed, what the
        step wanted and what is there now, so the window can name who and when and compare the orders.
        """
        saw = self._layout
        try:
            self.reload()
        except CaEditorError as exc:
            self.report_failure(f"{message} (and the block could not be re-read: {exc})")
            return
        layout_conflict = QMetaMethod.fromSignal(self.layout_conflict)
        if (
            isinstance(error, ConflictError)
            and error.kind == ConflictKind.LAYOUT
            and self.isSignalConnected(layout_conflict)
        ):
            headlines = {slot.story.id: slot.story.title for slot in (*saw.slots, *self._layout.slots)}
            wanted_text = [entry.headline or headlines.get(entry.story_id, "") for entry in wanted]
            self.layout_conflict.emit(LayoutConflict.of(message, error, saw, wanted_text, self._layout))
            return
        self.report_failure(message)

    # --- the editor's-choice block ----------------------------------------------------------------------

    def falls_out_if_added(self, count: int = 1) -> list[Slot]:
        """The slots that adding ``count`` stories would push out of a full block, last first."""
        overflow = len(self._layout.slots) + count - self._layout.section.slot_count
        if overflow <= 0:
            return []
        return list(reversed(self._layout.slots[-overflow:]))

    def assign(self, story_ids: Sequence[int], position: int | None = None) -> bool:
        """Put stories into the block from 1-based ``position`` on (default: the end), in the given order."""
        if not story_ids:
            return False
        entries = self._layout.entries()
        capacity = self._layout.section.slot_count
        at = len(entries) if position is None else position - 1
        for offset, story_id in enumerate(story_ids):
            entries, _ = ordering.insert(entries, SlotEntry(story_id), at + offset, capacity)
        count = len(story_ids)
        text = f"Add {count} stories to editor's choice"
        if count == 1:
            try:
                text = (
                    f"Add “{short_title(self.services.stories.get(story_ids[0]).title)}” to editor's choice"
                )
            except CaEditorError:
                text = "Add a story to editor's choice"  # _change_layout reports the missing story
        return self._change_layout(text, entries)

    def move_slot(self, slot_id: int, position: int) -> bool:
        """Move a slot so that it ends at 1-based ``position``."""
        index = self._slot_index(slot_id)
        if index is None or position - 1 == index:
            return False
        entries = ordering.move(self._layout.entries(), index, position - 1)
        headline = short_title(self._layout.slots[index].headline)
        return self._change_layout(f"Move “{headline}” from slot {index + 1} to {position}", entries)

    def remove_slots(self, slot_ids: Sequence[int]) -> bool:
        doomed = set(slot_ids)
        kept = tuple(s.entry() for s in self._layout.slots if s.id not in doomed)
        removed = len(self._layout.slots) - len(kept)
        if removed == 0:
            return False
        gone = [s for s in self._layout.slots if s.id in doomed]
        text = f"Remove {removed} slots"
        if removed == 1:
            text = f"Remove “{short_title(gone[0].headline)}” from editor's choice"
        return self._change_layout(text, kept)

    def set_slot_overrides(self, slot_id: int, entry: SlotEntry) -> bool:
        """Replace one slot's page-only headline, summary and image (``None`` fields use the story's)."""
        index = self._slot_index(slot_id)
        if index is None:
            return False
        entries = list(self._layout.entries())
        if entries[index] == entry:
            return False
        entries[index] = entry
        headline = short_title(self._layout.slots[index].story.title)
        return self._change_layout(f"Edit “{headline}” for this page (slot {index + 1})", entries)

    def put_back(self, story_id: int, position: int | None = None) -> bool:
        """Return a story from the 'previously in editor's choice' list, with the overrides it had."""
        former = next((f for f in self.former() if f.story.id == story_id), None)
        if former is None:
            self.report_failure("That story is no longer in the 'previously in editor's choice' list.")
            return False
        entries = self._layout.entries()
        at = (former.last_position if position is None else position) - 1
        entries, _ = ordering.insert(entries, former.entry, at, self._layout.section.slot_count)
        return self._change_layout(f"Put “{short_title(former.story.title)}” back", entries)

    def restore_layout(self, entries: Sequence[SlotEntry], text: str) -> bool:
        try:
            self.services.backups.before("restore-layout")  # the database as it was, should undo not do
        except CaEditorError as exc:
            self.report_failure(f"Could not {text[0].lower()}{text[1:]}: {exc}; nothing was changed.")
            return False
        return self._change_layout(text, tuple(entries))

    def apply_layout(
        self, entries: Sequence[SlotEntry], *, remember_only: Collection[int] | None = None
    ) -> None:
        """Make the block ``entries`` now (used by commands); refuses a block someone else changed."""
        self._layout = self.services.sections.replace_slots(
            self.section_id,
            entries,
            expected_version=self._layout.section.version,
            remember_only=remember_only,
        )
        self.layout_changed.emit(self._layout)
        self.stories_changed.emit()  # the editor's-choice markers of the list

    # --- stories ---------------------------------------------------------------------------------------

    def create_story(self, fields: StoryFields) -> Story:
        """Create a story; raises ``ValidationError`` for the editor to show beside the fields."""
        story = self.services.stories.create(fields)
        command = CreateStoryCommand(self, story)
        self._push_applied(command)
        self._story_saved(story)
        return story

    def update_story(self, opened: Story, fields: StoryFields) -> Story:
        """Save ``fields`` over the story as opened; raises ``ValidationError`` or ``ConflictError``."""
        saved = self.services.stories.update(opened.id, fields, expected_version=opened.version)
        self._push_applied(UpdateStoryCommand(self, opened, saved))
        self._story_saved(saved)
        return saved

    def step_status(self, opened: Story | None, fields: StoryFields, target: StoryStatus) -> Story:
        """A workflow step: save ``fields`` with the status moved to ``target`` (``opened`` None: create the
        story with it). The same command, checks and errors as a save; its undo text names the step."""
        stepped = dataclasses.replace(fields, status=target)
        if opened is None:
            return self.create_story(stepped)
        return self.update_story(opened, stepped)

    def delete_story(self, story_id: int) -> bool:
        try:
            self.services.backups.before("delete")  # a second way back once the undo history is gone
            story = self.services.stories.get(story_id)
            command = DeleteStoryCommand(self, story, self._layout)
            command.apply()
        except CaEditorError as exc:
            self.report_failure(f"Could not delete the story: {exc}")
            return False
        self._push_applied(command)
        return True

    def save_story_fields(self, story_id: int, fields: StoryFields, expected_version: int) -> Story:
        """Used by undo and redo; a story someone else saved since is refused, never overwritten."""
        saved = self.services.stories.update(story_id, fields, expected_version=expected_version)
        self._story_saved(saved)
        return saved

    def restore_story(self, story: Story) -> Story:
        restored = self.services.stories.restore(story)
        self._story_saved(restored)
        return restored

    def remove_story(self, story_id: int) -> Story:
        story = self.services.stories.get(story_id)
        self.services.stories.delete(story_id, expected_version=story.version)
        self._layout = self.services.sections.layout(self.section_id)
        self.story_removed.emit(story_id)
        self.layout_changed.emit(self._layout)
        self.stories_changed.emit()
        return story

    # --- plumbing --------------------------------------------------------------------------------------

    def _story_saved(self, story: Story) -> None:
        if story.id in self._layout.story_ids():  # slot headlines and images come from the story
            self._layout = self.services.sections.layout(self.section_id)
            self.layout_changed.emit(self._layout)
        self.story_saved.emit(story)
        self.stories_changed.emit()

    def _change_layout(self, text: str, entries: Sequence[SlotEntry]) -> bool:
        command = LayoutCommand(self, text, self._layout.entries(), entries)
        try:
            command.apply()
        except (NotFoundError, ConflictError) as exc:  # stale: show what is there now
            self.refuse_step(f"Could not {text[0].lower()}{text[1:]}: {exc}", exc, entries)
            return False
        except CaEditorError as exc:
            self.report_failure(f"Could not {text[0].lower()}{text[1:]}: {exc}")
            return False
        self._push_applied(command)
        return True

    def _push_applied(self, command: DeskCommand) -> None:
        command.mark_applied()
        self.undo_stack.push(command)

    def _slot_index(self, slot_id: int) -> int | None:
        for index, slot in enumerate(self._layout.slots):
            if slot.id == slot_id:
                return index
        return None
