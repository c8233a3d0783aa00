"""File › Bring section back…: pick the laptop desk, see the conflicts, choose, apply; one undo step.

1. The person picks the laptop desk file; ``CheckinService.plan_checkin`` reads the three sides and merges
   them on the window's offline lane (``ui/background.py``), never on the UI thread.
2. A refusal (a laptop desk checked in already, released, taken from another desk, no laptop desk at all)
   comes back as the service's sentence in a message box, nothing changed. A laptop desk of another
   section than the one open says which and asks to open that one first: the undo step belongs to a desk.
3. ``MergeDialog`` (``ui/merge_dialog.py``) shows the conflicts and notices; Apply hands the choices to
   ``apply_checkin`` on the lane, one transaction on this desk. Just before and after it the lane reads the
   section and every story the check-in can touch (``CheckinState``), so the window pushes ONE undo step,
   ``CheckinCommand`` (``ui/checkin_command.py``), and re-reads the desk.
4. The status bar and a message box say what came in (``checked_in_text``); ``finished`` tells the
   banner (``ui/checkout_flow.py``) to look again: the section is no longer out.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ca_editor.domain.changes import Origin
from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.merge import MergeOutcome, resolve
from ca_editor.domain.merge_fields import Side, same
from ca_editor.services.checkin import CheckinPlan, CheckinResult
from ca_editor.ui.background import Lane, log_failure
from ca_editor.ui.checkin_command import CheckinCommand, CheckinState
from ca_editor.ui.merge_dialog import MergeDialog

if TYPE_CHECKING:
    from ca_editor.ui.main_window import MainWindow

TITLE = "Bring section back"


class CheckinFlow(QObject):
    """The window's check-in: file choice, plan, the merge dialog, apply, the undo step."""

    finished = Signal()  # a check-in went through (or only marked the laptop desk)

    def __init__(self, window: MainWindow, lane: Lane) -> None:
        super().__init__(window)
        self.window = window
        self.lane = lane
        self.dialog: MergeDialog | None = None
        self.message: QMessageBox | None = None  # the last message shown (tests read and close it)

    def start(self) -> None:
        """The menu's entry: unsaved story edits are asked about first, then the laptop desk is picked."""
        if not self.window.editor.maybe_leave():
            return
        name, _ = QFileDialog.getOpenFileName(
            self.window, "The laptop desk to bring back", str(Path.home()), "Desk files (*.sqlite3);;All (*)"
        )
        if name:
            self.plan_from(Path(name))

    def plan_from(self, laptop: Path) -> None:
        """Read and merge on the lane; the dialog (or the refusal) follows on the UI thread."""
        self.window.statusBar().showMessage(f"Reading {laptop.name} and merging…")
        checkins = self.window.services.checkins
        self.lane.submit(lambda _task: checkins.plan_checkin(laptop), done=self._planned, failed=self._failed)

    def _planned(self, plan: CheckinPlan) -> None:
        self.window.statusBar().clearMessage()
        desk = self.window.desk
        if plan.origin.section_id != desk.section_id:
            self._tell(
                QMessageBox.Icon.Information,
                f"This laptop desk holds the section '{plan.section_slug}', not "
                f"“{desk.layout.section.title}”. Open that section (Section › Open section) and bring it "
                "back there.",
            )
            return
        if plan.outcome is None:  # this desk has it already: only the laptop desk is marked
            self.apply(plan, {})
            return
        dialog = MergeDialog(
            plan.outcome,
            section_title=desk.layout.section.title,
            titles=story_titles(plan.outcome),
            parent=self.window,
        )
        dialog.accepted.connect(lambda: self.apply(plan, dialog.choices()))
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.dialog = dialog
        dialog.open()

    def _dialog_closed(self, dialog: MergeDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def apply(self, plan: CheckinPlan, choices: dict[str, Side]) -> None:
        """Write the check-in on the lane, with the section read just before and after it."""
        services, section_id = self.window.services, self.window.desk.section_id
        touched = touched_story_ids(plan.outcome, choices) if plan.outcome is not None else set()

        def job(_task: object) -> tuple[CheckinState, CheckinResult, CheckinState]:
            before = CheckinState.read(services, section_id, touched)
            result = services.checkins.apply_checkin(plan, choices)
            created = set(result.applied.created_ids) if result.applied is not None else set()
            return before, result, CheckinState.read(services, section_id, touched | created)

        self.window.statusBar().showMessage("Bringing the section back…")
        self.lane.submit(job, done=self._applied, failed=self._failed)

    def _applied(self, answer: tuple[CheckinState, CheckinResult, CheckinState]) -> None:
        before, result, after = answer
        desk = self.window.desk
        desk.reload(Origin.WINDOW)  # every pane re-reads: stories, block, settings came in at once
        if result.applied is not None:
            command = CheckinCommand(desk, f"Bring “{desk.layout.section.title}” back", before, after)
            command.mark_applied()
            desk.undo_stack.push(command)
        said = checked_in_text(desk.layout.section.title, result)
        self.window.statusBar().showMessage(said, 15_000)
        notices = result.applied.notices if result.applied is not None else []
        detail = "\n".join(f"• {line[:1].upper()}{line[1:]}" for line in notices)
        undo = "\n\nEdit › Undo (Ctrl+Z) takes it out again." if result.applied is not None else ""
        self._tell(QMessageBox.Icon.Information, f"{said}{undo}", detail)
        self.finished.emit()

    def _failed(self, exc: BaseException) -> None:
        self.window.statusBar().clearMessage()
        if not isinstance(exc, CaEditorError):
            log_failure(exc)  # a bug: the traceback goes to the log, the person gets a sentence
            self._tell(
                QMessageBox.Icon.Warning, "Nothing was brought back: something went wrong (see the log)."
            )
            return
        text = str(exc)
        self._tell(QMessageBox.Icon.Warning, f"Nothing was brought back: {text[0].lower()}{text[1:]}")

    def _tell(self, kind: QMessageBox.Icon, text: str, detail: str = "") -> None:
        self.message = tell(self.window, TITLE, kind, text, detail)
        self.message.finished.connect(lambda _result: self._closed())

    def _closed(self) -> None:
        self.message = None


def tell(parent: QWidget, title: str, kind: QMessageBox.Icon, text: str, detail: str = "") -> QMessageBox:
    """A message box that does not block (``open``): the lane's answers keep arriving behind it; it deletes
    itself once answered."""
    box = QMessageBox(kind, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("offline-message")
    if detail:
        box.setInformativeText(detail)
    box.finished.connect(box.deleteLater)
    box.open()
    return box


#: What a check-in did, counted, in the words of the desk (one, many); zero counts are left out.
_COUNTS = (
    ("updated", "story updated", "stories updated"),
    ("created", "new story", "new stories"),
    ("copies", "losing version kept as a copy", "losing versions kept as copies"),
    ("deleted", "story deleted", "stories deleted"),
    (
        "former",
        "story moved to 'previously in editor's choice'",
        "stories moved to 'previously in editor's choice'",
    ),
    ("pictures", "picture brought along", "pictures brought along"),
)


def checked_in_text(title: str, result: CheckinResult) -> str:
    """ "“Central Asia” is back from the laptop: 2 stories updated, 1 new story." (or what a rerun did)."""
    applied = result.applied
    if applied is None:
        return f"“{title}” had been brought back already; the laptop desk is now marked as checked in."
    parts = [
        f"{count} {one if count == 1 else many}"
        for name, one, many in _COUNTS
        if (count := int(getattr(applied, name)))
    ]
    return f"“{title}” is back from the laptop: {', '.join(parts) or 'no story changed'}."


def story_titles(outcome: MergeOutcome) -> dict[str, str]:
    """Each story key's title, mine over theirs over base (what the person wrote last)."""
    titles: dict[str, str] = {}
    for side in (outcome.base, outcome.theirs, outcome.mine):
        for key, fields in side.stories.items():
            titles[key] = str(fields.get("title", key))
    return titles


def touched_story_ids(outcome: MergeOutcome | None, choices: dict[str, Side]) -> set[int]:
    """The shared desk's stories a check-in with ``choices`` changes, deletes or brings back (by id): the
    result's stories that differ from theirs and theirs' that the result drops. The ids new stories get
    are only known once written (``Applied.created_ids``)."""
    if outcome is None:
        return set()
    result = resolve(outcome, choices).result
    theirs = outcome.theirs.stories
    keys = {
        key for key, fields in result.stories.items() if key not in theirs or not same(fields, theirs[key])
    }
    keys |= set(theirs) - set(result.stories)
    return {int(key[1:]) for key in keys if key[:1] in ("s", "t")}
