"""Reading and writing an import off the window's thread, each with progress and a cancel flag.

Reading (parse, convert, plan) writes nothing, so a cancel just drops it. Writing runs in one transaction
that a cancel or an error rolls back whole. Either worker reports exactly one of its outcome signals, then
``finished``; all of them arrive on the window's thread (the job runs on a ``ui.background.Lane``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ca_editor.domain.errors import CaEditorError
from ca_editor.services.container import Services
from ca_editor.services.importing import ImportCancelledError, ImportPlan
from ca_editor.ui.background import Lane, Task


class _Worker(QObject):
    progressed = Signal(int, int)  # done, total
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled_by_user = Signal()
    finished = Signal()  # after the outcome signal, like QThread.finished

    def __init__(self) -> None:
        super().__init__()
        self.cancel_event = threading.Event()
        self._lane = Lane(self, "import")
        self._task: Task | None = None

    def start(self) -> None:
        self._task = self._lane.submit(
            lambda _task: self._job(),
            done=self._succeeded,
            failed=self._failed,
            progress=self.progressed.emit,
        )

    def is_running(self) -> bool:
        """Started and its outcome not yet delivered."""
        return self._lane.busy()

    def wait(self, ms: int | None = None) -> bool:
        """Block until the job has run (its outcome then arrives with the event loop); False on timeout."""
        return self._lane.wait_idle(None if ms is None else ms / 1000)

    def _job(self) -> object:
        raise NotImplementedError

    def _progress(self, done: int, total: int) -> None:  # on the worker thread
        if self._task is not None:
            self._task.report(done, total)

    def _succeeded(self, result: object) -> None:
        self.succeeded.emit(result)
        self.finished.emit()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ImportCancelledError):
            self.cancelled_by_user.emit()
        elif isinstance(exc, CaEditorError):
            self.failed.emit(str(exc))
        else:  # a worker must report, never die silently
            self.failed.emit(f"unexpected error: {exc!r}. Nothing was imported.")
        self.finished.emit()


class PreviewWorker(_Worker):
    """Reads the chosen files and plans the import; ``succeeded`` carries the ``ImportPlan``."""

    def __init__(self, services: Services, paths: Sequence[Path]) -> None:
        super().__init__()
        self.services = services
        self.paths = list(paths)

    def _job(self) -> object:
        # Invalid entries are listed in the plan, not a failure: the person may choose to skip them.
        return self.services.imports.preview(
            self.paths, progress=self._progress, cancelled=self.cancel_event.is_set, skip_invalid=True
        )


class ApplyWorker(_Worker):
    """Writes a plan in one transaction; ``succeeded`` carries the ``ImportReport``."""

    def __init__(self, services: Services, plan: ImportPlan, *, skip_invalid: bool = False) -> None:
        super().__init__()
        self.services = services
        self.plan = plan
        self.skip_invalid = skip_invalid  # the person chose to leave the plan's invalid entries out

    def _job(self) -> object:
        return self.services.imports.apply(
            self.plan,
            progress=self._progress,
            cancelled=self.cancel_event.is_set,
            skip_invalid=self.skip_invalid,
        )
