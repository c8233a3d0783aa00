"""The story detail editor: every field of one story, checked while typing, saved through the desk.

The form is the only state: ``current_fields()`` reads it, ``_baseline`` is what it read right after the
story was shown, and "dirty" is the difference. Saving goes through ``Desk.create_story`` /
``Desk.update_story`` (one undoable command each); undo and redo come back as ``Desk.story_saved`` and
``Desk.story_removed`` and refresh the form unless the user has unsaved edits, which are never thrown away
without asking.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QDate, QDateTime, QSize, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.errors import CaEditorError, ConflictError, NotFoundError, Problem, ValidationError
from ca_editor.domain.model import ImageAsset, Story, StoryFields, StoryStatus
from ca_editor.domain.slugs import is_valid_slug, make_slug, unique_slug
from ca_editor.domain.validation import MAX_LENGTHS, SUMMARY_ADVISED_LENGTH, errors_only, validate_story
from ca_editor.services.images import MAX_IMAGE_BYTES
from ca_editor.ui.conflicts import Outcome, Resolution, StoryConflictFlow
from ca_editor.ui.desk import Desk
from ca_editor.ui.editor.markdown import BodyEditor, word_count
from ca_editor.ui.editor.widgets import (
    ERROR_COLOR,
    FIELD_STYLE,
    NOTICE_COLOR,
    WARNING_COLOR,
    ElidedLabel,
    FieldMessage,
    severity_color,
    tinted_pixmap,
)
from ca_editor.ui.editor.workflow import WorkflowBox
from ca_editor.ui.focal_image import FocalImagePicker
from ca_editor.ui.icons import icon

#: What each field is called on screen; problems name fields by these keys.
FIELD_LABELS = {
    "title": "Title",
    "slug": "Slug",
    "summary": "Summary",
    "byline": "Byline",
    "published_at": "Publication date",
    "status": "Status",
    "tags": "Tags",
    "image": "Image",
    "image_alt": "Alt text",
    "image_caption": "Caption",
    "image_credit": "Credit",
    "body": "Body",
}
STATUS_LABELS = {
    StoryStatus.DRAFT: "Draft",
    StoryStatus.READY: "Ready",
    StoryStatus.APPROVED: "Approved",
    StoryStatus.PUBLISHED: "Published",
}
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.gif);;All files (*)"
THUMBNAIL = QSize(240, 160)  # big enough to click a face in: it sets the focal point
DATE_FORMAT = "yyyy-MM-dd HH:mm"


# Pillow's reason for refusing a file can end in "(cannot identify image file <_io.BytesIO object at 0x…>)".
_PYTHON_REPR = re.compile(r"\s*\([^()]*<_io\.\w+ object at 0x[0-9a-fA-F]+>[^()]*\)")


def parse_tags(text: str) -> tuple[str, ...]:
    """'Kazakhstan, Energy,, Energy ' -> ('Kazakhstan', 'Energy'): trimmed, blanks and repeats dropped."""
    tags: list[str] = []
    for part in text.split(","):
        tag = part.strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


def sentence(problem: Problem) -> str:
    """A problem as a sentence: 'Title is 10,000 characters long…', 'The image has no alt text…'."""
    message = problem.message
    label = FIELD_LABELS.get(problem.field, problem.field.replace("_", " ").capitalize())
    if message.startswith(("is ", "contains ", "has ")):
        return f"{label} {message}"
    return message[:1].upper() + message[1:]


def _short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class StoryEditor(QWidget):
    """Edit one story (or a new one). See the module docstring for how state flows."""

    edited = Signal(object)  # Story: the form as a value, ~200 ms after a change, and when one is shown;
    # None when nothing is shown any more (the story was deleted, or undo took it away)
    saved = Signal(object)  # Story: as saved (created or updated) by this editor
    dirty_changed = Signal(bool)

    SETTLE_MS = 200

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._desk = desk
        self._opened: Story | None = None
        self._mode = "none"  # "none" (nothing shown), "story" (an existing story) or "new"
        self._baseline: StoryFields | None = None
        self._image: ImageAsset | None = None
        self._dirty = False
        self._loading = False
        self._saving = False
        self._deleting = False
        self._removed_id: int | None = None  # shown when undo removed it, so redo can show it again
        self._live_problems: list[Problem] = []
        self._checked = True  # False from an edit until the typing pause: _live_problems describe older text
        self._save_problems: list[Problem] = []  # what the last refused save said, until the next edit
        self._image_refusal = self._image_note = ""
        self._derived_slug = ""
        self._last_dir = ""

        self._settle_timer = QTimer(self, singleShot=True, interval=self.SETTLE_MS)
        self._settle_timer.timeout.connect(self._settle)

        self.setStyleSheet(FIELD_STYLE)
        self._build_actions()
        self._build_ui()
        self._connect_changes()
        desk.story_saved.connect(self._on_story_saved)
        desk.story_removed.connect(self._on_story_removed)
        self._show_none()

    # --- public API --------------------------------------------------------------------------------------

    def first_control(self) -> QWidget:
        """Where Alt+4 lands: the title, not the workflow buttons above it (one Shift+Tab away)."""
        return self.title_edit

    def show_story(self, story_id: int | None) -> None:
        """Show a story (or nothing). Does not ask about unsaved edits: call ``maybe_leave()`` first."""
        if story_id is None:
            self._show_none()
            return
        try:
            story = self._desk.services.stories.get(story_id)
        except CaEditorError as exc:
            self._show_none()
            self._show_notice(f"Could not open the story: {exc}", "error")
            return
        self._load(story)

    def new_story(self) -> None:
        """An empty form in "new" mode. Does not ask about unsaved edits: call ``maybe_leave()`` first."""
        self._opened = None
        self._mode = "new"
        self._fill(StoryFields(title=""), None)
        self._after_load()
        self.title_edit.setFocus()

    def current_story(self) -> Story | None:
        """The story as it was opened (or last saved here); ``None`` for a new story or none."""
        return self._opened

    def current_fields(self) -> StoryFields:
        """The form's content as the input of a save."""
        image = self._image
        return StoryFields(
            title=self.title_edit.text(),
            slug=self.slug_edit.text().strip(),
            summary=self.summary_edit.toPlainText(),
            body=self.body_edit.toPlainText(),
            byline=self.byline_edit.text(),
            published_at=self._published_at(),
            status=StoryStatus(self.status_combo.currentData()),
            tags=parse_tags(self.tags_edit.text()),
            image_sha256=image.sha256 if image else None,
            image_alt=self.alt_edit.text() if image else "",
            image_caption=self.caption_edit.text() if image else "",
            image_credit=self.credit_edit.text() if image else "",
            image_focus=self.image_picker.focus_point() if image else None,
        )

    def edited_story(self) -> Story | None:
        """The form as a ``Story`` value for the live preview (id and version 0 for a new story)."""
        if self._mode == "none":
            return None
        fields = self.current_fields()
        opened = self._opened
        now = datetime.now(UTC)
        fields = replace(
            fields,
            title=fields.title.strip(),
            slug=fields.slug or self._derived_slug or make_slug(fields.title),
        )
        return Story.from_fields(
            fields,
            story_id=opened.id if opened else 0,
            image=self._image,
            version=opened.version if opened else 0,
            created_at=opened.created_at if opened else now,
            updated_at=opened.updated_at if opened else now,
        )

    def is_dirty(self) -> bool:
        return self._mode != "none" and self.current_fields() != self._baseline

    def is_new(self) -> bool:
        return self._mode == "new"

    def problems(self) -> list[Problem]:
        """What the form shows now: live checks plus what the last refused save said."""
        return self._live_problems + [p for p in self._save_problems if p not in self._live_problems]

    def validate_now(self) -> list[Problem]:
        """Run the checks at once instead of after the typing pause; returns ``problems()``."""
        self._settle_timer.stop()
        self._settle()
        return self.problems()

    def maybe_leave(self) -> bool:
        """Before showing something else: ask Save / Discard / Cancel if there are unsaved edits."""
        if not self.is_dirty():
            return True
        name = _short(self.title_edit.text()) or "the new story"
        choice = self._ask(
            QMessageBox.Icon.Question,
            "Unsaved changes",
            f"Save your changes to “{name}”?",
            "If you don't save, your changes are lost.",
            [
                ("Save", QMessageBox.ButtonRole.AcceptRole),
                ("Discard", QMessageBox.ButtonRole.DestructiveRole),
                ("Cancel", QMessageBox.ButtonRole.RejectRole),
            ],
            default="Save",
        )
        if choice == "Save":
            return self.save()
        if choice == "Discard":
            self.revert()
            return True
        return False

    def save(self) -> bool:
        """Save the form (create or update); shows why when it cannot. Returns whether it saved."""
        if self._mode == "none":
            return False
        problems = self.validate_now()
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            self._focus_field(errors[0].field)
            return False
        fields = self.current_fields()
        self._saving = True
        try:
            if self._opened is None:
                story = self._desk.create_story(fields)
            else:
                story = self._desk.update_story(self._opened, fields)
        except ValidationError as exc:
            self._save_problems = list(exc.problems)
            self._show_problems()
            if exc.problems:
                self._focus_field(exc.problems[0].field)
            return False
        except ConflictError as exc:
            if self._opened is None:
                self._show_notice(f"Could not save: {exc}. Your edits are kept.", "error")
                return False
            flow = StoryConflictFlow(self, self._desk, self._opened, fields, exc)
            return self._on_conflict(flow.run())  # ui/conflicts.py: reload, compare, keep mine as a copy
        except NotFoundError as exc:
            if self._opened is not None:  # deleted by someone else since it was opened
                flow = StoryConflictFlow(self, self._desk, self._opened, fields)
                return self._on_conflict(flow.run_deleted())
            self._become_new_keeping_edits(
                f"Could not save: {exc}. Your edits are kept; Save creates it anew."
            )
            return False
        except CaEditorError as exc:
            # The storage messages end in a full stop and say themselves whether trying again can help.
            self._show_notice(f"Could not save: {str(exc).rstrip('.')}. Your edits are kept.", "error")
            return False
        finally:
            self._saving = False
        self._removed_id = None
        self._load(story)
        self._show_notice("Saved. Undo (Ctrl+Z) takes it back.", "info")
        self.saved.emit(story)
        return True

    def revert(self) -> None:
        """Discard unsaved edits: show the story as saved now (or an empty form for a new one)."""
        if self._mode == "new":
            self.new_story()
        elif self._opened is not None:
            self.show_story(self._opened.id)

    def restore_edits(
        self,
        opened: Story | None,
        fields: StoryFields,
        image: ImageAsset | None,
        notice: str,
        *,
        reload: bool = False,
    ) -> None:
        """Show unsaved edits recovered after a crash (``ui/recovery.py``) over ``opened``, the story as it
        was when they were made (``None``: never saved). The form is dirty, so they are reviewed and saved
        like any edit; a save checks ``opened.version``. Does not ask about unsaved edits: call
        ``maybe_leave()`` first."""
        if opened is None:
            self.new_story()
        else:
            self._load(opened)
        self._removed_id = None
        self._fill(fields, image)
        self._changed()
        self.validate_now()
        self._show_notice(notice, "warning", reload=reload)

    def delete(self) -> bool:
        """Delete the shown story after a confirmation (undoable through the desk)."""
        story = self._opened
        if story is None:
            return False
        extra = " Your unsaved changes are lost too." if self.is_dirty() else ""
        choice = self._ask(
            QMessageBox.Icon.Warning,
            "Delete story",
            f"Delete “{_short(story.title)}”?",
            f"It leaves the story list and any editor's-choice slot. Undo (Ctrl+Z) brings it back.{extra}",
            [
                ("Delete", QMessageBox.ButtonRole.DestructiveRole),
                ("Cancel", QMessageBox.ButtonRole.RejectRole),
            ],
            default="Cancel",
        )
        if choice != "Delete":
            return False
        self._deleting = True
        try:
            return self._desk.delete_story(story.id)
        finally:
            self._deleting = False

    # --- building --------------------------------------------------------------------------------------

    def _build_actions(self) -> None:
        def action(name: str, text: str, shortcut: QKeySequence, tip: str) -> QAction:
            made = QAction(icon(name), text, self)
            made.setShortcut(shortcut)
            made.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            made.setToolTip(f"{tip} ({shortcut.toString(QKeySequence.SequenceFormat.NativeText)})")
            made.setStatusTip(tip)
            self.addAction(made)
            return made

        self.save_action = action(
            "save", "Save", QKeySequence(QKeySequence.StandardKey.Save), "Save the story"
        )
        self.save_action.triggered.connect(self.save)
        self.revert_action = action(
            "revert", "Revert", QKeySequence("Ctrl+R"), "Discard unsaved changes and show the saved story"
        )
        self.revert_action.triggered.connect(self.revert)
        self.new_action = action(
            "new_story", "New story", QKeySequence(QKeySequence.StandardKey.New), "Start a new story"
        )
        self.new_action.triggered.connect(self._on_new_triggered)
        self.delete_action = action(
            "delete", "Delete", QKeySequence("Ctrl+Shift+Delete"), "Delete this story (undoable)"
        )
        self.delete_action.triggered.connect(self.delete)

    def _build_ui(self) -> None:
        toolbar = QToolBar("Story editor")
        toolbar.setAccessibleName("Story editor actions")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setIconSize(QSize(18, 18))
        for made in (self.save_action, self.revert_action, self.new_action, self.delete_action):
            toolbar.addAction(made)
        self.save_button = toolbar.widgetForAction(self.save_action)

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
        heading_row = QHBoxLayout()
        heading_row.addWidget(self.heading, 1)
        heading_row.addWidget(self.dirty_label)

        self.notice = QFrame()
        self.notice.setFrameShape(QFrame.Shape.StyledPanel)
        self.notice_icon = QLabel()
        self.notice_text = QLabel()
        self.notice_text.setTextFormat(Qt.TextFormat.PlainText)
        self.notice_text.setWordWrap(True)
        self.notice_text.setAccessibleName("Notice")
        self.notice_reload = QPushButton("Reload")
        self.notice_reload.setAccessibleName("Reload the saved story")
        self.notice_reload.setToolTip("Show the story as saved now; your unsaved edits are discarded")
        self.notice_reload.clicked.connect(self._reload_from_db)
        self.notice_close = QPushButton("Dismiss")
        self.notice_close.setAccessibleName("Dismiss the notice")
        self.notice_close.setToolTip("Hide this notice")
        self.notice_close.clicked.connect(self.notice.hide)
        row = QHBoxLayout(self.notice)
        row.setContentsMargins(6, 4, 6, 4)
        row.addWidget(self.notice_icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.notice_text, 1)
        row.addWidget(self.notice_reload, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.notice_close, 0, Qt.AlignmentFlag.AlignTop)
        self.notice.hide()

        self.problem_summary = QLabel()
        self.problem_summary.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_summary.setWordWrap(True)
        self.problem_summary.setAccessibleName("Problems")
        self.problem_summary.hide()

        self.form = QWidget()
        form_column = QVBoxLayout(self.form)
        form_column.addWidget(self._build_story_group())
        form_column.addWidget(self._build_image_group())
        form_column.addWidget(self._build_body_group(), 1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)
        self.scroll_area = scroll

        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(toolbar)
        column.addLayout(heading_row)
        column.addWidget(self.notice)
        column.addWidget(self.problem_summary)
        self.workflow = WorkflowBox(self, self._desk)  # status steps and history; it owns the status
        column.addWidget(self.workflow)
        column.addWidget(scroll, 1)
        self._align_captions()
        self._set_tab_order()

    def _field(
        self,
        layout: QFormLayout,
        key: str,
        label: str,
        widget: QWidget,
        tip: str,
        extra: QWidget | None = None,
        holder: QWidget | None = None,
    ) -> QWidget:
        """Add ``widget`` (inside ``holder`` if given) beside a mnemonic label, its message below it."""
        widget.setAccessibleName(FIELD_LABELS[key])
        widget.setToolTip(tip)
        message = FieldMessage()
        message.setObjectName(f"{key}-message")
        cell = QWidget()
        stack = QVBoxLayout(cell)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.setSpacing(2)
        stack.addWidget(holder or widget)
        if extra is not None:
            stack.addWidget(extra)
        stack.addWidget(message)
        caption = QLabel(label)
        caption.setBuddy(widget)
        self._captions.append(caption)
        layout.addRow(caption, cell)
        self._fields[key] = widget
        self._messages[key] = message
        return widget

    def _new_form(self, group: QGroupBox) -> QFormLayout:
        layout = QFormLayout(group)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        return layout

    def _build_story_group(self) -> QGroupBox:
        self._fields: dict[str, QWidget] = {}
        self._captions: list[QLabel] = []
        self._messages: dict[str, FieldMessage] = {}
        group = QGroupBox("Story")
        form = self._new_form(group)

        self.title_edit = QLineEdit()
        self._field(form, "title", "&Title", self.title_edit, "The headline readers see on every page")
        self.slug_edit = QLineEdit()
        self._field(
            form,
            "slug",
            "S&lug",
            self.slug_edit,
            "The story's address in the bundle: lower-case letters, digits and hyphens.\n"
            "Leave it blank to derive one from the title (shown greyed out).",
        )
        self.summary_edit = QPlainTextEdit()
        self.summary_edit.setTabChangesFocus(True)
        self.summary_edit.setFixedHeight(self.summary_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.summary_counter = QLabel()
        self.summary_counter.setAccessibleName("Summary length")
        self.summary_counter.setToolTip(
            f"Teasers over {SUMMARY_ADVISED_LENGTH} characters are cut on phones; "
            f"the limit is {MAX_LENGTHS['summary']:,}"
        )
        self.summary_counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        self._field(
            form,
            "summary",
            "S&ummary",
            self.summary_edit,
            "The teaser shown on the section page and in the archive",
            self.summary_counter,
        )
        self.byline_edit = QLineEdit()
        self._field(form, "byline", "B&yline", self.byline_edit, "Who wrote the story")

        self.undated_check = QCheckBox("&Not dated")
        self.undated_check.setAccessibleName("Not dated")
        self.undated_check.setToolTip("The story has no publication date yet")
        self.date_edit = QDateTimeEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(DATE_FORMAT)
        self.date_edit.setMinimumDateTime(QDateTime(QDate(1900, 1, 2), QTime(0, 0)))
        self.date_edit.setMaximumDateTime(QDateTime(QDate(2200, 12, 30), QTime(23, 59)))
        self.date_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.date_hint = QLabel()
        self.date_hint.setAccessibleName("Publication date in UTC")
        self.date_hint.setWordWrap(True)
        self.date_hint.setStyleSheet("color: palette(placeholder-text);")
        date_row = QWidget()
        row = QHBoxLayout(date_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.date_edit, 1)
        row.addWidget(self.undated_check)
        self._field(
            form,
            "published_at",
            "&Date",
            self.date_edit,
            "Publication date and time, in this computer's time zone (stored in UTC)",
            self.date_hint,
            holder=date_row,
        )

        self.status_combo = QComboBox()
        for status, label in STATUS_LABELS.items():
            self.status_combo.addItem(label, status.value)
        self._field(
            form,
            "status",
            "St&atus",
            self.status_combo,
            "Draft and Ready stay out of the bundle unless placed in a slot; Approved and Published go in",
        )
        form.setRowVisible(form.rowCount() - 1, False)  # the status moves by the workflow box's steps
        self.tags_edit = QLineEdit()
        self.tags_edit.setPlaceholderText("Kazakhstan, Energy, Politics")
        self._field(
            form, "tags", "Ta&gs", self.tags_edit, "Comma-separated tags, for example: Kazakhstan, Energy"
        )
        return group

    def _build_image_group(self) -> QGroupBox:
        group = QGroupBox("Image")
        form = self._new_form(group)

        # The picture with its focal point and the card's crop (ui/focal_image.py, shared with the slots).
        self.image_picker = FocalImagePicker(THUMBNAIL)
        self.image_picker.focus_changed.connect(self._changed)
        self.image_info = QLabel()
        self.image_info.setWordWrap(True)
        self.image_info.setAccessibleName("Image details")
        self.choose_button = QPushButton(icon("image_choose"), "Ch&oose image…")
        self.choose_button.setAccessibleName("Choose image")
        self.choose_button.setToolTip("Pick a PNG, JPEG, WebP or GIF file for the story")
        self.choose_button.clicked.connect(self._choose_image)
        self.remove_button = QPushButton(icon("image_remove"), "Re&move")
        self.remove_button.setAccessibleName("Remove image")
        self.remove_button.setToolTip("Take the image off the story (the file stays in the database)")
        self.remove_button.clicked.connect(self._remove_image)
        buttons = QVBoxLayout()
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.image_info)
        buttons.addStretch(1)
        picker = QWidget()
        row = QHBoxLayout(picker)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.image_picker, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(buttons, 1)
        self._field(
            form,
            "image",
            "Image",
            self.image_picker,
            "The story's picture, shown on its page and teaser; click it where the crop should centre",
            holder=picker,
        )

        self.alt_edit = QLineEdit()
        self.alt_edit.setPlaceholderText("Describe the picture for readers who cannot see it")
        self._field(
            form,
            "image_alt",
            "Alt te&xt",
            self.alt_edit,
            "Required with an image: what the picture shows, for screen readers and when it cannot load",
        )
        self.caption_edit = QLineEdit()
        self._field(form, "image_caption", "&Caption", self.caption_edit, "Shown under the picture")
        self.credit_edit = QLineEdit()
        self._field(form, "image_credit", "C&redit", self.credit_edit, "Photographer or agency")
        return group

    def _build_body_group(self) -> QGroupBox:
        group = QGroupBox("Body")
        column = QVBoxLayout(group)
        self.body_edit = BodyEditor()
        self.body_edit.setMinimumHeight(220)
        self.body_edit.setAccessibleName("Body")
        self.body_edit.setToolTip(
            "The story text in Markdown: ## Heading, *italic*, **bold**, [link](https://…), - list item"
        )
        label = QLabel("&Body (Markdown)")
        label.setBuddy(self.body_edit)
        self.word_count_label = QLabel()
        self.word_count_label.setAccessibleName("Body word count")
        self.word_count_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        top = QHBoxLayout()
        top.addWidget(label)
        top.addStretch(1)
        top.addWidget(self.word_count_label)
        message = FieldMessage()
        message.setObjectName("body-message")
        column.addLayout(top)
        column.addWidget(self.body_edit, 1)
        column.addWidget(message)
        self._fields["body"] = self.body_edit
        self._messages["body"] = message
        return group

    def _align_captions(self) -> None:
        """One label column width for both forms, so the Story and Image fields line up."""
        width = max(caption.sizeHint().width() for caption in self._captions)
        for caption in self._captions:
            caption.setMinimumWidth(width)

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.title_edit,
            self.slug_edit,
            self.summary_edit,
            self.byline_edit,
            self.date_edit,
            self.undated_check,
            self.status_combo,
            self.tags_edit,
            self.image_picker.view,
            self.image_picker.centre_button,
            self.choose_button,
            self.remove_button,
            self.alt_edit,
            self.caption_edit,
            self.credit_edit,
            self.body_edit,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _connect_changes(self) -> None:
        for line in (
            self.title_edit,
            self.slug_edit,
            self.byline_edit,
            self.tags_edit,
            self.alt_edit,
            self.caption_edit,
            self.credit_edit,
        ):
            line.textChanged.connect(self._changed)
        self.summary_edit.textChanged.connect(self._changed)
        self.summary_edit.textChanged.connect(self._update_counter)
        self.body_edit.textChanged.connect(self._changed)
        self.date_edit.dateTimeChanged.connect(self._changed)
        self.date_edit.dateTimeChanged.connect(self._update_date_hint)
        self.undated_check.toggled.connect(self._on_undated_toggled)
        self.status_combo.currentIndexChanged.connect(self._changed)

    # --- filling the form ------------------------------------------------------------------------------

    def _load(self, story: Story) -> None:
        self._opened = story
        self._mode = "story"
        self._fill(story.fields(), story.image.asset if story.image else None)
        self._after_load()

    def _fill(self, fields: StoryFields, asset: ImageAsset | None) -> None:
        self._loading = True
        try:
            self.title_edit.setText(fields.title)
            self.slug_edit.setText(fields.slug)
            self.summary_edit.setPlainText(fields.summary)
            self.byline_edit.setText(fields.byline)
            if fields.published_at is None:
                self.date_edit.setDateTime(QDateTime.currentDateTime())
                self.undated_check.setChecked(True)
            else:
                moment = QDateTime.fromMSecsSinceEpoch(round(fields.published_at.timestamp() * 1000))
                self.date_edit.setDateTime(moment)
                self.undated_check.setChecked(False)
            self.date_edit.setEnabled(not self.undated_check.isChecked())
            self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(fields.status.value)))
            self.tags_edit.setText(", ".join(fields.tags))
            self.alt_edit.setText(fields.image_alt)
            self.caption_edit.setText(fields.image_caption)
            self.credit_edit.setText(fields.image_credit)
            self.body_edit.setPlainText(fields.body)
            for line in (self.title_edit, self.slug_edit, self.byline_edit, self.tags_edit, self.alt_edit):
                line.setCursorPosition(0)  # show the start of a long value, not its end
            for line in (self.caption_edit, self.credit_edit):
                line.setCursorPosition(0)
            self._set_image(asset, fields.image_focus)
        finally:
            self._loading = False

    def _after_load(self) -> None:
        self._baseline = self.current_fields()
        self._save_problems = []
        self._image_refusal = self._image_note = ""
        self.notice.hide()
        self.form.setEnabled(True)
        self._update_counter()
        self._update_date_hint()
        self._settle_timer.stop()
        self._settle()
        self._update_heading()
        self._update_dirty()
        self.scroll_area.verticalScrollBar().setValue(0)

    def _show_none(self) -> None:
        self._opened = None
        self._mode = "none"
        self._fill(StoryFields(title=""), None)
        self._baseline = None
        self._live_problems, self._save_problems = [], []
        self._image_refusal = self._image_note = ""
        self._settle_timer.stop()
        self._show_problems()
        self.form.setEnabled(False)
        self._update_counter()
        self._update_date_hint()
        self.word_count_label.clear()
        self.slug_edit.setPlaceholderText("")
        self._update_heading()
        self._update_dirty()
        self.edited.emit(None)  # the preview must not keep showing a story that is gone

    def _set_image(self, asset: ImageAsset | None, focus: tuple[float, float] | None = None) -> None:
        """Show ``asset`` with ``focus``; a newly chosen picture starts centred (``focus`` None)."""
        self._image = asset
        has = asset is not None
        self.choose_button.setText("Re&place…" if has else "Ch&oose image…")
        self.choose_button.setIcon(icon("image_replace" if has else "image_choose"))
        self.choose_button.setAccessibleName("Replace image" if has else "Choose image")
        self.remove_button.setEnabled(has)
        for edit in (self.alt_edit, self.caption_edit, self.credit_edit):
            edit.setEnabled(has)
        if asset is None:
            self.image_picker.view.set_empty_text("No image")
            self.image_picker.set_image(None)
            self.image_info.setText("No image")
            return
        try:
            data: bytes | None = self._desk.services.images.read(asset.sha256)
        except CaEditorError as exc:
            data = None
            self._image_refusal = str(exc)
        self.image_picker.view.set_empty_text("No preview")
        # A picture Qt cannot draw still keeps its focal point: the form must not lose a stored value.
        self.image_picker.set_image(data, focus)
        self.image_picker.set_focus_point(focus)
        kind = asset.media_type.removeprefix("image/").upper()
        self.image_info.setText(f"{kind}, {asset.width}×{asset.height}, {asset.byte_size / 1024:,.0f} KB")

    # --- reacting to edits -----------------------------------------------------------------------------

    def _changed(self) -> None:
        if self._loading or self._mode == "none":
            return
        self._save_problems = []  # they described the text as it was; the live checks take over
        self._checked = False
        self._update_dirty()
        self._settle_timer.start()

    def _settle(self) -> None:
        """After a typing pause: check the form, refresh derived hints, tell the preview."""
        if self._mode == "none":
            return
        fields = self.current_fields()
        self._derived_slug = self._derive_slug(fields.title)
        self.slug_edit.setPlaceholderText(self._derived_slug)
        self._live_problems = self._check(fields)
        self._checked = True
        self._show_problems()
        words = word_count(fields.body)
        self.word_count_label.setText(f"{words:,} word{'s' if words != 1 else ''}")
        story = self.edited_story()
        if story is not None:
            self.edited.emit(story)

    def _check(self, fields: StoryFields) -> list[Problem]:
        problems = validate_story(fields)
        if fields.slug and is_valid_slug(fields.slug):
            own_id = self._opened.id if self._opened else None
            try:
                if self._desk.services.stories.is_slug_taken(fields.slug, own_id):
                    problems.append(Problem("slug", self._slug_taken_message(fields.slug)))
            except CaEditorError:
                pass  # the database is busy; the save itself checks again
        return problems

    def _slug_taken_message(self, slug: str) -> str:
        try:
            other = f"“{_short(self._desk.services.stories.get_by_slug(slug).title, 40)}”"
        except CaEditorError:
            other = "another story"
        return f"'{slug}' is already used by {other}; choose another, or leave it blank to derive a free one"

    def _derive_slug(self, title: str) -> str:
        if not title.strip():
            return ""
        own_id = self._opened.id if self._opened else None
        try:
            return unique_slug(
                make_slug(title), lambda s: self._desk.services.stories.is_slug_taken(s, own_id)
            )
        except CaEditorError:
            return make_slug(title)

    def _show_problems(self) -> None:
        problems = self.problems()
        by_field: dict[str, list[Problem]] = {}
        for problem in problems:
            by_field.setdefault(problem.field, []).append(problem)
        for key, message in self._messages.items():
            found = by_field.get(key, [])
            lines = [sentence(p) for p in found]
            if key == "image" and self._image_refusal:  # about a file not taken: it blocks nothing
                lines.append(self._image_refusal)
                found = [*found, Problem("image", self._image_refusal)]
            if key == "image" and self._image_note:  # about a file taken (first frame only, ...): informs
                lines.append(self._image_note)
                found = [*found, Problem("image", self._image_note, "warning")]
            severity = "error" if any(p.severity == "error" for p in found) else ("warning" if found else "")
            text = "\n".join(lines)
            message.show_message(severity, text)
            widget = self._fields[key]
            if widget.property("problem") != severity:
                widget.setProperty("problem", severity)
                widget.style().unpolish(widget)
                widget.style().polish(widget)
            widget.setAccessibleDescription(text)

        errors = [p for p in problems if p.severity == "error"]
        if problems:
            count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
            listed = "; ".join(self._summary_item(p) for p in problems[:4])
            more = f"; and {len(problems) - 4} more" if len(problems) > 4 else ""
            tail = " Fix the errors to save." if errors else " Warnings do not stop saving."
            self.problem_summary.setText(f"{count}: {_short(listed + more, 400)}.{tail}")
            self.problem_summary.setStyleSheet(f"color: {severity_color('error' if errors else 'warning')};")
            self.problem_summary.show()
        else:
            self.problem_summary.hide()
        self._update_actions()

    def _summary_item(self, problem: Problem) -> str:
        text = sentence(problem)
        label = FIELD_LABELS.get(problem.field, problem.field)
        return text if text.startswith(label) else f"{label}: {text}"

    def _update_dirty(self) -> None:
        dirty = self.is_dirty()
        self.dirty_label.setVisible(dirty)
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)
        self._update_actions()

    def _update_actions(self) -> None:
        if self._checked:
            errors = [p for p in self.problems() if p.severity == "error"]
        else:
            # Until the typing pause the live problems describe the text before the last keystroke: an error
            # just fixed would keep Save (and Ctrl+S) disabled. Judge by the checks that need no database;
            # save() runs every check itself before it saves.
            errors = errors_only(validate_story(self.current_fields()))
        dirty = self._dirty
        if self._mode == "none":
            why = "No story is open"
        elif errors:
            why = "Fix before saving: " + "; ".join(_short(self._summary_item(p), 120) for p in errors[:3])
        elif not dirty:
            why = "Nothing to save: no changes"
        else:
            why = ""
        self.save_action.setEnabled(not why)
        shortcut = self.save_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.save_action.setToolTip(why or f"Save the story ({shortcut})")
        self.revert_action.setEnabled(self._mode != "none" and dirty)
        self.delete_action.setEnabled(self._mode == "story")

    def _update_heading(self) -> None:
        if self._mode == "none":
            text = "No story selected: pick one in the list, or start a new story (Ctrl+N)"
        elif self._mode == "new":
            text = "New story (not saved yet)"
        else:
            assert self._opened is not None
            text = f"Story #{self._opened.id}: {_short(self._opened.title, 80)}"
        self.heading.setText(text)
        self.heading.setToolTip(text)

    def _update_counter(self) -> None:
        length = len(self.summary_edit.toPlainText())
        self.summary_counter.setText(f"{length:,} / {SUMMARY_ADVISED_LENGTH}")
        if length > MAX_LENGTHS["summary"]:
            color = ERROR_COLOR
        elif length > SUMMARY_ADVISED_LENGTH:
            color = WARNING_COLOR
        else:
            color = "palette(placeholder-text)"
        self.summary_counter.setStyleSheet(f"color: {color};")

    def _published_at(self) -> datetime | None:
        if self.undated_check.isChecked():
            return None
        millis = self.date_edit.dateTime().toMSecsSinceEpoch()
        return datetime.fromtimestamp(millis / 1000, UTC)

    def _update_date_hint(self) -> None:
        moment = self._published_at()
        if moment is None:
            self.date_hint.setText("Not dated: the story has no publication date")
            return
        offset = self.date_edit.dateTime().offsetFromUtc()
        sign = "+" if offset >= 0 else "−"
        hours, minutes = divmod(abs(offset) // 60, 60)
        self.date_hint.setText(
            f"Local time (UTC{sign}{hours:02d}:{minutes:02d}) · stored as {moment:%Y-%m-%d %H:%M} UTC"
        )

    def _on_undated_toggled(self, undated: bool) -> None:
        self.date_edit.setEnabled(not undated)
        self._update_date_hint()
        self._changed()

    # --- images ----------------------------------------------------------------------------------------

    def _choose_image(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Choose an image for the story", self._last_dir, IMAGE_FILTER
        )
        if not name:
            return
        path = Path(name)
        self._last_dir = str(path.parent)
        self._image_refusal = self._image_note = ""
        try:
            size = path.stat().st_size
            if size > MAX_IMAGE_BYTES:
                raise ValidationError(
                    [
                        Problem(
                            "image",
                            f"{path.name} is {size / 1e6:.1f} MB; images up to "
                            f"{MAX_IMAGE_BYTES // 2**20} MB are accepted",
                        )
                    ]
                )
            data = path.read_bytes()
            asset, notes = self._desk.services.images.add_noting(data, name=path.name)
            self._image_note = " ".join(note[:1].upper() + note[1:] + "." for note in notes)
        except ValidationError as exc:
            reasons = "; ".join(_PYTHON_REPR.sub("", p.message) for p in exc.problems)
            self._image_refusal = f"{reasons}. The image was not changed."
        except OSError as exc:
            self._image_refusal = (
                f"Could not read {path.name}: {exc.strerror or exc}. The image was not changed."
            )
        except CaEditorError as exc:
            self._image_refusal = f"Could not store {path.name}: {exc}. The image was not changed."
        else:
            self._set_image(asset)
            self._changed()
            if not self.alt_edit.text().strip():
                self.alt_edit.setFocus()
        self._show_problems()

    def _remove_image(self) -> None:
        self._image_refusal = self._image_note = ""
        self._set_image(None)
        self._changed()
        self._show_problems()

    # --- the desk's broadcasts -------------------------------------------------------------------------

    def _on_story_saved(self, story: Story) -> None:
        if self._saving:
            return
        if self._mode == "none" and story.id == self._removed_id:
            self._removed_id = None
            self._load(story)  # redo brought back what undo took away while it was shown
            return
        if self._opened is None or story.id != self._opened.id:
            return
        if not self.is_dirty():
            self._load(story)
            return
        self._show_notice(
            f"“{_short(story.title)}” was changed elsewhere (another save, or undo/redo) since you opened "
            "it. Your edits are kept; saving will ask what to do. Reload shows the saved version.",
            "warning",
            reload=True,
        )

    def _on_story_removed(self, story_id: int) -> None:
        if self._opened is None or story_id != self._opened.id:
            return
        title = _short(self._opened.title)
        if self._deleting or not self.is_dirty():
            self._show_none()
            self._removed_id = story_id
            self._show_notice(f"“{title}” was deleted. Undo (Ctrl+Z) brings it back.", "info")
            return
        self._become_new_keeping_edits(
            f"“{title}” was deleted while you edited it. Your edits are kept; Save creates it as a new story."
        )

    def _become_new_keeping_edits(self, message: str) -> None:
        self._opened = None
        self._mode = "new"
        self._baseline = StoryFields(title="")
        self._update_heading()
        self._update_dirty()
        self._show_notice(message, "warning")

    def _on_conflict(self, outcome: Outcome) -> bool:
        """Show the result of a refused save's dialog (``ui/conflicts.py`` asked, and saved if told to)."""
        resolution = outcome.resolution
        if resolution in (Resolution.COPIED, Resolution.OVERWRITTEN, Resolution.SAVED_AS_NEW):
            assert outcome.story is not None
            self._removed_id = None
            self._load(outcome.story)
            self._show_notice(outcome.message, "info")
            self.saved.emit(outcome.story)
            return True
        if resolution == Resolution.RELOADED:
            self._reload_from_db()
        elif resolution == Resolution.DISCARDED:
            self._show_none()
            self._show_notice(outcome.message, "info")
        elif resolution == Resolution.KEEP_AS_NEW:
            self._become_new_keeping_edits(outcome.message)
        else:  # keep editing: the next Save is checked against the version opened, so it asks again
            self._show_notice(outcome.message, "warning", reload=True)
        return False

    def _reload_from_db(self) -> None:
        if self._opened is None:
            self.notice.hide()
            return
        self.show_story(self._opened.id)

    def _on_new_triggered(self) -> None:
        if self.maybe_leave():
            self.new_story()

    # --- helpers ---------------------------------------------------------------------------------------

    def _show_notice(self, text: str, kind: str, *, reload: bool = False) -> None:
        color = {"error": ERROR_COLOR, "warning": WARNING_COLOR}.get(kind, NOTICE_COLOR)
        name = {"error": "problem_error", "warning": "problem_warning"}.get(kind, "notice")
        self.notice_icon.setPixmap(tinted_pixmap(name, color))
        self.notice_text.setText(text)
        self.notice_text.setStyleSheet(f"color: {color};")
        self.notice.setAccessibleDescription(text)
        self.notice_reload.setVisible(reload)
        self.notice.show()

    def notice_message(self) -> str:
        """The notice bar's text, or "" when it is hidden."""
        return self.notice_text.text() if not self.notice.isHidden() else ""

    def focus_image_field(self, *, alt: bool = False) -> None:
        """Where a checklist photo finding's Fix lands: the alt text, else the picture (its focal point),
        else the Choose button when the story has no picture."""
        view = self.image_picker.view
        target: QWidget = self.choose_button
        if alt and self.alt_edit.isEnabled():
            target = self.alt_edit
        elif view.isEnabled():
            target = view
        self.scroll_area.ensureWidgetVisible(target)
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _focus_field(self, key: str) -> None:
        widget = self._fields.get(key)
        if widget is None:
            return
        if key == "image":
            widget = self.choose_button
        self.scroll_area.ensureWidgetVisible(widget)
        widget.setFocus()

    def _ask(
        self,
        kind: QMessageBox.Icon,
        title: str,
        text: str,
        detail: str,
        buttons: list[tuple[str, QMessageBox.ButtonRole]],
        *,
        default: str,
    ) -> str:
        """A modal question; returns the text of the button pressed ("" when closed otherwise)."""
        box = QMessageBox(kind, title, text, QMessageBox.StandardButton.NoButton, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(detail)
        made: dict[QAbstractButton, str] = {}
        for label, role in buttons:
            button = box.addButton(label, role)
            made[button] = label
            if label == default:
                box.setDefaultButton(button)
        box.exec()
        return made.get(box.clickedButton(), "")
