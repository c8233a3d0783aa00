"""When two editors collide on one database: what the person is told and what each answer does.

A story save refused because someone else saved the story since it was opened asks: *Reload theirs*
(discard mine, after a confirmation), *Compare* (mine and theirs side by side, field by field, with the
changed lines marked and who changed each field since it was opened), *Keep mine as a copy* (a new draft
story with my fields, title suffix "(copy)" and a free slug; theirs stays as it is) or *Cancel* (keep
editing; the next save asks again). From the comparison the person may also replace theirs with mine,
after a confirmation naming the fields of theirs it undoes, against the version just compared (a newer save
conflicts again and says so). A story deleted by someone
else offers to save mine as a new story. Every change goes through the desk, so it is one undoable step.

A layout step refused because the block changed reports who changed it and when; the desk has already
re-read the block, and *Compare* shows what the person saw, what the step wanted and what is there now.
Nothing here parses an error's text: ``ConflictError`` carries who, when and the current version.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.errors import CaEditorError, ConflictError, NotFoundError
from ca_editor.domain.local_time import clock_time
from ca_editor.domain.model import SectionLayout, Story, StoryFields, StoryStatus
from ca_editor.domain.slugs import unique_slug
from ca_editor.domain.text import shorten
from ca_editor.ui.ask import ask
from ca_editor.ui.plain_text import exact_text
from ca_editor.ui.side_by_side import DiffColours, comparison_html
from ca_editor.ui.story_differences import COPY_SUFFIX, changed_by_line, copy_fields, story_differences

if TYPE_CHECKING:
    from ca_editor.ui.desk import Desk


# --- the story conflict ------------------------------------------------------------------------------------


class Resolution(StrEnum):
    RELOADED = "reloaded"  # the form should show the saved version (theirs)
    COPIED = "copied"  # ``story`` is the new copy holding my fields; theirs is untouched
    OVERWRITTEN = "overwritten"  # ``story`` is mine, saved over theirs after a comparison
    SAVED_AS_NEW = "saved_as_new"  # theirs was deleted; ``story`` is mine, created anew
    DISCARDED = "discarded"  # theirs was deleted and I dropped mine: show nothing
    KEEP_EDITING = "keep_editing"  # nothing saved; the form keeps my edits (``story`` is theirs, if any)
    KEEP_AS_NEW = "keep_as_new"  # theirs was deleted; keep my edits as an unsaved new story


@dataclass(frozen=True, slots=True)
class Outcome:
    resolution: Resolution
    story: Story | None = None
    message: str = ""  # for the editor's notice bar


class StoryConflictFlow:
    """Asks what to do about a refused save and does it through the desk; ``run()`` says what happened."""

    def __init__(
        self,
        parent: QWidget,
        desk: Desk,
        opened: Story,
        mine: StoryFields,
        error: ConflictError | None = None,
    ) -> None:
        self.parent = parent
        self.desk = desk
        self.opened = opened
        self.mine = mine
        self.error = error

    def run(self) -> Outcome:
        try:
            theirs = self.desk.services.stories.get(self.opened.id)
        except NotFoundError:
            return self.run_deleted()
        except CaEditorError as exc:
            return Outcome(Resolution.KEEP_EDITING, None, f"Could not read the saved version: {exc}")
        while True:
            choice = self._ask(theirs)
            if choice == "Compare":
                choice = CompareDialog.ask(self.parent, self.opened, self.mine, theirs)
            if choice == "Reload theirs":
                if self._confirm_discard():
                    return Outcome(Resolution.RELOADED, theirs)
                continue
            if choice == "Keep mine as a copy":
                return self._save(Resolution.COPIED, theirs)
            if choice == CompareDialog.OVERWRITE:
                if self._confirm_overwrite(theirs):
                    return self._save(Resolution.OVERWRITTEN, theirs)
                continue
            if choice == CompareDialog.BACK:
                continue
            return Outcome(
                Resolution.KEEP_EDITING,
                theirs,
                f"Not saved: {_who(theirs)} saved “{shorten(theirs.title, 60)}” at "
                f"{clock_time(theirs.updated_at)}. Your edits are kept; Save asks again what to do.",
            )

    def run_deleted(self) -> Outcome:
        title = shorten(self.opened.title, 60)
        choice = ask(
            self.parent,
            QMessageBox.Icon.Warning,
            "Deleted by someone else",
            f"“{title}” was deleted by someone else since you opened it.",
            "Your edits are still in the form. Save mine as a new story creates it again with your fields, "
            "as a draft to be approved again (someone took it out); Discard mine drops them.",
            ["Save mine as a new story", "Discard mine", "Cancel"],
            default="Save mine as a new story",
            destructive="Discard mine",
        )
        if choice == "Save mine as a new story":
            # A draft, as a copy is: a story someone deleted must not go out with the next export unreviewed.
            fields = replace(self.mine, status=StoryStatus.DRAFT)
            if fields.slug and self.desk.services.stories.is_slug_taken(fields.slug):
                fields = replace(
                    fields, slug=unique_slug(fields.slug, self.desk.services.stories.is_slug_taken)
                )
            try:
                story = self.desk.create_story(fields)
            except CaEditorError as exc:
                return Outcome(
                    Resolution.KEEP_AS_NEW, None, f"Could not save it anew: {exc}. Your edits are kept."
                )
            return Outcome(
                Resolution.SAVED_AS_NEW, story, f"Saved “{shorten(story.title, 60)}” as a new story."
            )
        if choice == "Discard mine":
            return Outcome(Resolution.DISCARDED, None, f"“{title}” was deleted by someone else.")
        return Outcome(
            Resolution.KEEP_AS_NEW,
            None,
            f"“{title}” was deleted by someone else. Your edits are kept; Save creates it as a new story.",
        )

    def _ask(self, theirs: Story) -> str:
        when = theirs.updated_at
        who = theirs.updated_by or (self.error.who if self.error else "")
        return ask(
            self.parent,
            QMessageBox.Icon.Warning,
            "Changed by someone else",
            changed_by_line(self.opened.title, who, when),
            "Your edits are still in the form and nothing was overwritten.\n\n"
            "Reload theirs: discard your edits and show their version.\n"
            "Compare: see both versions side by side.\n"
            "Keep mine as a copy: save your version as a new draft story; theirs stays as it is.\n"
            "Cancel: keep editing.",
            ["Reload theirs", "Compare", "Keep mine as a copy", "Cancel"],
            default="Compare",
            destructive="Reload theirs",
        )

    def _confirm_discard(self) -> bool:
        choice = ask(
            self.parent,
            QMessageBox.Icon.Warning,
            "Discard your edits",
            f"Discard your edits to “{shorten(self.opened.title, 60)}” and show their version?",
            "Your unsaved changes are lost. Keep mine as a copy saves them beside theirs instead.",
            ["Discard mine and reload", "Cancel"],
            default="Cancel",
            destructive="Discard mine and reload",
        )
        return choice == "Discard mine and reload"

    def _confirm_overwrite(self, theirs: Story) -> bool:
        """Replacing theirs also undoes what only they changed (a title they fixed): say which fields."""
        who = _who(theirs)
        differences = story_differences(self.opened.fields(), self.mine, theirs.fields())
        undone = [d.label for d in differences if d.changed_by_them]
        if undone:
            fields = ", ".join(undone[:-1]) + (" and " if len(undone) > 1 else "") + undone[-1]
            text = (
                f"Replace {who}'s version with yours? "
                f"{who}'s changes to {fields} since you opened it are undone."
            )
        else:
            text = f"Replace {who}'s version with yours?"
        choice = ask(
            self.parent,
            QMessageBox.Icon.Warning,
            "Replace their version",
            text,
            "Every field is saved as it is in your form. Undo (Ctrl+Z) brings their version back; "
            "Keep mine as a copy keeps both instead.",
            ["Replace theirs", "Cancel"],
            default="Cancel",
            destructive="Replace theirs",
        )
        return choice == "Replace theirs"

    def _save(self, resolution: Resolution, theirs: Story) -> Outcome:
        stories = self.desk.services.stories
        try:
            if resolution == Resolution.COPIED:
                story = self.desk.create_story(copy_fields(self.mine, stories.is_slug_taken))
                message = (
                    f"Your version is saved as a new draft, “{_short_copy(story.title)}”; "
                    f"“{shorten(theirs.title, 60)}” stays as {_who(theirs)} saved it."
                )
            else:  # against the version just compared: a save newer than that is refused again
                story = self.desk.update_story(theirs, self.mine)
                message = f"Saved your version over {_who(theirs)}'s. Undo (Ctrl+Z) brings theirs back."
        except ConflictError as exc:
            if resolution == Resolution.OVERWRITTEN:  # saved again while the person compared
                at = f" at {clock_time(exc.when)}" if exc.when is not None else ""
                return Outcome(
                    Resolution.KEEP_EDITING,
                    theirs,
                    f"Not saved: {exc.who or _who(theirs)} saved “{shorten(theirs.title, 60)}” again{at}, "
                    "after the version you compared. Your edits are kept; Save asks again what to do.",
                )
            return Outcome(Resolution.KEEP_EDITING, theirs, f"Not saved: {exc}. Your edits are kept.")
        except CaEditorError as exc:
            return Outcome(Resolution.KEEP_EDITING, theirs, f"Could not save: {exc}. Your edits are kept.")
        return Outcome(resolution, story, message)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _who(story: Story) -> str:
    return story.updated_by or "someone else"


def _short_copy(title: str) -> str:
    """A copy's title shortened like the others but keeping " (copy)", so it reads apart from the original."""
    if not title.endswith(COPY_SUFFIX):
        return shorten(title, 60)
    return shorten(title.removesuffix(COPY_SUFFIX), 60 - len(COPY_SUFFIX)) + COPY_SUFFIX


