"""The layout history pane: snapshots listed, compared (two, or one with now), restored as one undo step."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ca_editor.domain.snapshots import LayoutSnapshot, SnapshotKind
from ca_editor.persistence.models import SectionRow
from ca_editor.services.container import Services
from ca_editor.ui.desk import Desk
from ca_editor.ui.history import LayoutHistoryPane
from ca_editor.ui.review import local_time


@pytest.fixture
def desk(qtbot: QtBot, services: Services) -> Desk:
    services.identity.set("Dana Chief")
    return Desk(services, services.section_id())


@pytest.fixture
def pane(qtbot: QtBot, desk: Desk) -> LayoutHistoryPane:
    pane = LayoutHistoryPane(desk)
    pane.resize(700, 800)
    qtbot.addWidget(pane)
    pane.show()
    qtbot.waitExposed(pane)
    return pane


class Answers:
    """Stands in for the pane's message boxes: records what was asked and answers as told."""

    def __init__(self, pane: LayoutHistoryPane, agree: bool) -> None:
        self.asked: list[str] = []
        self.told: list[str] = []
        self.agree = agree
        pane.confirm = self._confirm
        pane.inform = self._inform

    def _confirm(self, _title: str, text: str) -> bool:
        self.asked.append(text)
        return self.agree

    def _inform(self, _title: str, text: str) -> None:
        self.told.append(text)


def db_entries(desk: Desk) -> tuple[object, ...]:
    return desk.services.sections.layout(desk.section_id).entries()


def take(desk: Desk, kind: SnapshotKind, note: str = "") -> LayoutSnapshot:
    return desk.services.snapshots.take(desk.section_id, kind, note)


def test_snapshots_are_listed_newest_first_with_kind_time_name_and_note(
    qtmodeltester, desk: Desk, pane: LayoutHistoryPane
) -> None:  # type: ignore[no-untyped-def]
    assert pane.model.rowCount() == 0 and not pane.compare_button.isEnabled()
    take(desk, SnapshotKind.EXPORT)
    desk.services.review.sign_off(desk.section_id, "Morning page")
    pane.refresh()
    model = pane.model
    assert [model.index(r, 0).data() for r in range(2)] == ["Signed off", "Exported"]
    assert model.index(0, 1).data().startswith("today ")
    assert model.index(0, 2).data() == "Dana Chief"
    assert model.index(0, 3).data() == "Morning page"
    assert model.index(0, 0).data(1) is not None  # the kind badge
    qtmodeltester.check(model)


def test_compare_two_snapshots_or_one_with_now(qtbot: QtBot, desk: Desk, pane: LayoutHistoryPane) -> None:
    first = take(desk, SnapshotKind.EXPORT)
    gone = desk.layout.slots[-1]
    assert desk.remove_slots([gone.id])
    second = desk.services.review.sign_off(desk.section_id, "Without the last one")
    pane.refresh()

    pane.select([first.id, second.id])
    assert pane.compare_button.isEnabled() and not pane.restore_button.isEnabled()
    pane.compare_button.click()
    text = pane.diff_view.toPlainText()
    assert text.startswith("From: Exported by Dana Chief")
    assert "To: Signed off by Dana Chief" in text and "“Without the last one”" in text
    assert f"“{gone.story.title}” removed (was at slot 8)." in text

    pane.select([second.id])
    assert pane.compare_button.text() == "&Compare with now" and pane.restore_button.isEnabled()
    pane.compare_button.click()
    assert "To: the layout now" in pane.diff_view.toPlainText()
    assert "No changes" in pane.diff_view.toPlainText()


def test_restore_is_one_undoable_step(
    qtbot: QtBot, desk: Desk, pane: LayoutHistoryPane, tmp_path: Path
) -> None:
    answers = Answers(pane, agree=True)
    signed = desk.services.review.sign_off(desk.section_id, "The good one")
    original = db_entries(desk)
    assert desk.move_slot(desk.layout.slots[0].id, 5)
    assert desk.remove_slots([desk.layout.slots[1].id])
    changed = db_entries(desk)
    steps = desk.undo_stack.count()
    pane.refresh()
    pane.select([signed.id])

    with qtbot.waitSignal(pane.restored):
        pane.restore_button.click()
    assert db_entries(desk) == original == desk.layout.entries()
    assert desk.undo_stack.count() == steps + 1
    assert desk.undo_stack.undoText() == "Restore the layout signed off by Dana Chief"
    assert answers.asked == answers.told == []  # nothing to ask: every story still exists

    desk.undo_stack.undo()
    assert db_entries(desk) == changed
    desk.undo_stack.redo()
    assert db_entries(desk) == original

    pane.select([signed.id])
    pane.compare_button.click()
    shots = Path(os.environ.get("CA_EDITOR_SCREENSHOT_DIR", tmp_path))
    assert pane.grab().save(str(shots / "layout-history.png"))


def test_restoring_a_layout_whose_story_was_deleted_asks_first_and_leaves_it_out(
    qtbot: QtBot, desk: Desk, pane: LayoutHistoryPane
) -> None:
    snapshot = take(desk, SnapshotKind.EXPORT)
    doomed = desk.layout.slots[2].story
    assert desk.delete_story(doomed.id)
    assert desk.move_slot(desk.layout.slots[0].id, 3)
    before = db_entries(desk)
    pane.refresh()
    pane.select([snapshot.id])

    declined = Answers(pane, agree=False)
    assert not pane.restore()
    assert "1 of its stories no longer exist and will be left out" in declined.asked[0]
    assert f"• {doomed.title}" in declined.asked[0]
    assert db_entries(desk) == before

    Answers(pane, agree=True)
    assert pane.restore()
    expected = tuple(e for e in snapshot.content.entries if e.story_id != doomed.id)
    assert db_entries(desk) == expected
    desk.undo_stack.undo()
    assert db_entries(desk) == before


def test_a_layout_that_no_longer_fits_is_refused_with_the_reason(desk: Desk, pane: LayoutHistoryPane) -> None:
    snapshot = take(desk, SnapshotKind.SIGN_OFF)
    assert desk.remove_slots([s.id for s in desk.layout.slots[6:]])
    with desk.services.db.write() as session:  # the section's slot count is lowered (no UI for it yet)
        section = session.get(SectionRow, desk.section_id)
        assert section is not None
        section.slot_count = 6
    desk.reload()
    before, steps = db_entries(desk), desk.undo_stack.count()
    pane.refresh()
    pane.select([snapshot.id])
    answers = Answers(pane, agree=True)
    assert not pane.restore()
    assert answers.told == [
        f"Signed off by Dana Chief {local_time(snapshot.taken_at)}: that layout has 8 stories and the block "
        "now holds 6; raise the number of slots first. Nothing was changed."
    ]
    assert db_entries(desk) == before and desk.undo_stack.count() == steps
