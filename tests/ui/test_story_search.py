"""The search box never waits for a search (issue 18): it runs on a worker, a newer keystroke cancels it,
the newer query's rows are shown, and the count comes after the rows."""

from __future__ import annotations

import threading

import pytest

from ca_editor.services.cancellation import Cancellation, QueryCancelled
from ca_editor.services.container import Services
from ca_editor.services.stories import StoryQuery, StoryService
from ca_editor.ui.stories import StoryListPane


@pytest.fixture
def pane(qtbot, services: Services) -> StoryListPane:
    widget = StoryListPane(services.stories)
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def titles(pane: StoryListPane) -> list[str]:
    return [pane.model.story_at(row).title for row in range(pane.model.rowCount())]


def test_a_stale_search_is_cancelled_and_the_newer_one_shown(qtbot, pane, monkeypatch) -> None:
    real_list = StoryService.list
    stuck = threading.Event()
    cancelled: list[bool] = []

    def slow_for_steinmeier(self, query=StoryQuery(), cancel=None):  # noqa: B008 - the service's default
        if "Steinmeier" in query.text:  # a search that would take long: it waits for its cancel
            stuck.set()
            for _ in range(500):
                if cancel is not None and cancel.requested:
                    cancelled.append(True)
                    raise QueryCancelled("cancelled")
                threading.Event().wait(0.01)
        return real_list(self, query, cancel)

    monkeypatch.setattr(StoryService, "list", slow_for_steinmeier)
    before = titles(pane)
    pane.search_box.setText("Steinmeier")
    qtbot.waitUntil(stuck.is_set, timeout=3000)
    assert pane.searching() and titles(pane) == before  # the UI thread did not wait for it
    pane.search_box.setText("Tashkent")  # the newer keystroke
    qtbot.waitUntil(lambda: pane.model.query().text == "Tashkent", timeout=5000)
    assert cancelled == [True]  # stopped where it was, not waited for
    assert pane.model.rowCount() == 1  # the one demo story naming Tashkent
    assert pane.model.query().text == "Tashkent" and not pane.searching()
    qtbot.wait(100)
    assert pane.model.query().text == "Tashkent"  # the cancelled search never answers afterwards


def test_rows_come_first_and_the_count_later_on_a_worker(qtbot, pane, monkeypatch) -> None:
    release = threading.Event()
    counted_on: list[str] = []
    real_count = StoryService.count

    def held_count(self, query=StoryQuery(), cancel=None):  # noqa: B008 - the service's default
        counted_on.append(threading.current_thread().name)
        release.wait(5)
        return real_count(self, query, cancel)

    monkeypatch.setattr(StoryService, "count", held_count)
    pane.search_box.setText("Steinmeier")
    qtbot.waitUntil(lambda: pane.model.query().text == "Steinmeier", timeout=3000)
    assert pane.model.rowCount() == 1
    assert pane.count_label.text().startswith("Counting")  # the rows are shown, the count still on its way
    release.set()
    qtbot.waitUntil(lambda: pane.count_label.text().startswith("1 of"), timeout=5000)
    assert counted_on and threading.main_thread().name not in counted_on


def test_a_new_count_cancels_the_older_one(qtbot, pane, monkeypatch) -> None:
    seen: list[Cancellation] = []
    real_count = StoryService.count

    def record(self, query=StoryQuery(), cancel=None):  # noqa: B008 - the service's default
        if cancel is not None:
            seen.append(cancel)
        return real_count(self, query, cancel)

    monkeypatch.setattr(StoryService, "count", record)
    pane.search_box.setText("Steinmeier")
    qtbot.waitUntil(lambda: pane.count_label.text().startswith("1 of"), timeout=5000)
    pane.search_box.setText("Tashkent")
    qtbot.waitUntil(lambda: pane.model.query().text == "Tashkent", timeout=5000)
    qtbot.waitUntil(lambda: not pane.count_label.text().startswith("Counting"), timeout=5000)
    assert seen and seen[0].requested  # the first count's cancellation, once a newer count began


def test_best_match_first_is_a_choice_and_runs_on_the_worker(qtbot, pane, monkeypatch) -> None:
    from ca_editor.services.stories import StorySort

    searched_on: list[tuple[str, StorySort]] = []
    real_list = StoryService.list

    def spy(self, query=StoryQuery(), cancel=None):  # noqa: B008 - the service's default
        if query.text:
            searched_on.append((threading.current_thread().name, query.sort))
        return real_list(self, query, cancel)

    monkeypatch.setattr(StoryService, "list", spy)
    pane.search_box.setText("Tashkent")
    qtbot.waitUntil(lambda: pane.model.query().text == "Tashkent", timeout=3000)
    assert pane.model.query().sort is StorySort.PUBLISHED  # newest first unless chosen
    pane.order_choice.setCurrentIndex(pane.order_choice.findData(StorySort.RELEVANCE.value))
    qtbot.waitUntil(lambda: pane.model.query().sort is StorySort.RELEVANCE, timeout=3000)
    assert pane.model.rowCount() == 1
    assert searched_on[-1][1] is StorySort.RELEVANCE
    assert threading.main_thread().name not in {name for name, _ in searched_on}
    pane.search_box.clear()  # no text: the list's own order again
    qtbot.waitUntil(lambda: pane.model.query().text == "", timeout=3000)
    assert pane.model.query().sort is StorySort.PUBLISHED
