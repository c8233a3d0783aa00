"""The desk window's menu bar and toolbar, built from the actions ``MainWindow._build_actions`` made.

Menus: File, Edit, Slots, Section (*Settings…*, *Add layout variant…*; ``ui/section_switcher.py`` puts
*Open section ▸* above them and its combo on the toolbar), Review, View (panes, previews, *Go to pane*,
*Theme*, reset), Help; the toolbar holds new, save, undo, redo, import and export. The README's shortcut
table describes these menus: a change here changes what people read there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QMenu, QMenuBar

from ca_editor.ui.export_all import export_all_action
from ca_editor.ui.section_settings_dialog import edit_section_settings
from ca_editor.ui.settings import THEMES

if TYPE_CHECKING:
    from ca_editor.ui.main_window import MainWindow


def build_menus(window: MainWindow) -> tuple[QMenu, QActionGroup]:
    """Fill the window's menu bar; returns the Review menu and the theme actions' group."""
    menu = window.menuBar()
    _file_menu(window, menu)
    _edit_menu(window, menu)
    slots_menu = menu.addMenu("&Slots")
    for action in window.choice.actions_for_menu():
        slots_menu.addAction(action)
    section_menu = menu.addMenu("Se&ction")
    section_settings = section_menu.addAction("&Settings…")
    section_settings.setStatusTip("The section's heading, description, slug, slots and teaser advice")
    section_settings.triggered.connect(lambda: edit_section_settings(window))
    section_menu.addAction(window.variant_bar.add_action)  # ui/variant_bar.py: scheduled layouts
    section_menu.addAction(window.variant_bar.change_action)
    review_menu = menu.addMenu("&Review")
    review_menu.addAction(window.review_action)
    review_menu.addAction(window.layout_history_dock.toggleViewAction())
    theme_group = _view_menu(window, menu)
    help_menu = menu.addMenu("&Help")
    help_menu.addAction(window.shortcuts_action)
    help_menu.addAction(window.about_action)
    return review_menu, theme_group


def _file_menu(window: MainWindow, menu: QMenuBar) -> None:
    file_menu = menu.addMenu("&File")
    file_menu.addAction(window.editor.new_action)
    file_menu.addAction(window.editor.save_action)
    file_menu.addAction(window.editor.revert_action)
    file_menu.addSeparator()
    file_menu.addAction(window.import_action)
    file_menu.addAction(window.export_action)
    file_menu.addAction(export_all_action(window))  # ui/export_all.py: every live section, one bundle
    file_menu.addAction(window.backups.action)
    file_menu.addAction(window.review_sheet_action)
    file_menu.addSeparator()
    file_menu.addAction(window.refresh_action)
    file_menu.addAction(window.quit_action)


def _edit_menu(window: MainWindow, menu: QMenuBar) -> None:
    edit_menu = menu.addMenu("&Edit")
    edit_menu.addAction(window.undo_action)
    edit_menu.addAction(window.redo_action)
    edit_menu.addSeparator()
    edit_menu.addAction(window.find_action)
    edit_menu.addAction(window.editor.delete_action)
    edit_menu.addSeparator()
    edit_menu.addAction(window.name_action)


def _view_menu(window: MainWindow, menu: QMenuBar) -> QActionGroup:
    view_menu = menu.addMenu("&View")
    for dock in (window.choice_dock, window.archive_dock, window.editor_dock, window.preview_dock):
        view_menu.addAction(dock.toggleViewAction())
    view_menu.addAction(window.history_dock.toggleViewAction())
    view_menu.addAction(window.checklist_dock.toggleViewAction())
    view_menu.addAction(window.layout_history_dock.toggleViewAction())
    view_menu.addSeparator()
    view_menu.addAction(window.story_preview_action)
    view_menu.addAction(window.section_preview_action)
    go_menu = view_menu.addMenu("&Go to pane")
    for action in window.focus_actions:
        go_menu.addAction(action)
    theme_menu = view_menu.addMenu("&Theme")
    theme_group = QActionGroup(window)
    for name in THEMES:
        action = theme_menu.addAction(name.capitalize())
        action.setCheckable(True)
        action.setChecked(name == window.settings.theme)
        action.setData(name)
        theme_group.addAction(action)
    theme_group.triggered.connect(lambda a: window.set_theme(str(a.data())))
    reset = view_menu.addAction("Reset the pane layout")
    reset.triggered.connect(window.reset_layout)
    return theme_group


def build_toolbar(window: MainWindow) -> None:
    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("main-toolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for action in (window.editor.new_action, window.editor.save_action):
        toolbar.addAction(action)
    toolbar.addSeparator()
    toolbar.addAction(window.undo_action)
    toolbar.addAction(window.redo_action)
    toolbar.addSeparator()
    toolbar.addAction(window.import_action)
    toolbar.addAction(window.export_action)
