"""The editor's workflow box: where the story stands (draft → ready → approved → published), the next steps,
and who moved it when.

A step is a save of the form with the new status: the box asks the editor to save with that status
(``save(status=…)``), which asks the desk (``Desk.step_status``): one undoable command ('Approve “…”'), the
same checks, the same conflict question when someone else saved the story meanwhile. The box never touches
the editor's widgets; the editor tells it to ``refresh()`` when its form changes. Unsaved edits in the form
are saved with the step (the buttons then read 'Save and approve' …), so what gets approved is what the
editor sees; a form that cannot be saved refuses the step and the status stays as it was. The history is
read from ``StoryService.status_history`` whenever the shown story's version changes.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.changes import Change
from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.local_time import clock_time, full_time, local_time
from ca_editor.domain.model import StatusChange, Story, StoryFields, StoryStatus
from ca_editor.domain.workflow import LABELS, ORDER, Step, change_phrase, steps_from
from ca_editor.ui.desk import Desk
from ca_editor.ui.editor.widgets import ERROR_COLOR, ElidedLabel
from ca_editor.ui.icons import icon


class EditedStory(Protocol):
    """What the box needs of the editor it sits in (``StoryEditor``)."""

    def current_story(self) -> Story | None: ...
    def is_new(self) -> bool: ...
    def is_dirty(self) -> bool: ...
    def current_fields(self) -> StoryFields: ...
    def save(self, *, status: StoryStatus | None = None) -> bool: ...


_CHIP = "padding: 2px 8px; border-radius: 9px; border: 1px solid {border}; {extra}"
_CHIP_STYLES = {
    "done": _CHIP.format(border="palette(mid)", extra=""),
    "current": _CHIP.format(
        border="palette(highlight)",
        extra="background: palette(highlight); color: palette(highlighted-text); font-weight: bold;",
    ),
    "later": _CHIP.format(border="palette(midlight)", extra="color: palette(placeholder-text);"),
}


def last_change_text(history: list[StatusChange], status: StoryStatus) -> str:
    """'Approved by Dana K. at 14:05' (or 'at 27 Nov 14:05'), or why there is nothing to say."""
    if not history:
        return f"{LABELS[status]}: no status change recorded for this story yet"
    last = history[-1]
    phrase = change_phrase(last.from_status, last.to_status)
    return f"{phrase} by {last.changed_by} at {clock_time(last.changed_at)}"


def button_text(step: Step, *, with_save: bool) -> str:
    return f"Save and {step.label[0].lower()}{step.label[1:]}" if with_save else step.label


class WorkflowBox(QGroupBox):
    """Status steps, next-step buttons, the last change and (on demand) the whole history of one story."""

    def __init__(self, editor: EditedStory, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__("Workflow", parent)
        self.setObjectName("workflow")
        self._editor = editor
        self._desk = desk
        self._shown: tuple[int, int] | None = None  # (story id, version) whose history is on screen
        self._history: list[StatusChange] = []
        self._status = StoryStatus.DRAFT
        self._newer: Story | None = None  # saved elsewhere (undo, redo) while the form kept unsaved edits

        chips_row = self._build_chips_row()

        self.last_change = ElidedLabel()
        self.last_change.setAccessibleName("Last status change")

        self.forward_button = QPushButton()
        self.forward_button.setIcon(icon("step_forward"))
        self.back_button = QPushButton()
        self.back_button.setIcon(icon("step_back"))
        self.forward_button.clicked.connect(lambda: self._take(self._offered(forward=True)))
        self.back_button.clicked.connect(lambda: self._take(self._offered(forward=False)))
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(self.forward_button)
        buttons_row.addWidget(self.back_button)
        buttons_row.addStretch(1)

        self.refusal = QLabel()
        self.refusal.setWordWrap(True)
        self.refusal.setTextFormat(Qt.TextFormat.PlainText)
        self.refusal.setStyleSheet(f"color: {ERROR_COLOR};")
        self.refusal.setAccessibleName("Workflow problem")
        self.refusal.hide()

        self.history_view = QTreeWidget()
        self.history_view.setAccessibleName("Status history list")
        self.history_view.setHeaderLabels(["When", "Who", "Change"])
        self.history_view.setRootIsDecorated(False)
        self.history_view.setUniformRowHeights(True)
        self.history_view.hide()

        column = QVBoxLayout(self)
        column.setContentsMargins(6, 4, 6, 6)
        column.setSpacing(4)
        column.addLayout(chips_row)
        column.addWidget(self.last_change)
        column.addLayout(buttons_row)
        column.addWidget(self.refusal)
        column.addWidget(self.history_view)

        desk.changed.connect(self._on_desk_changed)
        self.refresh()

    def _build_chips_row(self) -> QHBoxLayout:
        """The statuses in order, the current one highlighted, and the History toggle at the right."""
        self.chips: dict[StoryStatus, QLabel] = {}
        chips_row = QHBoxLayout()
        chips_row.setSpacing(4)
        for index, status in enumerate(ORDER):
            if index:
                arrow = QLabel("›")
                arrow.setAccessibleName("then")
                chips_row.addWidget(arrow)
            chip = QLabel(LABELS[status])
            chip.setTextFormat(Qt.TextFormat.PlainText)
            self.chips[status] = chip
            chips_row.addWidget(chip)
        chips_row.addStretch(1)
        self.history_toggle = QToolButton()
        self.history_toggle.setIcon(icon("history"))
        self.history_toggle.setIconSize(QSize(16, 16))
        self.history_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.history_toggle.setCheckable(True)
        self.history_toggle.setAccessibleName("Status history")
        self.history_toggle.toggled.connect(self._show_history)
        chips_row.addWidget(self.history_toggle)
        return chips_row

    # --- what tests and the editor read -------------------------------------------------------------------

    @property
    def status(self) -> StoryStatus:
        """The status shown as current."""
        return self._status

    def offered_steps(self) -> list[str]:
        """The texts of the step buttons on offer now, forward first."""
        return [b.text() for b in (self.forward_button, self.back_button) if b.isVisible() and b.isEnabled()]

    def history(self) -> list[StatusChange]:
        return list(self._history)

    # --- showing -------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        editor = self._editor
        story = editor.current_story()
        if story is None and not editor.is_new():
            self._show_nothing()
            return
        self.setEnabled(True)
        self._status = story.status if story is not None else editor.current_fields().status
        newer = self._newer
        if story is not None and newer is not None and newer.id == story.id and newer.version > story.version:
            self._status = newer.status  # the database's; a step from here asks about the conflict first
        if story is None:
            self._shown, self._history = None, []
        elif self._shown != (story.id, story.version):
            if self._shown is None or self._shown[0] != story.id:
                self.refusal.hide()  # it was about another story
            self._load_history(story)
        self._show_status(story)

    def _load_history(self, story: Story) -> None:
        try:
            self._history = self._desk.services.stories.status_history(story.id)
        except CaEditorError as exc:
            self._history = []
            self._shown = None  # try again at the next refresh
            self.last_change.setText(f"Could not read the status history: {exc}")
            return
        self._shown = (story.id, story.version)
        self.history_view.clear()
        for change in reversed(self._history):  # newest first
            source = LABELS[change.from_status] if change.from_status else "(new)"
            item = QTreeWidgetItem(
                [local_time(change.changed_at), change.changed_by, f"{source} → {LABELS[change.to_status]}"]
            )
            item.setToolTip(0, full_time(change.changed_at, seconds=True))
            self.history_view.addTopLevelItem(item)
        for col in range(2):
            self.history_view.resizeColumnToContents(col)
        rows = min(max(len(self._history), 1), 5)  # up to five changes in view, the rest scroll
        row_height = self.history_view.sizeHintForRow(0) if self._history else 0
        header = self.history_view.header().sizeHint().height()
        self.history_view.setFixedHeight(
            header + rows * max(row_height, 18) + 2 * self.history_view.frameWidth()
        )

    def _show_status(self, story: Story | None) -> None:
        position = ORDER.index(self._status)
        for index, status in enumerate(ORDER):
            state = "current" if index == position else ("done" if index < position else "later")
            self._paint_chip(status, state)
        with_save = self._editor.is_dirty() or story is None
        for forward, button in ((True, self.forward_button), (False, self.back_button)):
            step = self._offered(forward=forward)
            button.setVisible(step is not None)
            if step is None:
                continue
            button.setText(button_text(step, with_save=with_save))
            button.setAccessibleName(button.text())
            tip = f"Move the story from {self._status.value} to {step.target.value} (Ctrl+Z takes it back)"
            if with_save:
                tip += ". Your unsaved edits are saved with it"
            button.setToolTip(tip)
        if story is None:
            self.last_change.setText("New story: not saved yet; it starts as a draft")
        elif self._shown is not None:
            self.last_change.setText(last_change_text(self._history, self._status))
        count = len(self._history)
        self.history_toggle.setText(f"History ({count})")
        self.history_toggle.setEnabled(count > 0)
        self.history_toggle.setToolTip(
            "Show every status change: who, from → to, when (local time)" if count else "Nothing recorded yet"
        )
        self.history_view.setVisible(self.history_toggle.isChecked() and count > 0)
        title = f"{LABELS[self._status]} (step {position + 1} of {len(ORDER)})"
        self.setAccessibleName(f"Workflow: {title}")
        self.setAccessibleDescription(self.last_change.text())

    def _show_nothing(self) -> None:
        self._shown, self._history = None, []
        self._status = StoryStatus.DRAFT
        for status in ORDER:
            self._paint_chip(status, "later")
        self.forward_button.hide()
        self.back_button.hide()
        self.history_toggle.setText("History")
        self.history_view.hide()
        self.last_change.setText("No story open")
        self.refusal.hide()
        self.setEnabled(False)

    def _paint_chip(self, status: StoryStatus, state: str) -> None:
        chip = self.chips[status]
        if chip.property("state") == state:
            return  # refresh runs after every typing pause: restyle only what changed
        chip.setProperty("state", state)
        chip.setText(("✓ " if state == "done" else "") + LABELS[status])
        chip.setStyleSheet(_CHIP_STYLES[state])
        said = {"current": "current status", "done": "done", "later": "not yet"}[state]
        chip.setAccessibleName(f"{LABELS[status]}: {said}")

    def _show_history(self, shown: bool) -> None:
        self.history_view.setVisible(shown and bool(self._history))

    def _on_desk_changed(self, change: Change) -> None:
        for story in change.stories:
            self._on_story_saved(story)
        if change.deleted_story_ids or change.everything:
            self.refresh()

    def _on_story_saved(self, story: Story) -> None:
        current = self._editor.current_story()
        if current is not None and current.id == story.id:
            self._newer = story
            self._shown = None  # undo or redo (or another save) added a status change: read it again
            self.refresh()

    # --- stepping ------------------------------------------------------------------------------------------

    def _offered(self, *, forward: bool) -> Step | None:
        return next((s for s in steps_from(self._status) if s.forward == forward), None)

    def take(self, target: StoryStatus) -> bool:
        """Move the shown story to ``target`` if that is a step on offer; returns whether it moved."""
        step = next((s for s in steps_from(self._status) if s.target is target), None)
        return step is not None and self._take(step)

    def _take(self, step: Step | None) -> bool:
        if step is None:
            return False
        self.refusal.hide()
        if self._editor.save(status=step.target):
            self.refusal.hide()
            return True
        # Refused (the form has errors, someone else saved it, the database said no): the status stays as
        # saved, and the form never held the step's status, so the refused step leaves no edit behind.
        self.refusal.setText(
            f"{step.label}: not done. The story could not be saved as it is; the message above says why."
        )
        self.refusal.show()
        return False
