"""Export from the window: a background job, a cancellable progress dialog, then the result.

The export itself is atomic (built beside the target, swapped in by rename), so cancelling or failing at any
point leaves the previous bundle exactly as it was; this module only has to ask, show and report. It runs on
a ``ui.background.Lane``. The export runs the pre-export checklist first: when it has errors the service
refuses, and the flow asks (``OverrideDialog``) whether to export anyway, with a reason the manifest records,
or to cancel.

*File › Export all sections…* takes the same road with ``every_section``: ``services.export_all`` writes
every live section into one bundle; a section whose checklist refuses it is named in the question and the
result lists where each section's page is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from ca_editor.domain.checklist import CheckReport
from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.release import Release, ReleaseBlockedError
from ca_editor.export.bundle import ExportCancelledError
from ca_editor.export.manifest import Manifest
from ca_editor.services.container import Services
from ca_editor.ui.background import Lane, Task
from ca_editor.ui.checks.gate import OverrideDialog

#: What the flow asks when the checklist has errors: (reason, include unapproved), or None to cancel.
AskOverride = Callable[[QWidget, CheckReport], tuple[str, bool] | None]


def ask_override(parent: QWidget, report: CheckReport, section: str = "") -> tuple[str, bool] | None:
    dialog = OverrideDialog(report, parent)
    if section:  # an "export all" bundle: say whose checklist refused it
        dialog.setWindowTitle(f"The checklist of section '{section}' has errors")
    if dialog.exec() != OverrideDialog.DialogCode.Accepted:
        return None
    return dialog.reason_text, dialog.include_unapproved


class ExportWorker(QObject):
    """One export on a ``ui.background.Lane``: its outcome reaches the window's thread, then ``finished``."""

    progressed = Signal(int, int)  # done, total
    succeeded = Signal(object)  # Manifest
    failed = Signal(str)
    cancelled_by_user = Signal()
    blocked = Signal(object)  # CheckReport: the checklist has errors and no reason was given
    finished = Signal()  # after the outcome signal, like QThread.finished

    def __init__(
        self,
        services: Services,
        section_id: int,
        folder: Path,
        release: Release | None = None,
        cancel_event: threading.Event | None = None,
        every_section: bool = False,
    ) -> None:
        super().__init__()
        self.services = services
        self.section_id = section_id
        self.folder = folder
        self.release = release or Release()
        self.cancel_event = cancel_event or threading.Event()
        self.every_section = every_section  # one bundle of every live section (``services.export_all``)
        self.blocked_section = ""  # the slug whose checklist refused an every-section bundle
        self._lane = Lane(self, "export")

    def start(self) -> None:
        self._lane.submit(
            self._export, done=self._succeeded, failed=self._failed, progress=self.progressed.emit
        )

    def wait(self, ms: int | None = None) -> bool:
        """Block until the export has run (its outcome then arrives with the event loop); False on timeout."""
        return self._lane.wait_idle(None if ms is None else ms / 1000)

    def _export(self, task: Task) -> Manifest:  # on the lane's thread
        if self.every_section:
            from ca_editor.services.export_all import export_all

            return export_all(
                self.services.exports,
                self.folder,
                progress=task.report,
                cancelled=self.cancel_event.is_set,
                release=self.release,
            )
        return self.services.exports.export(
            self.section_id,
            self.folder,
            progress=task.report,
            cancelled=self.cancel_event.is_set,
            release=self.release,
        )

    def _succeeded(self, manifest: Manifest) -> None:
        self.succeeded.emit(manifest)
        self.finished.emit()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ReleaseBlockedError):
            self.blocked_section = exc.section_slug
            self.blocked.emit(exc.report)
        elif isinstance(exc, ExportCancelledError):
            self.cancelled_by_user.emit()
        elif isinstance(exc, CaEditorError):
            self.failed.emit(str(exc))
        else:  # a worker must report, never die silently
            self.failed.emit(f"unexpected error: {exc!r}")
        self.finished.emit()


