"""Crash recovery in the window: the editor's unsaved form is copied to disk every few seconds, and the next
start offers what a crashed window left.

``EditorAutosaver`` owns this window's ``RecoverySession`` (``services.recovery``): a copy is written only
when the form has unsaved edits that changed since the last copy, and removed as soon as the form is clean
again (saved, reverted, discarded) or the window closes cleanly. ``offer_recovery`` runs once the window is
on screen (``ui/launch.py``, never in ``MainWindow`` itself, so tests that build a window never meet it):
it lists the copies of windows that are gone (Restore / Discard / Later). Restore puts the edits in the
editor over the story *as it was when they were made*, dirty, so they are reviewed and saved like any edit;
if someone saved the story since, a save meets the version check and the editor's conflict question.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.errors import CaEditorError, NotFoundError
from ca_editor.domain.local_time import clock_time, local_time
from ca_editor.domain.model import ImageAsset, Story, StoryFields
from ca_editor.domain.text import shorten
from ca_editor.services.container import Services
from ca_editor.services.identity import Identity
from ca_editor.services.recovery import RecoveryError, RecoveryStore
from ca_editor.services.recovery_entry import BaseStory, RecoveredEdit, story_key
from ca_editor.ui.editor import StoryEditor

if TYPE_CHECKING:
    from ca_editor.ui.main_window import MainWindow

log = logging.getLogger(__name__)

#: How often the form is copied while it has unsaved edits (the kill tests shorten it).
AUTOSAVE_MS = 3000


class EditorAutosaver(QObject):
    """Keeps a recovery copy of the editor's unsaved form; see the module docstring."""

    failed = Signal(str)  # why a copy could not be written, once per distinct reason

    def __init__(
        self,
        editor: StoryEditor,
        store: RecoveryStore,
        identity: Identity,
        interval_ms: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.session = store.open_session()
        self._editor = editor
        self._identity = identity
        self._written: tuple[str, StoryFields] | None = None  # key and content of the copy on disk
        self._last_error = ""
        self.timer = QTimer(self, interval=interval_ms or AUTOSAVE_MS)
        self.timer.timeout.connect(self.autosave)
        self.timer.start()
        editor.dirty_changed.connect(self._on_dirty_changed)

    @property
    def written_key(self) -> str | None:
        return self._written[0] if self._written else None

    def autosave(self) -> bool:
        """Copy the form if it has unsaved edits not copied yet; drop the copy when it has none. Returns
        whether it wrote."""
        editor = self._editor
        if not self.session.is_open:
            return False
        if not editor.is_dirty():
            self._clear()
            return False
        story = editor.current_story()
        key = story_key(story.id if story is not None else None)
        fields = editor.current_fields()
        if self._written == (key, fields):
            return False  # nothing typed since the last copy: no write, no fsync
        try:
            self.session.save(
                key,
                fields=fields,
                base=_base(story),
                who=self._identity.name,
                story_id=story.id if story is not None else None,
            )
        except RecoveryError as exc:
            message = f"Could not keep a recovery copy of your unsaved edits ({exc}); save soon."
            if message != self._last_error:
                log.warning("%s", message)
                self._last_error = message
                self.failed.emit(message)
            return False
        if self._written is not None and self._written[0] != key:
            self.session.discard(self._written[0])
        self._written = (key, fields)
        self._last_error = ""
        return True

    def adopt(self, edit: RecoveredEdit) -> None:
        """A restored copy becomes this window's: moved into its session before the form shows it."""
        try:
            self.session.adopt(edit)
        except RecoveryError as exc:  # the old copy stays where it was, so nothing is lost
            log.warning("could not move the restored copy %s into this window: %s", edit.path, exc)
            return
        if self._written is not None and self._written[0] != edit.key:
            self.session.discard(self._written[0])
        self._written = (edit.key, edit.fields)

    def finish(self) -> None:
        """The window closes: a clean form leaves nothing behind; a dirty one (closed without the question)
        keeps its copy for the next start."""
        self.timer.stop()
        if not self.session.is_open:
            return
        dirty = self._editor.is_dirty()
        if dirty:
            self.autosave()
        self.session.close(keep=dirty)

    def _on_dirty_changed(self, dirty: bool) -> None:
        if not dirty:
            self._clear()  # saved or discarded: the copy has done its job

    def _clear(self) -> None:
        if self._written is not None:
            self.session.discard(self._written[0])
            self._written = None


def _base(story: Story | None) -> BaseStory | None:
    if story is None:
        return None
    return BaseStory(story.version, story.fields(), story.created_at, story.updated_at, story.updated_by)


# --- the offer at start ------------------------------------------------------------------------------------


def describe(edit: RecoveredEdit, now: datetime | None = None) -> str:
    """'“Title” — unsaved edits from today 14:05' (or '3 Mar 14:05'; the year when not this one)."""
    title = edit.title or ("Untitled new story" if edit.story_id is None else f"Story #{edit.story_id}")
    return f"“{shorten(title, 80)}” — unsaved edits from {local_time(edit.saved_at, now)}"


def state_since(edit: RecoveredEdit, services: Services) -> str:
    """What happened to the story in the database since the edits were made, for people ('' if nothing)."""
    if edit.story_id is None or edit.base is None:
        return ""
    try:
        latest = services.stories.get(edit.story_id)
    except NotFoundError:
        return "The story was deleted since; restoring makes it a new story."
    except CaEditorError as exc:
        return f"Could not read the story now: {exc}"
    if latest.version == edit.base.version:
        return ""
    who = f" by {latest.updated_by}" if latest.updated_by else ""
    return (
        f"Saved again since{who} at {clock_time(latest.updated_at)}: saving yours will ask whether to "
        "replace that version."
    )


def _edit_item(edit: RecoveredEdit, services: Services) -> QListWidgetItem:
    """One unsaved edit in the list: its title, who and where, and what happened to the story since."""
    note = state_since(edit, services)
    by = f" by {edit.who}" if edit.who else ""
    where = f"story #{edit.story_id}" if edit.story_id is not None else "not saved yet"
    detail = " · ".join(part for part in (edit.who, where, note) if part)
    item = QListWidgetItem(f"{describe(edit)}\n{detail}")
    item.setData(Qt.ItemDataRole.UserRole, edit)
    item.setToolTip(
        f"Copied{by} at {clock_time(edit.saved_at)}"
        + (f"; story #{edit.story_id}, saved version {edit.base.version}" if edit.base else "")
    )
    item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, note)
    return item


