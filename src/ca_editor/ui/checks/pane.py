"""The checklist pane: the findings of ``services.checks`` for the section, refreshed as the desk changes.

Checks run on a worker thread (the archive part reads the whole exported set), a moment after the last
change (several signals of one step make one run). Activating a finding selects its slot in editor's
choice, or opens its story.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.checklist import CheckReport, Finding, Severity
from ca_editor.domain.errors import CaEditorError
from ca_editor.ui.desk import Desk
from ca_editor.ui.icons import icon

DEBOUNCE_MS = 400
FINDING_ROLE = Qt.ItemDataRole.UserRole


class ChecklistPane(QWidget):
    slot_requested = Signal(int)  # 1-based position: select this slot
    story_requested = Signal(int)  # story id: open this story
    checked = Signal(object)  # CheckReport: a run finished (tests and the window title may follow it)
    _finished = Signal(int, object)  # generation, CheckReport | str: from the worker thread

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
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
        hint = QLabel("Errors stop the export unless you give a reason; warnings do not.")
        hint.setWordWrap(True)
        hint.setEnabled(False)

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addWidget(hint)

        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="checklist")
        self.destroyed.connect(lambda: self._pool.shutdown(wait=False, cancel_futures=True))
        self._finished.connect(self._show)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh_now)
        desk.layout_changed.connect(self.schedule)
        desk.stories_changed.connect(self.schedule)
        desk.story_saved.connect(self.schedule)
        desk.story_removed.connect(self.schedule)
        self.schedule()

    def schedule(self, *_args: object) -> None:
        """Run the checks a moment from now; every call before then restarts the wait."""
        self._timer.start()

    def refresh_now(self) -> None:
        self._timer.stop()
        self._generation += 1
        self.summary.setText("Checking…")
        self._pool.submit(self._run, self._generation, self._desk.section_id)

    def wait_idle(self, timeout_s: float = 30.0) -> None:
        """Block until the runs asked for so far have finished (tests; shutting down)."""
        self._pool.submit(lambda: None).result(timeout=timeout_s)

    def _run(self, generation: int, section_id: int) -> None:
        outcome: CheckReport | str
        try:
            outcome = self._services.checks.run(section_id)
        except CaEditorError as exc:
            outcome = str(exc)
        except Exception as exc:  # a worker must report, never die silently
            outcome = f"unexpected error: {exc!r}"
        with contextlib.suppress(RuntimeError):  # the pane is gone
            self._finished.emit(generation, outcome)  # queued to the GUI thread

    def _show(self, generation: int, outcome: object) -> None:
        if generation != self._generation:
            return  # a newer run was asked for; its answer follows
        self.list.clear()
        if not isinstance(outcome, CheckReport):
            self.report = None
            self.summary.setText(f"The checks could not run: {outcome}")
            return
        self.report = outcome
        errors, warnings = len(outcome.errors), len(outcome.warnings)
        if not outcome.findings:
            self.summary.setText("Ready to export: every check passed.")
        else:
            self.summary.setText(
                f"<b>{errors} error{'s' if errors != 1 else ''}</b>, "
                f"{warnings} warning{'s' if warnings != 1 else ''}"
                + (" — the export needs a reason to go ahead." if errors else " — the export can go ahead.")
            )
        for finding in sorted(outcome.findings, key=_order):
            self.list.addItem(_item(finding))
        self.checked.emit(outcome)

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


def _order(finding: Finding) -> tuple[int, int]:
    return (0 if finding.severity is Severity.ERROR else 1, finding.slot or 10_000)


def _item(finding: Finding) -> QListWidgetItem:
    where = f"Slot {finding.slot}: " if finding.slot is not None else ""
    item = QListWidgetItem(
        icon("problem_error" if finding.severity is Severity.ERROR else "problem_warning"),
        where + finding.message,
    )
    kind = "Error" if finding.severity is Severity.ERROR else "Warning"
    item.setToolTip(f"{kind} ({finding.code}). Click to go to it.")
    item.setData(FINDING_ROLE, finding)
    item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{kind}: {where}{finding.message}")
    return item
