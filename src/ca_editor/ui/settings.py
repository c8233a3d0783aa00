"""Every setting the desk remembers, typed, in one place over QSettings.

QSettings read back from an INI file in a new process returns strings ('true', '3'), so every read passes
``type=``; a same-process test hides this because Qt caches the file (``tests/ui/test_settings.py`` reads the
values back in a fresh process). Add a setting here, never call QSettings elsewhere.
"""

from __future__ import annotations

from typing import Any, overload

from PySide6.QtCore import QByteArray, QSettings

THEMES = ("system", "light", "dark")
PREVIEW_WIDTHS = ("phone", "tablet", "desktop", "fit")


class _Setting[T]:
    """A typed attribute stored under ``key``; reads fall back to ``default`` when missing or malformed."""

    def __init__(self, key: str, default: T, kind: type[T], choices: tuple[T, ...] | None = None) -> None:
        self.key = key
        self.default = default
        self.kind = kind
        self.choices = choices

    @overload
    def __get__(self, owner: None, cls: type) -> _Setting[T]: ...
    @overload
    def __get__(self, owner: Settings, cls: type) -> T: ...
    def __get__(self, owner: Settings | None, cls: type) -> T | _Setting[T]:
        if owner is None:
            return self
        try:
            value = owner.store.value(self.key, self.default, type=self.kind)
        except (TypeError, ValueError):  # a hand-edited file with a value Qt cannot convert
            return self.default
        if not isinstance(value, self.kind) or (self.choices is not None and value not in self.choices):
            return self.default
        return value

    def __set__(self, owner: Settings, value: T) -> None:
        owner.store.setValue(self.key, value)


class Settings:
    """The desk's remembered choices. ``Settings()`` uses the application's organisation/name."""

    window_geometry = _Setting("window/geometry", QByteArray(), QByteArray)
    window_state = _Setting("window/state", QByteArray(), QByteArray)
    theme = _Setting("appearance/theme", "system", str, THEMES)
    preview_width = _Setting("preview/width", "fit", str, PREVIEW_WIDTHS)
    preview_side_by_side = _Setting("preview/side_by_side", False, bool)
    story_list_header = _Setting("stories/header", QByteArray(), QByteArray)
    last_export_folder = _Setting("export/last_folder", "", str)
    last_import_folder = _Setting("import/last_folder", "", str)
    export_open_folder_after = _Setting("export/open_folder_after", False, bool)
    search_debounce_ms = _Setting("stories/search_debounce_ms", 150, int)
    user_name = _Setting("identity/user_name", "", str)  # recorded with saves and status changes; "" = ask
    last_section = _Setting("desk/last_section", "", str)  # slug of the section the window opens next

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings()

    def sync(self) -> None:
        self.store.sync()

    @classmethod
    def keys(cls) -> dict[str, _Setting[Any]]:
        return {name: value for name, value in vars(cls).items() if isinstance(value, _Setting)}
