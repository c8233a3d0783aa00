"""The checklist pane: the findings of ``services.checks`` for the section, refreshed as the desk changes.

Checks run on a worker thread (the archive part reads the whole exported set), a moment after the last
change the desk's broadcast names (stories, blocks, statuses; several changes in a row make one run).
Activating a finding selects its slot in editor's choice, or opens its story. A photo finding
(``Finding.fix``) also enables the Fix button, which opens the place to fix it: the story's image field in
the editor, or the slot's override form (``fix_requested``).
Hints (a photo with no focal point) are listed after errors and warnings, with their own blue icon.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.changes import Change
from ca_editor.domain.checklist import CheckReport, Finding, FixPlace, Severity
from ca_editor.domain.errors import CaEditorError
from ca_editor.ui.background import Lane
from ca_editor.ui.desk import Desk
from ca_editor.ui.icons import icon

DEBOUNCE_MS = 400
FINDING_ROLE = Qt.ItemDataRole.UserRole


class ChecklistPane(QWidget):
    slot_requested = Signal(int)  # 1-based position: select this slot
    story_requested = Signal(int)  # story id: open this story
    fix_requested = Signal(object)  # Finding with a ``fix``: open the place that fixes it
    checked = Signal(object)  # CheckReport: a run finished (tests and the window title may follow it)

    def __init__(self, desk: Desk, parent: QWidget | None = None, *, start: bool = True) -> None:
        """``start=False``: the first run waits for ``schedule()`` (the desk window's, after its paint)."""
        super().__init__(parent)
        self.setObjectName("checklist-pane")
        self.setAccessibleName("Checklist")
        self._desk = desk
        self._services = desk.services
        self.report: CheckReport | None = None
        self._generation = 0

        self.summary = QLabel("Checking…")
        self.summary.setObjectName("checklist-summary")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Checklist summary")
        self.refresh_button = QToolButton()
        self.refresh_button.setIcon(icon("refresh"))
        self.refresh_button.setToolTip("Run the checks again")
        self.refresh_button.setAccessibleName("Run the checks again")
        self.refresh_button.clicked.connect(self.refresh_now)
        self.list = QListWidget()
        self.list.setObjectName("checklist-findings")
        self.list.setAccessibleName("Checklist findings")
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.itemActivated.connect(self._activate)
        self.list.itemClicked.connect(self._activate)
        self.list.currentItemChanged.connect(self._update_fix_button)
        self.fix_button = QPushButton(icon("fix"), "Fix…")
        self.fix_button.setObjectName("checklist-fix")
        self.fix_button.clicked.connect(self.fix_current)
        hint = QLabel("Errors stop the export unless you give a reason; warnings do not; hints suggest.")
        hint.setWordWrap(True)
        hint.setEnabled(False)

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        fix_row = QHBoxLayout()  # a row of its own: beside the wrapped hint the button was squeezed
        fix_row.addStretch(1)
        fix_row.addWidget(self.fix_button)
        layout.addLayout(fix_row)
        layout.addWidget(hint)
        self._update_fix_button()

        self._lane = Lane(self, "checklist", latest_only=True)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh_now)
        desk.changed.connect(self._desk_changed)
        if start:
            self.schedule()

    def _desk_changed(self, change: Change) -> None:
        # The checks read the block and every story the export writes: any story or layout change counts;
        # a sign-off or an export alone changes nothing they look at.
        if change.everything or change.story_ids or change.layout_section_ids or change.statuses:
            self.schedule()

    def schedule(self, *_args: object) -> None:
        """Run the checks a moment from now; every call before then restarts the wait."""
        self._timer.start()

    def refresh_now(self) -> None:
        self._timer.stop()
        self._generation += 1
        self.summary.setText("Checking…")
        generation, section_id, variant_id = self._generation, self._desk.section_id, self._desk.variant_id
        self._lane.submit(
            lambda _task: self._services.checks.run(section_id, variant_id=variant_id),  # the layout edited
            done=lambda report: self._show(generation, report),
            failed=lambda exc: self._show(generation, _why_not(exc)),
        )

    def wait_idle(self, timeout_s: float = 30.0) -> None:
        """Block until the runs asked for so far have finished (tests; shutting down)."""
        self._lane.wait_idle(timeout_s)

    def _show(self, generation: int, outcome: object) -> None:
        if generation != self._generation:
            return  # a newer run was asked for; its answer follows
        self.list.clear()
        if not isinstance(outcome, CheckReport):
            self.report = None
            self.summary.setText(f"The checks could not run: {outcome}")
            return
        self.report = outcome
        errors, warnings, hints = len(outcome.errors), len(outcome.warnings), len(outcome.hints)
        if not outcome.findings:
            self.summary.setText("Ready to export: every check passed.")
        else:
            self.summary.setText(
                f"<b>{errors} error{'s' if errors != 1 else ''}</b>, "
                f"{warnings} warning{'s' if warnings != 1 else ''}"
                + (f", {hints} hint{'s' if hints != 1 else ''}" if hints else "")
                + (" — the export needs a reason to go ahead." if errors else " — the export can go ahead.")
            )
        for finding in sorted(outcome.findings, key=_order):
            self.list.addItem(_item(finding))
        self._update_fix_button()
        self.checked.emit(outcome)

    def fix_current(self) -> None:
        """Open the place that fixes the selected finding (its story's image field or its slot's form)."""
        item = self.list.currentItem()
        finding = item.data(FINDING_ROLE) if item is not None else None
        if isinstance(finding, Finding) and finding.fix is not None:
            self.fix_requested.emit(finding)

    def _update_fix_button(self, *_args: object) -> None:
        item = self.list.currentItem()
        finding = item.data(FINDING_ROLE) if item is not None else None
        place = finding.fix if isinstance(finding, Finding) else None
        self.fix_button.setEnabled(place is not None)
        text, tip = _FIX_TEXTS.get(
            place, ("Fix…", "Select a finding about a picture to open where it is fixed")
        )
        self.fix_button.setText(text)
        self.fix_button.setToolTip(tip)
        self.fix_button.setAccessibleName(tip)

    def _activate(self, item: QListWidgetItem) -> None:
        finding = item.data(FINDING_ROLE)
        if not isinstance(finding, Finding):
            return
        if finding.slot is not None and finding.slot <= len(self._desk.layout.slots):
            self.slot_requested.emit(finding.slot)
        elif finding.story_id is not None:
            self.story_requested.emit(finding.story_id)
        elif finding.slot is not None:
            self.slot_requested.emit(finding.slot)  # an empty slot: the pane shows the block


