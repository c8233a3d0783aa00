"""Every mutation of the desk as a QUndoCommand, so Ctrl+Z reverses any of them.

Layout commands hold two snapshots (lists of ``SlotEntry``) and apply one or the other with
``SectionService.replace_slots``: undo restores captured state instead of inverting index arithmetic, and the
section's version makes a block changed by someone else refuse the step instead of being overwritten. Story
commands hold the story before and after; an undone delete brings the story back under its old id.

The first ``redo()`` (run by ``QUndoStack.push``) is skipped: ``Desk`` applies the change before pushing, so a
failed change never enters the history. Each step returns the ``Change`` it made; a later undo or redo emits
it on ``Desk.changed`` marked ``Origin.UNDO`` or ``Origin.REDO``. One that fails marks the command obsolete
(Qt drops it from the stack) and goes to ``Desk.on_step_refused`` (the window's one error place).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from ca_editor.domain.changes import Change, Origin
from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.model import SectionLayout, SlotEntry, Story, StoryFields
from ca_editor.domain.section_settings import SectionSettings
from ca_editor.domain.text import shorten
from ca_editor.domain.workflow import status_edit_text

if TYPE_CHECKING:
    from ca_editor.ui.desk import Desk


class DeskCommand(QUndoCommand):
    def __init__(self, desk: Desk, text: str) -> None:
        super().__init__(text)
        self.desk = desk
        self._pushed = False  # the desk already applied the change; push's own redo() must not repeat it

    def mark_applied(self) -> None:
        self._pushed = True

    def redo(self) -> None:
        if self._pushed:
            self._pushed = False
            return
        self._run(Origin.REDO, self.apply_change)

    def undo(self) -> None:
        self._run(Origin.UNDO, self.revert_change)

    def apply_change(self) -> Change:
        raise NotImplementedError

    def revert_change(self) -> Change:
        raise NotImplementedError

    def _run(self, origin: Origin, step: Callable[[], Change]) -> None:
        with self.desk.running(origin):
            try:
                change = step()
            except CaEditorError as exc:
                self.setObsolete(True)
                self.desk.refused_in_history(f"Could not {self.text().lower()}: {exc}", exc)
                return
        self.desk.changed.emit(change.with_origin(origin))


class LayoutCommand(DeskCommand):
    """Any change of the editor's-choice block: assign, move, remove, override, put back, restore."""

    def __init__(
        self, desk: Desk, text: str, before: Sequence[SlotEntry], after: Sequence[SlotEntry]
    ) -> None:
        super().__init__(desk, text)
        self.before = tuple(before)
        self.after = tuple(after)
        # Undo puts the 'previously in editor's choice' list back too: a story this step added leaves the
        # block on undo without being listed as taken out; one that was listed before is listed again.
        self.former_before = frozenset(f.story.id for f in desk.former())
        self.variant_id = desk.variant_id  # the layout it changes: the main one or a scheduled variant's

    def apply_change(self) -> Change:
        return self.desk.apply_layout(self.after, variant_id=self.variant_id)

    def revert_change(self) -> Change:
        return self.desk.apply_layout(
            self.before, remember_only=self.former_before, variant_id=self.variant_id
        )


class SectionSettingsCommand(DeskCommand):
    """The section's own settings, before and after. Undo of a lowered slot count puts the block back as it
    was (the stories that fell out, with their page-only edits) once the old count makes room again."""

    def __init__(self, desk: Desk, before: SectionSettings, after: SectionSettings) -> None:
        super().__init__(desk, "Change section settings")
        self.before = before
        self.after = after
        self.entries_before = desk.layout.entries()
        self.former_before = frozenset(f.story.id for f in desk.former())
        self.variant_id = desk.variant_id  # the layout whose block ``entries_before`` is

    def apply_change(self) -> Change:
        return self.desk.apply_settings(self.after)

    def revert_change(self) -> Change:
        change = self.desk.apply_settings(self.before)
        if self.desk.layout.entries() != self.entries_before or self.desk.variant_id != self.variant_id:
            change = change | self.desk.apply_layout(
                self.entries_before, remember_only=self.former_before, variant_id=self.variant_id
            )
        return change


class UpdateStoryCommand(DeskCommand):
    def __init__(self, desk: Desk, before: Story, after: Story) -> None:
        super().__init__(desk, _edit_text(before, after))
        self.before = before
        self.after = after
        self.version = after.version  # the story's version in the database as this command left it

    def apply_change(self) -> Change:
        change = self.desk.save_story_fields(self.before, self.after.fields(), self.version)
        self.after = change.saved(self.after.id) or self.after
        self.version = self.after.version
        return change

    def revert_change(self) -> Change:
        change = self.desk.save_story_fields(self.after, self.before.fields(), self.version)
        saved = change.saved(self.before.id)
        self.version = saved.version if saved is not None else self.version
        return change


class CreateStoryCommand(DeskCommand):
    def __init__(self, desk: Desk, story: Story) -> None:
        super().__init__(desk, f"Create “{shorten(story.title, 40)}”")
        self.story = story

    def apply_change(self) -> Change:
        change = self.desk.restore_story(self.story)
        self.story = change.saved(self.story.id) or self.story
        return change

    def revert_change(self) -> Change:
        self.story, change = self.desk.remove_story(self.story.id)
        return change


class DeleteStoryCommand(DeskCommand):
    """Delete a story; undo brings it back under its id and puts it back in the slots it held."""

    def __init__(self, desk: Desk, story: Story, layout_before: SectionLayout) -> None:
        super().__init__(desk, f"Delete “{shorten(story.title, 40)}”")
        self.story = story
        self.layout_before = layout_before.entries()
        self.held_slots = story.id in layout_before.story_ids()
        self.variant_id = layout_before.variant.id if layout_before.variant is not None else None

    def apply_change(self) -> Change:
        self.story, change = self.desk.remove_story(self.story.id)
        return change

    def revert_change(self) -> Change:
        change = self.desk.restore_story(self.story)
        self.story = change.saved(self.story.id) or self.story
        if self.held_slots:
            change = change | self.desk.apply_layout(self.layout_before, variant_id=self.variant_id)
        return change


def _edit_text(before: Story, after: Story) -> str:
    """'Edit “…”', or the workflow step a save made: 'Approve “…”', 'Edit “…” (ready → approved)'."""
    title = shorten(after.title, 40)
    if before.status == after.status:
        return f"Edit “{title}”"
    other_edits = story_fields_changed(before.fields(), after.fields()) != ["status"]
    return status_edit_text(title, before.status, after.status, other_edits=other_edits)


def story_fields_changed(before: StoryFields, after: StoryFields) -> list[str]:
    """Names of the fields an edit changed, for the command text and the status bar."""
    return [
        name for name in StoryFields.__dataclass_fields__ if getattr(before, name) != getattr(after, name)
    ]
