"""The story detail editor: fields, saving through the desk with undo, validation, images, conflicts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QDate, QDateTime, QTime, QTimer, QTimeZone
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from sqlalchemy import func, select

from ca_editor.domain.model import Story, StoryStatus
from ca_editor.domain.section_settings import SectionSettings
from ca_editor.persistence.models import AssetRow
from ca_editor.services.container import Services
from ca_editor.ui.conflicts import StoryConflictFlow
from ca_editor.ui.desk import Desk
from ca_editor.ui.editor import StoryEditor
from ca_editor.ui.plain_text import exact_text


@pytest.fixture
def desk(services: Services) -> Desk:
    return Desk(services, services.section_id())


@pytest.fixture
def editor(qtbot, desk: Desk) -> Iterator[StoryEditor]:
    widget = StoryEditor(desk)
    qtbot.addWidget(widget)
    widget.resize(560, 800)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


@pytest.fixture
def advised_editor(qtbot, services: Services) -> Iterator[StoryEditor]:
    """The editor on a section with the default teaser advice (400; the demo section has none)."""
    section = services.section_settings.by_slug("central-asia")
    advised = replace(SectionSettings.of(section), teaser_limit=400)
    services.section_settings.change(section.id, advised, expected_version=section.version)
    widget = StoryEditor(Desk(services, services.section_id()))
    qtbot.addWidget(widget)
    widget.resize(560, 800)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


def _story_with_image(services: Services) -> Story:
    for row in services.stories.list():
        story = services.stories.get(row.id)
        if story.image is not None:
            return story
    raise AssertionError("the demo has no story with an image")


def _other_story(services: Services, not_id: int) -> Story:
    return next(services.stories.get(r.id) for r in services.stories.list() if r.id != not_id)


class DialogAnswerer:
    """Press a button of the next modal message box by its text, remembering what the box said."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def answer(self, button_text: str) -> None:
        def press() -> None:
            box = QApplication.activeModalWidget()
            if not isinstance(box, QMessageBox):
                QTimer.singleShot(10, press)
                return
            self.seen.append(f"{box.text()}\n{box.informativeText()}")
            for button in box.buttons():
                if button.text() == button_text:
                    button.click()
                    return
            raise AssertionError(f"no button {button_text!r} in {[b.text() for b in box.buttons()]}")

        QTimer.singleShot(0, press)


@pytest.fixture
def dialogs() -> DialogAnswerer:
    return DialogAnswerer()


def _asset_count(services: Services) -> int:
    with services.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(AssetRow)) or 0)


# --- showing ---------------------------------------------------------------------------------------------


def test_every_field_shows_the_story(advised_editor: StoryEditor, services: Services) -> None:
    editor = advised_editor
    story = _story_with_image(services)
    editor.show_story(story.id)
    assert story.image is not None and story.published_at is not None

    assert editor.title_edit.text() == story.title
    assert editor.slug_edit.text() == story.slug
    assert exact_text(editor.summary_edit) == story.summary
    assert exact_text(editor.body_edit) == story.body
    assert editor.byline_edit.text() == story.byline
    assert not editor.undated_check.isChecked()
    shown = editor.date_edit.dateTime().toMSecsSinceEpoch()
    assert shown == int(story.published_at.timestamp() * 1000)
    assert editor.status_combo.currentData() == story.status.value
    assert editor.tags_edit.text() == ", ".join(story.tags)
    assert editor.alt_edit.text() == story.image.alt
    assert editor.caption_edit.text() == story.image.caption
    assert editor.credit_edit.text() == story.image.credit
    assert editor.image_picker.view.has_image()  # decoded and drawn with its focal point
    assert editor.choose_button.text() == "Re&place…"
    assert f"{len(story.summary)} / 400" in editor.summary_counter.text()
    assert "words" in editor.word_count_label.text()
    assert editor.current_story() == story
    assert editor.current_fields() == story.fields()
    assert not editor.is_dirty()
    assert not editor.save_action.isEnabled()  # nothing to save yet
    assert editor.delete_action.isEnabled()


def test_nothing_shown_disables_the_form(editor: StoryEditor) -> None:
    editor.show_story(None)
    assert not editor.form.isEnabled()
    assert editor.edited_story() is None
    assert not editor.save_action.isEnabled()
    assert editor.new_action.isEnabled()


