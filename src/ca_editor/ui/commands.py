"""Every mutation of the desk as a QUndoCommand, so Ctrl+Z reverses any of them.

Layout commands hold two snapshots (lists of ``SlotEntry``) and apply one or the other with
``SectionService.replace_slots``: undo restores captured state instead of inverting index arithmetic, and the
section's version makes a block changed by someone else refuse the step instead of being overwritten. Story
commands hold the story before and after; an undone delete brings the story back under its old id.

The first ``redo()`` (run by ``QUndoStack.push``) is skipped: ``Desk`` applies the change before pushing, so a
failed change never enters the history. A later undo or redo that fails marks the command obsolete (Qt drops
it from the stack) and reports why through the desk.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.model import SectionLayout, SlotEntry, Story, StoryFields
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
        self._guarded(self.apply)

    def undo(self) -> None:
        self._guarded(self.revert)

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def _guarded(self, step: Callable[[], None]) -> None:
        try:
            step()
        except CaEditorError as exc:
            self.setObsolete(True)
            self.desk.refuse_step(f"Could not {self.text().lower()}: {exc}", exc)  # re-reads the block


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

    def apply(self) -> None:
        self.desk.apply_layout(self.after)

    def revert(self) -> None:
        self.desk.apply_layout(self.before, remember_only=self.former_before)


class UpdateStoryCommand(DeskCommand):
    def __init__(self, desk: Desk, before: Story, after: Story) -> None:
        super().__init__(desk, _edit_text(before, after))
        self.before = before
        self.after = after
        self.version = after.version  # the story's version in the database as this command left it

    def apply(self) -> None:
        self.after = self.desk.save_story_fields(self.after.id, self.after.fields(), self.version)
        self.version = self.after.version

    def revert(self) -> None:
        self.version = self.desk.save_story_fields(self.before.id, self.before.fields(), self.version).version


class CreateStoryCommand(DeskCommand):
    def __init__(self, desk: Desk, story: Story) -> None:
        super().__init__(desk, f"Create “{short_title(story.title)}”")
        self.story = story

    def apply(self) -> None:
        self.story = self.desk.restore_story(self.story)

    def revert(self) -> None:
        self.story = self.desk.remove_story(self.story.id)


class DeleteStoryCommand(DeskCommand):
    """Delete a story; undo brings it back under its id and puts it back in the slots it held."""

    def __init__(self, desk: Desk, story: Story, layout_before: SectionLayout) -> None:
        super().__init__(desk, f"Delete “{short_title(story.title)}”")
        self.story = story
        self.layout_before = layout_before.entries()
        self.held_slots = story.id in layout_before.story_ids()

    def apply(self) -> None:
        self.story = self.desk.remove_story(self.story.id)

    def revert(self) -> None:
        self.story = self.desk.restore_story(self.story)
        if self.held_slots:
            self.desk.apply_layout(self.layout_before)


def _edit_text(before: Story, after: Story) -> str:
    """'Edit “…”', or the workflow step a save made: 'Approve “…”', 'Edit “…” (ready → approved)'."""
    title = short_title(after.title)
    if before.status == after.status:
        return f"Edit “{title}”"
    other_edits = story_fields_changed(before.fields(), after.fields()) != ["status"]
    return status_edit_text(title, before.status, after.status, other_edits=other_edits)


def short_title(title: str, limit: int = 40) -> str:
    """A title fit for the undo history and the Edit menu."""
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1] + "…"


def story_fields_changed(before: StoryFields, after: StoryFields) -> list[str]:
    """Names of the fields an edit changed, for the command text and the status bar."""
    return [
        name for name in StoryFields.__dataclass_fields__ if getattr(before, name) != getattr(after, name)
    ]