class RecoveryDialog(QDialog):
    """Lists the unsaved edits a crashed window left: Restore one into the editor, Discard, or Later."""

    def __init__(self, edits: list[RecoveredEdit], services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recovery-dialog")
        self.setWindowTitle("Unsaved edits found")
        self.setModal(True)
        self.store_discard: Callable[[RecoveredEdit], None] = lambda _edit: None
        self.chosen: RecoveredEdit | None = None
        self.discarded: list[RecoveredEdit] = []

        heading = QLabel("ca-editor closed without saving these edits")
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        heading.setFont(font)
        why = QLabel(
            "The desk window stopped (a crash, or the computer went down) while a story had changes that "
            "were not saved. Restore opens them in the editor for you to review and save; Discard drops them "
            "for good; Later keeps them for the next start."
        )
        why.setWordWrap(True)
        why.setTextFormat(Qt.TextFormat.PlainText)

        self.list = QListWidget()
        self.list.setAccessibleName("Unsaved edits")
        self.list.setAlternatingRowColors(True)
        self.list.setWordWrap(True)
        for edit in edits:
            self.list.addItem(_edit_item(edit, services))
        self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _item: self._restore_current())
        self.list.currentRowChanged.connect(lambda _row: self._update())

        self.buttons = QDialogButtonBox()
        self.restore_button = QPushButton("&Restore")
        self.restore_button.setToolTip("Open these edits in the editor; nothing is saved until you save")
        self.discard_button = QPushButton("&Discard")
        self.discard_button.setToolTip("Delete these unsaved edits for good")
        self.later_button = QPushButton("&Later")
        self.later_button.setToolTip("Keep them; they are offered again at the next start")
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.discard_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.buttons.addButton(self.later_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.setDefault(True)
        self.restore_button.clicked.connect(self._restore_current)
        self.discard_button.clicked.connect(self._discard_current)
        self.later_button.clicked.connect(self.reject)

        column = QVBoxLayout(self)
        column.addWidget(heading)
        column.addWidget(why)
        column.addSpacing(6)
        column.addWidget(self.list, 1)
        column.addWidget(self.buttons)
        self.setMinimumSize(640, 260)
        self._update()

    def edits(self) -> list[RecoveredEdit]:
        """The edits still listed."""
        return [self.list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.list.count())]

    def restore(self, edit: RecoveredEdit) -> None:
        self.chosen = edit
        self.accept()

    def discard(self, edit: RecoveredEdit) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) is edit:
                self.store_discard(edit)
                self.discarded.append(edit)
                self.list.takeItem(row)
                break
        if self.list.count() == 0:
            self.reject()
        self._update()

    def _current(self) -> RecoveredEdit | None:
        item = self.list.currentItem()
        edit: RecoveredEdit | None = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return edit

    def _restore_current(self) -> None:
        edit = self._current()
        if edit is not None:
            self.restore(edit)

    def _discard_current(self) -> None:
        edit = self._current()
        if edit is not None:
            self.discard(edit)

    def _update(self) -> None:
        chosen = self._current() is not None
        self.restore_button.setEnabled(chosen)
        self.discard_button.setEnabled(chosen)


