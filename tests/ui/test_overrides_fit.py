"""The overrides form fits editor's choice at every width the column takes (340–500 px): nothing cut.

At 1440 × 900 the form under the slot list asked for 686 px in a 389 px column: the hint, "Choose
image…" and the fields ran off the right edge (the scroll area scrolls down only). Now each field's name
stands above it and the picture's buttons go beside it or under it as the width allows
(``ui/beside_or_under.py``). The first start at 1440 × 900 is checked in ``test_desk_layout.py``.
"""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from ca_editor.domain.model import SlotEntry
from ca_editor.services.container import Services
from ca_editor.ui.desk_layout import dock_widths
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.settings import Settings


def _driver() -> Any:
    """The first-start driver as a module: the same measure here as on the first start."""
    spec = importlib.util.spec_from_file_location(
        "first_start_driver", Path(__file__).with_name("first_start_driver.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


overrides_fit = _driver().overrides_fit

NARROWEST, WIDEST = dock_widths(0)[0], dock_widths(10_000)[0]


def _jpeg() -> bytes:
    picture = Image.new("RGB", (1600, 1200), (90, 140, 200))
    picture.paste((200, 60, 40), (200, 500, 600, 1100))
    data = io.BytesIO()
    picture.save(data, "JPEG")
    return data.getvalue()


@pytest.fixture
def window(qtbot: QtBot, services: Services, tmp_path: Path) -> MainWindow:
    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(services, settings)
    window.editor.maybe_leave = lambda: True  # type: ignore[method-assign]  # never a modal at teardown
    qtbot.addWidget(window)
    window.resize(1440, 860)
    window.show()
    qtbot.waitExposed(window)
    return window


def _fill_a_slot(window: MainWindow) -> None:
    """A slot with every override: headline, summary, and its own image with a focal point."""
    desk = window.choice.desk
    slot = desk.layout.slots[1]
    asset = desk.services.images.add(_jpeg(), name="yurt.jpg")
    entry = SlotEntry(
        slot.story.id, "A page headline", "A page summary.", asset.sha256, "A yurt", (0.25, 0.6)
    )
    assert desk.set_slot_overrides(slot.id, entry)
    window.choice.select_slot(desk.layout.slots[1].id)
    assert window.choice.overrides.image_picker.view.has_image()


def _column(qtbot: QtBot, window: MainWindow, width: int) -> dict[str, object]:
    window.resizeDocks([window.choice_dock], [width], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: window.choice_dock.width() == width)
    qtbot.wait(50)  # the scroll area lays its form out again after the column's resize
    return overrides_fit(window.choice.overrides_area)


@pytest.mark.xvfb  # the tests' 1600 × 1000 screen; offscreen's 800 × 600 has no room for the columns
@pytest.mark.parametrize("filled", [False, True], ids=["no slot", "slot with overrides"])
@pytest.mark.parametrize("width", [NARROWEST, 400, WIDEST])
def test_the_overrides_form_fits_the_column_at_every_width(
    qtbot: QtBot, window: MainWindow, width: int, filled: bool
) -> None:
    if filled:
        _fill_a_slot(window)
    fit = _column(qtbot, window, width)
    viewport = fit["viewport"]
    assert isinstance(viewport, int) and viewport < width
    assert fit["minimum"] <= viewport and fit["hint"] <= viewport, fit  # type: ignore[operator]
    assert fit["form"] == viewport, fit  # widened by nothing: no sideways scrolling hides a part
    assert fit["past_the_edge"] == [], fit


@pytest.mark.xvfb
def test_the_picture_buttons_go_under_it_when_narrow_and_beside_it_when_wide(
    qtbot: QtBot, window: MainWindow
) -> None:
    _fill_a_slot(window)
    form = window.choice.overrides
    picture, choose = form.image_picker, form.choose_image

    _column(qtbot, window, NARROWEST)
    assert (
        choose.mapTo(form, choose.rect().topLeft()).y() > picture.mapTo(form, picture.rect().bottomLeft()).y()
    )
    assert not picture.geometry().intersects(choose.geometry())

    _column(qtbot, window, WIDEST)
    assert (
        choose.mapTo(form, choose.rect().topLeft()).x() > picture.mapTo(form, picture.rect().topRight()).x()
    )
    assert (
        choose.mapTo(form, choose.rect().topLeft()).y() == picture.mapTo(form, picture.rect().topLeft()).y()
    )


@pytest.mark.xvfb
def test_a_short_column_still_scrolls_the_form_down(qtbot: QtBot, window: MainWindow) -> None:
    _fill_a_slot(window)
    _column(qtbot, window, NARROWEST)
    area = window.choice.overrides_area
    assert area.widget().height() > area.viewport().height()  # taller than its room: it scrolls
    bar = area.verticalScrollBar()
    assert bar.isVisible() and bar.maximum() > 0
    area.ensureWidgetVisible(window.choice.overrides.apply_button)
    assert bar.value() > 0