class CompareDialog(QDialog):
    """Mine and theirs side by side; closes with one of the conflict answers (or Back)."""

    OVERWRITE = "Replace theirs with mine"
    BACK = "Back"

    def __init__(self, parent: QWidget | None, opened: Story, mine: StoryFields, theirs: Story) -> None:
        super().__init__(parent)
        who = _who(theirs)
        self.setWindowTitle(f"Compare — {shorten(theirs.title, 40)}")
        self.differences = story_differences(opened.fields(), mine, theirs.fields())
        heading = QLabel(
            f"{changed_by_line(opened.title, theirs.updated_by, theirs.updated_at)} "
            f"{_count(len(self.differences), 'field differs', 'fields differ')} between your version (left) "
            f"and {who}'s (right)."
        )
        heading.setWordWrap(True)
        heading.setTextFormat(Qt.TextFormat.PlainText)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setHtml(comparison_html(self.differences, who, DiffColours.of(self.palette())))
        self.choice = self.BACK
        buttons = QDialogButtonBox(self)
        for label, role in (
            ("Reload theirs", QDialogButtonBox.ButtonRole.DestructiveRole),
            ("Keep mine as a copy", QDialogButtonBox.ButtonRole.AcceptRole),
            (self.OVERWRITE, QDialogButtonBox.ButtonRole.AcceptRole),
            (self.BACK, QDialogButtonBox.ButtonRole.RejectRole),
        ):
            button = buttons.addButton(label, role)
            button.clicked.connect(lambda _=False, chosen=label: self._choose(chosen))
        back = next(b for b in buttons.buttons() if b.text() == self.BACK)
        assert isinstance(back, QPushButton)
        back.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(900, 600)

    def _choose(self, label: str) -> None:
        self.choice = label
        self.accept()

    def plain_text(self) -> str:
        return exact_text(self.browser)

    @classmethod
    def ask(cls, parent: QWidget | None, opened: Story, mine: StoryFields, theirs: Story) -> str:
        dialog = cls(parent, opened, mine, theirs)
        dialog.exec()
        choice = dialog.choice
        dialog.deleteLater()
        return choice


