"""Import stories: choose feeds, JSON Lines files or a Markdown folder, see the plan, then import or not.

Nothing is written until Import is pressed. Entries that fail their checks are listed under the plan, and
the import writes nothing unless the person ticks "Skip the N invalid entries". Reading and writing run on
worker threads behind a progress dialog whose Cancel drops the preview or rolls the whole import back.
After an import the desk re-reads everything, so every pane shows the new stories. Imports are not
undoable steps: the write is one transaction, and the preview is where the decision is made.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressDialog,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.changes import Origin
from ca_editor.domain.errors import CaEditorError
from ca_editor.services.importing import Action, ImportPlan, ImportReport
from ca_editor.ui.desk import Desk
from ca_editor.ui.icons import icon
from ca_editor.ui.importing.model import PlanModel
from ca_editor.ui.importing.workers import ApplyWorker, PreviewWorker, _Worker

SHOW_PROGRESS_MS = 400  # small imports finish before the progress dialog would flash

#: Reads that were cancelled or left behind while still parsing (feedparser cannot be interrupted): kept
#: referenced until they finish, and waited for at exit. They write nothing.
_LEFT_BEHIND: set[_Worker] = set()


@atexit.register
def _wait_for_reads_left_behind() -> None:  # before Python tears down the Qt objects
    for worker in list(_LEFT_BEHIND):
        worker.wait()


FILE_FILTER = (
    "Stories (*.xml *.rss *.atom *.jsonl *.ndjson *.md *.markdown);;RSS and Atom feeds (*.xml *.rss *.atom);;"
    "JSON Lines (*.jsonl *.ndjson);;Markdown (*.md *.markdown);;All files (*)"
)


class ImportDialog(QDialog):
    """``state``: 'empty', 'reading', 'ready', 'failed', 'writing', 'done' or 'cancelled'."""

    def __init__(self, desk: Desk, folder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.folder = folder  # where the file dialogs open; the last folder used after a choice
        self.state = "empty"
        self.message = ""
        self.plan: ImportPlan | None = None
        self.report: ImportReport | None = None
        self.before_write: Callable[[], None] | None = None  # e.g. a backup; a CaEditorError stops it
        self._paths: list[Path] = []
        self._worker: _Worker | None = None
        self._progress: QProgressDialog | None = None
        self._label = ""
        self.setWindowTitle("Import stories")
        self.setObjectName("import-dialog")
        self.resize(1100, 620)

        intro = QLabel(
            "Choose RSS or Atom feeds, JSON Lines files or a folder of Markdown files. Nothing is written "
            "until you press Import, and an import is all or nothing."
        )
        intro.setWordWrap(True)
        choose = self._build_source_row()
        self.model = PlanModel(self)
        self._build_plan_table()
        self._build_invalid_entries()
        self._build_outcome_labels()
        self._build_buttons()
        self._lay_out(intro, choose)

    def _build_source_row(self) -> QHBoxLayout:
        """Choose files, choose a folder, and what was chosen."""
        self.files_button = QPushButton(icon("import"), "Choose &files…")
        self.files_button.clicked.connect(self.choose_files)
        self.folder_button = QPushButton(icon("open_folder"), "Choose f&older…")
        self.folder_button.clicked.connect(self.choose_folder)
        self.source_label = QLabel("Nothing chosen yet.")
        self.source_label.setTextFormat(Qt.TextFormat.PlainText)
        choose = QHBoxLayout()
        choose.addWidget(self.files_button)
        choose.addWidget(self.folder_button)
        choose.addWidget(self.source_label, 1)
        return choose

    def _build_plan_table(self) -> None:
        """The plan, one row per entry, and the whole reason of the selected row under it."""
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("What the import will do")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab moves on to the buttons; arrows move between rows
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(PlanModel.REASON, QHeaderView.ResizeMode.Stretch)
        widths = (
            (PlanModel.ACTION, 90),
            (PlanModel.TITLE, 320),
            (PlanModel.SLUG, 280),
            (PlanModel.DATE, 140),
        )
        for column, width in widths:
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.detail_label = QLabel("Select a row to read the whole reason.")
        self.detail_label.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_label.setAccessibleName("The selected entry")

    def _build_invalid_entries(self) -> None:
        # Shown only when some entries failed their checks: they are listed, and the person may leave them
        # out (the default imports nothing, as the command line's without --skip-invalid).
        self.invalid_heading = QLabel("Invalid entries (file, line or entry, field: why):")
        self.invalid_heading.hide()
        self.invalid_list = QListWidget()
        self.invalid_list.setObjectName("import-invalid-entries")
        self.invalid_list.setAccessibleName("Invalid entries")
        self.invalid_list.setMaximumHeight(110)
        self.invalid_list.setWordWrap(True)
        self.invalid_list.hide()
        self.skip_invalid_box = QCheckBox()
        self.skip_invalid_box.setObjectName("import-skip-invalid")
        self.skip_invalid_box.toggled.connect(self._skip_invalid_toggled)
        self.skip_invalid_box.hide()

    def _build_outcome_labels(self) -> None:
        """The counts of the plan (bold) and what happened (hidden until there is something to say)."""
        self.counts_label = QLabel("")
        self.counts_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.counts_label.font()
        font.setBold(True)
        self.counts_label.setFont(font)
        self.message_label = QLabel("")
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)  # file names and titles are never markup
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()

    def _build_buttons(self) -> None:
        """Import (off until there is a plan to import) and Cancel."""
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setIcon(icon("import"))
        self.import_button.setEnabled(False)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.clicked.connect(self._import_clicked)
        self.close_button.clicked.connect(self.reject)

    def _lay_out(self, intro: QLabel, choose: QHBoxLayout) -> None:
        """One column, top to bottom; the plan takes the spare height."""
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(choose)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail_label)
        layout.addWidget(self.invalid_heading)
        layout.addWidget(self.invalid_list)
        layout.addWidget(self.skip_invalid_box)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)

    # --- choosing ----------------------------------------------------------------------------------------

    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Import stories from…", self.folder, FILE_FILTER)
        if names:
            self.load([Path(n) for n in names])

    def choose_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "Import the Markdown files in…", self.folder)
        if name:
            self.load([Path(name)])

    def load(self, paths: Sequence[Path]) -> None:
        """Read ``paths`` and plan the import on a worker; the table fills when it is done."""
        if self._busy():
            return
        self._paths = list(paths)
        first = self._paths[0]
        self.folder = str(first if first.is_dir() else first.parent)
        names = ", ".join(p.name or str(p) for p in self._paths[:3])
        more = f" and {len(self._paths) - 3} more" if len(self._paths) > 3 else ""
        self.source_label.setText(names + more)
        self._show_plan(None)
        self._say("")
        self.state = "reading"
        self._start(PreviewWorker(self.desk.services, self._paths), "Reading…", self._planned)

    # --- the plan ----------------------------------------------------------------------------------------

    def _planned(self, plan: object) -> None:
        assert isinstance(plan, ImportPlan)
        self.state = "ready"
        self._show_plan(plan)
        if plan.source.invalid:
            self._say_invalid()
        elif not plan.writes:
            self._say("Everything here is already on the desk; there is nothing to import.")

    def _row_changed(self, current: QModelIndex) -> None:
        if current.isValid():
            self.detail_label.setText(self.model.describe(current.row()))

    def _show_plan(self, plan: ImportPlan | None) -> None:
        self.plan = plan
        self.model.set_plan(plan)
        self.detail_label.setText("Select a row to read the whole reason." if plan and plan.entries else "")
        if plan is None:
            self.counts_label.setText("")
        else:
            title = f" '{plan.source.title}'" if plan.source.title else ""
            self.counts_label.setText(f"{plan.source.kind}{title}: {plan.summary()}")
        self.import_button.setText("&Import")
        self._show_invalid(plan)
        self.import_button.setEnabled(self._can_import())

    def _show_invalid(self, plan: ImportPlan | None) -> None:
        invalid = plan.source.invalid if plan is not None else ()
        self.invalid_list.clear()
        self.invalid_list.addItems([str(entry) for entry in invalid])
        self.invalid_list.setVisible(bool(invalid))
        self.invalid_heading.setVisible(bool(invalid))
        self.skip_invalid_box.blockSignals(True)
        self.skip_invalid_box.setChecked(False)  # every preview starts from "import nothing"
        self.skip_invalid_box.blockSignals(False)
        self.skip_invalid_box.setVisible(bool(invalid))
        if plan is not None and invalid:
            count, valid = len(invalid), len(plan.source.records)
            noun = "entry" if count == 1 else "entries"
            self.skip_invalid_box.setText(
                f"&Skip the {count:,} invalid {noun} and import the other {valid:,}"
            )

    def _skip_invalid_toggled(self) -> None:
        self.import_button.setEnabled(self._can_import())
        self._say_invalid()

    def _say_invalid(self) -> None:
        if self.plan is None or not self.plan.source.invalid:
            return
        count, total = len(self.plan.source.invalid), self.plan.source.entry_count
        verb = "is" if count == 1 else "are"
        if self.skip_invalid_box.isChecked():
            self._say(f"{count:,} of {total:,} entries {verb} invalid; Import leaves them out.")
        else:
            self._say(
                f"{count:,} of {total:,} entries {verb} invalid (listed above); nothing will be imported "
                "unless you skip them."
            )

    def _can_import(self) -> bool:
        plan = self.plan
        if plan is None or plan.writes == 0:
            return False
        return not plan.source.invalid or self.skip_invalid_box.isChecked()

    # --- importing ---------------------------------------------------------------------------------------

    def _import_clicked(self) -> None:
        if self.state in ("failed", "cancelled") and self.plan is None:
            self.load(self._paths)  # "Preview again"
            return
        if self.plan is None or self._busy():
            return
        try:
            if self.before_write is not None:
                self.before_write()
        except CaEditorError as exc:
            self._say(f"{exc}\n\nNothing was imported.")
            return
        self.state = "writing"
        self.import_button.setEnabled(False)
        worker = ApplyWorker(self.desk.services, self.plan, skip_invalid=self.skip_invalid_box.isChecked())
        self._start(worker, f"Importing {self.plan.writes:,} stories…", self._written)

    def updated_story_ids(self) -> frozenset[int]:
        """The stories the import changed (the window refreshes the one open in the editor)."""
        if self.report is None or self.plan is None:
            return frozenset()
        entries = self.plan.entries
        return frozenset(e.story_id for e in entries if e.action is Action.UPDATE and e.story_id is not None)

    def _written(self, report: object) -> None:
        assert isinstance(report, ImportReport)
        self.state, self.report = "done", report
        self.message = f"Imported from {report.source}: {report.summary()}."
        self.desk.reload(Origin.IMPORT)  # one broadcast naming everything: every pane re-reads
        self.accept()

    # --- workers -----------------------------------------------------------------------------------------

    def _start(self, worker: _Worker, label: str, done: Callable[[object], None]) -> None:
        self._worker = worker
        progress = QProgressDialog(label, "Cancel", 0, 0, self)
        progress.setWindowTitle("Import")
        progress.setAccessibleName("Import progress")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        # QProgressDialog shows itself only after 4 s when no value arrives (a feed is parsed in one
        # uninterruptible call before the first entry): show it ourselves, with its Cancel button.
        progress.setMinimumDuration(SHOW_PROGRESS_MS)
        QTimer.singleShot(SHOW_PROGRESS_MS, self, lambda: self._show_progress(progress))
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.canceled.connect(self.cancel)
        self._progress = progress
        self._label = label
        worker.progressed.connect(self._progressed)  # bound methods of this QObject: run on its thread
        worker.succeeded.connect(done)
        worker.failed.connect(self._failed)
        worker.cancelled_by_user.connect(self._cancelled)
        worker.finished.connect(self._finished)
        self.files_button.setEnabled(False)
        self.folder_button.setEnabled(False)
        worker.start()

    def _show_progress(self, progress: QProgressDialog) -> None:
        if progress is self._progress and self._busy():
            progress.show()

    def _progressed(self, done: int, total: int) -> None:
        progress = self._progress  # setValue on a modal dialog processes events: _finished may run inside
        if progress is None or self._worker is None or self._worker.cancel_event.is_set():
            return
        progress.setLabelText(f"{self._label} {done:,} of {total:,}")
        progress.setMaximum(total)
        progress.setValue(done)

    def cancel(self) -> None:
        if self._worker is None or not self._worker.is_running():
            return
        self._worker.cancel_event.set()
        if self.state == "reading":  # nothing is written: leave the read behind instead of waiting for it
            self._leave_behind()
            self._cancelled()
            self._finished()
        elif self._progress is not None:
            self._progress.setLabelText("Cancelling; nothing will be written…")

    def _leave_behind(self) -> None:
        worker = self._worker
        assert worker is not None
        self._worker = None
        for signal in (worker.progressed, worker.succeeded, worker.failed, worker.cancelled_by_user):
            signal.disconnect()
        worker.finished.disconnect()
        _LEFT_BEHIND.add(worker)
        worker.finished.connect(lambda: _LEFT_BEHIND.discard(worker))

    def _failed(self, message: str) -> None:
        writing = self.state == "writing"
        self.state = "failed"
        self._show_plan(None)
        if writing:  # the database may have moved on since the preview: read again before trying
            self.import_button.setText("&Preview again")
            self.import_button.setEnabled(True)
        self._say(message)

    def _cancelled(self) -> None:
        writing = self.state == "writing"
        self.state = "cancelled"
        if writing:  # the plan still stands: Import tries again
            self._say("Import cancelled; nothing was written.")
            self.import_button.setEnabled(self._can_import())
        else:
            self._show_plan(None)
            self._say("Reading cancelled; nothing was imported.")

    def _finished(self) -> None:
        if self._progress is not None:
            self._progress.reset()
            self._progress.deleteLater()
            self._progress = None
        self.files_button.setEnabled(True)
        self.folder_button.setEnabled(True)

    def _busy(self) -> bool:
        return self._worker is not None and self._worker.is_running()

    def wait(self, ms: int = 60_000) -> bool:
        """Wait for this dialog's worker (tests; shutting down), and for reads left behind."""
        workers = [w for w in (self._worker, *_LEFT_BEHIND) if w is not None]
        return all(w.wait(ms) for w in workers)

    def _say(self, text: str) -> None:
        self.message = text
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def reject(self) -> None:
        if self._busy():  # a read is left behind; a write is rolled back: wait so nothing half-done remains
            self.cancel()
            if self._busy():
                self.wait()
        super().reject()
