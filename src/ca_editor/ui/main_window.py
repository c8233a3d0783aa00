"""The desk window: panes as docks around the story list, wired to one ``Desk``.

Default arrangement (``ui/desk_layout.py``): editor's choice the whole height on the left, the story list in
the middle with the archive filter below it, the story editor, preview and histories as tabs on the right;
on the first start the window fills the screen. Every dock can be moved, floated or closed; the arrangement
and window geometry come back on the next start (``Settings``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QUndoView,
    QWidget,
)

from ca_editor.domain.changes import Change
from ca_editor.domain.checklist import Finding, FixPlace
from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.model import Story
from ca_editor.services.container import Services
from ca_editor.services.recovery import RecoveryStore
from ca_editor.ui import connection, desk_layout, desk_menus
from ca_editor.ui.backups import WindowBackups
from ca_editor.ui.checkout_flow import SectionOffline
from ca_editor.ui.checks import ChecklistPane
from ca_editor.ui.desk import Desk
from ca_editor.ui.editor import StoryEditor
from ca_editor.ui.errors import show_error
from ca_editor.ui.export_all import export_from_window
from ca_editor.ui.history import LayoutHistoryPane
from ca_editor.ui.icons import icon
from ca_editor.ui.identity import change_user_name, signed_in_text
from ca_editor.ui.live import LiveDesk
from ca_editor.ui.presence import DeskPresence
from ca_editor.ui.preview import PreviewMode, PreviewPane, WidthPreset
from ca_editor.ui.recovery import EditorAutosaver
from ca_editor.ui.review.status import ReviewStatus
from ca_editor.ui.section_switcher import SectionSwitcher, opening_section
from ca_editor.ui.settings import Settings
from ca_editor.ui.slots import EditorsChoicePane
from ca_editor.ui.stories import ArchiveFilterPane, StoryListPane
from ca_editor.ui.theme import apply_theme
from ca_editor.ui.variant_bar import VariantBar

if TYPE_CHECKING:  # made on first use: their modules load then, not with the window (issue 18: start)
    from ca_editor.ui.export_flow import ExportFlow
    from ca_editor.ui.importing import ImportDialog
    from ca_editor.ui.review.window import ReviewWindow
    from ca_editor.ui.sheet.flow import ReviewSheetFlow

#: Bumped when the dock layout changes shape, so an old saved state is not forced onto new docks.
_STATE_VERSION = 1


class MainWindow(QMainWindow):
    def __init__(self, services: Services, settings: Settings | None = None, section_id: int = 0) -> None:
        super().__init__()
        self.settings = settings if settings is not None else Settings()
        self.services = services
        # Not a child of the window: Qt deletes a widget's children before disconnecting its slots, and the
        # undo stack announces its own destruction to slots of a window half torn down. No ``section_id``:
        # the section last used, or the first live one (ui/section_switcher.py).
        self.desk = Desk(services, section_id or opening_section(services, self.settings))
        self.setObjectName("desk-window")
        self.setDockNestingEnabled(True)
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
            | QMainWindow.DockOption.AllowNestedDocks
        )

        self.stories = StoryListPane(services.stories)
        self.stories.setAccessibleName("Story list")
        self.setCentralWidget(self.stories)
        # Counting a million stories by month takes a few hundred ms: after the first paint, not before.
        self.archive = ArchiveFilterPane(services.stories, load=False)
        self._painted_once = False
        self.choice = EditorsChoicePane(self.desk)
        self.editor = StoryEditor(self.desk)
        # QtWebEngine starts after the first paint (``_after_first_paint``): it costs what the rest does.
        self.preview = PreviewPane(services, self.desk.section_id, start=False)
        self.preview.show_section(self.desk.layout)  # the desk's block, renewed by each change: no read here
        self.history = QUndoView(self.desk.undo_stack)
        self.history.setEmptyLabel("Opened the section")
        self.history.setAccessibleName("Undo history")
        self.checklist = ChecklistPane(self.desk, start=False)

        self.variant_bar = VariantBar(self.desk, self.preview)  # which layout; timeline; preview as of
        self.choice_dock = self._dock("Editor's choice", "dock-choice", self.variant_bar.above(self.choice))
        self.archive_dock = self._dock("Filter archive", "dock-archive", self.archive)
        self.editor_dock = self._dock("Story", "dock-editor", self.editor)
        self.preview_dock = self._dock("Preview", "dock-preview", self.preview)
        self.history_dock = self._dock("History", "dock-history", self.history)
        self.checklist_dock = self._dock("Checklist", "dock-checklist", self.checklist)
        self.layout_history = LayoutHistoryPane(self.desk)  # sign-offs and exports: compare, restore
        self.layout_history_dock = self._dock("Layout history", "dock-layout-history", self.layout_history)
        self.review_window: ReviewWindow | None = None  # Review › Review layout…, made on first use
        self._arrange_default()

        self.backups = WindowBackups(self, services)  # File → Backups…, periodic backups (ui/backups.py)
        self._build_actions()
        self._wire()
        # Unsaved edits are copied to disk every few seconds, so a crash loses seconds (ui/recovery.py).
        store = RecoveryStore.for_database(services.db.url)
        self.autosaver = EditorAutosaver(self.editor, store, services.identity, parent=self)  # dies with us
        self.autosaver.failed.connect(lambda message: self.statusBar().showMessage(message, 15_000))
        self._restore_window()
        self._update_title()
        self._build_status_bar()
        self.layout_history.restored.connect(self._layout_restored)
        self.connection = connection.ConnectionWatch(self, services, on_back=self.reload)  # server gone away

    def _build_status_bar(self) -> None:
        """Who is signed in, and the review state of the layout the desk edits (a click opens the review)."""
        self.signed_in = QLabel(signed_in_text(self.services.identity))
        self.signed_in.setTextFormat(Qt.TextFormat.PlainText)  # a name is never markup
        self.signed_in.setAccessibleName("Signed in as")
        self.statusBar().addPermanentWidget(self.signed_in)
        self.review_status = ReviewStatus(self.services.review, self.desk.section_id)
        self.review_status.clicked.connect(self.show_review)
        self.variant_bar.layout_chosen.connect(self.review_status.follow_variant)  # sign-off is per layout
        self.statusBar().addPermanentWidget(self.review_status)

    # --- construction ----------------------------------------------------------------------------------

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setAccessibleName(f"{title} pane")
        widget.setAccessibleName(widget.accessibleName() or title)
        return dock

    def _arrange_default(self) -> None:
        desk_layout.arrange_default(self)

    def _size_docks(self) -> None:
        desk_layout.size_docks(self)

    def _action(
        self,
        text: str,
        slot: object,
        shortcut: QKeySequence | str | None = None,
        icon_name: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        stack = self.desk.undo_stack
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.undo_action.setIcon(icon("undo"))
        self.redo_action = stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo_action.setIcon(icon("redo"))
        # The menu names the step ("Undo Move “…” to slot 3"); the toolbar button keeps a short label.
        self.undo_action.setIconText("Undo")
        self.redo_action.setIconText("Redo")
        self.import_action = self._action("&Import stories…", self.import_stories, "Ctrl+I", "import")
        self.export_action = self._action("&Export section…", self.export_section, "Ctrl+E", "export")
        self.review_sheet_action = self._action("&Print review sheet…", self.print_review_sheet)
        self.review_sheet_action.setStatusTip("Save the layout, checklist and sign-off as a PDF to print")
        self.refresh_action = self._action("Re&load from the database", self.reload, "F5", "refresh")
        self.quit_action = self._action(
            "&Quit", self.close, QKeySequence(QKeySequence.StandardKey.Quit), "quit"
        )
        self.find_action = self._action("&Find stories", self.focus_search, "Ctrl+F", "search")
        self.shortcuts_action = self._action("&Keyboard shortcuts", self.show_shortcuts, "F1", "help")
        self.about_action = self._action("&About ca-editor", self.show_about)
        self.name_action = self._action("Your &name…", self.change_name)
        self.name_action.setStatusTip("Change the name recorded with your saves, status steps and sign-offs")
        self.section_preview_action = self._action(
            "Preview the &section page", self.preview_section, "Ctrl+Shift+P", "preview"
        )
        self.story_preview_action = self._action(
            "Preview the s&tory page", self.preview_story, "Ctrl+P", "preview"
        )
        focus = [
            ("Story &list", "Alt+1", self.stories.view),
            ("&Editor's choice", "Alt+2", self.choice_dock),
            ("Filter &archive", "Alt+3", self.archive_dock),
            ("&Story editor", "Alt+4", self.editor_dock),
            ("&Preview", "Alt+5", self.preview_dock),
        ]
        self.focus_actions = [
            self._action(text, lambda _=False, t=target: desk_layout.focus_pane(t), keys)
            for text, keys, target in focus
        ]

        for action in (
            self.editor.new_action,
            self.editor.save_action,
            self.editor.revert_action,
            self.editor.delete_action,
        ):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)  # from any pane, not only the form

        self.review_action = self._action("&Review layout…", self.show_review, "Ctrl+Shift+R")
        self.review_action.setStatusTip("Changes since the last sign-off and export; approve or send back")
        self.review_menu, self.theme_group = desk_menus.build_menus(self)
        desk_menus.build_toolbar(self)

    def _wire(self) -> None:
        self.switcher = SectionSwitcher(self)  # Section › Open section ▸, the toolbar's section combo
        self.offline = SectionOffline(self)  # File › Take section offline… / Bring section back…, the banner
        self.archive.range_changed.connect(self.stories.set_date_range)
        self.stories.story_selected.connect(self._story_selected)
        self.stories.story_activated.connect(self._story_activated)
        self.choice.set_selected_story_provider(self.stories.selected_story_ids)
        self.editor.edited.connect(self._story_edited)
        self.preview.story_link_clicked.connect(self._open_story_by_slug)
        self.desk.changed.connect(self._desk_changed)
        self.desk.on_step_refused = self.show_error  # an undo or redo refused inside the undo stack
        self.checklist.slot_requested.connect(self._show_slot)
        self.checklist.story_requested.connect(self._story_activated)
        self.checklist.fix_requested.connect(self._fix_finding)
        self._pending: Change | None = None  # what the desk broadcast since the lists last followed
        self._stories_refresh = QTimer(self, singleShot=True, interval=0)
        self._stories_refresh.timeout.connect(self._refresh_lists)
        # Colleagues' changes as they commit them (ui/live.py), who else has the section open
        # (ui/presence.py): both begin after the first paint.
        self.live = LiveDesk(self, self.desk, start=False)
        self.presence = DeskPresence(self, start=False)

    def _restore_window(self) -> None:
        geometry = self.settings.window_geometry
        if geometry.isEmpty() or not self.restoreGeometry(geometry):
            desk_layout.fit_to_screen(self)  # first start: the whole screen
        state = self.settings.window_state
        if state.isEmpty() or not self.restoreState(state, _STATE_VERSION):
            QTimer.singleShot(0, self._size_docks)
        self.preview.set_width_preset(WidthPreset[self.settings.preview_width.upper()])
        self.preview.set_side_by_side(self.settings.preview_side_by_side)

    # --- reactions ---------------------------------------------------------------------------------------

    def _story_selected(self, story_id: object) -> None:
        if not isinstance(story_id, int):
            return
        current = self.editor.current_story()
        if current is not None and current.id == story_id:
            return
        if not self.editor.maybe_leave():
            # Put the list back on the editor's story once the view has finished with the click: a mouse
            # press asked this question from inside the view, which selects the clicked row afterwards.
            kept = current.id if current is not None else None
            QTimer.singleShot(0, lambda: self._list_back_on(kept))
            return
        self.editor.show_story(story_id)  # the editor's ``edited`` signal brings the preview along

    def _list_back_on(self, story_id: int | None) -> None:
        if story_id is None or not self.stories.select_story(story_id):
            self.stories.show_current(None)  # a new story (no row stands for it), or one no longer listed

    def _story_activated(self, story_id: int) -> None:
        self._story_selected(story_id)
        self.editor_dock.raise_()
        self.editor.setFocus()

    def _open_story_by_slug(self, slug: str) -> None:
        """A link clicked in the preview opens that story here (the preview itself never navigates)."""
        try:
            story = self.services.stories.get_by_slug(slug)
        except CaEditorError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return
        if not self.stories.select_story(story.id):  # filtered out of the list: open it all the same
            self._story_selected(story.id)
        self.editor_dock.raise_()

    def _story_edited(self, story: Story | None) -> None:
        self.preview.show_story(story)
        self.stories.show_current(story.id if story is not None and story.id else None)

    def _desk_changed(self, change: Change) -> None:
        """The window's own parts follow the desk's one broadcast; each redraws what the change names."""
        if change.names_layout(self.desk.section_id):
            self.preview.show_section(self.desk.layout)
            self._update_title()
        if change.snapshots:  # a sign-off, send-back or export: the indicator says so at once
            self.review_status.refresh()
        self._pending = self._pending | change if self._pending is not None else change
        self._stories_refresh.start()  # the lists once the step is over, whatever it emitted

    def _refresh_lists(self) -> None:
        change, self._pending = self._pending, None
        if change is None:
            return
        if change.everything or change.story_ids:
            self.stories.follow(change)  # the rows it names, or the page when one may move
        if change.everything or change.story_ids or change.layout_section_ids:
            self.review_status.refresh()  # "changed since sign-off" follows every change
        if change.dates_changed:
            self.archive.refresh_later()
            # A saved date can move a story to another month of the page's archive links.
            self.services.previews.forget_counts()
        if change.everything or change.story_ids:
            self.preview.schedule()

    def _fix_finding(self, finding: Finding) -> None:
        """A photo finding's Fix: the slot's override form, or the story's image field in the editor."""
        alt = finding.code == "missing_alt"
        if finding.fix is FixPlace.SLOT_IMAGE and finding.slot is not None:
            self._show_slot(finding.slot)
            target = self.choice.overrides.image_target(alt=alt)
            self.choice.overrides_area.ensureWidgetVisible(target)
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        elif finding.story_id is not None:
            self._story_activated(finding.story_id)
            current = self.editor.current_story()
            if current is not None and current.id == finding.story_id:  # not kept by unsaved edits
                self.editor.focus_image_field(alt=alt)

    def _show_slot(self, position: int) -> None:
        """A checklist finding about a slot: show that slot in editor's choice."""
        self.choice_dock.show()
        self.choice_dock.raise_()
        slots = self.desk.layout.slots
        if 1 <= position <= len(slots):
            self.choice.select_slot(slots[position - 1].id)

    def show_error(self, error: CaEditorError) -> None:
        """The one place the window shows what did not work (ui/errors.py); panes reach it by ``report``."""
        show_error(self, error)

    def _update_title(self) -> None:
        layout = self.desk.layout
        filled = f"{len(layout.slots)} of {layout.section.slot_count} slots filled"
        self.setWindowTitle(f"{layout.section.title} — {filled} — ca-editor")

    # --- commands ----------------------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.stories.focus_search()

    def preview_section(self) -> None:
        self.preview.show_section(self.desk.layout)
        self.preview.set_mode(PreviewMode.SECTION)
        self.preview_dock.show()
        self.preview_dock.raise_()

    def preview_story(self) -> None:
        story = self.editor.edited_story() or self.editor.current_story()
        if story is not None:
            self.preview.show_story(story)
        self.preview.set_mode(PreviewMode.STORY)
        self.preview_dock.show()
        self.preview_dock.raise_()

    def reload(self) -> None:
        self.desk.reload()
        self.preview.refresh()

    def set_theme(self, theme: str) -> None:
        self.settings.theme = theme
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)

    def reset_layout(self) -> None:
        for dock in (
            self.choice_dock,
            self.archive_dock,
            self.editor_dock,
            self.preview_dock,
            self.history_dock,
            self.checklist_dock,
            self.layout_history_dock,
        ):
            dock.setFloating(False)
            dock.show()
        self._arrange_default()
        QTimer.singleShot(0, self._size_docks)

    def show_review(self) -> ReviewWindow:
        if self.review_window is None:
            from ca_editor.ui.review.window import ReviewWindow  # loaded on first use (issue 18: start)

            self.review_window = ReviewWindow(self.desk, self)
        self.review_window.show()
        self.review_window.raise_()
        self.review_window.activateWindow()
        return self.review_window

    def _layout_restored(self, *_: object) -> None:
        self.statusBar().showMessage(
            "Restored the slots and page-only edits of that layout; story texts stay as they are. "
            "Undo (Ctrl+Z) brings back the layout before.",
            12_000,
        )

    def change_name(self) -> None:
        if change_user_name(self.services.identity, self.settings, self):
            people = self.services.people
            try:
                people.rename(self.services.identity.name)  # a shared desk: the name shown for the login
            except CaEditorError as exc:
                self.statusBar().showMessage(str(exc), 12_000)
                return
            self.signed_in.setText(signed_in_text(self.services.identity))
            said = f"Your login {people.login} is shown as" if people.shared else "Your work is recorded as"
            self.statusBar().showMessage(f"{said} {self.services.identity.name}.", 8000)

    def show_shortcuts(self) -> None:
        from ca_editor.ui.shortcuts import ShortcutsDialog  # loaded on use (issue 18: start)

        ShortcutsDialog(self.menuBar(), self).exec()

    def show_about(self) -> None:
        from ca_editor import __version__

        QMessageBox.about(
            self,
            "About ca-editor",
            f"ca-editor {__version__}\n\nCurate the section page offline and hand it to the web team as a "
            f"self-contained HTML bundle.\n\nDatabase: {self.services.db.display_name}",
        )

    def import_stories(self) -> ImportDialog:
        """Choose files or a folder, preview what changes, import (ui/importing); the desk reloads after."""
        from ca_editor.ui.importing import ImportDialog

        dialog = ImportDialog(self.desk, self.settings.last_import_folder, self)
        dialog.before_write = lambda: self.services.backups.before("import")
        dialog.finished.connect(lambda _result: self._import_finished(dialog))
        dialog.open()
        return dialog

    def _import_finished(self, dialog: ImportDialog) -> None:
        self.settings.last_import_folder = dialog.folder
        if dialog.report is not None:
            self.statusBar().showMessage(dialog.message, 15_000)
        dialog.deleteLater()

    def print_review_sheet(self) -> ReviewSheetFlow | None:
        if not self.editor.maybe_leave():  # the sheet shows what is saved
            return None
        from ca_editor.ui.sheet.flow import ReviewSheetFlow

        folder, variant_id = self.settings.last_export_folder, self.desk.variant_id  # the layout edited
        flow = ReviewSheetFlow(self, self.services, self.desk.section_id, folder, variant_id)
        flow.run()
        return flow

    def export_section(self) -> ExportFlow | None:
        return export_from_window(self, every_section=False)  # ui/export_all.py

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.Paint and not self._painted_once:
            self._painted_once = True
            QTimer.singleShot(0, self._after_first_paint)
        return handled

    def _after_first_paint(self) -> None:
        """What the first paint need not wait for: counts and checks on background lanes, the preview's
        QtWebEngine, the live watch and presence (issue 18: start to first paint)."""
        self.archive.refresh_later()
        self.checklist.schedule()
        self.live.start()
        self.presence.start()
        self.preview.start()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.editor.maybe_leave():
            event.ignore()
            return
        self.autosaver.finish()
        self.backups.finish()
        self.live.finish()
        self.presence.finish()
        self.save_window_state()
        super().closeEvent(event)

    def save_window_state(self) -> None:
        self.settings.window_geometry = QByteArray(self.saveGeometry())
        self.settings.window_state = QByteArray(self.saveState(_STATE_VERSION))
        self.settings.preview_width = self.preview.width_preset.name.lower()
        self.settings.preview_side_by_side = self.preview.side_by_side
        self.settings.sync()
