"""File › Take section offline… in the desk window: the form (a new file, 12 months by default), the copy on
a lane, the result said; the "Taken offline by NAME since …" banner on the shared desk; a refusal shown in
the form; Release… asks first, and only a yes ends the check-out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from ca_editor.app import open_services
from ca_editor.services.container import Services
from ca_editor.ui import checkout_flow
from ca_editor.ui.main_window import MainWindow


def file_menu_texts(window: MainWindow) -> list[str]:
    titles = [a.text() for a in window.menuBar().actions()]
    menu = window.menuBar().actions()[titles.index("&File")].menu()
    assert isinstance(menu, QMenu)
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_take_offline_copies_on_a_lane_and_the_banner_names_who_and_since(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path
) -> None:
    window = open_desk(services)
    offline = window.offline
    texts = file_menu_texts(window)
    at = texts.index("&Take section offline…")
    assert texts[at + 1] == "&Bring section back…" and texts[at + 2] == "Re&load from the database"
    assert not offline.banner.isVisible()

    dialog = offline.show_dialog()
    assert dialog.months.value() == 12
    assert dialog.chosen_path().name == "central-asia-laptop.sqlite3"  # a new file's name, suggested
    laptop = tmp_path / "laptop.sqlite3"
    dialog.path.setText(str(laptop))
    dialog.months.setValue(3)
    qtbot.mouseClick(dialog.take_button, Qt.MouseButton.LeftButton)
    assert not dialog.take_button.isEnabled()  # copying: the buttons wait
    qtbot.waitUntil(lambda: offline.message is not None, timeout=30_000)
    assert laptop.is_file()
    assert offline.message is not None
    assert f"is offline in {laptop}" in offline.message.text()
    offline.message.done(0)
    assert offline.banner.isVisible()
    text = offline.banner_text.text()
    assert text.startswith(f"Taken offline by {services.identity.name} since today ")
    assert "still edit" in text
    active = services.checkouts.active_checkout(window.desk.section_id)
    assert active is not None and active.months == 3


def test_a_refused_check_out_is_said_in_the_form_and_nothing_is_taken(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path
) -> None:
    existing = tmp_path / "taken.sqlite3"
    existing.write_bytes(b"someone's file")
    window = open_desk(services)
    dialog = window.offline.show_dialog()
    dialog.path.setText(str(existing))
    qtbot.mouseClick(dialog.take_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Nothing was taken offline"), timeout=30_000)
    assert "exists already" in dialog.message.text()
    assert dialog.isVisible() and dialog.take_button.isEnabled()  # the form stays, to choose another file
    assert existing.read_bytes() == b"someone's file"
    assert services.checkouts.active_checkout(window.desk.section_id) is None
    assert not window.offline.banner.isVisible()


@pytest.mark.parametrize("answer", ["Cancel", checkout_flow.RELEASE])
def test_release_asks_first_and_records_the_release(
    qtbot: QtBot,
    open_desk: Callable[..., MainWindow],
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
) -> None:
    section_id = services.section_id()
    services.checkouts.checkout(section_id, tmp_path / "laptop.sqlite3", 12)
    window = open_desk(services)
    assert window.offline.banner.isVisible()  # a check-out made elsewhere shows at the window's start
    asked: list[str] = []

    def ask(*args: object, **_kwargs: object) -> str:
        asked.append(str(args[3]))
        return answer

    monkeypatch.setattr(checkout_flow, "ask", ask)
    qtbot.mouseClick(window.offline.release_button, Qt.MouseButton.LeftButton)
    assert asked and "taken offline by" in asked[0]
    released = answer == checkout_flow.RELEASE
    assert (services.checkouts.active_checkout(section_id) is None) == released
    assert window.offline.banner.isVisible() != released
    if released:
        assert "Released the check-out" in window.statusBar().currentMessage()


def test_a_colleagues_check_out_shows_at_the_next_look(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path, db_path: Path
) -> None:
    window = open_desk(services)
    qtbot.waitUntil(lambda: not window.offline.lane.busy(), timeout=10_000)  # the start's look is over
    assert not window.offline.banner.isVisible()
    assert window.offline.timer.isActive() and window.offline.timer.interval() == checkout_flow.LOOK_EVERY_MS
    colleague = open_services(str(db_path))
    colleague.checkouts.checkout(colleague.section_id(), tmp_path / "theirs.sqlite3", 1)
    colleague.db.dispose()
    window.offline.look_again()  # what the timer does once a minute, on the lane
    qtbot.waitUntil(window.offline.banner.isVisible, timeout=10_000)


def test_the_window_on_a_laptop_desk_says_where_it_came_from(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path
) -> None:
    laptop_path = tmp_path / "laptop.sqlite3"
    services.checkouts.checkout(services.section_id(), laptop_path, 12)
    laptop = open_services(str(laptop_path))
    window = open_desk(laptop, None)
    offline = window.offline
    qtbot.waitUntil(offline.banner.isVisible, timeout=10_000)
    assert offline.banner_text.text().startswith("Laptop desk of “Central Asia”, taken from desk.sqlite3 by ")
    assert "Bring section back" in offline.banner_text.text()
    assert not offline.release_button.isVisible()  # nothing to release on a laptop
    window.close()
    laptop.db.dispose()
    services.checkins.apply_checkin(services.checkins.plan_checkin(laptop_path), {})
    laptop = open_services(str(laptop_path))
    again = open_desk(laptop, None)  # the first window's settings: its banner was shown when it closed
    qtbot.waitUntil(lambda: again.offline.laptop is not None, timeout=10_000)
    assert again.offline.banner.isVisible()
    assert again.offline.banner_text.text().startswith("This laptop desk was brought back to ")
    again.close()
    laptop.db.dispose()


def test_an_ordinary_desk_shows_no_banner_even_where_the_last_window_showed_one(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path
) -> None:
    services.checkouts.checkout(services.section_id(), tmp_path / "laptop.sqlite3", 12)
    first = open_desk(services)
    assert first.offline.banner.isVisible()
    first.close()  # its toolbars' visibility is saved with the window's state
    services.checkouts.release(services.section_id())
    window = open_desk(services)
    assert window.offline.lane.wait_idle(10)
    qtbot.wait(50)  # the lane's answer reaches the window
    assert window.offline.laptop is None and not window.offline.banner.isVisible()
