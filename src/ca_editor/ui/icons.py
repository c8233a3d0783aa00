"""Every icon the app shows, by meaning. The only module that imports qtawesome."""

from __future__ import annotations

from functools import cache

import qtawesome as qta
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap

_ICONS = {
    "undo": "mdi6.undo",
    "redo": "mdi6.redo",
    "search": "mdi6.magnify",
    "help": "mdi6.keyboard-outline",
    "preview": "mdi6.eye-outline",
    "export": "mdi6.export-variant",
    "import": "mdi6.file-import-outline",
    "refresh": "mdi6.refresh",
    "quit": "mdi6.exit-to-app",
    "editors_choice": "mdi6.star",
    "story": "mdi6.file-document-outline",
    "open_folder": "mdi6.folder-open-outline",
    "slot_move_up": "mdi6.arrow-up",
    "slot_move_down": "mdi6.arrow-down",
    "slot_move_top": "mdi6.arrow-collapse-up",
    "slot_move_bottom": "mdi6.arrow-collapse-down",
    "slot_move_to": "mdi6.swap-vertical",
    "slot_add": "mdi6.playlist-plus",
    "slot_remove": "mdi6.playlist-remove",
    "slot_edit_overrides": "mdi6.pencil-outline",
    "slot_revert": "mdi6.undo-variant",
    "slot_put_back": "mdi6.backup-restore",
    "slot_image": "mdi6.image-plus-outline",
    "slot_warning": "mdi6.alert",
    "save": "mdi6.content-save-outline",
    "revert": "mdi6.restore",
    "new_story": "mdi6.file-document-plus-outline",
    "delete": "mdi6.delete-outline",
    "problem_error": "mdi6.alert-circle",
    "problem_warning": "mdi6.alert",
    "problem_hint": "mdi6.lightbulb-on-outline",
    "fix": "mdi6.wrench-outline",
    "image_choose": "mdi6.image-plus-outline",
    "image_replace": "mdi6.image-edit-outline",
    "image_remove": "mdi6.image-remove-outline",
    "no_image": "mdi6.image-off-outline",
    "notice": "mdi6.information-outline",
    "section_page": "mdi6.newspaper-variant-outline",
    "phone": "mdi6.cellphone",
    "tablet": "mdi6.tablet",
    "desktop": "mdi6.monitor",
    "fit_width": "mdi6.arrow-expand-horizontal",
    "side_by_side": "mdi6.view-column-outline",
    "status_draft": "mdi6.pencil-outline",
    "status_ready": "mdi6.clock-check-outline",
    "status_approved": "mdi6.check-decagram-outline",
    "status_published": "mdi6.earth",
    "step_forward": "mdi6.arrow-right-bold-outline",
    "step_back": "mdi6.arrow-u-left-top",
    "history": "mdi6.history",
}


#: Icons whose colour carries meaning keep it in both palettes.
_FIXED_COLOURS = {
    "problem_error": "#c62828",
    "problem_warning": "#b26a00",
    "problem_hint": "#1a73e8",  # a suggestion: calm blue, never the colours of a problem
    "slot_warning": "#b26a00",
    "status_ready": "#b26a00",  # waiting for approval
    "status_approved": "#2e7d32",  # cleared for the page
    "status_published": "#1a73e8",  # out
}


class _PaletteIconEngine(QIconEngine):
    """Draws a qtawesome glyph in the application's current text colour at paint time.

    A plain ``qta.icon`` freezes its colour when created, so switching to the dark palette would leave dark
    icons on a dark background until a restart; this engine asks the palette each time it paints.
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    def _icon(self, mode: QIcon.Mode) -> QIcon:
        palette = QGuiApplication.palette()
        group = QPalette.ColorGroup.Disabled if mode == QIcon.Mode.Disabled else QPalette.ColorGroup.Active
        colour = _FIXED_COLOURS.get(self._name) or palette.color(group, QPalette.ColorRole.WindowText).name()
        if mode == QIcon.Mode.Selected:
            colour = palette.color(QPalette.ColorRole.HighlightedText).name()
        return _glyph(self._name, colour)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        self._icon(mode).paint(painter, rect, Qt.AlignmentFlag.AlignCenter, mode, state)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return _PaletteIconEngine(self._name)


@cache
def _glyph(name: str, colour: str) -> QIcon:
    _only_our_font()
    return qta.icon(_ICONS[name], color=colour, color_disabled=colour)


@cache
def _only_our_font() -> None:
    """Load only the Material Design font: qtawesome's first icon otherwise checksums and loads all twelve
    bundled fonts (about a third of a second of the desk's start; issue 18). Its private names, so when a
    qtawesome release renames them it simply loads all twelve again."""
    try:
        bundled = [spec for spec in qta._BUNDLED_FONTS if spec[0] == "mdi6"]
        if bundled and qta._resource["iconic"] is None:
            from qtawesome.iconic_font import IconicFont

            qta._resource["iconic"] = IconicFont(*bundled)
    except (AttributeError, KeyError, TypeError):
        pass


@cache
def icon(name: str) -> QIcon:
    if name not in _ICONS:
        raise KeyError(f"no icon named {name!r}; add it to _ICONS")
    return QIcon(_PaletteIconEngine(name))