def test_every_control_has_an_accessible_name_and_tooltip(editor: StoryEditor) -> None:
    for key, widget in editor._fields.items():
        assert widget.accessibleName(), key
        assert widget.toolTip(), key
    for button in (editor.choose_button, editor.remove_button, editor.undated_check):
        assert button.accessibleName() and button.toolTip()


# --- saving and undo ------------------------------------------------------------------------------------


def test_save_persists_and_one_undo_restores_database_and_form(
    editor: StoryEditor, services: Services, desk: Desk, qtbot
) -> None:
    story = _story_with_image(services)
    editor.show_story(story.id)
    with qtbot.waitSignal(editor.dirty_changed, check_params_cb=lambda dirty: dirty):
        editor.title_edit.setText("Rewritten headline")
    editor.summary_edit.setPlainText("A new teaser.")
    editor.tags_edit.setText("Energy, , Kazakhstan, Energy")
    editor.status_combo.setCurrentIndex(editor.status_combo.findData(StoryStatus.READY.value))
    editor.caption_edit.setText("New caption")
    assert editor.dirty_label.isVisibleTo(editor)
    assert editor.save_action.isEnabled()

    with qtbot.waitSignal(editor.saved) as saved:
        editor.save_action.trigger()
    stored = services.stories.get(story.id)
    assert saved.args[0] == stored
    assert stored.title == "Rewritten headline"
    assert stored.summary == "A new teaser."
    assert stored.tags == ("Energy", "Kazakhstan")
    assert stored.status is StoryStatus.READY
    assert stored.image is not None and stored.image.caption == "New caption"
    assert not editor.is_dirty() and not editor.dirty_label.isVisibleTo(editor)
    assert editor.current_story() == stored

    desk.undo_stack.undo()
    back = services.stories.get(story.id)
    assert back.fields() == story.fields()
    assert editor.title_edit.text() == story.title
    assert exact_text(editor.summary_edit) == story.summary
    assert editor.caption_edit.text() == story.image.caption if story.image else ""
    assert editor.current_story() == back
    assert not editor.is_dirty()

    desk.undo_stack.redo()
    assert editor.title_edit.text() == "Rewritten headline"
    assert services.stories.get(story.id).title == "Rewritten headline"


def test_new_story_create_undo_redo(editor: StoryEditor, services: Services, desk: Desk, qtbot) -> None:
    before = services.stories.count()
    editor.new_action.trigger()
    assert editor.is_new() and editor.form.isEnabled()
    assert editor.title_edit.hasFocus() or not editor.isActiveWindow()
    editor.title_edit.setText("Steppe wind farms double output")
    editor.summary_edit.setPlainText("Kazakhstan's wind parks produced twice as much as last year.")
    editor.undated_check.setChecked(True)
    new = editor.edited_story()
    assert new is not None and new.id == 0 and new.version == 0
    assert new.slug == "steppe-wind-farms-double-output"
    editor.validate_now()
    assert editor.slug_edit.placeholderText() == "steppe-wind-farms-double-output"

    assert editor.save()
    created = editor.current_story()
    assert created is not None and created.id > 0
    assert created.slug == "steppe-wind-farms-double-output"
    assert created.published_at is None
    assert services.stories.count() == before + 1
    assert not editor.is_new()

    desk.undo_stack.undo()
    assert services.stories.count() == before
    assert not editor.form.isEnabled()
    assert "was deleted" in editor.notice_message()

    desk.undo_stack.redo()
    assert services.stories.get(created.id).title == "Steppe wind farms double output"
    assert editor.current_story() is not None and editor.current_story().id == created.id
    assert editor.title_edit.text() == "Steppe wind farms double output"


def test_a_blank_slug_is_derived_free_of_others(editor: StoryEditor, services: Services) -> None:
    story = _story_with_image(services)
    editor.new_story()
    editor.title_edit.setText("Another copy")
    editor.slug_edit.setText("")
    editor.validate_now()
    assert editor.slug_edit.placeholderText() == "another-copy"
    assert editor.save()
    editor.new_story()
    editor.title_edit.setText("Another copy")
    editor.validate_now()
    assert editor.slug_edit.placeholderText() == "another-copy-2"
    assert editor.save()
    saved = editor.current_story()
    assert saved is not None and saved.slug == "another-copy-2"
    assert story.slug != saved.slug


