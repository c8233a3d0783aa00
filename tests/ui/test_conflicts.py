"""Two editors, one database file: a save or a layout step someone else overtook is refused and explained.

Two sets of services on the same file (two engines, as two app instances would have), with different names:
Aigerim works in the editor and desk under test, Timur saves through his own services in between. Every
answer of the dialog is checked in the database, not only in the widgets.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QWidget

from ca_editor.domain.model import Story, StoryStatus
from ca_editor.locations import database_url
from ca_editor.persistence.database import Database
from ca_editor.services.container import Services
from ca_editor.services.identity import Identity
from ca_editor.ui.conflicts import (
    CompareDialog,
    LayoutConflict,
    OrderCompareDialog,
    show_layout_conflict,
)
from ca_editor.ui.desk import Desk, StepRefused
from ca_editor.ui.editor import StoryEditor
from ca_editor.ui.side_by_side import DiffColours
from ca_editor.ui.theme import apply_theme, palette


class Answers:
    """Press buttons of the modal dialogs that open next, in order; remember what each one said.

    ``then(label, look)`` waits for a modal widget (not the one answered last) that has a button ``label``,
    calls ``look(widget)`` if given, and clicks the button.
    """

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._queue: list[tuple[str, Callable[[QWidget], None] | None]] = []
        self._last: QWidget | None = None  # kept alive, so a new dialog cannot reuse its identity
        self._waited = 0

    def then(self, label: str, look: Callable[[QWidget], None] | None = None) -> Answers:
        self._queue.append((label, look))
        if len(self._queue) == 1:
            QTimer.singleShot(0, self._press)
        return self

    @property
    def done(self) -> bool:
        return not self._queue

    def _press(self) -> None:
        if not self._queue:
            return
        label, look = self._queue[0]
        widget = QApplication.activeModalWidget()
        buttons = [] if widget is None or widget is self._last else widget.findChildren(QAbstractButton)
        match = [b for b in buttons if b.text() == label and b.isVisible()]
        if not match:
            self._waited += 1
            if self._waited > 500:  # 5 s: fail with what is on screen instead of hanging
                shown = [b.text() for b in buttons]
                raise AssertionError(f"no dialog with a button {label!r}; the open one has {shown}")
            QTimer.singleShot(10, self._press)
            return
        self._waited = 0
        assert widget is not None
        if isinstance(widget, QMessageBox):
            self.seen.append(f"{widget.text()}\n{widget.informativeText()}")
        if look is not None:
            look(widget)
        self._queue.pop(0)
        self._last = widget
        match[0].click()
        if self._queue:
            QTimer.singleShot(0, self._press)


def _shot(widget: QWidget, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("CA_EDITOR_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(folder / name))


@pytest.fixture
def aigerim(services: Services) -> Services:
    services.identity.set("Aigerim Sadykova")
    return services


@pytest.fixture
def timur(services: Services, db_path: Path) -> Iterator[Services]:
    """A second app instance on the same file: its own engine and connections, another name."""
    db = Database(database_url(str(db_path)))
    yield Services.over(db, Identity("Timur Bekov"))
    db.dispose()


@pytest.fixture
def desk(qapp: QApplication, aigerim: Services) -> Iterator[Desk]:
    desk = Desk(aigerim, aigerim.section_id())
    yield desk
    desk.deleteLater()


@pytest.fixture
def editor(qtbot, desk: Desk) -> StoryEditor:
    widget = StoryEditor(desk)
    qtbot.addWidget(widget)
    widget.resize(560, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _open_and_collide(editor: StoryEditor, aigerim: Services, timur: Services) -> tuple[Story, Story]:
    """Aigerim opens a story and edits title and body; Timur saves a new title and summary meanwhile."""
    opened = aigerim.stories.get(aigerim.stories.list()[0].id)
    editor.show_story(opened.id)
    editor.title_edit.setText("Aigerim's headline")
    editor.body_edit.setPlainText(opened.body + "\n\nA paragraph Aigerim added.")
    theirs = timur.stories.update(
        opened.id,
        replace(opened.fields(), title="Timur's headline", summary="Timur's summary."),
        expected_version=opened.version,
    )
    return opened, theirs


def test_saving_over_someone_elses_save_names_them_and_cancel_keeps_mine(
    editor: StoryEditor, aigerim: Services, timur: Services
) -> None:
    opened, theirs = _open_and_collide(editor, aigerim, timur)
    answers = Answers().then("Cancel")

    assert not editor.save()

    assert answers.done
    when = f"{theirs.updated_at.astimezone():%H:%M}"
    first_line = answers.seen[0].splitlines()[0]
    assert first_line.startswith(f"“{opened.title[:40]}")  # a long title is shortened with "…"
    assert first_line.endswith(f"” was changed by Timur Bekov at {when} since you opened it.")
    assert "nothing was overwritten" in answers.seen[0]
    assert aigerim.stories.get(opened.id).title == "Timur's headline"  # not overwritten
    assert editor.title_edit.text() == "Aigerim's headline"  # nothing typed is lost
    assert editor.is_dirty()
    assert "Save asks again" in editor.notice_message()

    answers = Answers().then("Cancel")
    assert not editor.save()  # a second save asks again: never a silent overwrite
    assert answers.done and "Timur Bekov" in answers.seen[0]
    assert aigerim.stories.get(opened.id) == theirs


def test_reload_theirs_asks_first_then_shows_their_version(
    editor: StoryEditor, aigerim: Services, timur: Services
) -> None:
    opened, theirs = _open_and_collide(editor, aigerim, timur)

    answers = Answers().then("Reload theirs").then("Cancel").then("Cancel")  # the confirmation says no
    assert not editor.save()
    assert answers.done
    assert "Discard your edits" in answers.seen[1]
    assert editor.title_edit.text() == "Aigerim's headline"

    Answers().then("Reload theirs").then("Discard mine and reload")
    assert not editor.save()
    assert editor.title_edit.text() == "Timur's headline"
    assert editor.summary_edit.toPlainText() == "Timur's summary."
    assert not editor.is_dirty()
    assert editor.current_story() == theirs
    assert aigerim.stories.get(opened.id) == theirs


def test_keep_mine_as_a_copy_creates_a_draft_beside_theirs_and_opens_it(
    editor: StoryEditor, aigerim: Services, timur: Services, desk: Desk
) -> None:
    opened, theirs = _open_and_collide(editor, aigerim, timur)
    count = aigerim.stories.count()
    saved: list[Story] = []
    editor.saved.connect(saved.append)

    Answers().then("Keep mine as a copy")
    assert editor.save()

    assert aigerim.stories.get(opened.id) == theirs  # theirs stays exactly as Timur saved it
    assert aigerim.stories.count() == count + 1
    copy = aigerim.stories.get_by_slug(f"{opened.slug}-copy")
    assert copy.title == "Aigerim's headline (copy)"
    assert copy.body == opened.body + "\n\nA paragraph Aigerim added."
    assert copy.summary == opened.summary  # my fields, not theirs
    assert copy.status == StoryStatus.DRAFT
    assert copy.updated_by == "Aigerim Sadykova"
    assert editor.current_story() == copy and not editor.is_dirty()
    assert saved == [copy]
    assert "new draft" in editor.notice_message()

    desk.undo_stack.undo()  # one undoable step, like any create
    assert aigerim.stories.count() == count

    # A second copy gets the next free slug.
    editor.show_story(opened.id)
    editor.title_edit.setText("Again mine")
    timur.stories.update(opened.id, replace(theirs.fields(), byline="T. B."), expected_version=theirs.version)
    Answers().then("Keep mine as a copy")
    desk.undo_stack.redo()
    assert editor.save()
    assert aigerim.stories.get_by_slug(f"{opened.slug}-copy-2").title == "Again mine (copy)"


def test_compare_shows_mine_beside_theirs_and_can_replace_theirs(
    editor: StoryEditor, aigerim: Services, timur: Services, desk: Desk, tmp_path: Path
) -> None:
    opened, theirs = _open_and_collide(editor, aigerim, timur)
    shown: list[str] = []

    def look(dialog: QWidget) -> None:
        assert isinstance(dialog, CompareDialog)
        shown.append(dialog.plain_text())
        assert [d.name for d in dialog.differences] == ["title", "summary", "body"]
        by = {d.name: (d.changed_by_me, d.changed_by_them) for d in dialog.differences}
        assert by == {"title": (True, True), "summary": (False, True), "body": (True, False)}
        _shot(dialog, "conflict-compare.png", tmp_path)

    answers = Answers().then("Compare").then("Back", look).then("Cancel")
    assert not editor.save()
    assert answers.done
    text = shown[0]
    for expected in (
        "Aigerim's headline",
        "Timur's headline",
        "Timur's summary.",
        opened.summary.splitlines()[0],
        "A paragraph Aigerim added.",
        "changed by you and Timur Bekov",
        "changed by Timur Bekov",
    ):
        assert expected in text
    assert aigerim.stories.get(opened.id) == theirs

    Answers().then("Compare").then(CompareDialog.OVERWRITE).then("Replace theirs")
    assert editor.save()
    stored = aigerim.stories.get(opened.id)
    assert stored.title == "Aigerim's headline"
    assert stored.summary == opened.summary  # mine replaces theirs, knowingly, field for field
    desk.undo_stack.undo()
    assert aigerim.stories.get(opened.id).fields() == theirs.fields()


def test_a_newer_save_during_the_comparison_is_refused_again(
    editor: StoryEditor, aigerim: Services, timur: Services
) -> None:
    opened, theirs = _open_and_collide(editor, aigerim, timur)

    def timur_saves_again(_dialog: QWidget) -> None:
        timur.stories.update(
            opened.id, replace(theirs.fields(), byline="Later"), expected_version=theirs.version
        )

    Answers().then("Compare").then(CompareDialog.OVERWRITE).then("Replace theirs", timur_saves_again)
    assert not editor.save()
    assert aigerim.stories.get(opened.id).byline == "Later"
    assert "after the version you compared" in editor.notice_message()
    assert editor.title_edit.text() == "Aigerim's headline"


def test_a_story_deleted_by_someone_else_can_be_saved_anew(
    editor: StoryEditor, aigerim: Services, timur: Services
) -> None:
    opened = aigerim.stories.get(aigerim.stories.list()[-1].id)
    editor.show_story(opened.id)
    editor.title_edit.setText("Still wanted")
    timur.stories.delete(opened.id)
    count = aigerim.stories.count()

    answers = Answers().then("Save mine as a new story")
    assert editor.save()
    assert f"“{opened.title[:40]}" in answers.seen[0] and "deleted by someone else" in answers.seen[0]
    copy = aigerim.stories.get_by_slug(opened.slug)  # the slug was free again
    assert copy.title == "Still wanted" and copy.version == 1 and copy.created_at > opened.created_at
    assert copy.status is StoryStatus.DRAFT and "as a draft" in answers.seen[0]  # reviewed again
    assert aigerim.stories.count() == count + 1
    assert editor.current_story() == copy


def test_a_story_deleted_by_someone_else_keeps_my_edits_on_cancel(
    editor: StoryEditor, aigerim: Services, timur: Services
) -> None:
    opened = aigerim.stories.get(aigerim.stories.list()[-1].id)
    editor.show_story(opened.id)
    editor.title_edit.setText("Still wanted")
    timur.stories.delete(opened.id)

    Answers().then("Cancel")
    assert not editor.save()
    assert editor.is_new() and editor.title_edit.text() == "Still wanted"
    assert "deleted by someone else" in editor.notice_message()


def test_the_dialog_in_the_dark_palette_is_legible(
    qapp: QApplication, editor: StoryEditor, aigerim: Services, timur: Services, tmp_path: Path
) -> None:
    for name in ("light", "dark"):
        colours = DiffColours.of(palette(name))
        text = palette(name).color(QPalette.ColorRole.Text)
        for background in (colours.mine, colours.theirs):
            assert _contrast(text, QColor(background)) >= 7.0, (name, background)
    apply_theme(qapp, "dark")
    try:
        _open_and_collide(editor, aigerim, timur)
        Answers().then("Compare", lambda box: _shot(box, "conflict-dialog.png", tmp_path)).then(
            "Back", lambda dialog: _shot(dialog, "conflict-compare-dark.png", tmp_path)
        ).then("Cancel")
        assert not editor.save()
    finally:
        apply_theme(qapp, "light")


def _contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# --- the layout --------------------------------------------------------------------------------------------


def test_a_layout_step_on_a_block_someone_changed_names_them_and_shows_theirs(
    desk: Desk, timur: Services, tmp_path: Path
) -> None:
    saw = desk.layout
    theirs = timur.sections.replace_slots(
        saw.section.id, saw.entries()[::-1], expected_version=saw.section.version
    )

    with pytest.raises(StepRefused) as refused:
        desk.move_slot(saw.slots[0].id, 3)

    conflict = refused.value.conflict  # the conflict travels with the error, for the window's dialog
    assert conflict is not None
    assert conflict.who == "Timur Bekov" and conflict.when == theirs.section.updated_at
    assert "changed by Timur Bekov at" in conflict.message and conflict.message.startswith("Could not move")
    assert conflict.saw == tuple(s.headline for s in saw.slots)
    assert conflict.now == tuple(s.headline for s in theirs.slots)
    assert conflict.wanted[2] == saw.slots[0].headline
    assert desk.layout.entries() == theirs.entries()  # the desk shows the fresh block at once
    assert desk.undo_stack.count() == 0

    # The next step works against their block (the desk no longer holds the stale version).
    assert desk.move_slot(desk.layout.slots[0].id, 2)
    assert timur.sections.layout(saw.section.id).slots[1].story.id == theirs.slots[0].story.id

    texts: list[str] = []

    def look(dialog: QWidget) -> None:
        assert isinstance(dialog, OrderCompareDialog)
        texts.append(dialog.plain_text())
        _shot(dialog, "layout-compare.png", tmp_path)

    answers = Answers().then("Compare").then("Close", look).then("OK")
    show_layout_conflict(None, conflict)
    assert answers.done
    assert "changed by Timur Bekov" in answers.seen[0] and "Nothing was overwritten" in answers.seen[0]
    for headline in (*conflict.saw, *conflict.now):
        assert headline[:30] in texts[0]
    assert "You saw" in texts[0] and "Now (by Timur Bekov)" in texts[0]


def test_undo_on_a_block_someone_changed_reports_the_conflict(desk: Desk, timur: Services) -> None:
    conflicts: list[LayoutConflict] = []
    desk.on_step_refused = lambda error: conflicts.append(error.conflict)  # type: ignore[attr-defined]
    assert desk.move_slot(desk.layout.slots[0].id, 2)
    layout = timur.sections.layout(desk.section_id)
    theirs = timur.sections.replace_slots(
        layout.section.id, layout.entries()[1:], expected_version=layout.section.version
    )

    desk.undo_stack.undo()

    [conflict] = conflicts
    assert conflict.who == "Timur Bekov" and conflict.wanted == ()
    assert desk.layout.entries() == theirs.entries()
    assert timur.sections.layout(desk.section_id).entries() == theirs.entries()


def test_without_a_listener_a_layout_conflict_is_reported_as_a_failure(desk: Desk, timur: Services) -> None:
    """Without a dialog (scripts, tests), a layout conflict still reads as one sentence."""
    layout = timur.sections.layout(desk.section_id)
    timur.sections.replace_slots(
        layout.section.id, layout.entries()[::-1], expected_version=layout.section.version
    )
    with pytest.raises(StepRefused) as refused:
        desk.remove_slots([desk.layout.slots[0].id])
    failures = [str(refused.value)]
    assert len(failures) == 1 and "changed by Timur Bekov" in failures[0]
    assert desk.layout.entries() == timur.sections.layout(desk.section_id).entries()