# --- the layout conflict -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LayoutConflict:
    """A layout step refused because the block changed; the desk already shows ``now``."""

    message: str  # "Could not move …: the editor's choice of … was changed by NAME at 14:05 since …"
    who: str
    when: datetime | None
    saw: tuple[str, ...]  # headlines in slot order, as this desk showed them
    wanted: tuple[str, ...]  # what the refused step would have made ("" entries: not known)
    now: tuple[str, ...]  # what the block holds now (their version)

    @classmethod
    def of(
        cls, message: str, error: ConflictError, saw: SectionLayout, wanted: Sequence[str], now: SectionLayout
    ) -> LayoutConflict:
        who, when = error.who or now.section.updated_by, error.when or now.section.updated_at
        step = message.removesuffix(f": {error}")
        if step != message and when is not None:  # the error's advice to reload: the desk already did
            message = (
                f"{step}: the editor's choice was changed by {who or 'someone else'} at {clock_time(when)} "
                "since you opened it."
            )
        return cls(
            message,
            who,
            when,
            tuple(slot.headline for slot in saw.slots),
            tuple(wanted),
            tuple(slot.headline for slot in now.slots),
        )


def order_html(conflict: LayoutConflict, colours: DiffColours) -> str:
    """The block as you saw it, as your step wanted it, and as it is now; changed slots marked."""
    who = html.escape(conflict.who or "someone else")
    columns = [("You saw", conflict.saw)]
    if conflict.wanted:
        columns.append(("Your step would have made", conflict.wanted))
    columns.append((f"Now (by {who})", conflict.now))
    width = 95 // len(columns)
    rows = max(len(c[1]) for c in columns)
    parts = ['<table width="100%" cellspacing="0" cellpadding="4"><tr><th align="right">#</th>']
    parts += [f'<th align="left" width="{width}%">{name}</th>' for name, _ in columns]
    parts.append("</tr>")
    for index in range(rows):
        parts.append(f'<tr><td align="right" style="color: {colours.muted};">{index + 1}</td>')
        saw = conflict.saw[index] if index < len(conflict.saw) else "(empty)"
        for name, values in columns:
            value = values[index] if index < len(values) else "(empty)"
            background = None
            if value != saw:
                background = colours.theirs if name.startswith("Now") else colours.mine
            shown = html.escape(value)
            colour = f' bgcolor="{background}"' if background else ""
            parts.append(f"<td{colour}>{shown}</td>")
        parts.append("</tr>")
    parts.append("</table>")
    return "".join(parts)