# --- inline validation ----------------------------------------------------------------------------------


def test_empty_title_is_explained_under_the_title_and_blocks_save(editor: StoryEditor, services) -> None:
    story = _story_with_image(services)
    editor.show_story(story.id)
    editor.title_edit.setText("   ")
    editor.validate_now()
    message = editor._messages["title"]
    assert message.severity == "error"
    assert message.text() == "A story needs a title"
    assert not message.isHidden()
    assert editor.title_edit.property("problem") == "error"
    assert editor.title_edit.accessibleDescription() == "A story needs a title"
    assert not editor.save_action.isEnabled()
    assert "Fix before saving" in editor.save_action.toolTip()
    assert "Title" in editor.save_action.toolTip()
    assert editor.problem_summary.text().startswith("1 problem: ")
    assert not editor.save()
    assert services.stories.get(story.id).title == story.title

    editor.title_edit.setText("Fixed")
    editor.validate_now()
    assert editor._messages["title"].isHidden()
    assert editor.title_edit.property("problem") == ""
    assert editor.save_action.isEnabled()


def test_duplicate_slug_names_the_other_story_and_blocks_save(editor: StoryEditor, services) -> None:
    story = _story_with_image(services)
    other = _other_story(services, story.id)
    editor.show_story(story.id)
    editor.slug_edit.setText(other.slug)
    editor.validate_now()
    text = editor._messages["slug"].text()
    assert f"'{other.slug}' is already used by" in text
    assert other.title[:20] in text
    assert editor.slug_edit.property("problem") == "error"
    assert not editor.save_action.isEnabled()
    editor.slug_edit.setText(story.slug)  # its own slug is not a duplicate
    editor.validate_now()
    assert editor._messages["slug"].isHidden()


def test_a_save_before_the_slug_answer_is_refused_by_the_write_beside_the_slug(
    editor: StoryEditor, services: Services
) -> None:
    """A save asks no slug question: saved at once after typing a taken slug, the write refuses it, and the
    same message (naming the other story) stands beside the slug field."""
    story = _story_with_image(services)
    other = _other_story(services, story.id)
    editor.show_story(story.id)
    editor.slug_edit.setText(other.slug)
    assert not editor.save()
    text = editor._messages["slug"].text()
    assert f"'{other.slug}' is already used by" in text
    assert other.title[:20] in text
    assert editor.slug_edit.property("problem") == "error"
    assert editor.is_dirty()
    assert services.stories.get(story.id) == story


def test_invalid_slug_is_explained(editor: StoryEditor, services) -> None:
    editor.show_story(_story_with_image(services).id)
    editor.slug_edit.setText("Not A Slug!")
    editor.validate_now()
    assert "must be lower-case letters" in editor._messages["slug"].text()


def test_image_without_alt_warns_under_alt_and_does_not_block(editor: StoryEditor, services) -> None:
    story = _story_with_image(services)
    editor.show_story(story.id)
    editor.alt_edit.setText("")
    editor.validate_now()
    message = editor._messages["image_alt"]
    assert message.severity == "warning"
    assert "has no alt text" in message.text()
    assert editor.alt_edit.property("problem") == "warning"
    assert "Warnings do not stop saving" in editor.problem_summary.text()
    assert editor.save_action.isEnabled()
    assert editor.save()
    stored = services.stories.get(story.id)
    assert stored.image is not None and stored.image.alt == ""


def test_long_summary_warns_and_too_long_blocks(advised_editor: StoryEditor, services) -> None:
    editor = advised_editor
    story = _story_with_image(services)
    editor.show_story(story.id)
    editor.summary_edit.setPlainText("x" * 450)
    assert editor.summary_counter.text() == "450 / 400"
    assert "#8a5300" in editor.summary_counter.styleSheet()
    editor.validate_now()
    message = editor._messages["summary"]
    assert message.severity == "warning"
    assert message.text() == "Summary is 450 characters; phones cut teasers over 400"
    assert editor.save_action.isEnabled()

    editor.summary_edit.setPlainText("x" * 2100)
    editor.validate_now()
    assert editor._messages["summary"].severity == "error"
    assert "the limit is 2,000" in editor._messages["summary"].text()
    assert not editor.save_action.isEnabled()


