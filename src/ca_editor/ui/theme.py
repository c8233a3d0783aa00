"""Light and dark palettes on the Fusion style, both legible; 'system' follows the desktop's colour scheme."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

Role = QPalette.ColorRole
Group = QPalette.ColorGroup

# Colours chosen for contrast: body text against its background is at least 7:1 in both palettes.
_LIGHT = {
    Role.Window: "#f4f4f2",
    Role.WindowText: "#1b1b1b",
    Role.Base: "#ffffff",
    Role.AlternateBase: "#f0f0ee",
    Role.Text: "#1b1b1b",
    Role.Button: "#ebebea",
    Role.ButtonText: "#1b1b1b",
    Role.Highlight: "#1f5fa8",
    Role.HighlightedText: "#ffffff",
    Role.ToolTipBase: "#ffffe8",
    Role.ToolTipText: "#1b1b1b",
    Role.PlaceholderText: "#6b6b6b",
    Role.Link: "#1f5fa8",
    Role.BrightText: "#b00020",
}
_DARK = {
    Role.Window: "#24272b",
    Role.WindowText: "#e8e8e6",
    Role.Base: "#1b1d20",
    Role.AlternateBase: "#2a2d31",
    Role.Text: "#e8e8e6",
    Role.Button: "#30343a",
    Role.ButtonText: "#e8e8e6",
    Role.Highlight: "#4a8fe0",
    Role.HighlightedText: "#0b0c0d",
    Role.ToolTipBase: "#30343a",
    Role.ToolTipText: "#e8e8e6",
    Role.PlaceholderText: "#9a9a98",
    Role.Link: "#8ab8f0",
    Role.BrightText: "#ff8a80",
}
_DISABLED_TEXT = {"light": "#8a8a88", "dark": "#7a7d80"}


def resolved(theme: str) -> str:
    """'light' or 'dark': 'system' asks the desktop (Qt 6.5+), falling back to light."""
    if theme in ("light", "dark"):
        return theme
    scheme = QGuiApplication.styleHints().colorScheme()
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


def palette(theme: str) -> QPalette:
    name = resolved(theme)
    colours = _DARK if name == "dark" else _LIGHT
    result = QPalette()
    for role, colour in colours.items():
        result.setColor(role, QColor(colour))
    disabled = QColor(_DISABLED_TEXT[name])
    for role in (Role.WindowText, Role.Text, Role.ButtonText):
        result.setColor(Group.Disabled, role, disabled)
    return result


def apply_theme(app: QApplication, theme: str) -> str:
    """Use ``theme`` for the whole application; returns the palette actually applied."""
    # Palette first: setStyle re-polishes every widget, and a widget under a style sheet (the story editor's)
    # takes the palette in force at its polish and keeps it; set after, the new palette would miss them.
    app.setPalette(palette(theme))
    app.setStyle("Fusion")  # the one style whose look follows the palette on every platform
    return resolved(theme)


def is_dark(app: QApplication) -> bool:
    return app.palette().color(Role.Window).lightness() < 128