class OrderCompareDialog(QDialog):
    def __init__(self, parent: QWidget | None, conflict: LayoutConflict) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare the editor's choice")
        at = f" at {clock_time(conflict.when)}" if conflict.when is not None else ""
        heading = QLabel(
            f"{conflict.who or 'Someone else'} changed the editor's choice{at}. Slots that differ from what "
            "you saw are marked; the desk shows the block as it is now."
        )
        heading.setWordWrap(True)
        self.browser = QTextBrowser(self)
        self.browser.setHtml(order_html(conflict, DiffColours.of(self.palette())))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(900, 560)

    def plain_text(self) -> str:
        return exact_text(self.browser)


def show_layout_conflict(parent: QWidget | None, conflict: LayoutConflict) -> None:
    """Tell who changed the block and when; the desk already shows their version. Compare on request."""
    while True:
        choice = ask(
            parent,
            QMessageBox.Icon.Warning,
            "Editor's choice changed by someone else",
            conflict.message,
            "Nothing was overwritten. The desk now shows the block as it is saved; do your step again "
            "if you still want it. Compare shows what you saw beside what is there now.",
            ["Compare", "OK"],
            default="OK",
        )
        if choice != "Compare":
            return
        dialog = OrderCompareDialog(parent, conflict)
        dialog.exec()
        dialog.deleteLater()
