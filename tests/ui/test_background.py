"""The one background helper: answers on the UI thread, in order, stale ones dropped, failures reported."""

from __future__ import annotations

import logging
import threading

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from ca_editor.ui.background import Lane, Task


@pytest.fixture
def owner(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_the_answer_arrives_on_the_ui_thread(qtbot: QtBot, owner: QWidget) -> None:
    lane = Lane(owner, "test")
    ui_thread = threading.current_thread()
    ran_on: list[threading.Thread] = []
    answered_on: list[tuple[threading.Thread, object]] = []

    def job(_task: Task) -> int:
        ran_on.append(threading.current_thread())
        return 42

    lane.submit(job, done=lambda result: answered_on.append((threading.current_thread(), result)))
    qtbot.waitUntil(lambda: bool(answered_on))
    assert ran_on[0] is not ui_thread
    assert answered_on == [(ui_thread, 42)]
    assert not lane.busy()


def test_jobs_run_one_at_a_time_in_order_and_wait_idle_waits_for_them(qtbot: QtBot, owner: QWidget) -> None:
    lane = Lane(owner, "test")
    answers: list[int] = []
    release = threading.Event()
    lane.submit(lambda _t: release.wait(10) and 1, done=answers.append)
    lane.submit(lambda _t: 2, done=answers.append)
    assert lane.busy()
    release.set()
    assert lane.wait_idle(10)
    qtbot.waitUntil(lambda: len(answers) == 2)
    assert answers == [1, 2]


def test_an_exception_reaches_failed_and_done_is_not_called(qtbot: QtBot, owner: QWidget) -> None:
    lane = Lane(owner, "test")
    done: list[object] = []
    failed: list[BaseException] = []

    def broken(_task: Task) -> None:
        raise ValueError("boom")

    lane.submit(broken, done=done.append, failed=failed.append)
    qtbot.waitUntil(lambda: bool(failed))
    assert done == []
    assert isinstance(failed[0], ValueError) and str(failed[0]) == "boom"


def test_a_failure_nobody_listens_to_is_logged(qtbot: QtBot, owner: QWidget, caplog) -> None:
    lane = Lane(owner, "test")

    def broken(_task: Task) -> None:
        raise ValueError("nobody listens")

    with caplog.at_level(logging.ERROR, logger="ca_editor.ui.background"):
        lane.submit(broken)
        lane.wait_idle(10)
        qtbot.waitUntil(lambda: "A background job failed" in caplog.text)
    assert "nobody listens" in caplog.text


def test_progress_arrives_in_order_before_the_answer(qtbot: QtBot, owner: QWidget) -> None:
    lane = Lane(owner, "test")
    seen: list[object] = []

    def counting(task: Task) -> str:
        for done in range(1, 4):
            task.report(done, 3)
        return "finished"

    lane.submit(counting, done=seen.append, progress=lambda d, t: seen.append((d, t)))
    qtbot.waitUntil(lambda: "finished" in seen)
    assert seen == [(1, 3), (2, 3), (3, 3), "finished"]


def test_a_cancelled_job_sees_the_flag_and_its_outcome_still_arrives(qtbot: QtBot, owner: QWidget) -> None:
    lane = Lane(owner, "test")
    started = threading.Event()
    failed: list[BaseException] = []

    def stoppable(task: Task) -> None:
        started.set()
        while not task.cancelled():
            threading.Event().wait(0.005)
        raise InterruptedError("stopped")

    task = lane.submit(stoppable, failed=failed.append)
    assert started.wait(10)
    task.cancel()
    qtbot.waitUntil(lambda: bool(failed))
    assert isinstance(failed[0], InterruptedError)


def test_latest_only_drops_stale_answers_and_skips_stale_jobs(qtbot: QtBot, owner: QWidget) -> None:
    lane = Lane(owner, "test", latest_only=True)
    release = threading.Event()
    ran: list[str] = []
    answers: list[str] = []

    def job(name: str):
        def run(task: Task) -> str:
            ran.append(name)
            if name == "first":
                release.wait(10)
                assert task.cancelled()  # asked to stop: a newer job came
            return name

        return run

    first = lane.submit(job("first"), done=answers.append)
    second = lane.submit(job("second"), done=answers.append)  # queued behind the first
    third = lane.submit(job("third"), done=answers.append)
    assert first.stale and second.stale and not third.stale
    release.set()
    lane.wait_idle(10)
    qtbot.waitUntil(lambda: bool(answers))
    qtbot.wait(20)
    assert answers == ["third"]
    assert "second" not in ran  # stale before it started: skipped


def test_nothing_reaches_an_owner_that_is_gone(qtbot: QtBot) -> None:
    owner = QObject()
    lane = Lane(owner, "test")
    release = threading.Event()
    finished = threading.Event()
    answers: list[object] = []

    def job(task: Task) -> str:
        release.wait(10)
        task.report(1, 1)
        finished.set()
        return "late"

    lane.submit(job, done=answers.append, progress=lambda d, t: answers.append((d, t)))
    owner.deleteLater()
    qtbot.waitUntil(lambda: _deleted(lane))
    release.set()
    assert finished.wait(10)
    qtbot.wait(50)
    assert answers == []


def _deleted(obj: QObject) -> bool:
    try:
        obj.objectName()
    except RuntimeError:
        return True
    return False
