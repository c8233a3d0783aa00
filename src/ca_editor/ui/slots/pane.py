"""The editor's-choice pane: the ordered slots, their page-only overrides, and the stories taken out.

Every drag has a keyboard twin (see ``EditorsChoicePane.actions_for_menu``). Every change goes through the
desk, so it is one undo step and shows in every pane.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain import ordering
from ca_editor.domain.changes import Change
from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.model import Slot, Story
from ca_editor.ui.ask import ask
from ca_editor.ui.desk import Desk, StepRefused
from ca_editor.ui.errors import report
from ca_editor.ui.icons import icon
from ca_editor.ui.slots.models import FormerListModel, SlotListModel
from ca_editor.ui.slots.overrides import OverridesPanel
from ca_editor.ui.slots.rows import ROW_THUMBNAIL_SIZE, PartsSplitter, SlotListView


def confirm_eviction(parent: QWidget | None, stories: list[Story]) -> bool:
    """Ask before a full block pushes ``stories`` out; Cancel (the default) changes nothing."""
    titles = "\n".join(f"• {story.title}" for story in stories)
    several = len(stories) > 1
    answer = ask(
        parent,
        QMessageBox.Icon.Warning,
        "Editor's choice is full",
        ("These stories fall" if several else "This story falls") + " out of editor's choice:\n\n" + titles,
        "They go to the 'previously in editor's choice' list, from where you can put them back. "
        "You can also undo this step."
        if several
        else "It goes to the 'previously in editor's choice' list, from where you can put it back. "
        "You can also undo this step.",
        ["Add and push out", "Cancel"],
        default="Cancel",
    )
    return answer == "Add and push out"


def ask_slot_position(parent: QWidget | None, slot: Slot, count: int) -> int | None:
    position, ok = QInputDialog.getInt(
        parent,
        "Move to slot",
        f"Move “{slot.headline}” to slot (1–{count}):",
        slot.position,
        1,
        count,
    )
    return position if ok else None


class EditorsChoicePane(QWidget):
    """Heading, slots, overrides of the selected slot, and the 'previously in editor's choice' list."""

    slot_selected = Signal(object)  # Slot | None: the slot now selected (for the preview, say)

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setAccessibleName("Editor's choice")
        #: Asked before stories fall out of a full block; replace it in tests. (parent, stories) -> go ahead.
        self.confirm_eviction: Callable[[QWidget | None, list[Story]], bool] = confirm_eviction
        #: Asks "Move to slot N…"; replace it in tests. (parent, slot, count) -> position or None.
        self.ask_slot_position: Callable[[QWidget | None, Slot, int], int | None] = ask_slot_position
        self._selected_stories: Callable[[], list[int]] | None = None
        self._keep_slot_id: int | None = None
        self._resetting = False

        self.model = SlotListModel(desk, thumbnail_size=ROW_THUMBNAIL_SIZE, parent=self)
        self.model.report_error = lambda error: report(self, error)  # the window's one error place
        self.model.confirm_eviction = lambda stories: self.confirm_eviction(self, stories)
        self.model.ask_after_drop = True
        self.model.placed.connect(self._select_row)
        self._build_heading()
        self._build_slot_list()
        self.overrides = OverridesPanel(desk)
        self._build_former_list()
        self._make_actions()
        self._build_put_back_button()
        top = self._build_top(self._build_toolbar())
        former = self._build_former_part()
        self._lay_out(top, former)

        desk.changed.connect(self._on_change)
        self._show_count()

    def _build_heading(self) -> None:
        """'Editor's choice' in bold, and how many slots are filled."""
        self.heading = QLabel("Editor's choice")
        self.heading.setAccessibleName("Editor's choice")
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Slots filled")
        self.count_label.setToolTip("How many of the section's editor's-choice slots hold a story")

    def _build_slot_list(self) -> None:
        self.view = SlotListView()
        self.view.setModel(self.model)
        # After setModel: the selection model clears itself on reset, so restore the selection after it.
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)
        self.view.selectionModel().selectionChanged.connect(self._on_selection)
        self.view.activated.connect(lambda _index: self.edit_overrides())

    def _build_former_list(self) -> None:
        self.former_model = FormerListModel(self.desk, parent=self)
        self.former_view = QListView()
        self.former_view.setModel(self.former_model)
        self.former_view.setAccessibleName("Previously in editor's choice")
        self.former_view.setToolTip(
            "Stories taken out of editor's choice; Enter or double-click puts one back"
        )
        self.former_view.setWordWrap(True)
        self.former_view.setAlternatingRowColors(True)
        self.former_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.former_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.former_view.doubleClicked.connect(lambda _index: self.put_back())
        self.former_view.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.former_model.modelReset.connect(self._update_actions)

    def _build_put_back_button(self) -> None:
        self.put_back_button = QPushButton(icon("slot_put_back"), "Put back")
        self.put_back_button.setAccessibleName("Put the selected story back into editor's choice")
        self.put_back_button.setToolTip(
            "Return the story to the slot it had, with its page-only edits (Enter)"
        )
        self.put_back_button.clicked.connect(self.put_back)

    def _build_toolbar(self) -> QToolBar:
        toolbar = QToolBar("Editor's choice actions")
        toolbar.setAccessibleName("Editor's choice actions")
        toolbar.setIconSize(toolbar.iconSize() * 0.85)
        for action in (
            self.move_top_action,
            self.move_up_action,
            self.move_down_action,
            self.move_bottom_action,
            self.move_to_action,
            None,
            self.add_story_action,
            self.remove_action,
            self.edit_overrides_action,
        ):
            if action is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(action)
        return toolbar

    def _build_top(self, toolbar: QToolBar) -> QWidget:
        """The heading and count, the toolbar, and the slots."""
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        title_row = QHBoxLayout()
        title_row.addWidget(self.heading)
        title_row.addStretch(1)
        title_row.addWidget(self.count_label)
        top_layout.addLayout(title_row)
        top_layout.addWidget(toolbar)
        top_layout.addWidget(self.view, 1)
        return top

    def _build_former_part(self) -> QWidget:
        """'Previously in editor's choice' with Put back at its right, and the list under it."""
        former = QWidget()
        former_layout = QVBoxLayout(former)
        former_layout.setContentsMargins(0, 0, 0, 0)
        former_title = QLabel("Previously in editor's choice")
        former_title.setAccessibleName("Previously in editor's choice")
        former_title.setBuddy(self.former_view)
        former_row = QHBoxLayout()
        former_row.addWidget(former_title)
        former_row.addStretch(1)
        former_row.addWidget(self.put_back_button)
        former_layout.addLayout(former_row)
        former_layout.addWidget(self.former_view, 1)
        return former

    def _lay_out(self, top: QWidget, former: QWidget) -> None:
        # The overrides form scrolls instead of forcing its full height and width on the whole window.
        self.overrides_area = QScrollArea()
        self.overrides_area.setWidget(self.overrides)
        self.overrides_area.setWidgetResizable(True)
        self.overrides_area.setFrameShape(QFrame.Shape.NoFrame)
        self.overrides_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.overrides_area.setAccessibleName("Overrides for this page")
        # The whole block first, the overrides form the rest (PartsSplitter); at the least three slots.
        self.view.setMinimumHeight(self.view.height_for_rows(3))
        self.overrides_area.setMinimumHeight(120)
        self.former_view.setMinimumHeight(3 * self.fontMetrics().lineSpacing())
        self.splitter = PartsSplitter(top, self.overrides_area, former, self.view)
        self.splitter.setAccessibleName("Editor's choice parts")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)

    # --- actions ---------------------------------------------------------------------------------------

    def _make_action(
        self,
        text: str,
        icon_name: str,
        shortcuts: list[QKeySequence],
        slot: Callable[[], object],
        tip: str,
        *,
        on: QWidget,
        context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetShortcut,
    ) -> QAction:
        """An action on ``on`` (its shortcuts work while it has focus, unless ``context`` says otherwise)."""
        action = QAction(icon(icon_name), text, self)
        action.setShortcuts(shortcuts)
        action.setShortcutContext(context)
        keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in shortcuts)
        action.setToolTip(f"{tip} ({keys})" if keys else tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        on.addAction(action)
        return action

    def _make_actions(self) -> None:
        """Moves, a separator, add, remove and edit on the slots; Put back on the former list."""
        self._make_move_actions()
        separator = QAction(self)
        separator.setSeparator(True)
        self.view.addAction(separator)
        self._make_slot_actions()
        self.put_back_action = self._make_action(
            "&Put back into editor's choice",
            "slot_put_back",
            [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)],
            self.put_back,
            "Return the selected story to the slot it had, with its page-only edits",
            on=self.former_view,
        )
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.former_view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _make_move_actions(self) -> None:
        make, key = self._make_action, QKeySequence
        self.move_up_action = make(
            "Move &up",
            "slot_move_up",
            [key("Alt+Up")],
            lambda: self.move_selected(-1),
            "Move the selected slot one place up",
            on=self.view,
        )
        self.move_down_action = make(
            "Move &down",
            "slot_move_down",
            [key("Alt+Down")],
            lambda: self.move_selected(+1),
            "Move the selected slot one place down",
            on=self.view,
        )
        self.move_top_action = make(
            "Move to &top",
            "slot_move_top",
            [key("Alt+Home")],
            lambda: self.move_selected_to(1),
            "Move the selected slot to slot 1",
            on=self.view,
        )
        self.move_bottom_action = make(
            "Move to &bottom",
            "slot_move_bottom",
            [key("Alt+End")],
            lambda: self.move_selected_to(len(self.desk.layout.slots)),
            "Move the selected slot to the last filled slot",
            on=self.view,
        )
        self.move_to_action = make(
            "Move to &slot N…",
            "slot_move_to",
            [key("Ctrl+M")],
            self.ask_and_move,
            "Move the selected slot to a slot you name",
            on=self.view,
        )

    def _make_slot_actions(self) -> None:
        make, key = self._make_action, QKeySequence
        self.add_story_action = make(
            "&Add selected story to editor's choice",
            "slot_add",
            [key("Ctrl+Shift+E")],
            self.add_selected_story,
            "Put the story selected in the story list into editor's choice, at the selected slot",
            on=self.view,
            context=Qt.ShortcutContext.WindowShortcut,
        )
        self.remove_action = make(
            "&Remove from editor's choice",
            "slot_remove",
            [key(Qt.Key.Key_Delete)],
            self.remove_selected,
            "Take the selected slot out of editor's choice (it goes to the 'previously' list)",
            on=self.view,
        )
        self.edit_overrides_action = make(
            "&Edit overrides…",
            "slot_edit_overrides",
            [key(Qt.Key.Key_F2)],
            self.edit_overrides,
            "Edit the headline, summary and image of the selected slot for this page (also Enter)",
            on=self.view,
        )

    def actions_for_menu(self) -> list[QAction]:
        """Every action of the pane, in menu order (shortcuts work while the slots or former list has focus;
        "Add selected story" anywhere in the window)."""
        return [
            self.move_up_action,
            self.move_down_action,
            self.move_top_action,
            self.move_bottom_action,
            self.move_to_action,
            self.add_story_action,
            self.remove_action,
            self.edit_overrides_action,
            self.put_back_action,
        ]

    def set_selected_story_provider(self, provider: Callable[[], list[int]] | None) -> None:
        """Tell the pane how to read the story ids selected in the story list (for "Add selected story")."""
        self._selected_stories = provider
        self._update_actions()

    # --- selection -------------------------------------------------------------------------------------

    def selected_slot(self) -> Slot | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.slot_at(rows[0].row()) if rows else None

    def select_slot(self, slot_id: int) -> bool:
        row = self.model.row_of_slot(slot_id)
        if row is None:
            return False
        self._select_row(row)
        return True

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        if not index.isValid() or not index.flags() & Qt.ItemFlag.ItemIsSelectable:
            self.view.clearSelection()
            self._on_selection()
            return
        self.view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.view.scrollTo(index)

    def _remember_selection(self) -> None:
        slot = self.selected_slot()
        self._keep_slot_id = slot.id if slot else None
        self._resetting = True  # the selection empties during a reset; do not tell the panel

    def _restore_selection(self) -> None:
        kept, self._keep_slot_id = self._keep_slot_id, None
        self._resetting = False
        if kept is None or not self.select_slot(kept):
            self._on_selection()

    def _on_selection(self, *_args: object) -> None:
        if self._resetting:
            return
        slot = self.selected_slot()
        self.overrides.set_slot(slot)
        self._update_actions()
        self.slot_selected.emit(slot)

    def _on_change(self, change: Change) -> None:
        if change.names_layout(self.desk.section_id):
            self._show_count()

    def _show_count(self) -> None:
        layout = self.desk.layout
        filled, capacity = len(layout.slots), layout.section.slot_count
        text = f"{filled} of {capacity} slots filled"
        twice = ordering.duplicates(layout.story_ids())
        if twice:
            many = f"{len(twice)} stories placed twice"
            text += " · " + ("a story is placed twice" if len(twice) == 1 else many)
        self.count_label.setText(text)
        self.count_label.setAccessibleDescription(text)
        self._update_actions()

    def _update_actions(self) -> None:
        slot = self.selected_slot()
        count = len(self.desk.layout.slots)
        row = slot.position - 1 if slot else -1
        self.move_up_action.setEnabled(slot is not None and row > 0)
        self.move_top_action.setEnabled(slot is not None and row > 0)
        self.move_down_action.setEnabled(slot is not None and row < count - 1)
        self.move_bottom_action.setEnabled(slot is not None and row < count - 1)
        self.move_to_action.setEnabled(slot is not None and count > 1)
        self.remove_action.setEnabled(slot is not None)
        self.edit_overrides_action.setEnabled(slot is not None)
        self.add_story_action.setEnabled(self._selected_stories is not None)
        has_former = bool(self.former_view.selectionModel().selectedRows())
        self.put_back_action.setEnabled(has_former)
        self.put_back_button.setEnabled(has_former)

    # --- commands (each one undo step through the desk) -------------------------------------------------

    def move_selected(self, step: int) -> bool:
        slot = self.selected_slot()
        return slot is not None and self.model.move_slot_to(slot.id, slot.position + step)

    def move_selected_to(self, position: int) -> bool:
        slot = self.selected_slot()
        return slot is not None and self.model.move_slot_to(slot.id, position)

    def ask_and_move(self) -> bool:
        slot = self.selected_slot()
        if slot is None:
            return False
        position = self.ask_slot_position(self, slot, len(self.desk.layout.slots))
        return position is not None and self.model.move_slot_to(slot.id, position)

    def add_selected_story(self) -> bool:
        ids = self._selected_stories() if self._selected_stories else []
        if not ids:
            report(
                self, StepRefused("Select a story in the story list first, then add it to editor's choice")
            )
            return False
        slot = self.selected_slot()
        return self.model.add_stories(ids, slot.position if slot else None)

    def remove_selected(self) -> bool:
        slot = self.selected_slot()
        if slot is None:
            return False
        row = slot.position - 1
        try:
            if not self.desk.remove_slots([slot.id]):
                return False
        except CaEditorError as exc:
            report(self, exc)
            return False
        self._select_row(min(row, len(self.desk.layout.slots) - 1))
        return True

    def edit_overrides(self) -> None:
        if self.selected_slot() is None:
            return
        self.overrides.headline_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.overrides.headline_edit.selectAll()

    def put_back(self, story_id: int | None = None) -> bool:
        """Return a story from the 'previously' list (the selected one by default) to the slot it had."""
        if story_id is None:
            rows = self.former_view.selectionModel().selectedRows()
            former = self.former_model.former_at(rows[0].row()) if rows else None
            if former is None:
                return False
            story_id = former.story.id
        former = next((f for f in self.former_model.rows() if f.story.id == story_id), None)
        falling = self.desk.falls_out_if_added(1)
        if falling and not self.confirm_eviction(self, [slot.story for slot in falling]):
            return False
        try:
            if not self.desk.put_back(story_id):
                return False
        except CaEditorError as exc:
            report(self, exc)
            return False
        if former is not None:
            self._select_row(min(former.last_position, len(self.desk.layout.slots)) - 1)
        return True
