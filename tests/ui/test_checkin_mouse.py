"""Bring a section back as a person does (issue 15 item 7): two desks diverge (a shared desk and the laptop
desk checked out of it, both SQLite), File › Bring section back… reads and merges them, a real mouse
chooses a side on each conflict in the dialog and clicks Apply, and the shared desk holds the choices,
the laptop's new story and copies of the losing texts; Ctrl+Z takes the whole check-in out, Ctrl+Y puts it
back; a second check-in of the same laptop desk is refused with the service's sentence.

``xdotool`` moves and clicks the X server's pointer from a background process while Qt's loop turns (as
``test_section_switcher.py`` does); the screenshot of the dialog goes to ``CA_EDITOR_SHOTS`` when set.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from ca_editor.app import open_services
from ca_editor.domain.model import SlotEntry, StoryFields
from ca_editor.domain.section_settings import SectionSettings
from ca_editor.services.container import Services
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.merge_dialog import MergeDialog

SIDES = ("Shared desk", "Laptop")


def diverge(services: Services, laptop: Services, section_id: int) -> None:
    """Each desk changes the heading, the second slot's story title and slot 1's page headline, its own
    way; the laptop also writes a new story and puts it in slot 2."""
    for desk, who in ((services, SIDES[0]), (laptop, SIDES[1])):
        layout = desk.sections.layout(section_id)
        settings = SectionSettings.of(layout.section)
        desk.section_settings.change(
            section_id,
            dataclasses.replace(settings, title=f"Central Asia ({who})"),
            expected_version=layout.section.version,
        )
        story = layout.slots[1].story
        desk.stories.update(
            story.id,
            dataclasses.replace(story.fields(), title=f"{story.title} — {who} edit"),
            expected_version=story.version,
        )
        layout = desk.sections.layout(section_id)
        entries = list(layout.entries())
        entries[0] = dataclasses.replace(entries[0], headline=f"Page headline by the {who.lower()}")
        desk.sections.replace_slots(section_id, entries, expected_version=layout.section.version)
    scoop = laptop.stories.create(StoryFields(title="Laptop scoop from the border", body="Written offline."))
    layout = laptop.sections.layout(section_id)
    entries = [*layout.entries()[:1], SlotEntry(scoop.id), *layout.entries()[1:-1]]
    laptop.sections.replace_slots(section_id, entries, expected_version=layout.section.version)


def real_click(qtbot: QtBot, widget: QWidget) -> None:
    """Move the X pointer to ``widget``'s centre and click, while Qt's loop keeps turning."""
    qtbot.waitUntil(widget.isVisible, timeout=5_000)
    widget.window().raise_()  # no window manager keeps it on top (see the test)
    qtbot.wait(150)  # laid out, painted and on top where it will be clicked
    point = widget.mapToGlobal(widget.rect().center())
    script = ["mousemove", str(point.x()), str(point.y()), "sleep", "0.15", "click", "1", "sleep", "0.15"]
    process = subprocess.Popen(["xdotool", *script])
    try:
        qtbot.waitUntil(lambda: process.poll() is not None, timeout=10_000)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0


def take_offline(services: Services, tmp_path: Path) -> tuple[Path, Services, int]:
    section_id = services.section_id()
    laptop_path = tmp_path / "laptop.sqlite3"
    services.checkouts.checkout(section_id, laptop_path, 12)
    laptop = open_services(str(laptop_path))
    return laptop_path, laptop, section_id


@pytest.mark.xvfb
def test_a_real_mouse_chooses_each_conflict_and_the_shared_desk_holds_the_choices(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path
) -> None:
    if not os.environ.get("DISPLAY") or QGuiApplication.platformName() != "xcb":
        pytest.skip("needs a real X server: the pointer is moved by xdotool")
    if shutil.which("xdotool") is None:
        pytest.skip("needs xdotool to move the real pointer (scripts/install-system-deps test)")
    laptop_path, laptop, section_id = take_offline(services, tmp_path)
    window = open_desk(services)
    assert window.offline.banner.isVisible()
    assert window.offline.banner_text.text().startswith("Taken offline by ")
    before = services.sections.layout(section_id)
    diverge(services, laptop, section_id)
    laptop.db.dispose()
    window.reload()
    theirs_title = services.sections.layout(section_id).slots[1].story.title

    window.offline.checkin.plan_from(laptop_path)
    qtbot.waitUntil(lambda: window.offline.checkin.dialog is not None, timeout=20_000)
    dialog = window.offline.checkin.dialog
    assert isinstance(dialog, MergeDialog)
    qtbot.waitExposed(dialog)
    assert [card.conflict.kind for card in dialog.cards] == ["setting", "story", "override"]
    # Xvfb has no window manager to keep the dialog above its window, and the desk window's late start
    # (its preview, after the first paint) maps it above the dialog: the two are set apart, as far as the
    # screen allows, so the pointer lands on the dialog.
    window.resize(window.minimumSizeHint())
    window.move(0, 0)
    screen = QGuiApplication.primaryScreen().availableGeometry()
    dialog.move(screen.right() - dialog.width(), screen.bottom() - dialog.height())
    dialog.raise_()
    qtbot.wait(200)
    shots = os.environ.get("CA_EDITOR_SHOTS")
    if shots:
        dialog.grab().save(str(Path(shots) / "h3-checkin-dialog-real.png"))
    wanted = {"setting": "mine", "story": "theirs", "override": "mine"}
    area = dialog.findChild(QWidget, "conflicts")
    for card in dialog.cards:
        button = card.keep_mine if wanted[card.conflict.kind] == "mine" else card.keep_theirs
        area.ensureWidgetVisible(button)  # type: ignore[attr-defined]
        real_click(qtbot, button)
        qtbot.waitUntil(lambda c=card, k=card.conflict.kind: c.choice() == wanted[k], timeout=5_000)
    assert dialog.apply_button.isEnabled()
    real_click(qtbot, dialog.apply_button)
    assert window.offline.checkin.dialog is None  # answered: gone
    qtbot.waitUntil(lambda: window.offline.checkin.message is not None, timeout=30_000)

    after = services.sections.layout(section_id)
    assert after.section.title == "Central Asia (Laptop)"  # mine
    assert after.slots[0].overrides.headline == "Page headline by the laptop"  # mine
    story = next(slot.story for slot in after.slots if slot.story.id == before.slots[1].story.id)
    assert story.title == theirs_title  # theirs
    assert after.slots[1].story.title == "Laptop scoop from the border"  # the laptop's new story
    copies = [s for s in services.stories.list() if s.slug.endswith("-copy")]
    assert [c.title for c in copies] == [theirs_title.replace(SIDES[0], SIDES[1])]  # mine's title kept
    assert not window.offline.banner.isVisible()  # the section is back
    assert window.desk.layout.section.title == "Central Asia (Laptop)"  # the window shows it at once
    stack = window.desk.undo_stack
    assert stack.count() == 1 and stack.text(0).startswith("Bring “Central Asia (Laptop)” back")
    window.offline.checkin.message.done(0)  # type: ignore[union-attr]
    assert window.offline.checkin.message is None

    stack.undo()  # the whole check-in out again, in one step
    undone = services.sections.layout(section_id)
    assert undone.section.title == "Central Asia (Shared desk)"
    assert [s.story.id for s in undone.slots] == [s.story.id for s in before.slots]
    assert undone.slots[0].overrides.headline == "Page headline by the shared desk"
    assert not [s for s in services.stories.list() if "Laptop scoop" in s.title or s.slug.endswith("-copy")]
    stack.redo()
    again = services.sections.layout(section_id)
    assert again.section.title == "Central Asia (Laptop)"
    assert again.slots[1].story.title == "Laptop scoop from the border"

    window.offline.checkin.plan_from(laptop_path)  # the same laptop desk a second time
    qtbot.waitUntil(
        lambda: window.offline.checkin.message is not None and window.offline.checkin.message.isVisible(),
        timeout=20_000,
    )
    refusal = window.offline.checkin.message.text()  # type: ignore[union-attr]
    assert refusal.startswith("Nothing was brought back:") and "checked in" in refusal