def test_hostile_text_gets_a_message_not_a_crash(editor: StoryEditor, services) -> None:
    story = _story_with_image(services)
    editor.show_story(story.id)
    editor.title_edit.setText("A" * 10_000)
    editor.validate_now()
    assert "Title is 10,000 characters long; the limit is 300" in editor._messages["title"].text()
    assert not editor.save()

    editor.title_edit.setText("Soft\x0bbreak from Word")
    editor.byline_edit.setText("Nul\x00byte")
    editor.tags_edit.setText("ok, bad\x07tag")
    editor.body_edit.setPlainText("# Heading\n\n*émphasis* [link](javascript:alert(1)) \u202e\x1b[31m")
    editor.validate_now()
    assert "control character (U+000B) at position 5" in editor._messages["title"].text()
    assert "NUL" in editor._messages["byline"].text()
    assert "control character" in editor._messages["tags"].text()
    assert "control character" in editor._messages["body"].text()
    assert not editor.save()
    assert services.stories.get(story.id).title == story.title
    assert editor.problem_summary.text().startswith("4 problems: ")
    editor.edited_story()  # the preview may still render the text as typed


def test_validation_runs_on_its_own_after_typing(editor: StoryEditor, services, qtbot) -> None:
    editor.show_story(_story_with_image(services).id)
    editor.title_edit.setText("")
    qtbot.waitUntil(lambda: not editor._messages["title"].isHidden(), timeout=2000)


# --- images ----------------------------------------------------------------------------------------------


def test_choose_a_real_png(editor: StoryEditor, services, tmp_path: Path, monkeypatch) -> None:
    png = tmp_path / "yurt.png"
    Image.new("RGB", (64, 40), (200, 120, 30)).save(png)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(png), "Images"))
    story = next(
        services.stories.get(r.id)
        for r in services.stories.list()
        if services.stories.get(r.id).image is not None
    )
    editor.show_story(story.id)
    editor.choose_button.click()
    assert editor._image is not None and editor._image.width == 64
    assert "PNG, 64×40" in editor.image_info.text()
    assert editor._messages["image"].isHidden()
    assert editor.save()
    stored = services.stories.get(story.id)
    assert stored.image is not None and stored.image.asset.width == 64
    assert stored.image.alt == story.image.alt if story.image else True  # alt text kept on replace


def test_new_story_image_needs_alt_then_saves(editor: StoryEditor, services, tmp_path, monkeypatch) -> None:
    png = tmp_path / "steppe.png"
    Image.new("RGB", (30, 20), (10, 90, 40)).save(png)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(png), ""))
    editor.new_story()
    assert not editor.alt_edit.isEnabled() and not editor.remove_button.isEnabled()
    editor.title_edit.setText("With a picture")
    editor.choose_button.click()
    assert editor.alt_edit.isEnabled() and editor.remove_button.isEnabled()
    editor.validate_now()
    assert "has no alt text" in editor._messages["image_alt"].text()
    editor.alt_edit.setText("Green steppe")
    editor.validate_now()
    assert editor._messages["image_alt"].isHidden()
    assert editor.save()
    created = editor.current_story()
    assert created is not None and created.image is not None and created.image.alt == "Green steppe"

    editor.remove_button.click()
    assert editor.current_fields().image_sha256 is None
    assert editor.save()
    assert services.stories.get(created.id).image is None


def test_a_non_image_file_is_refused_with_a_clear_message(
    editor: StoryEditor, services, tmp_path: Path, monkeypatch
) -> None:
    fake = tmp_path / "notes.png"
    fake.write_text("this is not a picture", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(fake), ""))
    story = _story_with_image(services)
    editor.show_story(story.id)
    assets = _asset_count(services)
    editor.choose_button.click()
    message = editor._messages["image"].text()
    assert "notes.png is not a PNG, JPEG, WebP or GIF image" in message
    assert "The image was not changed" in message
    assert editor._messages["image"].severity == "error"
    assert _asset_count(services) == assets
    assert editor.current_fields() == story.fields()
    assert not editor.is_dirty()

    missing = tmp_path / "gone.png"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(missing), ""))
    editor.choose_button.click()
    assert "Could not read gone.png" in editor._messages["image"].text()


