"""File › Bring section back… refusing, in the window: a file that is no laptop desk, a laptop desk taken
from another desk, a released check-out, a laptop desk of another section; and Cancel in the conflict
dialog changes nothing. Each says why in one message box, and the shared desk stays as it was."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ca_editor.app import open_services
from ca_editor.domain.section_settings import SectionSettings
from ca_editor.services.container import Services
from ca_editor.ui.main_window import MainWindow


def message_after_plan(qtbot: QtBot, window: MainWindow, laptop: Path) -> str:
    flow = window.offline.checkin
    flow.plan_from(laptop)
    qtbot.waitUntil(lambda: flow.message is not None or flow.dialog is not None, timeout=30_000)
    assert flow.dialog is None, "a refused check-in opens no conflict dialog"
    assert flow.message is not None
    text = flow.message.text()
    flow.message.done(0)
    return text


def test_a_desk_file_that_is_no_laptop_desk_is_refused(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path
) -> None:
    other = open_services(str(tmp_path / "plain.sqlite3"))
    other.db.dispose()
    window = open_desk(services)
    text = message_after_plan(qtbot, window, tmp_path / "plain.sqlite3")
    assert text.startswith("Nothing was brought back:") and "not a laptop desk" in text
    assert window.desk.undo_stack.count() == 0


def test_a_laptop_desk_from_another_desk_is_refused(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path
) -> None:
    elsewhere = open_services(str(tmp_path / "elsewhere.sqlite3"))
    elsewhere.checkouts.checkout(elsewhere.section_id(), tmp_path / "laptop.sqlite3", 12)
    elsewhere.db.dispose()
    window = open_desk(services)
    text = message_after_plan(qtbot, window, tmp_path / "laptop.sqlite3")
    assert text.startswith("Nothing was brought back:") and "was not taken from" in text


def test_a_released_check_out_is_refused(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path
) -> None:
    section_id = services.section_id()
    services.checkouts.checkout(section_id, tmp_path / "laptop.sqlite3", 12)
    services.checkouts.release(section_id)
    window = open_desk(services)
    assert not window.offline.banner.isVisible()
    text = message_after_plan(qtbot, window, tmp_path / "laptop.sqlite3")
    assert "released" in text and "Nothing was brought back" in text


def test_a_laptop_desk_of_another_section_asks_to_open_that_section(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path
) -> None:
    weekend = services.section_settings.create(SectionSettings("weekend", "The weekend page", slot_count=3))
    services.checkouts.checkout(weekend.id, tmp_path / "weekend.sqlite3", 12)
    window = open_desk(services)
    assert window.desk.layout.section.slug == "central-asia"
    assert not window.offline.banner.isVisible()  # the weekend page is out, not this one
    text = message_after_plan(qtbot, window, tmp_path / "weekend.sqlite3")
    assert "holds the section 'weekend'" in text and "Open section" in text
    assert services.checkouts.active_checkout(weekend.id) is not None  # nothing was checked in


@pytest.mark.parametrize("conflicting", [False, True])
def test_cancel_in_the_conflict_dialog_changes_nothing(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path, conflicting: bool
) -> None:
    section_id = services.section_id()
    laptop_path = tmp_path / "laptop.sqlite3"
    services.checkouts.checkout(section_id, laptop_path, 12)
    laptop = open_services(str(laptop_path))
    desks = (services, laptop) if conflicting else (laptop,)
    for desk in desks:
        layout = desk.sections.layout(section_id)
        settings = SectionSettings.of(layout.section)
        title = f"Heading from {'the laptop' if desk is laptop else 'here'}"
        desk.section_settings.change(
            section_id, dataclasses.replace(settings, title=title), expected_version=layout.section.version
        )
    laptop.db.dispose()
    window = open_desk(services)
    heading = services.sections.layout(section_id).section.title
    window.offline.checkin.plan_from(laptop_path)
    qtbot.waitUntil(lambda: window.offline.checkin.dialog is not None, timeout=30_000)
    dialog = window.offline.checkin.dialog
    assert dialog is not None
    assert len(dialog.cards) == (1 if conflicting else 0)
    assert dialog.apply_button.isEnabled() != conflicting  # nothing to decide: Apply at once
    dialog.reject()
    qtbot.wait(100)
    assert services.sections.layout(section_id).section.title == heading
    assert services.checkouts.active_checkout(section_id) is not None
    assert window.desk.undo_stack.count() == 0


def test_a_check_in_cut_short_after_its_commit_only_marks_the_laptop_desk(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path
) -> None:
    section_id = services.section_id()
    laptop_path = tmp_path / "laptop.sqlite3"
    services.checkouts.checkout(section_id, laptop_path, 12)
    plan = services.checkins.plan_checkin(laptop_path)
    services.checkins.apply_checkin(plan, {})
    with sqlite3.connect(laptop_path) as laptop:  # as if the process died before marking the laptop desk
        laptop.execute("UPDATE checkout_origin SET checked_in_at = NULL, checked_in_by = NULL")
    window = open_desk(services)
    flow = window.offline.checkin
    flow.plan_from(laptop_path)
    qtbot.waitUntil(lambda: flow.message is not None, timeout=30_000)
    assert flow.dialog is None  # nothing to choose: the shared desk has it
    assert flow.message is not None and "had been brought back already" in flow.message.text()
    assert window.desk.undo_stack.count() == 0  # no second step
    flow.message.done(0)
    assert "Nothing was brought back" in message_after_plan(qtbot, window, laptop_path)  # marked now