class ExportFlow:
    """Runs one export with its dialogs; ``outcome`` is 'done', 'cancelled' or 'failed' once it finishes."""

    def __init__(
        self,
        parent: QWidget,
        services: Services,
        section_id: int,
        folder: Path,
        release: Release | None = None,
        *,
        every_section: bool = False,
    ) -> None:
        self.parent = parent
        self.services = services
        self.section_id = section_id
        self.folder = folder
        self.every_section = every_section
        self.what = "every live section" if every_section else "the section"
        self.outcome: str | None = None  # 'done', 'cancelled', 'failed' or 'blocked'
        self.message = ""
        self.manifest: object | None = None
        self.blocked_report: CheckReport | None = None
        self.ask_override: AskOverride = lambda parent, report: ask_override(  # tests answer instead
            parent, report, self.worker.blocked_section
        )
        self.dialog = QProgressDialog(f"Checking, then exporting {self.what}…", "Cancel", 0, 0, parent)
        self.dialog.setWindowTitle("Export")
        self.dialog.setAccessibleName("Export progress")
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self._cancel)
        self.worker = self._worker(release or Release(), None)
        self.result_box: QMessageBox | None = None
        self.show_result = True

    def _worker(self, release: Release, cancel_event: threading.Event | None) -> ExportWorker:
        worker = ExportWorker(
            self.services, self.section_id, self.folder, release, cancel_event, self.every_section
        )
        worker.progressed.connect(self._progress)
        worker.succeeded.connect(self._succeeded)
        worker.failed.connect(self._failed)
        worker.cancelled_by_user.connect(self._cancelled)
        worker.blocked.connect(self._blocked)
        worker.finished.connect(self.dialog.reset)
        return worker

    def start(self) -> None:
        self.dialog.show()
        self.worker.start()

    def wait(self, ms: int = 60_000) -> bool:
        return self.worker.wait(ms)

    def _blocked(self, report: CheckReport) -> None:
        """The checklist has errors: export anyway with a reason, or stop here (nothing was written)."""
        self.dialog.reset()
        self.worker.wait()  # it has reported; let it finish before another one starts
        self.blocked_report = report
        answer = self.ask_override(self.parent, report)
        if answer is None:
            count = len(report.errors)
            whose = f" of section '{self.worker.blocked_section}'" if self.worker.blocked_section else ""
            self.outcome = "blocked"
            self.message = (
                f"Not exported: the checklist{whose} has {count} error{'s' if count != 1 else ''}. "
                "The previous bundle is untouched."
            )
            if isinstance(self.parent, QWidget) and hasattr(self.parent, "statusBar"):
                self.parent.statusBar().showMessage(self.message, 8000)
            return
        reason, include_unapproved = answer
        release = Release(override_reason=reason, include_unapproved=include_unapproved)
        self.worker = self._worker(release, self.worker.cancel_event)
        self.dialog.setLabelText(f"Exporting {self.what}…")
        self.dialog.show()
        self.worker.start()

    def _cancel(self) -> None:
        self.dialog.setLabelText("Cancelling; the previous bundle stays as it was…")
        self.worker.cancel_event.set()

    def _progress(self, done: int, total: int) -> None:
        if self.worker.cancel_event.is_set():
            return
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)
        self.dialog.setLabelText(f"Exporting {self.what}… {done:,} of {total:,} files")

    def _succeeded(self, manifest: object) -> None:
        self.outcome, self.manifest = "done", manifest
        files = len(getattr(manifest, "files", {}))
        problems = list(getattr(manifest, "problems", ()))
        self.message = f"{files:,} files written to {self.folder}."
        sections = list(getattr(manifest, "sections", ()))
        if self.every_section and sections:  # where each section's page is, as the CLI prints it
            pages = "\n".join(f"• {entry['heading']}: {entry['page']}" for entry in sections)
            self.message += f"\n\n{len(sections)} sections, one bundle:\n{pages}"
        box = QMessageBox(QMessageBox.Icon.Information, "Export finished", self.message, parent=self.parent)
        release = manifest.release if isinstance(manifest, Manifest) else None
        notes = _release_notes(release) if release is not None else []
        if problems or notes:
            box.setIcon(QMessageBox.Icon.Warning)
            lines = notes + problems
            box.setInformativeText(
                f"{len(lines)} thing(s) worth a look before handing it over:\n• " + "\n• ".join(lines)
            )
        open_button = box.addButton("Open folder", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        self._finish(box, open_button)

    def _failed(self, message: str) -> None:
        self.outcome, self.message = "failed", f"The export failed: {message}"
        box = QMessageBox(QMessageBox.Icon.Critical, "Export failed", self.message, parent=self.parent)
        box.setInformativeText("The previous bundle in that folder, if any, is untouched.")
        box.addButton(QMessageBox.StandardButton.Close)
        self._finish(box, None)

    def _cancelled(self) -> None:
        self.outcome, self.message = "cancelled", "Export cancelled; the previous bundle is untouched."
        if isinstance(self.parent, QWidget) and hasattr(self.parent, "statusBar"):
            self.parent.statusBar().showMessage(self.message, 8000)
        self.dialog.reset()

    def _finish(self, box: QMessageBox, open_button: object) -> None:
        self.dialog.reset()
        self.result_box = box
        if not self.show_result:
            return
        box.exec()
        if open_button is not None and box.clickedButton() is open_button:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))


def _release_notes(release: Release) -> list[str]:
    """What the web team should hear about the release: override, unapproved stories, warnings, sign-off."""
    notes = []
    if release.overridden and release.checks is not None:
        notes.append(
            f"Exported despite {len(release.checks.errors)} checklist error(s); reason recorded in the "
            f"manifest: “{release.reason}”"
        )
    for slot in release.unapproved:
        fate = "included as it is" if slot.included else "left off the page"
        notes.append(f"Slot {slot.slot}: “{slot.title}” is {slot.status}, not approved: {fate}")
    if release.checks is not None and release.checks.warnings:
        notes.append(f"{len(release.checks.warnings)} checklist warning(s); see the Checklist pane")
    if release.sign_off is None:
        notes.append("No sign-off is recorded for this layout")
    elif release.sign_off.changed_since:
        notes.append(f"The layout changed since {release.sign_off.by} signed it off")
    return notes
