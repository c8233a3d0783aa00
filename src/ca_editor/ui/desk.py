"""The desk: one open section, its undo history, and the one change broadcast every pane listens to.

Panes never call mutating services themselves. They ask the desk (``assign``, ``move_slot``, ``update_story``
…), which applies the change through the services, pushes an undoable command, and emits ``changed`` with a
``Change`` (``domain/changes.py``) naming what changed, who made it and where it came from. That signal is
the only road from the data to the panes: a save, a slot move, an undo, a sign-off, an import and another
program's change (``reload``) all arrive there, and each pane redraws only what the record names.

A refused operation raises: a ``CaEditorError`` goes back to the pane that asked, which hands it to the
window's one error place (``ui/errors.py``). A layout step refused because the block changed raises
``StepRefused`` carrying the ``LayoutConflict`` (who, when, what you saw and wanted) after the desk has
re-read the block and broadcast it. An undo or redo refused inside ``QUndoStack`` has no caller to raise to:
it goes to ``on_step_refused``, which the window points at that same error place.

A section may hold scheduled variants of its block (``services.variants``): ``variant_id`` names the layout
the desk edits (None: the main one) and ``select_variant`` switches it, so the slot pane, its keyboard twins,
overrides and undo edit a variant on the same road. Each layout step remembers its layout: an undo after a
switch goes back to the layout it changed.

Reads are budgeted (``tests/ui/test_sql_budget.py``): the block and the 'previously in editor's choice' list
are held here and renewed from each write, so a layout step reads nothing before its write and once after.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Collection, Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from ca_editor.domain import ordering
from ca_editor.domain.changes import Change, Origin, layout_change, story_change
from ca_editor.domain.errors import (
    CaEditorError,
    ConflictError,
    ConflictKind,
    NotFoundError,
    ServerUnreachableError,
    ValidationError,
)
from ca_editor.domain.model import FormerSlot, SectionLayout, Slot, SlotEntry, Story, StoryFields, StoryStatus
from ca_editor.domain.section_settings import SectionSettings
from ca_editor.domain.text import shorten
from ca_editor.services.container import Services
from ca_editor.ui.commands import (
    CreateStoryCommand,
    DeleteStoryCommand,
    DeskCommand,
    LayoutCommand,
    SectionSettingsCommand,
    UpdateStoryCommand,
)
from ca_editor.ui.conflicts import LayoutConflict

_log = logging.getLogger(__name__)
_FOLLOW_STORIES = 20  # a colleague's save of more stories at once (an import): the panes re-read them


class _Current:
    """``apply_layout``'s default: the layout the desk edits now."""


_CURRENT = _Current()


class StepRefused(CaEditorError):
    """A desk step that did not happen; ``str()`` is the sentence for the person. Nothing was changed.

    ``conflict`` is set when the block was changed by someone else: the desk already shows theirs.
    """

    def __init__(self, message: str, conflict: LayoutConflict | None = None) -> None:
        super().__init__(message)
        self.conflict = conflict