def offer_recovery(
    window: MainWindow, run: Callable[[RecoveryDialog], object] = RecoveryDialog.exec
) -> RecoveryDialog | None:
    """If crashed windows left unsaved edits for this database, ask what to do with them (``run`` shows the
    dialog; tests pass their own answer). Returns the dialog, or ``None`` when there was nothing to offer."""
    autosaver = window.autosaver
    edits = autosaver.store.orphans()
    if not edits:
        return None
    dialog = RecoveryDialog(edits, window.services, window)
    dialog.store_discard = autosaver.store.discard
    try:
        run(dialog)
        chosen = dialog.chosen
    finally:
        dialog.deleteLater()
    if chosen is not None and window.editor.maybe_leave():
        restore_edit(window.editor, window.services, autosaver, chosen)
        window.editor_dock.show()
        window.editor_dock.raise_()
    return dialog


def restore_edit(
    editor: StoryEditor, services: Services, autosaver: EditorAutosaver, edit: RecoveredEdit
) -> None:
    """Put recovered edits in the editor over the story as it was when they were made: dirty, with a note."""
    fields = edit.fields
    notes: list[str] = []
    image = _asset(services, fields.image_sha256)
    if fields.image_sha256 and image is None:
        fields = replace(
            fields, image_sha256=None, image_alt="", image_caption="", image_credit="", image_focus=None
        )
        notes.append("Its image is no longer in the database and was left out.")
    when = local_time(edit.saved_at)
    opened: Story | None = None
    reload = False
    review = " Review them, then Save (Ctrl+S); Revert drops them."
    if edit.story_id is None or edit.base is None:
        message = f"Restored the unsaved new story from {when}.{review}"
    else:
        title = shorten(edit.base.fields.title, 50)
        try:
            latest = services.stories.get(edit.story_id)
        except NotFoundError:
            message = f"“{title}” was deleted after your edits from {when}; Save creates it as a new story."
        except CaEditorError as exc:
            opened = _base_story(services, edit.story_id, edit.base)
            message = f"Restored your unsaved edits from {when} (could not check the saved story: {exc})."
        else:
            if latest.version == edit.base.version:
                opened = latest
                message = f"Restored your unsaved edits from {when}.{review}"
            else:
                opened = _base_story(services, edit.story_id, edit.base)
                who = f" by {latest.updated_by}" if latest.updated_by else ""
                message = (
                    f"Restored your unsaved edits from {when}, but “{title}” was saved again{who} at "
                    f"{clock_time(latest.updated_at)}: saving asks whether to replace that version."
                )
                reload = True
    autosaver.adopt(edit)
    editor.restore_edits(opened, fields, image, " ".join([message, *notes]), reload=reload)


def _asset(services: Services, sha256: str | None) -> ImageAsset | None:
    if not sha256:
        return None
    try:
        return services.images.get(sha256)
    except CaEditorError:
        return None


def _base_story(services: Services, story_id: int, base: BaseStory) -> Story:
    """The story as the editor had it open when the edits were made: what a save is checked against."""
    story = Story.from_fields(
        base.fields,
        story_id=story_id,
        image=_asset(services, base.fields.image_sha256),
        version=base.version,
        created_at=base.created_at,
        updated_at=base.updated_at,
    )
    return replace(story, updated_by=base.updated_by)
