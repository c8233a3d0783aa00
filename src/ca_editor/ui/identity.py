"""Whose name goes on the record: asked once on the first start, kept in the settings, changeable later.

There is no account and no password: the name is what colleagues see beside a save, a status change or a
sign-off. ``ensure_user_name`` runs when the window starts (``ui/launch.py``), not in the window itself, so
tests that build a window never meet the question. ``--user NAME`` on the command line wins for that run and
is not remembered.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ca_editor.services.identity import MAX_NAME, Identity, fallback_name
from ca_editor.ui.editor.widgets import ERROR_COLOR
from ca_editor.ui.settings import Settings

#: Asks for a name: (parent, prefilled name, first run?) -> the name, or None when the person declined.
Asker = Callable[[QWidget | None, str, bool], str | None]

WHY = (
    "Your name is recorded with every save, status change and sign-off, so the desk can see who moved a "
    "story on and who approved the page. It stays on this computer; there is no account and no password. "
    "On a shared desk (a database server) your database login is recorded, and this becomes the name "
    "colleagues see for it, on every workstation."
)


def tidy_name(text: str) -> str:
    """The name as it is recorded: inner runs of spaces made one, trimmed, at most ``MAX_NAME`` characters."""
    return " ".join(text.split())[:MAX_NAME]


class NameDialog(QDialog):
    """'What is your name?' with the reason, prefilled; a blank name is refused with a message."""

    def __init__(self, parent: QWidget | None = None, *, current: str = "", first_run: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("name-dialog")
        self.setWindowTitle("Welcome to ca-editor" if first_run else "Your name")
        self.setModal(True)

        heading = QLabel("What is your name?" if first_run else "Change the name recorded with your work")
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        heading.setFont(font)
        self.why = QLabel(WHY)
        self.why.setWordWrap(True)
        self.why.setTextFormat(Qt.TextFormat.PlainText)

        self.name_edit = QLineEdit(current)
        self.name_edit.setMaxLength(MAX_NAME)
        self.name_edit.setPlaceholderText("For example: Dana Karimova")
        self.name_edit.setAccessibleName("Your name")
        self.name_edit.setToolTip("The name colleagues know you by; it appears in the story and page history")
        self.name_edit.selectAll()
        caption = QLabel("&Your name:")
        caption.setBuddy(self.name_edit)

        self.message = QLabel()
        self.message.setAccessibleName("Name problem")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setStyleSheet(f"color: {ERROR_COLOR};")
        self.message.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Use this name")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        if first_run:
            cancel.setText("Not now")
            cancel.setToolTip(
                f"Work as “{fallback_name()}” (your login name) for now; you are asked again next time"
            )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(self._update)

        column = QVBoxLayout(self)
        column.addWidget(heading)
        column.addWidget(self.why)
        column.addSpacing(6)
        column.addWidget(caption)
        column.addWidget(self.name_edit)
        column.addWidget(self.message)
        column.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self._update()

    def name(self) -> str:
        return tidy_name(self.name_edit.text())

    def accept(self) -> None:
        if not self.name():  # Enter in an empty field: say why instead of closing
            self.message.setText("Enter a name: a blank name cannot be recorded.")
            self.message.show()
            self.name_edit.setFocus()
            return
        super().accept()

    def _update(self) -> None:
        blank = not self.name()
        self.ok_button.setEnabled(not blank)
        self.ok_button.setToolTip("Enter a name first" if blank else "Record your work under this name")
        if not blank:
            self.message.hide()


def ask_for_name(parent: QWidget | None, current: str, first_run: bool) -> str | None:
    """Show the name dialog; the tidied name, or None when the person cancelled."""
    dialog = NameDialog(parent, current=current, first_run=first_run)
    try:
        return dialog.name() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()


def ensure_user_name(
    identity: Identity, settings: Settings, parent: QWidget | None = None, ask: Asker = ask_for_name
) -> bool:
    """At the start: take the saved name, or ask for one (first run). Returns whether it asked.

    A name already given for this run (``--user``) is used as it is. Declining leaves the login name standing
    in, unsaved, so the question comes back on the next start.
    """
    if identity.is_set:
        return False
    saved = tidy_name(settings.user_name)
    if saved:
        identity.set(saved)
        return False
    name = ask(parent, fallback_name(), True)
    if name and tidy_name(name):
        remember(identity, settings, name)
    return True


def change_user_name(
    identity: Identity, settings: Settings, parent: QWidget | None = None, ask: Asker = ask_for_name
) -> bool:
    """The 'Your name…' action: ask with the current name filled in; returns whether the name changed."""
    name = tidy_name(ask(parent, identity.name, False) or "")
    if not name or (identity.is_set and name == identity.name):
        return False
    remember(identity, settings, name)
    return True


def remember(identity: Identity, settings: Settings, name: str) -> None:
    identity.set(name)
    settings.user_name = identity.name
    settings.sync()


def signed_in_text(identity: Identity) -> str:
    """For the status bar: who the window records changes for (on a shared desk, the database login)."""
    if identity.login:
        shown = f"{identity.name} (database login {identity.login})" if identity.is_set else identity.login
        return f"Signed in as {shown}"
    if identity.is_set:
        return f"Signed in as {identity.name}"
    return f"Signed in as {identity.name} (login name: Edit › Your name… sets yours)"
