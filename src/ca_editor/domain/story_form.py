"""The story editor's state without its widgets: what is shown, what it was, what is wrong, what may be done.

``ui/editor/story_editor.py`` draws a ``StoryForm``; every decision the editor makes from its state lives
here, free of Qt, so it is tested on its own (``tests/unit/test_story_form.py``):

- the **mode**: nothing shown, an existing story being edited, or a new story not saved yet;
- the **baseline**: the fields as they were right after the story was shown (or saved); the form is dirty
  while what it reads differs from the baseline;
- the **problems**: the live checks of the last typing pause, what the last refused save said (until the next
  edit), and what the image chooser said about the last file (a refusal, or a note such as "first frame
  only");
- the **decisions**: may it save (and if not, why), may it revert or delete, what the heading says, and how
  it answers when the desk reports that the shown story was saved or removed elsewhere.

The form's widgets stay the truth of the fields' values: ``StoryForm`` is handed them (``StoryFields``) when a
decision depends on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum

from ca_editor.domain.errors import Problem
from ca_editor.domain.model import FIELD_LABELS, ImageAsset, Story, StoryFields
from ca_editor.domain.slugs import make_slug
from ca_editor.domain.text import shorten
from ca_editor.domain.validation import errors_only, validate_story


class FormMode(Enum):
    NONE = "none"  # nothing shown: the form is disabled
    EDITING = "editing"  # an existing story, as opened (or last saved here)
    NEW = "new"  # a story not saved yet


class SavedElsewhere(Enum):
    """How the editor answers the desk's "story saved" (another save, undo or redo)."""

    IGNORE = "ignore"  # not the shown story, or this editor's own save
    SHOW_AGAIN = "show again"  # redo brought back the story undo had taken away while it was shown
    RELOAD = "reload"  # the shown story, no unsaved edits: show the saved version
    WARN = "warn"  # the shown story with unsaved edits: keep them, say so, offer Reload


class RemovedElsewhere(Enum):
    """How the editor answers the desk's "story removed" (a delete, or undo of a create)."""

    IGNORE = "ignore"
    CLOSE = "close"  # nothing unsaved (or deleted from here): show nothing, redo may bring it back
    KEEP_AS_NEW = "keep as new"  # unsaved edits survive as a new story


@dataclass(frozen=True)
class FieldVerdict:
    """What the message under one field says: severity "error", "warning" or "" (nothing to say)."""

    severity: str = ""
    text: str = ""


def parse_tags(text: str) -> tuple[str, ...]:
    """'Kazakhstan, Energy,, Energy ' -> ('Kazakhstan', 'Energy'): trimmed, blanks and repeats dropped."""
    tags: list[str] = []
    for part in text.split(","):
        tag = part.strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


def sentence(problem: Problem) -> str:
    """A problem as a sentence: 'Title is 10,000 characters long…', 'The image has no alt text…'."""
    message = problem.message
    label = FIELD_LABELS.get(problem.field, problem.field.replace("_", " ").capitalize())
    if message.startswith(("is ", "contains ", "has ")):
        return f"{label} {message}"
    return message[:1].upper() + message[1:]


def summary_item(problem: Problem) -> str:
    """A problem as an item of the summary line: 'Title is …', 'Slug: must be …'."""
    text = sentence(problem)
    label = FIELD_LABELS.get(problem.field, problem.field)
    return text if text.startswith(label) else f"{label}: {text}"


def slug_taken_message(slug: str, other_title: str | None) -> str:
    """Why a slug cannot be used; ``other_title`` is the story that has it (None: not known)."""
    other = f"“{shorten(other_title, 40)}”" if other_title is not None else "another story"
    return f"'{slug}' is already used by {other}; choose another, or leave it blank to derive a free one"


