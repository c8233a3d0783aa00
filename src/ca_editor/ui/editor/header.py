"""What sits above the story editor's form: its actions and toolbar, the heading with the unsaved mark,
and the notice bar (saved, deleted, changed elsewhere, could not save … with Reload and Dismiss)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolBar, QWidget

from ca_editor.ui.editor.widgets import ERROR_COLOR, NOTICE_COLOR, WARNING_COLOR, ElidedLabel, tinted_pixmap
from ca_editor.ui.icons import icon


class EditorActions:
    """Save (Ctrl+S), Revert (Ctrl+R), New story (Ctrl+N) and Delete (Ctrl+Shift+Delete) of ``owner``,
    active while the focus is inside it, and the toolbar that shows them."""

    def __init__(self, owner: QWidget) -> None:
        def action(name: str, text: str, shortcut: QKeySequence, tip: str) -> QAction:
            made = QAction(icon(name), text, owner)
            made.setShortcut(shortcut)
            made.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            made.setToolTip(f"{tip} ({shortcut.toString(QKeySequence.SequenceFormat.NativeText)})")
            made.setStatusTip(tip)
            owner.addAction(made)
            return made

        self.save = action("save", "Save", QKeySequence(QKeySequence.StandardKey.Save), "Save the story")
        self.revert = action(
            "revert", "Revert", QKeySequence("Ctrl+R"), "Discard unsaved changes and show the saved story"
        )
        self.new = action(
            "new_story", "New story", QKeySequence(QKeySequence.StandardKey.New), "Start a new story"
        )
        self.delete = action(
            "delete", "Delete", QKeySequence("Ctrl+Shift+Delete"), "Delete this story (undoable)"
        )
        self.toolbar = QToolBar("Story editor")
        self.toolbar.setAccessibleName("Story editor actions")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.setIconSize(QSize(18, 18))
        for made in (self.save, self.revert, self.new, self.delete):
            self.toolbar.addAction(made)

    def update(self, why_not_save: str, *, can_revert: bool, can_delete: bool) -> None:
        """Enable what may be done; a disabled Save says why in its tooltip."""
        self.save.setEnabled(not why_not_save)
        shortcut = self.save.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.save.setToolTip(why_not_save or f"Save the story ({shortcut})")
        self.revert.setEnabled(can_revert)
        self.delete.setEnabled(can_delete)


class HeadingRow(QHBoxLayout):
    """Which story is shown, and "● unsaved" while it has unsaved edits."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = ElidedLabel()
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setAccessibleName("Story being edited")
        self.dirty_label = QLabel("● unsaved")
        self.dirty_label.setStyleSheet(f"color: {WARNING_COLOR}; font-weight: bold;")
        self.dirty_label.setAccessibleName("Unsaved changes")
        self.dirty_label.setToolTip("This story has changes that are not saved yet")
        self.dirty_label.hide()
        self.addWidget(self.heading, 1)
        self.addWidget(self.dirty_label)

    def show_heading(self, text: str) -> None:
        self.heading.setText(text)
        self.heading.setToolTip(text)


class NoticeBar(QFrame):
    """One sentence with an icon in the notice's colour; Reload when the saved version differs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.icon = QLabel()
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Notice")
        self.reload = QPushButton("Reload")
        self.reload.setAccessibleName("Reload the saved story")
        self.reload.setToolTip("Show the story as saved now; your unsaved edits are discarded")
        self.close_button = QPushButton("Dismiss")
        self.close_button.setAccessibleName("Dismiss the notice")
        self.close_button.setToolTip("Hide this notice")
        self.close_button.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 6, 4)
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.text, 1)
        row.addWidget(self.reload, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def say(self, text: str, kind: str, *, reload: bool = False) -> None:
        """Show ``text``; ``kind`` is "error", "warning" or "info"."""
        color = {"error": ERROR_COLOR, "warning": WARNING_COLOR}.get(kind, NOTICE_COLOR)
        name = {"error": "problem_error", "warning": "problem_warning"}.get(kind, "notice")
        self.icon.setPixmap(tinted_pixmap(name, color))
        self.text.setText(text)
        self.text.setStyleSheet(f"color: {color};")
        self.setAccessibleDescription(text)
        self.reload.setVisible(reload)
        self.show()

    def message(self) -> str:
        """The text, or "" when the bar is hidden."""
        return self.text.text() if not self.isHidden() else ""