class Desk(QObject):
    changed = Signal(object)  # Change: the one broadcast (domain/changes.py)

    def __init__(self, services: Services, section_id: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.section_id = section_id
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(500)
        #: Where a refused undo or redo is told (the window's error place); a desk alone logs it.
        self.on_step_refused: Callable[[CaEditorError], None] = _log_refusal
        self._origin: Origin | None = None  # set while the undo stack runs a command
        self.variant_id: int | None = None  # the layout edited: None the main one, else a variant's id
        self._layout = services.sections.layout(section_id)
        self._former = services.sections.former(section_id)

    # --- reading -------------------------------------------------------------------------------------------

    @property
    def layout(self) -> SectionLayout:
        return self._layout

    def former(self) -> list[FormerSlot]:
        """The stories taken out of the block, as the last layout write (or reload) left them."""
        return list(self._former)

    @property
    def who(self) -> str:
        return self.services.identity.name

    @property
    def origin(self) -> Origin:
        return self._origin or Origin.WINDOW

    def reload(self, origin: Origin = Origin.OTHER_PROCESS) -> None:
        """Re-read the block after a change this desk did not make (another program, an import) and tell
        every pane to re-read what it shows."""
        self._read_layout()
        self.changed.emit(dataclasses.replace(Change.all(origin, self.who), layout=self._layout))

    def follow(self, change: Change) -> None:
        """A change another desk made (``ui/live.py``): re-read the block if it names the block or a story
        shown in it, carry the stories it saved (a few: the editor compares them with what it shows), and
        broadcast it. The undo history stays; a step over a block changed since is refused as always."""
        before = self._layout
        held = set(before.story_ids()) | {f.story.id for f in self._former}
        if change.names_layout(self.section_id) or change.names_any_story(held):
            self._read_layout()
            change = change | layout_change(before, self._layout, origin=change.origin, who=change.who)
        if not change.everything and 0 < len(change.saved_story_ids) <= _FOLLOW_STORIES:
            stories = []
            for story_id in sorted(change.saved_story_ids):
                try:
                    stories.append(self.services.stories.get(story_id))
                except NotFoundError:
                    continue  # deleted since: a later event says so
            change = dataclasses.replace(change, stories=tuple(stories))
        self.changed.emit(change)

    def select_variant(self, variant_id: int | None) -> None:
        """Edit the variant ``variant_id`` (None: the main layout) from now on; every pane follows the one
        broadcast. A variant gone meanwhile leaves the desk on the main layout."""
        if variant_id == self.variant_id:
            return
        before = self._layout
        self.variant_id = variant_id
        self._read_layout()
        self.changed.emit(layout_change(before, self._layout, origin=self.origin, who=self.who))

    def broadcast(self, change: Change) -> None:
        """Tell every pane about a change made through the services outside the desk's own steps (a
        sign-off, an export, an import): the one road, so panes need no other."""
        self.changed.emit(change)

    def running(self, origin: Origin) -> _Running:
        """``with desk.running(Origin.UNDO):`` marks the changes a command makes (used by commands)."""
        return _Running(self, origin)

    def refuse_step(
        self, message: str, error: CaEditorError, wanted: Sequence[SlotEntry] = ()
    ) -> StepRefused:
        """A step failed (``message`` says which and why): re-read the block, broadcast it, and return the
        error to raise. A block changed by someone else carries what this desk showed, what the step wanted
        and what is there now, so the window can name who and when and compare the orders."""
        saw = self._layout
        try:
            self._read_layout()
        except ServerUnreachableError:  # the same sentence twice says nothing more; the watch retries
            return StepRefused(message)
        except CaEditorError as exc:
            return StepRefused(f"{message} (and the block could not be re-read: {exc})")
        who = (error.who if isinstance(error, ConflictError) else "") or self._layout.section.updated_by
        self.changed.emit(layout_change(saw, self._layout, origin=self.origin, who=who))
        if isinstance(error, ConflictError) and error.kind == ConflictKind.LAYOUT:
            headlines = {slot.story.id: slot.story.title for slot in (*saw.slots, *self._layout.slots)}
            wanted_text = [entry.headline or headlines.get(entry.story_id, "") for entry in wanted]
            conflict = LayoutConflict.of(message, error, saw, wanted_text, self._layout)
            return StepRefused(conflict.message, conflict)
        return StepRefused(message)

    def refused_in_history(self, message: str, error: CaEditorError) -> None:
        """An undo or redo refused inside the undo stack: re-read, broadcast, tell ``on_step_refused``."""
        self.on_step_refused(self.refuse_step(message, error))

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

        def text(after: SectionLayout | None) -> str:  # the title comes with the written block: no read
            slot = next((s for s in after.slots if s.story.id == story_ids[0]), None) if after else None
            if count > 1:
                return f"Add {count} stories to editor's choice"
            if slot is None:
                return "Add a story to editor's choice"
            return f"Add “{shorten(slot.story.title, 40)}” to editor's choice"

        return self._change_layout(text, entries)

    def move_slot(self, slot_id: int, position: int) -> bool:
        """Move a slot so that it ends at 1-based ``position``."""
        index = self._slot_index(slot_id)
        if index is None or position - 1 == index:
            return False
        entries = ordering.move(self._layout.entries(), index, position - 1)
        headline = shorten(self._layout.slots[index].headline, 40)
        return self._change_layout(f"Move “{headline}” from slot {index + 1} to {position}", entries)

    def move_slots(self, slot_ids: Sequence[int], destination: int) -> bool:
        """Move several slots so they sit, in the given order, where 0-based row ``destination`` (counted
        before they are taken out) was: one transaction, one undo step."""
        moving = [i for i in slot_ids if self._slot_index(i) is not None]
        if len(moving) == 1:
            index = self._slot_index(moving[0])
            assert index is not None
            return self.move_slot(moving[0], ordering.qt_move_target(index, destination) + 1)
        if not moving:
            return False
        by_id = {slot.id: slot for slot in self._layout.slots}
        before = sum(1 for i in moving if (self._slot_index(i) or 0) < destination)
        kept = [slot.entry() for slot in self._layout.slots if slot.id not in set(moving)]
        at = max(0, min(destination - before, len(kept)))
        entries = (*kept[:at], *(by_id[i].entry() for i in moving), *kept[at:])
        if entries == self._layout.entries():
            return False
        return self._change_layout(f"Move {len(moving)} slots to slot {at + 1}", entries)

    def remove_slots(self, slot_ids: Sequence[int]) -> bool:
        doomed = set(slot_ids)
        kept = tuple(s.entry() for s in self._layout.slots if s.id not in doomed)
        removed = len(self._layout.slots) - len(kept)
        if removed == 0:
            return False
        gone = [s for s in self._layout.slots if s.id in doomed]
        text = f"Remove {removed} slots"
        if removed == 1:
            text = f"Remove “{shorten(gone[0].headline, 40)}” from editor's choice"
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
        headline = shorten(self._layout.slots[index].story.title, 40)
        return self._change_layout(f"Edit “{headline}” for this page (slot {index + 1})", entries)

    def put_back(self, story_id: int, position: int | None = None) -> bool:
        """Return a story from the 'previously in editor's choice' list, with the overrides it had."""
        former = next((f for f in self._former if f.story.id == story_id), None)
        if former is None:
            raise StepRefused("That story is no longer in the 'previously in editor's choice' list.")
        entries = self._layout.entries()
        at = (former.last_position if position is None else position) - 1
        entries, _ = ordering.insert(entries, former.entry, at, self._layout.section.slot_count)
        return self._change_layout(f"Put “{shorten(former.story.title, 40)}” back", entries)

    def restore_layout(self, entries: Sequence[SlotEntry], text: str) -> bool:
        try:
            self.services.backups.before("restore-layout")  # the database as it was, should undo not do
        except CaEditorError as exc:
            raise StepRefused(f"Could not {text[0].lower()}{text[1:]}: {exc}; nothing was changed.") from exc
        return self._change_layout(text, tuple(entries))

    def apply_layout(
        self,
        entries: Sequence[SlotEntry],
        *,
        remember_only: Collection[int] | None = None,
        variant_id: int | _Current | None = _CURRENT,
    ) -> Change:
        """Make the block ``entries`` now (used by commands); refuses a block someone else changed.
        ``variant_id``: the layout a command was made on; the desk switches back to it first."""
        before = self._layout
        if not isinstance(variant_id, _Current) and variant_id != self.variant_id:
            self.variant_id = variant_id  # an undo after a switch: show the layout it changes
            self._read_layout()
        self._layout = self.services.sections.replace_slots(
            self.section_id,
            entries,
            expected_version=self._layout.section.version,
            remember_only=remember_only,
            variant_id=self.variant_id,
        )
        if before.variant != self._layout.variant or set(before.story_ids()) != set(self._layout.story_ids()):
            self._former = self.services.sections.former(self.section_id, variant_id=self.variant_id)
        return layout_change(before, self._layout, origin=self.origin, who=self.who)

    # --- the section's own settings --------------------------------------------------------------------

    def change_settings(self, settings: SectionSettings) -> bool:
        """Save the section's heading, description, slug, slot count and teaser advice: one undo step.

        Stories past a lower slot count leave the block for 'previously in editor's choice' (the caller
        asked first); undo brings them back. Problems with the settings raise ``ValidationError`` (for the
        form to show beside its fields); a section someone else changed raises ``StepRefused``."""
        before = SectionSettings.of(self._layout.section)
        if settings == before:
            return False
        command = SectionSettingsCommand(self, before, settings)
        text = "Could not change the section settings"
        try:
            change = command.apply_change()
        except ValidationError:
            raise
        except (NotFoundError, ConflictError) as exc:  # stale: show what is there now
            kept = self._layout.entries()[: settings.slot_count]
            raise self.refuse_step(f"{text}: {exc}", exc, kept) from exc
        except CaEditorError as exc:
            raise StepRefused(f"{text}: {exc}") from exc
        self._push_applied(command)
        self.changed.emit(change)
        return True

    def apply_settings(self, settings: SectionSettings) -> Change:
        """Make the section's settings ``settings`` now (used by commands); refuses a section someone else
        changed since this desk read it."""
        before = self._layout
        result = self.services.section_settings.change(
            self.section_id, settings, expected_version=before.section.version
        )
        self._layout = result.layout
        if result.fell_out or self.variant_id is not None:
            self._read_layout()  # a variant's block, as the new settings left it
        return layout_change(before, self._layout, origin=self.origin, who=self.who)

    # --- stories ---------------------------------------------------------------------------------------

    def create_story(self, fields: StoryFields) -> Story:
        """Create a story; raises ``ValidationError`` for the editor to show beside the fields."""
        story = self.services.stories.create(fields)
        self._push_applied(CreateStoryCommand(self, story))
        self.changed.emit(self._saved_change(story, created=True))
        return story

    def update_story(self, opened: Story, fields: StoryFields) -> Story:
        """Save ``fields`` over the story as opened; raises ``ValidationError`` or ``ConflictError``."""
        saved = self.services.stories.update(opened.id, fields, expected_version=opened.version)
        self._push_applied(UpdateStoryCommand(self, opened, saved))
        self.changed.emit(self._saved_change(saved, before=opened))
        return saved

    def step_status(self, opened: Story | None, fields: StoryFields, target: StoryStatus) -> Story:
        """A workflow step: save ``fields`` with the status moved to ``target`` (``opened`` None: create the
        story with it). The same command, checks and errors as a save; its undo text names the step."""
        stepped = dataclasses.replace(fields, status=target)
        if opened is None:
            return self.create_story(stepped)
        return self.update_story(opened, stepped)

    def delete_story(self, story_id: int) -> bool:
        """Delete a story (one undo step); raises ``StepRefused`` when it cannot."""
        try:
            self.services.backups.before("delete")  # a second way back once the undo history is gone
            story = self.services.stories.get(story_id)
            command = DeleteStoryCommand(self, story, self._layout)
            change = command.apply_change()
        except CaEditorError as exc:
            raise StepRefused(f"Could not delete the story: {exc}") from exc
        self._push_applied(command)
        self.changed.emit(change)
        return True

    def save_story_fields(self, before: Story, fields: StoryFields, expected_version: int) -> Change:
        """Used by undo and redo (``before``: the story as the history last left it); a story someone else
        saved since is refused, never overwritten."""
        saved = self.services.stories.update(before.id, fields, expected_version=expected_version)
        return self._saved_change(saved, before=before)

    def restore_story(self, story: Story) -> Change:
        return self._saved_change(self.services.stories.restore(story), created=True)

    def remove_story(self, story_id: int) -> tuple[Story, Change]:
        story = self.services.stories.get(story_id)
        self.services.stories.delete(story_id, expected_version=story.version)
        before = self._layout
        change = Change(self.origin, self.who, deleted_story_ids=frozenset({story_id}), dates_changed=True)
        if story_id in before.story_ids() or any(f.story.id == story_id for f in self._former):
            self._read_layout()
            change = change | layout_change(before, self._layout, origin=self.origin, who=self.who)
        return story, change

    def _saved_change(self, story: Story, *, before: Story | None = None, created: bool = False) -> Change:
        """The record of one saved story; the held block shows its new headline and picture without a read
        (a story's save never changes the block's version)."""
        change = story_change(
            story,
            origin=self.origin,
            who=self.who,
            created=created,
            status_changed=created or before is None or before.status != story.status,
            dates_changed=created or before is None or before.published_at != story.published_at,
        )
        if story.id in self._layout.story_ids():
            slots = tuple(
                dataclasses.replace(slot, story=story) if slot.story.id == story.id else slot
                for slot in self._layout.slots
            )
            self._layout = dataclasses.replace(self._layout, slots=slots)
            change = dataclasses.replace(
                change, layout_section_ids=frozenset({self.section_id}), layout=self._layout
            )
        if any(f.story.id == story.id for f in self._former):  # its title in the 'previously' list
            self._former = self.services.sections.former(self.section_id)
            change = dataclasses.replace(change, layout_section_ids=frozenset({self.section_id}))
        return change

    # --- plumbing --------------------------------------------------------------------------------------

    def _read_layout(self) -> None:
        try:
            self._layout = self.services.sections.layout(self.section_id, self.variant_id)
        except NotFoundError:  # the variant was removed (here or at another desk): the main layout
            self.variant_id = None
            self._layout = self.services.sections.layout(self.section_id)
        self._former = self.services.sections.former(self.section_id, variant_id=self.variant_id)

    def _change_layout(
        self, text: str | Callable[[SectionLayout | None], str], entries: Sequence[SlotEntry]
    ) -> bool:
        name = text if isinstance(text, str) else text(None)
        variant = self._layout.variant  # the undo history says which layout a step changed
        where = f" (variant “{shorten(variant.name, 30)}”)" if variant is not None else ""
        command = LayoutCommand(self, name + where, self._layout.entries(), entries)
        try:
            change = command.apply_change()
        except (NotFoundError, ConflictError) as exc:  # stale: show what is there now
            raise self.refuse_step(f"Could not {name[0].lower()}{name[1:]}: {exc}", exc, entries) from exc
        except CaEditorError as exc:
            raise StepRefused(f"Could not {name[0].lower()}{name[1:]}: {exc}") from exc
        if not isinstance(text, str):
            command.setText(text(self._layout) + where)
        self._push_applied(command)
        self.changed.emit(change)
        return True

    def _push_applied(self, command: DeskCommand) -> None:
        command.mark_applied()
        self.undo_stack.push(command)

    def _slot_index(self, slot_id: int) -> int | None:
        for index, slot in enumerate(self._layout.slots):
            if slot.id == slot_id:
                return index
        return None


class _Running:
    """Marks the changes made inside it as coming from ``origin`` (undo or redo)."""

    def __init__(self, desk: Desk, origin: Origin) -> None:
        self._desk, self._origin, self._before = desk, origin, desk._origin

    def __enter__(self) -> None:
        self._desk._origin = self._origin

    def __exit__(self, *_: object) -> None:
        self._desk._origin = self._before


def _log_refusal(error: CaEditorError) -> None:
    _log.warning("%s", error)