@dataclass
class StoryForm:
    """The editor's state; see the module docstring."""

    mode: FormMode = FormMode.NONE
    opened: Story | None = None  # the story as opened (or last saved here); None for new or none
    baseline: StoryFields | None = None
    live_problems: list[Problem] = field(default_factory=list)
    checked: bool = True  # False from an edit until the typing pause: live_problems describe older text
    save_problems: list[Problem] = field(default_factory=list)  # the last refused save, until an edit
    image_refusal: str = ""  # about a file not taken: shown under the image, blocks nothing
    image_note: str = ""  # about a file taken (first frame only, converted …): informs
    removed_id: int | None = None  # shown when undo removed it, so redo can show it again
    derived_slug: str = ""  # the free slug the title gives, shown greyed in a blank slug field
    dirty: bool = False  # as last announced (the editor tells listeners when it flips)

    # --- moving between modes -----------------------------------------------------------------------

    def open(self, story: Story) -> None:
        self.opened = story
        self.mode = FormMode.EDITING

    def start_new(self) -> None:
        self.opened = None
        self.mode = FormMode.NEW

    def loaded(self, fields: StoryFields) -> None:
        """The form now shows ``fields`` as saved (or empty, for a new story): they are the baseline."""
        self.baseline = fields
        self.save_problems = []
        self.clear_image_messages()

    def close(self) -> None:
        """Nothing shown any more."""
        self.opened = None
        self.mode = FormMode.NONE
        self.baseline = None
        self.live_problems, self.save_problems = [], []
        self.clear_image_messages()

    def become_new(self) -> None:
        """The shown story is gone (deleted elsewhere): keep the edits as a story not saved yet."""
        self.opened = None
        self.mode = FormMode.NEW
        self.baseline = StoryFields(title="")

    def clear_image_messages(self) -> None:
        self.image_refusal = self.image_note = ""

    # --- edits and checks ---------------------------------------------------------------------------

    def edited(self) -> bool:
        """A person changed a field; False when nothing is shown (the change is the form being filled)."""
        if self.mode is FormMode.NONE:
            return False
        self.save_problems = []  # they described the text as it was; the live checks take over
        self.checked = False
        return True

    def checks_done(self, problems: list[Problem]) -> None:
        """The typing pause's checks of the text as it is now."""
        self.live_problems = problems
        self.checked = True

    def save_refused(self, problems: list[Problem]) -> None:
        self.save_problems = list(problems)

    def problems(self) -> list[Problem]:
        """What the form shows now: live checks plus what the last refused save said."""
        return self.live_problems + [p for p in self.save_problems if p not in self.live_problems]

    def errors(self) -> list[Problem]:
        return [p for p in self.problems() if p.severity == "error"]

    # --- decisions ----------------------------------------------------------------------------------

    @property
    def own_id(self) -> int | None:
        """The shown story's id, which may keep its own slug; None for a new story or none."""
        return self.opened.id if self.opened else None

    def is_dirty(self, fields: StoryFields) -> bool:
        return self.mode is not FormMode.NONE and fields != self.baseline

    def note_dirty(self, fields: StoryFields) -> bool:
        """Record whether ``fields`` differ from the baseline; True when that flipped."""
        dirty = self.is_dirty(fields)
        flipped = dirty != self.dirty
        self.dirty = dirty
        return flipped

    def field_verdict(self, key: str) -> FieldVerdict:
        """The message under field ``key``: its problems, and for the image what the chooser said."""
        found = [p for p in self.problems() if p.field == key]
        lines = [sentence(p) for p in found]
        if key == "image" and self.image_refusal:  # about a file not taken: it blocks nothing
            lines.append(self.image_refusal)
            found.append(Problem("image", self.image_refusal))
        if key == "image" and self.image_note:
            lines.append(self.image_note)
            found.append(Problem("image", self.image_note, "warning"))
        severity = "error" if any(p.severity == "error" for p in found) else ("warning" if found else "")
        return FieldVerdict(severity, "\n".join(lines))

    def summary(self) -> FieldVerdict:
        """The line above the form: how many problems, the first four, and whether they stop a save."""
        problems = self.problems()
        if not problems:
            return FieldVerdict()
        errors = [p for p in problems if p.severity == "error"]
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        listed = "; ".join(summary_item(p) for p in problems[:4])
        more = f"; and {len(problems) - 4} more" if len(problems) > 4 else ""
        tail = " Fix the errors to save." if errors else " Warnings do not stop saving."
        text = f"{count}: {shorten(listed + more, 400)}.{tail}"
        return FieldVerdict("error" if errors else "warning", text)

    def why_not_save(self, fields: StoryFields) -> str:
        """Why Save is disabled now ("" when it is enabled); ``fields`` is what the form reads."""
        # Until the typing pause the live problems describe the text before the last keystroke: an error
        # just fixed would keep Save (and Ctrl+S) disabled. Judge by the checks that need no database;
        # save() runs every check itself before it saves.
        errors = self.errors() if self.checked else errors_only(validate_story(fields))
        if self.mode is FormMode.NONE:
            return "No story is open"
        if errors:
            return "Fix before saving: " + "; ".join(shorten(summary_item(p), 120) for p in errors[:3])
        if not self.dirty:
            return "Nothing to save: no changes"
        return ""

    def can_revert(self) -> bool:
        return self.mode is not FormMode.NONE and self.dirty

    def can_delete(self) -> bool:
        return self.mode is FormMode.EDITING

    def heading(self) -> str:
        if self.mode is FormMode.NONE:
            return "No story selected: pick one in the list, or start a new story (Ctrl+N)"
        if self.mode is FormMode.NEW or self.opened is None:
            return "New story (not saved yet)"
        return f"Story #{self.opened.id}: {shorten(self.opened.title, 80)}"

    def leave_name(self, title: str) -> str:
        """How the Save / Discard / Cancel question names the story."""
        return shorten(title, 50) or "the new story"

    def preview(self, fields: StoryFields, image: ImageAsset | None, now: datetime) -> Story | None:
        """The form as a ``Story`` value for the live preview (id and version 0 for a new story)."""
        if self.mode is FormMode.NONE:
            return None
        opened = self.opened
        fields = replace(
            fields,
            title=fields.title.strip(),
            slug=fields.slug or self.derived_slug or make_slug(fields.title),
        )
        return Story.from_fields(
            fields,
            story_id=opened.id if opened else 0,
            image=image,
            version=opened.version if opened else 0,
            created_at=opened.created_at if opened else now,
            updated_at=opened.updated_at if opened else now,
        )

    def on_saved_elsewhere(self, story: Story, *, saving: bool, dirty: bool) -> SavedElsewhere:
        if saving:
            return SavedElsewhere.IGNORE
        if self.mode is FormMode.NONE and story.id == self.removed_id:
            return SavedElsewhere.SHOW_AGAIN
        if self.opened is None or story.id != self.opened.id:
            return SavedElsewhere.IGNORE
        return SavedElsewhere.WARN if dirty else SavedElsewhere.RELOAD

    def on_removed_elsewhere(self, story_id: int, *, deleting: bool, dirty: bool) -> RemovedElsewhere:
        if self.opened is None or story_id != self.opened.id:
            return RemovedElsewhere.IGNORE
        if deleting or not dirty:
            return RemovedElsewhere.CLOSE
        return RemovedElsewhere.KEEP_AS_NEW