def test_cancelled_file_dialog_changes_nothing(editor: StoryEditor, services, monkeypatch) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    story = _story_with_image(services)
    editor.show_story(story.id)
    editor.choose_button.click()
    assert not editor.is_dirty()


# --- live preview, dates --------------------------------------------------------------------------------


def test_edited_emits_the_unsaved_title(editor: StoryEditor, services, qtbot) -> None:
    story = _story_with_image(services)
    editor.show_story(story.id)
    with qtbot.waitSignal(editor.edited, timeout=2000) as emitted:
        editor.title_edit.setText("Typed but not saved")
    value = emitted.args[0]
    assert isinstance(value, Story)
    assert value.title == "Typed but not saved"
    assert value.id == story.id and value.version == story.version
    assert services.stories.get(story.id).title == story.title


def test_dates_round_trip_as_the_same_instant(editor: StoryEditor, services) -> None:
    story = _story_with_image(services)
    editor.show_story(story.id)
    tashkent = QTimeZone(
        5 * 3600
    )  # the picker shows local time; an instant given in UTC+5 stays that instant
    editor.date_edit.setDateTime(QDateTime(QDate(2024, 3, 5), QTime(14, 30), tashkent))
    assert "stored as 2024-03-05 09:30 UTC" in editor.date_hint.text()
    assert editor.save()
    stored = services.stories.get(story.id)
    assert stored.published_at == datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    editor.show_story(story.id)
    assert editor.date_edit.dateTime().toMSecsSinceEpoch() == int(stored.published_at.timestamp() * 1000)
    assert not editor.is_dirty()

    editor.undated_check.setChecked(True)
    assert not editor.date_edit.isEnabled()
    assert editor.save()
    assert services.stories.get(story.id).published_at is None
    assert editor.undated_check.isChecked()


# --- conflicts, leaving, deleting -----------------------------------------------------------------------


def test_conflicting_save_explains_and_keeps_what_was_typed(
    editor: StoryEditor, services, dialogs: DialogAnswerer
) -> None:
    story = _story_with_image(services)
    editor.show_story(story.id)
    editor.title_edit.setText("My careful headline")
    editor.body_edit.setPlainText("My new body text.")
    services.stories.update(
        story.id, replace(story.fields(), summary="Their summary"), expected_version=story.version
    )

    dialogs.answer("Cancel")  # the choices themselves: tests/ui/test_conflicts.py
    assert not editor.save()
    assert "since you opened it" in dialogs.seen[0]
    assert editor.title_edit.text() == "My careful headline"
    assert editor.body_edit.toPlainText() == "My new body text."
    assert editor.is_dirty()
    assert "Save asks again" in editor.notice_message()
    assert services.stories.get(story.id).title == story.title

    dialogs.answer("Cancel")
    assert not editor.save()  # asks again: never a silent overwrite
    assert len(dialogs.seen) == 2
    assert services.stories.get(story.id).summary == "Their summary"


def test_conflict_reload_shows_their_version(editor: StoryEditor, services, dialogs, monkeypatch) -> None:
    story = _story_with_image(services)
    editor.show_story(story.id)
    editor.title_edit.setText("Mine")
    services.stories.update(story.id, replace(story.fields(), title="Theirs"), expected_version=story.version)
    monkeypatch.setattr(StoryConflictFlow, "_confirm_discard", lambda _flow: True)
    dialogs.answer("Reload theirs")
    assert not editor.save()
    assert editor.title_edit.text() == "Theirs"
    assert not editor.is_dirty()


def test_undo_elsewhere_keeps_unsaved_edits_with_a_notice(editor: StoryEditor, services, desk: Desk) -> None:
    story = _story_with_image(services)
    desk.update_story(story, replace(story.fields(), byline="Somebody else"))
    editor.show_story(story.id)
    editor.title_edit.setText("Typing in progress")
    desk.undo_stack.undo()
    assert editor.title_edit.text() == "Typing in progress"
    assert editor.byline_edit.text() == "Somebody else"
    assert "changed elsewhere" in editor.notice_message()
    editor.notice_reload.click()
    assert editor.byline_edit.text() == story.byline
    assert editor.title_edit.text() == story.title


