"""Section › Open section ▸ and the toolbar's section combo: the desk window on another live section.

A switch opens a new desk window on the chosen section and closes this one, so everything the window shows
follows at once and from one code path (slots, previously in editor's choice, undo history, checklist,
layout history, review, preview, export all belong to one ``Desk``): the geometry and panes come back from
the settings as on a start. Unsaved story edits are asked about first (the editor's Save / Discard /
Cancel, as closing asks); Cancel keeps this window as it is.

The section last opened is remembered by slug (``Settings.last_section``) and opens next time; a section
since archived, renamed away or deleted falls back to the first live one (``opening_section``). Archived
sections are not offered; the open one is listed, marked, if someone archives it meanwhile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QComboBox, QLabel, QMainWindow, QMenu, QToolBar

from ca_editor.domain.changes import Change
from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.model import Section

if TYPE_CHECKING:
    from ca_editor.services.container import Services
    from ca_editor.ui.main_window import MainWindow
    from ca_editor.ui.settings import Settings

#: Desk windows opened by a switch: held here, as ``launch.run`` holds the first (a window without a Python
#: reference and no parent would be deleted at once).
_OPENED: list[QMainWindow] = []


def opening_section(services: Services, settings: Settings) -> int:
    """The section a new desk window opens: the one last used, while it is live; else the first live one."""
    remembered = settings.last_section
    for section in services.sections.live_sections():
        if section.slug == remembered:
            return section.id
    return services.section_id()


class SectionSwitcher(QObject):
    """The Open section ▸ submenu (first in the Section menu) and a combo on the main toolbar."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.combo = QComboBox(window)
        self.combo.setObjectName("section-switcher")
        self.combo.setAccessibleName("Section")
        self.combo.setToolTip("The section this window shows; choose another to switch the whole desk to it")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setMaximumWidth(360)  # a long heading is cut here, whole in the list and the menu
        self.combo.activated.connect(lambda index: self.switch_to(int(self.combo.itemData(index))))
        self.menu = QMenu("&Open section", window)
        self.menu.setStatusTip("Switch the desk to another section")
        self.group = QActionGroup(self.menu)
        self.group.triggered.connect(lambda action: self.switch_to(int(action.data())))
        self.menu.aboutToShow.connect(self.refresh)
        self._place()
        self.refresh()
        self.remember()
        window.desk.changed.connect(self._desk_changed)

    def _place(self) -> None:
        section_menu = next(
            (a.menu() for a in self.window.menuBar().actions() if a.text() == "Se&ction"), None
        )
        if isinstance(section_menu, QMenu):
            first = section_menu.actions()[0]  # Settings…: the submenu goes above it
            section_menu.insertMenu(first, self.menu)
            section_menu.insertSeparator(first)
        toolbar = self.window.findChild(QToolBar, "main-toolbar")
        if toolbar is not None:
            toolbar.addSeparator()
            label = QLabel(" Section: ", toolbar)
            label.setBuddy(self.combo)
            toolbar.addWidget(label)
            toolbar.addWidget(self.combo)

    def offered(self) -> list[Section]:
        """The live sections, and the open one if it is not live (archived meanwhile)."""
        try:
            sections = self.window.services.sections.sections()
        except CaEditorError:  # a server away: keep what is listed (ui/connection.py says so)
            return []
        current = self.window.desk.section_id
        return [s for s in sections if not s.archived or s.id == current]

    def refresh(self) -> None:
        sections = self.offered()
        if not sections:
            return
        current = self.window.desk.section_id
        self.combo.blockSignals(True)
        self.combo.clear()
        for action in self.group.actions():
            self.group.removeAction(action)
        self.menu.clear()
        for section in sections:
            title = section.title + (" (archived)" if section.archived else "")
            self.combo.addItem(title, section.id)
            action = QAction(title, self.menu, checkable=True)
            action.setData(section.id)
            action.setChecked(section.id == current)
            action.setStatusTip(f"Open the section '{section.slug}'")
            self.group.addAction(action)
            self.menu.addAction(action)
        self.combo.setCurrentIndex(max(self.combo.findData(current), 0))
        self.combo.blockSignals(False)

    def remember(self) -> None:
        """The open section's slug is the one the next window opens."""
        slug = self.window.desk.layout.section.slug
        if self.window.settings.last_section != slug:
            self.window.settings.last_section = slug

    def _desk_changed(self, change: Change) -> None:
        if change.everything or change.names_layout(self.window.desk.section_id):
            self.remember()  # a new slug (Section › Settings…) is remembered as such
            self.refresh()  # a new heading shows in the combo

    def switch_to(self, section_id: int) -> MainWindow | None:
        """Open the desk on ``section_id`` in a new window and close this one; ``None`` when nothing
        changed (the same section, or Cancel on the question about unsaved edits)."""
        window = self.window
        if section_id == window.desk.section_id:
            return None
        if not window.editor.maybe_leave():
            self.refresh()  # the combo back on the open section
            return None
        window.save_window_state()  # the new window comes back where this one is
        successor = type(window)(window.services, window.settings, section_id=section_id)
        _OPENED.append(successor)
        successor.show()
        window.close()
        if window in _OPENED:
            _OPENED.remove(window)
        return successor
