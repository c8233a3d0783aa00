"""Focal points (issue 17): click the picture where the crop centres, in the story editor and a slot's
override; the 16:9 card crop follows; saved through the desk, undone like any edit; keyboard twins."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, QSize, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from ca_editor.domain.crop import CARD_ASPECT, crop_box
from ca_editor.domain.model import SlotEntry, Story, StoryFields
from ca_editor.services.container import Services
from ca_editor.ui.desk import Desk
from ca_editor.ui.editor import StoryEditor
from ca_editor.ui.focal_image import FocalImagePicker, FocalImageView, decode_oriented
from ca_editor.ui.slots import EditorsChoicePane


def _jpeg(width: int, height: int, orientation: int | None = None) -> bytes:
    picture = Image.new("RGB", (width, height), (40, 110, 160))
    picture.paste((230, 200, 40), (0, 0, width // 4, height // 4))  # a landmark in the stored top left
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _position_of(view: FocalImageView, x: float, y: float) -> QPoint:
    """Where on the widget the point (x, y) of the picture is drawn."""
    shown = view.image_rect()
    return QPointF(shown.left() + x * shown.width(), shown.top() + y * shown.height()).toPoint()


# --- the widget ------------------------------------------------------------------------------------------


@pytest.fixture
def picker(qtbot) -> Iterator[FocalImagePicker]:
    widget = FocalImagePicker(QSize(240, 160))
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


def test_decoding_applies_the_exif_orientation_and_reports_the_full_size() -> None:
    decoded = decode_oriented(_jpeg(2400, 1200, orientation=6), limit=600)  # stored wide, shown tall
    assert decoded is not None
    image, full = decoded
    assert (full.width(), full.height()) == (1200, 2400)
    assert image.height() > image.width() and max(image.width(), image.height()) <= 600
    assert decode_oriented(b"not a picture") is None


def test_a_click_sets_the_focal_point_and_the_crop_follows(qtbot, picker: FocalImagePicker) -> None:
    assert picker.set_image(_jpeg(1600, 1200))
    view = picker.view
    changes: list[object] = []
    picker.focus_changed.connect(changes.append)
    assert picker.focus_point() is None and not picker.centre_button.isEnabled()
    centred = view.crop_rect()

    QTest.mouseClick(
        view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _position_of(view, 0.5, 0.2)
    )
    x, y = picker.focus_point() or (0.0, 0.0)
    assert abs(x - 0.5) < 0.02 and abs(y - 0.2) < 0.02
    assert changes == [picker.focus_point()]
    assert view.crop_rect().top() < centred.top()  # the 16:9 box moved up towards the point
    assert picker.where.text().startswith("50% across, 2")
    _, top, _, bottom = crop_box(1600, 1200, CARD_ASPECT, picker.focus_point())
    scale = view.image_rect().width() / 1600
    assert abs(view.crop_rect().top() - (view.image_rect().top() + top * scale)) < 0.01
    assert abs(view.crop_rect().height() - (bottom - top) * scale) < 0.01

    picker.centre_button.click()
    assert picker.focus_point() is None and changes[-1] is None
    assert view.crop_rect() == centred


def test_the_keyboard_moves_and_resets_the_point(qtbot, picker: FocalImagePicker) -> None:
    picker.set_image(_jpeg(800, 800))
    view = picker.view
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Left)
    assert picker.focus_point() == (0.48, 0.5)
    QTest.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert picker.focus_point() == (0.48, 0.6)
    for _ in range(20):
        QTest.keyClick(view, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)
    assert picker.focus_point() == (0.48, 0.0)  # stops at the edge
    assert "48% across, 0% down" in view.accessibleDescription()
    QTest.keyClick(view, Qt.Key.Key_Home)
    assert picker.focus_point() is None


def test_without_a_picture_nothing_moves(qtbot, picker: FocalImagePicker) -> None:
    picker.set_image(None)
    QTest.mouseClick(picker.view, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert picker.focus_point() is None and not picker.view.isEnabled()


# --- the story editor ------------------------------------------------------------------------------------


@pytest.fixture
def desk(services: Services) -> Desk:
    return Desk(services, services.section_id())


@pytest.fixture
def editor(qtbot, desk: Desk) -> Iterator[StoryEditor]:
    widget = StoryEditor(desk)
    qtbot.addWidget(widget)
    widget.resize(620, 900)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


def _story_with_image(services: Services) -> Story:
    for row in services.stories.list():
        story = services.stories.get(row.id)
        if story.image is not None:
            return story
    raise AssertionError("the demo has no story with an image")


def test_click_in_the_editor_save_undo_redo(qtbot, editor: StoryEditor, desk: Desk, services) -> None:
    story = _story_with_image(services)
    assert story.image is not None and story.image.focus is None
    editor.show_story(story.id)
    view = editor.image_picker.view
    assert view.has_image()
    previews: list[Story | None] = []
    editor.edited.connect(previews.append)

    QTest.mouseClick(view, Qt.MouseButton.LeftButton, pos=_position_of(view, 0.25, 0.75))
    assert editor.is_dirty()
    focus = editor.current_fields().image_focus
    assert focus is not None and abs(focus[0] - 0.25) < 0.02 and abs(focus[1] - 0.75) < 0.02
    qtbot.waitUntil(lambda: bool(previews), timeout=2000)  # the preview gets the form, focus and all
    shown = previews[-1]
    assert shown is not None and shown.image is not None and shown.image.focus == focus

    assert editor.save()
    stored = services.stories.get(story.id).image
    assert stored is not None and stored.focus == focus
    assert not editor.is_dirty()

    desk.undo_stack.undo()
    undone = services.stories.get(story.id).image
    assert undone is not None and undone.focus is None
    assert editor.image_picker.focus_point() is None  # the editor follows the undo
    desk.undo_stack.redo()
    redone = services.stories.get(story.id).image
    assert redone is not None and redone.focus == focus
    assert editor.image_picker.focus_point() == focus


def test_the_keyboard_sets_the_focus_in_the_editor(editor: StoryEditor, services) -> None:
    story = _story_with_image(services)
    editor.show_story(story.id)
    editor.image_picker.view.setFocus()
    QTest.keyClick(editor.image_picker.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert editor.current_fields().image_focus == (0.6, 0.5)
    assert editor.save()
    stored = services.stories.get(story.id).image
    assert stored is not None and stored.focus == (0.6, 0.5)


def test_a_new_picture_starts_centred(editor: StoryEditor, services, tmp_path: Path, monkeypatch) -> None:
    story = _story_with_image(services)
    services.stories.update(story.id, _with_focus(story, (0.1, 0.1)), expected_version=story.version)
    editor.show_story(story.id)
    assert editor.image_picker.focus_point() == (0.1, 0.1)
    png = tmp_path / "steppe.png"
    Image.new("RGB", (300, 200), (90, 160, 60)).save(png)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(png), "Images"))
    editor.choose_button.click()
    assert editor.current_fields().image_focus is None
    editor.remove_button.click()
    assert editor.current_fields().image_focus is None and not editor.image_picker.view.has_image()


def _with_focus(story: Story, focus: tuple[float, float]) -> StoryFields:
    return replace(story.fields(), image_focus=focus)


# --- a slot's image override -----------------------------------------------------------------------------


@pytest.fixture
def pane(qtbot, desk: Desk) -> EditorsChoicePane:
    widget = EditorsChoicePane(desk)
    widget.resize(620, 1000)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _slot_of(desk: Desk, story_id: int):
    return next(s for s in desk.services.sections.layout(desk.section_id).slots if s.story.id == story_id)


def test_override_focus_apply_undo_and_revert(qtbot, desk: Desk, pane, tmp_path: Path) -> None:
    slot = desk.layout.slots[2]
    pane.select_slot(slot.id)
    panel = pane.overrides
    picture = tmp_path / "market.jpg"
    picture.write_bytes(_jpeg(1200, 900))
    panel.pick_image_file = lambda parent: str(picture)
    panel.choose_image.click()
    view = panel.image_picker.view
    assert view.has_image() and panel.image_picker.focus_point() is None
    panel.alt_edit.setText("Stalls at the Green Bazaar")
    QTest.mouseClick(view, Qt.MouseButton.LeftButton, pos=_position_of(view, 0.8, 0.3))
    focus = panel.image_picker.focus_point()
    assert focus is not None and abs(focus[0] - 0.8) < 0.03 and abs(focus[1] - 0.3) < 0.03
    assert panel.apply()
    saved = _slot_of(desk, slot.story.id).overrides.image
    assert saved is not None and saved.focus == focus

    QTest.mouseClick(view, Qt.MouseButton.LeftButton, pos=_position_of(view, 0.2, 0.6))
    moved = panel.image_picker.focus_point()
    assert panel.apply()  # a focus-only change is a change worth applying
    assert _slot_of(desk, slot.story.id).overrides.image.focus == moved
    desk.undo_stack.undo()
    assert _slot_of(desk, slot.story.id).overrides.image.focus == focus
    assert panel.image_picker.focus_point() == focus  # the panel shows the restored point

    panel.image_revert.click()
    assert _slot_of(desk, slot.story.id).overrides.image is None
    assert not panel.image_picker.view.has_image()
    desk.undo_stack.undo()
    restored = _slot_of(desk, slot.story.id).overrides.image
    assert restored is not None and restored.focus == focus


def test_override_focus_survives_leaving_and_returning_to_the_block(desk: Desk, services, tmp_path) -> None:
    slot = desk.layout.slots[1]
    asset = services.images.add(_jpeg(800, 600), name="x.jpg")
    entry = SlotEntry(slot.story.id, image_sha256=asset.sha256, image_alt="A", image_focus=(0.3, 0.7))
    assert desk.set_slot_overrides(slot.id, entry)
    desk.remove_slots([slot.id])
    [former] = [f for f in services.sections.former(desk.section_id) if f.story.id == slot.story.id]
    assert former.entry.image_focus == (0.3, 0.7)
    desk.undo_stack.undo()
    assert _slot_of(desk, slot.story.id).overrides.image.focus == (0.3, 0.7)


def test_slot_thumbnails_are_cut_around_the_focal_point(qtbot) -> None:
    from ca_editor.ui.slots.models import Thumbnails

    tall = Image.new("RGB", (600, 900), (0, 0, 255))
    tall.paste((255, 0, 0), (0, 0, 600, 300))  # red top third, blue below
    data = io.BytesIO()
    tall.save(data, "PNG")
    thumbnails = Thumbnails(lambda sha: data.getvalue(), QSize(96, 54))
    top = thumbnails.get("x", focus=(0.5, 0.0))
    middle = thumbnails.get("x")
    assert top is not None and middle is not None
    assert top.toImage().pixelColor(48, 27).red() > 200  # the cut sits at the top: red
    assert middle.toImage().pixelColor(48, 27).blue() > 200  # centred: blue
