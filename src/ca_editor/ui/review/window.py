"""The review window: the layout read-only, what changed since the last sign-off and the last export, and
Approve / Send back with a note.

It is a window beside the desk, not a modal step: it follows every change made at the desk while open
(``Desk.changed``), and a decision is recorded only for the layout it shows (the service refuses one
that changed since it was read, e.g. by another desk on the same database).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.changes import Change
from ca_editor.domain.errors import CaEditorError, ConflictError, ValidationError
from ca_editor.domain.layout_diff import LayoutDiff
from ca_editor.domain.local_time import moment
from ca_editor.domain.snapshots import LayoutSnapshot, SnapshotContent, SnapshotKind
from ca_editor.services.review import ChangesSince, ReviewSheet
from ca_editor.ui.desk import Desk
from ca_editor.ui.review.common import kind_icon, state_text, with_note
from ca_editor.ui.review.diff_view import DiffView
from ca_editor.ui.review.layout_view import ReviewLayoutModel, ReviewLayoutView


def layout_name(desk: Desk) -> str:
    """'main layout' or 'variant “Weekend”': the layout the desk edits, which the review is about."""
    variant = desk.layout.variant
    return "main layout" if variant is None else f"variant “{variant.name}”"


SEND_BACK_NEEDS_NOTE = "Say what needs to change before sending the layout back."


class ReviewWindow(QDialog):
    decided = Signal(object)  # LayoutSnapshot: a sign-off or send-back was recorded

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.services = desk.services
        self.setObjectName("review-window")
        self.setWindowTitle(f"Review layout — {desk.layout.section.title}")
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(1180, 760)
        self._sheet: ReviewSheet | None = None

        self._build_state_label()
        splitter = self._build_layout_and_changes()
        note_caption = self._build_note()
        buttons = self._build_buttons()
        self._lay_out(splitter, note_caption, buttons)

        self._refresh_timer = QTimer(self, singleShot=True, interval=0)
        self._refresh_timer.timeout.connect(self._follow_desk)
        self._deciding = False  # our own decision's broadcast must not clear what it says
        desk.changed.connect(self._desk_changed)
        self.refresh()

    def _build_state_label(self) -> None:
        """Where the layout stands, in bold and a little larger than the rest."""
        self.state_label = QLabel()
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        self.state_label.setWordWrap(True)
        self.state_label.setAccessibleName("Review state")
        font = self.state_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.state_label.setFont(font)

    def _build_layout_and_changes(self) -> QSplitter:
        """The layout read-only on the left; what changed since the last sign-off and export on the right."""
        self.layout_model = ReviewLayoutModel(self.services.images.read, self)
        self.layout_view = ReviewLayoutView(self.layout_model)
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        self.layout_caption = QLabel("The layout now (read-only)")
        self.layout_caption.setBuddy(self.layout_view)
        left_box.addWidget(self.layout_caption)
        left_box.addWidget(self.layout_view)

        self.since_sign_off = DiffView()
        self.since_export = DiffView()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Changes")
        self.tabs.addTab(self.since_sign_off, kind_icon(SnapshotKind.SIGN_OFF), "Since last sign-off")
        self.tabs.addTab(self.since_export, kind_icon(SnapshotKind.EXPORT), "Since last export")
        self.tabs.currentChanged.connect(self._tab_changed)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([460, 700])
        splitter.setChildrenCollapsible(False)
        return splitter

    def _build_note(self) -> QLabel:
        """Who reviews, the note and its caption (returned), and the message line under the note."""
        self.reviewer_label = QLabel()
        self.reviewer_label.setTextFormat(Qt.TextFormat.PlainText)
        self.reviewer_label.setWordWrap(True)  # a shared desk adds who may sign off
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("A note for the desk: optional to approve, required to send back")
        self.note.setAccessibleName("Note")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.note.fontMetrics().lineSpacing() * 4 + 12)
        self.note.textChanged.connect(self._note_changed)
        note_caption = QLabel("&Note:")
        note_caption.setBuddy(self.note)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Review message")
        return note_caption

    def _build_buttons(self) -> QHBoxLayout:
        """Who reviews, then Approve (also Ctrl+Return), Send back and Close."""
        self.approve_button = QPushButton(kind_icon(SnapshotKind.SIGN_OFF), "&Approve (sign off)")
        self.approve_button.setToolTip("Sign off the layout as shown; a snapshot of it is kept (Ctrl+Return)")
        self.approve_button.clicked.connect(self.approve)
        self.send_back_button = QPushButton(kind_icon(SnapshotKind.SEND_BACK), "Send &back")
        self.send_back_button.setToolTip("Return the layout to the desk with the note saying what to change")
        self.send_back_button.clicked.connect(self.send_back)
        self.close_button = QPushButton("&Close")
        self.close_button.clicked.connect(self.close)
        for button in (self.approve_button, self.send_back_button, self.close_button):
            button.setAutoDefault(False)  # Return in the note is a new line, never a decision
        QShortcut(QKeySequence("Ctrl+Return"), self, self.approve)

        buttons = QHBoxLayout()
        buttons.addWidget(self.reviewer_label, 1)
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.send_back_button)
        buttons.addWidget(self.close_button)
        return buttons

    def _lay_out(self, splitter: QSplitter, note_caption: QLabel, buttons: QHBoxLayout) -> None:
        box = QVBoxLayout(self)
        box.addWidget(self.state_label)
        box.addWidget(splitter, 1)
        box.addWidget(note_caption)
        box.addWidget(self.note)
        box.addWidget(self.message)
        box.addLayout(buttons)

    # --- reading -------------------------------------------------------------------------------------------

    @property
    def sheet(self) -> ReviewSheet | None:
        return self._sheet

    @property
    def shown_content(self) -> SnapshotContent | None:
        """The block as this window shows it: what a decision approves or sends back."""
        return self._sheet.current if self._sheet else None

    def _desk_changed(self, change: Change) -> None:
        if self._deciding or not self.isVisible():
            return  # showEvent reads afresh
        in_block = set(self.desk.layout.story_ids())
        if change.snapshots or change.names_layout(self.desk.section_id) or change.names_any_story(in_block):
            self._refresh_timer.start()

    def _follow_desk(self) -> None:
        self.message.clear()  # "Signed off …" or a refusal no longer describes the layout shown
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        self.message.clear()  # a fresh look: the last decision's message is in the state line
        self.refresh()  # changes made while it was hidden
        super().showEvent(event)

    def refresh(self) -> None:
        try:
            sheet = self.services.review.sheet(self.desk.section_id, self.desk.variant_id)
        except CaEditorError as exc:
            self._say(f"Could not read the layout: {exc}", error=True)
            return
        self._sheet = sheet
        which = layout_name(self.desk)  # sign-off is per layout: the main one or a scheduled variant
        self.setWindowTitle(f"Review layout — {sheet.current.section_title} — {which}")  # heading may change
        self.layout_caption.setText(f"The {which} now (read-only)")
        self.state_label.setText(state_text(sheet.state, note_limit=200))
        self.reviewer_label.setText(self._reviewer_text())
        self.reviewer_label.setToolTip("The name recorded with your sign-off or send-back")
        self._show_tab(0, self.since_sign_off, sheet.since_sign_off, "signed off")
        self._show_tab(1, self.since_export, sheet.since_export, "exported")
        self.layout_model.set_content(sheet.current, self._current_diff())

    def _reviewer_text(self) -> str:
        """Who decides; on a shared desk the login, and whether its sign-off counts (the section's chiefs)."""
        name, people = self.services.identity.name, self.services.people
        if not people.shared:  # one workstation: no logins, no chiefs to ask the database about
            return f"Deciding as {name}"
        text = f"Deciding as {name} (login {people.login})"
        try:
            chiefs = people.chiefs(self.desk.section_id)
        except CaEditorError:
            return text
        if chiefs and people.login not in chiefs:
            names = ", ".join(people.shown(login) for login in chiefs)
            text += f"; only the desk chiefs ({names}) can sign off this section, you can send it back"
        return text

    def _show_tab(self, index: int, view: DiffView, changes: ChangesSince, verb: str) -> None:
        title = "Since last sign-off" if changes.kind is SnapshotKind.SIGN_OFF else "Since last export"
        count = changes.diff.count
        self.tabs.setTabText(index, f"{title} ({count})" if count else f"{title} (no changes)")
        if changes.snapshot is None:
            intro = f"Never {verb}: every slot of the layout is listed as new."
        else:
            intro = "Compared with: " + with_note(changes.snapshot)
        view.show_diff(changes.diff, intro)

    def _current_diff(self) -> LayoutDiff | None:
        if self._sheet is None:
            return None
        return (
            self._sheet.since_sign_off if self.tabs.currentIndex() == 0 else self._sheet.since_export
        ).diff

    def _tab_changed(self, _index: int) -> None:
        self.layout_model.set_diff(self._current_diff())

    # --- deciding ----------------------------------------------------------------------------------------

    def approve(self) -> LayoutSnapshot | None:
        return self._decide(SnapshotKind.SIGN_OFF)

    def send_back(self) -> LayoutSnapshot | None:
        if not self.note.toPlainText().strip():
            self._say(SEND_BACK_NEEDS_NOTE, error=True)
            self.note.setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        return self._decide(SnapshotKind.SEND_BACK)

    def _decide(self, kind: SnapshotKind) -> LayoutSnapshot | None:
        seen = self.shown_content
        if seen is None:
            return None
        note = self.note.toPlainText()
        review = self.services.review
        section_id = self.desk.section_id
        try:
            if kind is SnapshotKind.SIGN_OFF:
                snapshot = review.sign_off(section_id, note, reviewed=seen, variant_id=self.desk.variant_id)
            else:
                snapshot = review.send_back(section_id, note, reviewed=seen, variant_id=self.desk.variant_id)
        except ValidationError as exc:
            self._say("; ".join(p.message[0].upper() + p.message[1:] for p in exc.problems) + ".", error=True)
            return None
        except ConflictError as exc:
            self.refresh()
            self._say(f"{str(exc)[0].upper()}{str(exc)[1:]}.", error=True)
            return None
        except CaEditorError as exc:
            self._say(f"Nothing was recorded: {exc}", error=True)
            return None
        self.note.blockSignals(True)
        self.note.clear()
        self.note.blockSignals(False)
        self.refresh()
        done = "Signed off" if kind is SnapshotKind.SIGN_OFF else "Sent back"
        self._say(f"{done} {moment(snapshot.taken_at)}; a snapshot of the layout was kept.")
        self._deciding = True
        try:  # the indicator and the layout history follow the one broadcast
            self.desk.broadcast(Change(who=snapshot.taken_by, snapshots=True))
        finally:
            self._deciding = False
        self.decided.emit(snapshot)
        return snapshot

    def _note_changed(self) -> None:
        self.message.clear()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        colour = self.palette().color(self.palette().ColorRole.BrightText).name() if error else ""
        self.message.setStyleSheet(f"color: {colour}; font-weight: bold" if error else "")
