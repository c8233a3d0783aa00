"""The layout history pane: every sign-off, send-back and export as a snapshot; compare and restore.

Select one snapshot to compare it with the layout now, two to compare them with each other (older first).
"Restore this layout" makes the block what the snapshot recorded (its slots and their page-only edits;
story texts stay as they are now) as one undoable step through the desk. Stories deleted since are left
out after the user agreed to it, by name; a snapshot that cannot fit the block now (more stories than
slots) or whose stories are all gone is refused with the reason, and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.changes import Change
from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.snapshots import LayoutSnapshot, SnapshotKind
from ca_editor.ui.desk import Desk
from ca_editor.ui.errors import report
from ca_editor.ui.history.model import SnapshotListModel
from ca_editor.ui.icons import icon
from ca_editor.ui.review.common import describe, with_note
from ca_editor.ui.review.diff_view import DiffView

#: (title, text) -> the user agreed. Tests replace it; the default asks with a message box.
Confirm = Callable[[str, str], bool]
#: (title, text): tell the user why nothing happened.
Inform = Callable[[str, str], None]

HINT = "Select one snapshot to compare it with the layout now, or two to compare them."
NO_SNAPSHOTS = "No snapshots yet: every sign-off, send-back and export will keep one here."

_PAST = {
    SnapshotKind.SIGN_OFF: "signed off",
    SnapshotKind.SEND_BACK: "sent back",
    SnapshotKind.EXPORT: "exported",
}


class LayoutHistoryPane(QWidget):
    restored = Signal(object)  # LayoutSnapshot: the block was made what it recorded

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.services = desk.services
        self.setAccessibleName("Layout history")
        self.confirm: Confirm = self._ask
        self.inform: Inform = self._tell

        self.model = SnapshotListModel(self)
        self._build_snapshot_list()
        buttons = self._build_buttons()
        self.hint = QLabel(HINT)
        self.hint.setWordWrap(True)
        self.diff_view = DiffView()
        self.diff_view.setAccessibleName("Comparison")
        self.diff_view.show_diff(None, "")
        self._lay_out(buttons)

        self._loaded = False
        self._listed_variant: int | None = None  # whose history is listed: the main layout or a variant
        self._update_buttons()
        # A comparison with "the layout now" follows the desk: moves, edits, a restore and its undo.
        self._compared: tuple[LayoutSnapshot, LayoutSnapshot | None] | None = None
        self._recompare = QTimer(self, singleShot=True, interval=0)
        self._recompare.timeout.connect(self._compare_again)
        desk.changed.connect(self._desk_changed)

    def _build_snapshot_list(self) -> None:
        """The table of snapshots: whole rows, several at once, double-click compares."""
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Layout snapshots")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.doubleClicked.connect(lambda _index: self.compare())

    def _build_buttons(self) -> QHBoxLayout:
        """Compare and Restore on the left, Refresh on the right."""
        self.compare_button = QPushButton(icon("slot_move_to"), "&Compare")
        self.compare_button.setToolTip(
            "One snapshot selected: compare it with the layout now; two: with each other"
        )
        self.compare_button.clicked.connect(self.compare)
        self.restore_button = QPushButton(icon("slot_put_back"), "&Restore this layout")
        self.restore_button.setToolTip(
            "Make the slots and their page-only edits what this snapshot recorded (one undoable step); "
            "story texts stay as they are"
        )
        self.restore_button.clicked.connect(self.restore)
        self.refresh_button = QPushButton(icon("refresh"), "Re&fresh")
        self.refresh_button.clicked.connect(self.refresh)
        buttons = QHBoxLayout()
        buttons.addWidget(self.compare_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        return buttons

    def _lay_out(self, buttons: QHBoxLayout) -> None:
        """The list, its buttons and the hint above; the comparison below, in a vertical splitter."""
        top = QWidget()
        top_box = QVBoxLayout(top)
        top_box.setContentsMargins(0, 0, 0, 0)
        top_box.addWidget(self.view)
        top_box.addLayout(buttons)
        top_box.addWidget(self.hint)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.diff_view)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([260, 400])
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addWidget(splitter)

    # --- reading -------------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        if not self._loaded:
            self.refresh()  # read on first show, not at window start-up
        super().showEvent(event)

    def refresh(self) -> None:
        """Re-read the snapshots, keeping the selection on the same ones."""
        kept = [s.id for s in self.selected()]
        try:
            # The layout the desk edits: the main one or a scheduled variant (each has its own history).
            snapshots = self.services.snapshots.list(self.desk.section_id, variant_id=self.desk.variant_id)
        except CaEditorError as exc:
            self.hint.setText(f"Could not read the layout history: {exc}")
            return
        self._loaded = True
        self._listed_variant = self.desk.variant_id
        self.model.set_snapshots(snapshots)
        self.select(kept)
        self.hint.setText(HINT if snapshots else NO_SNAPSHOTS)

    def selected(self) -> list[LayoutSnapshot]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [s for s in (self.model.snapshot_at(r) for r in rows) if s is not None]

    def select(self, snapshot_ids: list[int]) -> None:
        selection = self.view.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for snapshot_id in snapshot_ids:
            row = self.model.row_of(snapshot_id)
            if row is not None:
                selection.select(self.model.index(row, 0), flags)
        self._update_buttons()

    def _selection_changed(self, *_: object) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        count = len(self.selected()) if self._loaded else 0
        self.compare_button.setEnabled(count in (1, 2))
        self.restore_button.setEnabled(count == 1)
        if count == 1:
            self.compare_button.setText("&Compare with now")
        else:
            self.compare_button.setText("&Compare")

    # --- actions -------------------------------------------------------------------------------------------

    def compare(self) -> None:
        chosen = self.selected()
        if len(chosen) == 1:
            self._show_comparison(chosen[0], None)
        elif len(chosen) == 2:
            older, newer = sorted(chosen, key=lambda s: (s.taken_at, s.id))
            self._show_comparison(older, newer)

    def _show_comparison(self, older: LayoutSnapshot, newer: LayoutSnapshot | None) -> None:
        """Show ``older`` against ``newer`` (``None``: the layout now, re-compared as the desk changes it)."""
        try:
            if newer is None:
                diff = self.services.review.compare(older.id)
                intro = f"From: {with_note(older, 80)}\nTo: the layout now"
            else:
                diff = self.services.review.compare(older.id, newer.id)
                intro = f"From: {with_note(older, 80)}\nTo: {with_note(newer, 80)}"
        except CaEditorError as exc:
            self._compared = None
            self.inform("Could not compare", str(exc))
            return
        self._compared = (older, newer)
        self.diff_view.show_diff(diff, intro)

    def _desk_changed(self, change: Change) -> None:
        if change.snapshots or (self._loaded and self._listed_variant != self.desk.variant_id):
            self.refresh()  # a sign-off, send-back or export added a snapshot, or another layout is edited
        layout_now = self.desk.layout.story_ids()
        named = change.names_layout(self.desk.section_id) or change.names_any_story(set(layout_now))
        if named and self._compared is not None and self._compared[1] is None:
            self._recompare.start()  # "the layout now" differs: compare again, once per step

    def _compare_again(self) -> None:
        if self._compared is not None and self._compared[1] is None:
            self._show_comparison(self._compared[0], None)

    def restore(self) -> bool:
        chosen = self.selected()
        if len(chosen) != 1:
            return False
        try:
            plan = self.services.review.plan_restore(chosen[0].id)
        except CaEditorError as exc:
            self.inform("Could not restore the layout", str(exc))
            return False
        name = describe(plan.snapshot)
        if not plan.possible:
            self.inform("Could not restore the layout", f"{name}: {plan.problem}. Nothing was changed.")
            return False
        if plan.entries == self.desk.layout.entries():
            self.inform("Restore the layout", "The layout is already as it was then; nothing to restore.")
            return False
        if plan.missing or plan.images_dropped:
            lines = []
            if plan.missing:
                titles = "\n".join(f"• {s.title}" for s in plan.missing)
                lines.append(
                    f"{len(plan.missing)} of its stories no longer exist and will be left out:\n{titles}"
                )
            if plan.images_dropped:
                lines.append(
                    f"{plan.images_dropped} page-only image(s) are no longer stored; those slots will show "
                    "the story's own image."
                )
            text = "\n\n".join(lines) + "\n\nRestore the rest? You can undo it."
            if not self.confirm("Restore the layout", text):
                return False
        undo_text = f"Restore the layout {_PAST[plan.snapshot.kind]} by {plan.snapshot.taken_by}"
        try:
            if not self.desk.restore_layout(plan.entries, undo_text):
                return False
        except CaEditorError as exc:
            report(self, exc)
            return False
        self.restored.emit(plan.snapshot)
        return True

    # --- dialogs -------------------------------------------------------------------------------------------

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            self,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _tell(self, title: str, text: str) -> None:
        QMessageBox.information(self, title, text)