_FIX_TEXTS = {
    FixPlace.STORY_IMAGE: ("Fix: open the story's image", "Open the story's image field in the editor"),
    FixPlace.SLOT_IMAGE: ("Fix: open the slot's image", "Open the slot's page-only image in editor's choice"),
}
_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.HINT: 2}
_LOOK = {  # icon and word of each severity: a hint must not pass for a problem
    Severity.ERROR: ("problem_error", "Error"),
    Severity.WARNING: ("problem_warning", "Warning"),
    Severity.HINT: ("problem_hint", "Hint"),
}


def _why_not(exc: BaseException) -> str:
    """Why the checks could not run, for the summary line."""
    return str(exc) if isinstance(exc, CaEditorError) else f"unexpected error: {exc!r}"


def _order(finding: Finding) -> tuple[int, int]:
    return (_RANK[finding.severity], finding.slot or 10_000)


def _item(finding: Finding) -> QListWidgetItem:
    where = f"Slot {finding.slot}: " if finding.slot is not None else ""
    glyph, kind = _LOOK[finding.severity]
    item = QListWidgetItem(icon(glyph), where + finding.message)
    fix = " Fix opens where to change it." if finding.fix is not None else ""
    item.setToolTip(f"{kind} ({finding.code}). Click to go to it.{fix}")
    if finding.severity is Severity.HINT:
        font = item.font()
        font.setItalic(True)  # set apart from the problems above it, in shape as well as colour
        item.setFont(font)
    item.setData(FINDING_ROLE, finding)
    item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{kind}: {where}{finding.message}")
    return item
