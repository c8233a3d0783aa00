"""One save of the story editor's form through the desk, and what a refused save means for the form.

A plain save is ``Desk.create_story`` / ``Desk.update_story``; a workflow step is ``Desk.step_status`` (the
same command, with the status moved). A refusal keeps the edits: the storage's problems go beside the
fields, a story someone else saved goes to the conflict question (``ui/conflicts.py``), a story deleted
meanwhile becomes a new one the next Save creates.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ca_editor.domain.changes import Change
from ca_editor.domain.errors import CaEditorError, ConflictError, NotFoundError, ValidationError
from ca_editor.domain.model import StoryFields, StoryStatus
from ca_editor.ui.conflicts import Outcome, Resolution, StoryConflictFlow
from ca_editor.ui.desk import Desk

if TYPE_CHECKING:  # the editor calls in here; this module only answers it
    from ca_editor.ui.editor.story_editor import StoryEditor


def save_form(editor: StoryEditor, desk: Desk, fields: StoryFields, status: StoryStatus | None) -> bool:
    """Save ``fields`` (moved to ``status`` when given) over the story the editor opened."""
    opened = editor.current_story()
    try:
        if status is not None:
            story = desk.step_status(opened, fields, status)
        elif opened is None:
            story = desk.create_story(fields)
        else:
            story = desk.update_story(opened, fields)
    except ValidationError as exc:
        editor.show_refused(list(exc.problems))
        return False
    except ConflictError as exc:
        if opened is None:
            editor.notice.say(f"Could not save: {exc}. Your edits are kept.", "error")
            return False
        flow = StoryConflictFlow(editor, desk, opened, _stepped(fields, status), exc)
        return after_conflict(editor, flow.run())  # reload, compare, keep mine as a copy
    except NotFoundError as exc:
        if opened is not None:  # deleted by someone else since it was opened
            flow = StoryConflictFlow(editor, desk, opened, _stepped(fields, status))
            return after_conflict(editor, flow.run_deleted())
        editor.become_new_keeping_edits(f"Could not save: {exc}. Your edits are kept; Save creates it anew.")
        return False
    except CaEditorError as exc:
        # The storage messages end in a full stop and say themselves whether trying again can help.
        editor.notice.say(f"Could not save: {str(exc).rstrip('.')}. Your edits are kept.", "error")
        return False
    editor.loaded_saved(story, "Saved. Undo (Ctrl+Z) takes it back.")
    return True


def _stepped(fields: StoryFields, status: StoryStatus | None) -> StoryFields:
    """The fields a step saves: the form's, with the status moved."""
    return fields if status is None else replace(fields, status=status)


def after_conflict(editor: StoryEditor, outcome: Outcome) -> bool:
    """Show the result of a refused save's dialog (``ui/conflicts.py`` asked, and saved if told to)."""
    resolution = outcome.resolution
    if resolution in (Resolution.COPIED, Resolution.OVERWRITTEN, Resolution.SAVED_AS_NEW):
        assert outcome.story is not None
        editor.loaded_saved(outcome.story, outcome.message)
        return True
    if resolution == Resolution.RELOADED:
        editor.reload_from_db()
    elif resolution == Resolution.DISCARDED:
        editor.show_nothing()
        editor.notice.say(outcome.message, "info")
    elif resolution == Resolution.KEEP_AS_NEW:
        editor.become_new_keeping_edits(outcome.message)
    else:  # keep editing: the next Save is checked against the version opened, so it asks again
        editor.notice.say(outcome.message, "warning", reload=True)
    return False


def follow_change(editor: StoryEditor, change: Change) -> None:
    """The desk's one broadcast as the editor reads it: the saves and deletions it names (undo, redo, a save
    elsewhere); after an import or a reload (``everything``), the shown story as it is saved now."""
    for story in change.stories:
        editor._on_story_saved(story)
    for story_id in change.deleted_story_ids:
        editor._on_story_removed(story_id)
    opened = editor.current_story()
    if not change.everything or change.stories or opened is None:
        return
    try:
        story = editor._desk.services.stories.get(opened.id)
    except NotFoundError:
        editor._on_story_removed(opened.id)
        return
    except CaEditorError:
        return  # the next save checks against the database anyway
    if story.version != opened.version:
        editor._on_story_saved(story)
