"""The window's one way to run work off the UI thread: a ``Lane`` of jobs whose answers come back on it.

A pane that must not freeze while something slow runs (a count over a big search, the checklist, a
backup, an import or an export) owns a ``Lane``. ``lane.submit(job, done=..., failed=..., progress=...)``
runs ``job(task)`` on the lane's worker thread; ``done(result)``, ``failed(exception)`` and
``progress(done, total)`` are then called **on the UI thread**, in the order the job produced them, so
they may touch widgets. Exactly one of ``done`` and ``failed`` is called per job, unless the job is stale
(below) or the lane's owner is gone.

- **One at a time, in order.** A lane runs its jobs one after another on one thread: a checklist run never
  overlaps the previous one, and ``wait_idle()`` can wait for "everything asked so far".
- **Stale answers are dropped.** ``Lane(latest_only=True)`` is for as-you-type work (a count, a check, a
  slug lookup): submitting a job makes every earlier job of the lane stale. A stale job that has not
  started is skipped; one that is running is asked to stop (``task.cancelled()`` turns true) and whatever
  it reports afterwards is dropped, so an old query's answer never overwrites a newer one.
- **Cancel.** ``task.cancel()`` (or ``lane.cancel_all()``) sets the job's cancel flag; a job that can stop
  (an import, an export) polls ``task.cancelled`` and raises its own "cancelled" error, which arrives at
  ``failed`` like any other.
- **Crash safety.** Every exception a job raises reaches ``failed``; with no ``failed`` given it is logged
  with its traceback. A worker never dies silently. When the owner is destroyed the lane drops its
  queued jobs and the answers of the running one; the running job itself finishes (a write in one
  transaction is never cut short, and Python waits for it at exit).

Why a Python thread pool under a Qt signal rather than ``QThread``/``QThreadPool``: a ``QThreadPool``'s
destructor blocks until its jobs end (closing a pane would wait for a half-second count), and a
``QThread`` must outlive its run or Qt aborts the process. ``ThreadPoolExecutor`` threads need neither,
and the answers cross to the UI thread by a queued signal of a ``QObject`` living there, which is how Qt
hands data between threads.

Exactly two mechanisms run work in parallel in ca-editor, on purpose: this lane (UI layer, Qt, one job at
a time per owner), and the export's page workers (``services/rendering.py``: a *process* pool, no Qt,
because rendering thousands of pages is CPU work that threads would serialise on the GIL). Nothing else
starts threads.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

_lane_numbers = itertools.count(1)


class Task:
    """One submitted job, as the job and its submitter see it: cancel flag, staleness, progress."""

    def __init__(self, lane: Lane) -> None:
        self._lane = lane
        self._cancel = threading.Event()
        self._stale = False

    def cancel(self) -> None:
        """Ask the job to stop; what it reports afterwards still arrives (a cancel is an outcome too)."""
        self._cancel.set()

    def cancelled(self) -> bool:
        """True once cancelled or stale: a job that can stop early should poll this (thread-safe)."""
        return self._cancel.is_set()

    @property
    def stale(self) -> bool:
        """A newer job of a ``latest_only`` lane was submitted: nothing this one reports is delivered."""
        return self._stale

    def report(self, done: int, total: int) -> None:
        """Called by the job on its thread: ``progress(done, total)`` follows on the UI thread."""
        self._lane._send(self, "progress", (done, total))

    def _make_stale(self) -> None:
        self._stale = True
        self._cancel.set()


class Lane(QObject):
    """A queue of background jobs owned by ``parent``; see the module docstring."""

    _arrived = Signal(object, str, object)  # Task, "done" | "failed" | "progress", payload: to the UI thread

    def __init__(self, parent: QObject, name: str, *, latest_only: bool = False) -> None:
        super().__init__(parent)
        self.latest_only = latest_only
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{name}-{next(_lane_numbers)}")
        self._handlers: dict[Task, dict[str, Callable[..., None]]] = {}
        self._arrived.connect(self._deliver)
        executor, handlers = self._executor, self._handlers
        self.destroyed.connect(lambda: _retire(executor, handlers))  # must not touch self: it is gone

    def submit(
        self,
        job: Callable[[Task], Any],
        *,
        done: Callable[[Any], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Task:
        """Run ``job(task)`` after the lane's earlier jobs; answers reach the callbacks on the UI thread."""
        if self.latest_only:
            for earlier in self._handlers:
                earlier._make_stale()
        task = Task(self)
        handlers: dict[str, Callable[..., None]] = {"failed": failed or log_failure}
        if done is not None:
            handlers["done"] = done
        if progress is not None:
            handlers["progress"] = progress
        self._handlers[task] = handlers
        self._executor.submit(self._run, job, task)
        return task

    def cancel_all(self) -> None:
        """Set the cancel flag of every job not yet answered."""
        for task in list(self._handlers):
            task.cancel()

    def busy(self) -> bool:
        """Some job of this lane is queued, running, or its answer is on its way to the UI thread."""
        return bool(self._handlers)

    def wait_idle(self, timeout_s: float | None = 30.0) -> bool:
        """Block until every job submitted so far has run (tests; closing). False on timeout; None: no limit.

        Their answers are queued to the UI thread and arrive once the event loop runs again.
        """
        marker = self._executor.submit(lambda: None)
        try:
            marker.result(timeout=timeout_s)
        except TimeoutError:
            return False
        return True

    # ------------------------------------------------------------------------------------------ inside

    def _run(self, job: Callable[[Task], Any], task: Task) -> None:  # on the worker thread
        if task.stale:
            self._send(task, "skipped", None)
            return
        try:
            result = job(task)
        except Exception as exc:  # a worker must report, never die silently
            self._send(task, "failed", exc)
        else:
            self._send(task, "done", result)

    def _send(self, task: Task, kind: str, payload: object) -> None:  # on any thread
        with contextlib.suppress(RuntimeError):  # the owner, and this lane with it, is gone
            self._arrived.emit(task, kind, payload)  # queued: this lane lives on the UI thread

    def _deliver(self, task: Task, kind: str, payload: Any) -> None:  # on the UI thread
        handlers = self._handlers.get(task)
        if handlers is None:
            return
        if kind != "progress":
            del self._handlers[task]  # answered (or skipped): exactly one final call
        if task.stale:
            return
        handler = handlers.get(kind)
        if handler is None:
            return
        if kind == "progress":
            handler(*payload)
        else:
            handler(payload)


def _retire(executor: ThreadPoolExecutor, handlers: dict[Task, dict[str, Callable[..., None]]]) -> None:
    for task in handlers:
        task._make_stale()  # the running job may stop early; nothing reaches the dead owner
    handlers.clear()
    executor.shutdown(wait=False, cancel_futures=True)


def log_failure(exc: BaseException) -> None:
    """What a job's failure nobody asked for becomes: an error in the log, with its traceback."""
    log.error("A background job failed", exc_info=exc)