def test_maybe_leave_asks_save_discard_cancel(editor: StoryEditor, services, dialogs) -> None:
    story = _story_with_image(services)
    editor.show_story(story.id)
    assert editor.maybe_leave()  # nothing to ask
    editor.title_edit.setText("Half-written")

    dialogs.answer("Cancel")
    assert not editor.maybe_leave()
    assert editor.title_edit.text() == "Half-written"

    dialogs.answer("Discard")
    assert editor.maybe_leave()
    assert editor.title_edit.text() == story.title

    editor.title_edit.setText("Kept")
    dialogs.answer("Save")
    assert editor.maybe_leave()
    assert services.stories.get(story.id).title == "Kept"

    editor.title_edit.setText("")
    dialogs.answer("Save")
    assert not editor.maybe_leave()  # it cannot be saved: stay, with the reason shown
    assert not editor._messages["title"].isHidden()


def test_delete_asks_then_deletes_and_undo_brings_it_back(
    editor: StoryEditor, services, desk: Desk, dialogs
) -> None:
    story = _story_with_image(services)
    editor.show_story(story.id)
    dialogs.answer("Cancel")
    assert not editor.delete()
    assert services.stories.get(story.id)

    dialogs.answer("Delete")
    assert editor.delete()
    assert "Undo (Ctrl+Z) brings it back" in dialogs.seen[-1]
    assert story.id not in {r.id for r in services.stories.list()}
    assert not editor.form.isEnabled()

    desk.undo_stack.undo()
    assert services.stories.get(story.id).title == story.title
    assert editor.title_edit.text() == story.title


def test_revert_discards_edits(editor: StoryEditor, services) -> None:
    story = _story_with_image(services)
    editor.show_story(story.id)
    editor.title_edit.setText("Oops")
    assert editor.revert_action.isEnabled()
    editor.revert_action.trigger()
    assert editor.title_edit.text() == story.title
    assert not editor.is_dirty() and not editor.revert_action.isEnabled()


def test_screenshot_with_a_validation_message(editor: StoryEditor, services, tmp_path: Path, qtbot) -> None:
    story = _story_with_image(services)
    editor.show_story(story.id)
    editor.alt_edit.setText("")
    editor.body_edit.setPlainText(
        "## A heading\n\nSome *emphasis*, **strong** words and a [link](https://example.org).\n\n"
        "- first item\n- second item\n\n> a quote with `code`\n\n" + story.body
    )
    editor.validate_now()
    qtbot.wait(50)  # let the layouts take the new texts in
    shot = Path(os.environ.get("CA_EDITOR_SCREENSHOT_DIR", tmp_path)) / "story-editor.png"
    assert editor.grab().save(str(shot))
    assert shot.stat().st_size > 10_000


def test_a_storage_refusal_reads_as_one_sentence_and_keeps_the_edits(
    qtbot, editor: StoryEditor, desk: Desk, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read-only message ends in a full stop and says what to do: no '..', no 'try again' after it."""
    from ca_editor.domain.errors import StorageError
    from ca_editor.persistence.database import READ_ONLY_MESSAGE

    story = services.sections.layout(services.section_id()).slots[0].story
    editor.show_story(story.id)
    editor.title_edit.setText("Edited on a read-only share")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise StorageError(READ_ONLY_MESSAGE)

    monkeypatch.setattr(services.stories, "update", refuse)
    assert not editor.save()
    notice = editor.notice_message()
    assert ".." not in notice and "try again" not in notice, notice
    assert notice.endswith("Your edits are kept.")
    assert editor.title_edit.text() == "Edited on a read-only share"


def test_an_animated_picture_is_taken_and_the_editor_says_only_its_first_frame_shows(
    editor: StoryEditor, services, tmp_path: Path, monkeypatch
) -> None:
    frames = [Image.new("RGB", (800, 450), colour) for colour in ("green", "red", "blue")]
    animated = tmp_path / "loop.gif"
    frames[0].save(animated, save_all=True, append_images=frames[1:], duration=200, loop=0)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(animated), ""))
    story = _story_with_image(services)
    editor.show_story(story.id)
    editor.choose_button.click()
    message = editor._messages["image"].text()
    assert "animated (3 frames)" in message and "first frame only" in message
    assert editor.current_fields().image_sha256 != (story.image.asset.sha256 if story.image else None)
