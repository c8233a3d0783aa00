"""Found by a QA pass with two app instances on one file, damaged and read-only storage (see each test)."""

from __future__ import annotations

import importlib.util
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ca_editor.domain.model import Story
from ca_editor.locations import database_url
from ca_editor.persistence.backup import read_only_url
from ca_editor.persistence.database import Database
from ca_editor.services.container import Services
from ca_editor.services.identity import Identity
from ca_editor.ui.conflicts import CompareDialog, LayoutConflict, show_layout_conflict
from ca_editor.ui.desk import Desk, StepRefused
from ca_editor.ui.editor import StoryEditor

_spec = importlib.util.spec_from_file_location(
    "_conflict_answers", Path(__file__).with_name("test_conflicts.py")
)
assert _spec is not None and _spec.loader is not None
_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_helpers)
Answers = _helpers.Answers


@pytest.fixture
def aigerim(services: Services) -> Services:
    services.identity.set("Aigerim")
    return services


@pytest.fixture
def timur(services: Services, db_path: Path) -> Iterator[Services]:
    db = Database(database_url(str(db_path)))
    yield Services.over(db, Identity("Timur"))
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
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _collide(editor: StoryEditor, aigerim: Services, timur: Services, title: str = "") -> tuple[Story, Story]:
    """Aigerim edits only the body; Timur meanwhile saves a new title."""
    opened = aigerim.stories.get(aigerim.stories.list()[0].id)
    if title:
        opened = aigerim.stories.update(
            opened.id, replace(opened.fields(), title=title), expected_version=opened.version
        )
    editor.show_story(opened.id)
    editor.body_edit.setPlainText(opened.body + "\n\nAigerim's paragraph.")
    theirs = timur.stories.update(
        opened.id,
        replace(opened.fields(), title=opened.title + " (Timur's fix)"),
        expected_version=opened.version,
    )
    return opened, theirs


def test_the_layout_conflict_does_not_tell_to_reload_what_the_desk_already_reloaded(
    desk: Desk, timur: Services
) -> None:
    """The dialog said "… since you opened it; reload to see it" right above "The desk now shows the block
    as it is saved": the desk re-reads the block itself, so the advice was wrong."""
    saw = desk.layout
    timur.sections.replace_slots(saw.section.id, saw.entries()[::-1], expected_version=saw.section.version)
    with pytest.raises(StepRefused) as refused:
        desk.move_slot(saw.slots[0].id, 3)
    conflict = refused.value.conflict
    assert isinstance(conflict, LayoutConflict)
    assert "reload" not in conflict.message.lower()
    assert conflict.message.startswith("Could not move")
    assert "changed by Timur at" in conflict.message and conflict.message.endswith(".")
    answers = Answers().then("OK")
    show_layout_conflict(None, conflict)
    assert answers.done and "reload" not in answers.seen[0].split("\n")[0].lower()


def test_keep_mine_as_a_copy_names_the_copy_as_a_copy_even_for_a_long_title(
    editor: StoryEditor, aigerim: Services, timur: Services
) -> None:
    """With a long headline the notice read 'saved as a new draft, “Tajikistan tense … f…”; “Tajikistan
    tense … f…” stays as Timur saved it': both shortened alike, the "(copy)" cut off."""
    long_title = "Tajikistan tense amid arrests of senior personalities and former officials and rumours"
    _collide(editor, aigerim, timur, title=long_title)
    Answers().then("Keep mine as a copy")
    assert editor.save()
    notice = editor.notice_message()
    assert "(copy)”" in notice
    first, second = notice.split("”")[0], notice.split("”")[1]
    assert first != second


def test_replace_theirs_with_mine_asks_first_and_names_their_changes_it_undoes(
    editor: StoryEditor, aigerim: Services, timur: Services
) -> None:
    """Replace theirs with mine saved at once, and it also put back the title Timur had just fixed though
    Aigerim had only touched the body. Now it says whose changes it undoes, and Cancel goes back."""
    opened, theirs = _collide(editor, aigerim, timur)
    looked: list[str] = []

    def look(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        looked.append(f"{box.text()}\n{box.informativeText()}")

    answers = (
        Answers()
        .then("Compare")
        .then(CompareDialog.OVERWRITE)
        .then("Cancel", look)
        .then("Cancel")  # back in the first question: keep editing
    )
    assert not editor.save()
    assert answers.done
    assert aigerim.stories.get(opened.id) == theirs  # nothing overwritten
    assert "Timur's changes to Title" in looked[0] and "Undo" in looked[0]

    Answers().then("Compare").then(CompareDialog.OVERWRITE).then("Replace theirs")
    assert editor.save()
    assert aigerim.stories.get(opened.id).title == opened.title


def test_a_save_that_overtakes_the_comparison_says_so(
    editor: StoryEditor, aigerim: Services, timur: Services
) -> None:
    """The refusal said "was changed by Timur at … since you opened it; reload it to see their version";
    the person had just compared Timur's version: what is new is that he saved again meanwhile."""
    opened, theirs = _collide(editor, aigerim, timur)

    def timur_saves_again(_box: QWidget) -> None:
        timur.stories.update(
            opened.id, replace(theirs.fields(), byline="Later"), expected_version=theirs.version
        )

    Answers().then("Compare").then(CompareDialog.OVERWRITE).then("Replace theirs", timur_saves_again)
    assert not editor.save()
    notice = editor.notice_message()
    assert "again" in notice and "after the version you compared" in notice, notice
    assert "Your edits are kept" in notice
    assert aigerim.stories.get(opened.id).byline == "Later"


def test_a_read_only_database_that_is_not_in_wal_mode_opens_for_reading(tmp_path: Path) -> None:
    """A file restored from a backup is in rollback-journal mode (VACUUM INTO writes it so). On a read-only
    share the app then failed at the first read with "The database file is read-only; your change was not
    saved" (the connection tried to switch it to WAL) and the window never opened."""
    path = tmp_path / "desk.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (x)")
        connection.execute("INSERT INTO t VALUES (1)")
    connection.close()
    before = path.read_bytes()
    database = Database(read_only_url(path), read_only=True)
    try:
        with database.read() as session:
            assert session.connection().exec_driver_sql("SELECT x FROM t").scalar() == 1
    finally:
        database.dispose()
    assert path.read_bytes() == before


def test_the_read_only_banner_has_a_row_of_its_own(qtbot, services: Services, tmp_path: Path) -> None:
    """On a read-only share the banner sat left of the main toolbar in a narrow column, its sentence wrapped
    over five lines ("Read-only: /…/desk.sqlite3 / cannot be written here (a / locked or …")."""
    from PySide6.QtCore import QSettings

    from ca_editor.ui.main_window import MainWindow
    from ca_editor.ui.settings import Settings

    services.db.read_only = True
    window = MainWindow(services, Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)))
    qtbot.addWidget(window)
    try:
        window.resize(1400, 860)
        window.show()
        qtbot.waitExposed(window)
        banner = window.backups.banner
        assert banner is not None
        others = [
            t
            for t in window.findChildren(type(banner))
            if t is not banner
            and t.parent() is window
            and t.isVisible()  # a hidden bar (the offline one) takes no room
        ]
        assert others
        for toolbar in others:
            assert not banner.geometry().intersects(toolbar.geometry())
            assert banner.geometry().bottom() < toolbar.geometry().top() or (
                toolbar.geometry().bottom() < banner.geometry().top()
            )
        assert banner.width() > window.width() * 0.9
    finally:
        window.editor.revert()
        services.db.read_only = False
