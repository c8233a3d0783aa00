"""Reading and writing an import off the window's thread, each with progress and a cancel flag.

Reading (parse, convert, plan) writes nothing, so a cancel just drops it. Writing runs in one transaction
that a cancel or an error rolls back whole. Either worker reports exactly one of its outcome signals.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QThread, Signal

from ca_editor.domain.errors import CaEditorError
from ca_editor.services.container import Services
from ca_editor.services.importing import ImportCancelledError, ImportPlan


class _Worker(QThread):
    progressed = Signal(int, int)  # done, total
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled_by_user = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.cancel_event = threading.Event()

    def _run(self, job: Callable[[], object]) -> None:
        try:
            result = job()
        except ImportCancelledError:
            self.cancelled_by_user.emit()
        except CaEditorError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a thread must report, never die silently
            self.failed.emit(f"unexpected error: {exc!r}. Nothing was imported.")
        else:
            self.succeeded.emit(result)

    def _progress(self, done: int, total: int) -> None:
        self.progressed.emit(done, total)


class PreviewWorker(_Worker):
    """Reads the chosen files and plans the import; ``succeeded`` carries the ``ImportPlan``."""

    def __init__(self, services: Services, paths: Sequence[Path]) -> None:
        super().__init__()
        self.services = services
        self.paths = list(paths)

    def run(self) -> None:
        # Invalid entries are listed in the plan, not a failure: the person may choose to skip them.
        self._run(
            lambda: self.services.imports.preview(
                self.paths, progress=self._progress, cancelled=self.cancel_event.is_set, skip_invalid=True
            )
        )


class ApplyWorker(_Worker):
    """Writes a plan in one transaction; ``succeeded`` carries the ``ImportReport``."""

    def __init__(self, services: Services, plan: ImportPlan, *, skip_invalid: bool = False) -> None:
        super().__init__()
        self.services = services
        self.plan = plan
        self.skip_invalid = skip_invalid  # the person chose to leave the plan's invalid entries out

    def run(self) -> None:
        self._run(
            lambda: self.services.imports.apply(
                self.plan,
                progress=self._progress,
                cancelled=self.cancel_event.is_set,
                skip_invalid=self.skip_invalid,
            )
        )
