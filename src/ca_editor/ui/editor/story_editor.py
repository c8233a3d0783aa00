"""The story detail editor: every field of one story, checked while typing, saved through the desk.

The widgets hold the values: ``current_fields()`` reads them. Everything else (the mode, the baseline the
form was shown with, dirty, the problems, what Save/Revert/Delete may do) is a ``StoryForm``
(``domain/story_form.py``, no Qt) that this shell draws. Saving goes through ``Desk.create_story`` /
``Desk.update_story`` / ``Desk.step_status`` (one undoable command each); undo and redo come back from the
desk and refresh the form unless the user has unsaved edits, which are never thrown away without asking.

Its parts are listed in ``ui/editor/__init__.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QVBoxLayout, QWidget

from ca_editor.domain.errors import CaEditorError, Problem
from ca_editor.domain.model import ImageAsset, Story, StoryFields, StoryStatus
from ca_editor.domain.story_form import FormMode, RemovedElsewhere, SavedElsewhere, StoryForm
from ca_editor.domain.text import shorten
from ca_editor.domain.validation import validate_story
from ca_editor.ui.ask import ask
from ca_editor.ui.desk import Desk
from ca_editor.ui.editor.form_view import FormView
from ca_editor.ui.editor.header import EditorActions, HeadingRow, NoticeBar
from ca_editor.ui.editor.saving import follow_change, save_form
from ca_editor.ui.editor.slug_lookup import SlugChecks, SlugFacts, SlugQuestion
from ca_editor.ui.editor.widgets import FIELD_STYLE, severity_color
from ca_editor.ui.editor.workflow import WorkflowBox
from ca_editor.ui.image_picker import Refused, Taken


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
        self.state = StoryForm()
        self._loading = False
        self._saving = False
        self._deleting = False
        self._slugs = SlugChecks(self, desk.services.stories, self._on_slug_facts)

        self._settle_timer = QTimer(self, singleShot=True, interval=self.SETTLE_MS)
        self._settle_timer.timeout.connect(self._settle)

        self.setStyleSheet(FIELD_STYLE)
        self._build_actions()
        self._build_ui()
        self._connect_changes()
        desk.changed.connect(self._on_desk_changed)  # the desk's one broadcast (saving.follow_change)
        self.show_nothing()

    # --- building --------------------------------------------------------------------------------------

    def _build_actions(self) -> None:
        actions = self.actions_ = EditorActions(self)
        self.save_action, self.revert_action = actions.save, actions.revert
        self.new_action, self.delete_action = actions.new, actions.delete
        self.save_action.triggered.connect(self.save)
        self.revert_action.triggered.connect(self.revert)
        self.new_action.triggered.connect(self._on_new_triggered)
        self.delete_action.triggered.connect(self.delete)
        self.save_button = actions.toolbar.widgetForAction(self.save_action)

    def _build_ui(self) -> None:
        self._header = HeadingRow()
        self.heading, self.dirty_label = self._header.heading, self._header.dirty_label
        self.notice = NoticeBar()
        self.notice_icon, self.notice_text = self.notice.icon, self.notice.text
        self.notice_reload, self.notice_close = self.notice.reload, self.notice.close_button
        self.notice_reload.clicked.connect(self.reload_from_db)
        self.problem_summary = QLabel()
        self.problem_summary.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_summary.setWordWrap(True)
        self.problem_summary.setAccessibleName("Problems")
        self.problem_summary.hide()

        scroll = self._build_form()
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(self.actions_.toolbar)
        column.addLayout(self._header)
        column.addWidget(self.notice)
        column.addWidget(self.problem_summary)
        self.workflow = WorkflowBox(self, self._desk)  # status steps and history; it owns the status
        column.addWidget(self.workflow)
        column.addWidget(scroll, 1)
        for signal in (self.edited, self.dirty_changed, self.saved):
            signal.connect(lambda _value: self.workflow.refresh())
        self._rows.align_captions()
        self.view.set_tab_order()

    def _build_form(self) -> FormView:
        view = self.view = FormView(self._desk.services.images)
        self.form, self.scroll_area = view.form, view
        self._rows, self.story_group, self.image_group = view.rows, view.story, view.image
        self.body_group = view.body
        self._fields, self._messages = view.rows.fields, view.rows.messages
        # The widgets by their old names: the window, the recovery and the tests reach them here.
        story, image = view.story, view.image
        self.title_edit = story.title_edit
        self.slug_edit = story.slug_edit
        self.summary_edit = story.summary_edit
        self.summary_counter = story.summary_counter
        self.byline_edit = story.byline_edit
        self.date_edit = story.date_edit
        self.undated_check = story.undated_check
        self.date_hint = story.date_hint
        self.status_combo = story.status_combo
        self.tags_edit = story.tags_edit
        self.image_picker = image.image_picker
        self.image_info = image.image_info
        self.choose_button = image.choose_button
        self.remove_button = image.remove_button
        self.alt_edit = image.alt_edit
        self.caption_edit = image.caption_edit
        self.credit_edit = image.credit_edit
        self.body_edit = view.body.body_edit
        self.word_count_label = view.body.word_count_label
        return view

    def _connect_changes(self) -> None:
        for group in (self.story_group, self.image_group, self.body_group):
            group.changed.connect(self._changed)
        self.remove_button.clicked.connect(self._remove_image)
        self.image_group.picked.connect(self._on_picked)

    # --- public API --------------------------------------------------------------------------------------

    @property
    def _image(self) -> ImageAsset | None:
        return self.image_group.asset

    def first_control(self) -> QWidget:
        """Where Alt+4 lands: the title, not the workflow buttons above it (one Shift+Tab away)."""
        return self.title_edit

    def show_story(self, story_id: int | None) -> None:
        """Show a story (or nothing). Does not ask about unsaved edits: call ``maybe_leave()`` first."""
        if story_id is None:
            self.show_nothing()
            return
        try:
            story = self._desk.services.stories.get(story_id)
        except CaEditorError as exc:
            self.show_nothing()
            self.notice.say(f"Could not open the story: {exc}", "error")
            return
        self._load(story)

    def new_story(self) -> None:
        """An empty form in "new" mode. Does not ask about unsaved edits: call ``maybe_leave()`` first."""
        self.state.start_new()
        self._fill(StoryFields(title=""), None)
        self._after_load()
        self.title_edit.setFocus()

    def current_story(self) -> Story | None:
        """The story as it was opened (or last saved here); ``None`` for a new story or none."""
        return self.state.opened

    def current_fields(self) -> StoryFields:
        """The form's content as the input of a save."""
        return self.view.read()

    def edited_story(self) -> Story | None:
        """The form as a ``Story`` value for the live preview (id and version 0 for a new story)."""
        return self.state.preview(self.current_fields(), self._image, datetime.now(UTC))

    def is_dirty(self) -> bool:
        return self.state.is_dirty(self.current_fields())

    def is_new(self) -> bool:
        return self.state.mode is FormMode.NEW

    def problems(self) -> list[Problem]:
        """What the form shows now: live checks plus what the last refused save said."""
        return self.state.problems()

    def validate_now(self, *, ask_slugs: bool = True) -> list[Problem]:
        """Run the checks at once instead of after the typing pause, slug questions included (on this thread)
        unless ``ask_slugs`` is False (a save: it asks none); returns ``problems()``."""
        self._settle_timer.stop()
        if ask_slugs and self.state.mode is not FormMode.NONE:
            self._slugs.ask_now(self._slug_question())
        self._settle(ask_slugs=False)
        return self.problems()

    def maybe_leave(self) -> bool:
        """Before showing something else: ask Save / Discard / Cancel if there are unsaved edits."""
        if not self.is_dirty():
            return True
        choice = ask(
            self,
            QMessageBox.Icon.Question,
            "Unsaved changes",
            f"Save your changes to “{self.state.leave_name(self.title_edit.text())}”?",
            "If you don't save, your changes are lost.",
            ["Save", "Discard", "Cancel"],
            default="Save",
            destructive="Discard",
        )
        if choice == "Save":
            return self.save()
        if choice == "Discard":
            self.revert()
            return True
        return False

    def save(self, *, status: StoryStatus | None = None) -> bool:
        """Save the form (create or update); with ``status``, as the workflow step to that status
        (``Desk.step_status``). Shows why when it cannot. Returns whether it saved."""
        if self.state.mode is FormMode.NONE:
            return False
        # No slug question (the last typing pause's answer counts; the write refuses a slug in use).
        errors = [p for p in self.validate_now(ask_slugs=False) if p.severity == "error"]
        if errors:
            self.view.focus_field(errors[0].field)
            return False
        self._saving = True
        try:
            return save_form(self, self._desk, self.current_fields(), status)
        finally:
            self._saving = False

    def revert(self) -> None:
        """Discard unsaved edits: show the story as saved now (or an empty form for a new one)."""
        if self.state.mode is FormMode.NEW:
            self.new_story()
        elif self.state.opened is not None:
            self.show_story(self.state.opened.id)

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
        self.state.removed_id = None
        self._fill(fields, image)
        self._changed()
        self.validate_now()
        self.notice.say(notice, "warning", reload=reload)

    def delete(self) -> bool:
        """Delete the shown story after a confirmation (undoable through the desk)."""
        story = self.state.opened
        if story is None:
            return False
        extra = " Your unsaved changes are lost too." if self.is_dirty() else ""
        choice = ask(
            self,
            QMessageBox.Icon.Warning,
            "Delete story",
            f"Delete “{shorten(story.title, 50)}”?",
            f"It leaves the story list and any editor's-choice slot. Undo (Ctrl+Z) brings it back.{extra}",
            ["Delete", "Cancel"],
            default="Cancel",
            destructive="Delete",
        )
        if choice != "Delete":
            return False
        self._deleting = True
        try:
            return self._desk.delete_story(story.id)
        finally:
            self._deleting = False

    def notice_message(self) -> str:
        """The notice bar's text, or "" when it is hidden."""
        return self.notice.message()

    def focus_image_field(self, *, alt: bool = False) -> None:
        """Where a checklist photo finding's Fix lands: the alt text, else the picture (its focal point),
        else the Choose button when the story has no picture."""
        self.view.focus_image(alt=alt)

    # --- filling the form ------------------------------------------------------------------------------

    def _load(self, story: Story) -> None:
        self.state.open(story)
        self._fill(story.fields(), story.image.asset if story.image else None)
        self._after_load()

    def loaded_saved(self, story: Story, notice: str) -> None:
        """After a save here (or a conflict resolved by saving): show ``story`` as saved, say ``notice``."""
        self.state.removed_id = None
        self._load(story)
        self.notice.say(notice, "info")
        self.saved.emit(story)

    def _fill(self, fields: StoryFields, asset: ImageAsset | None) -> None:
        self._loading = True
        try:
            # The teaser advice is the open section's (a script may have changed it since the last story).
            self.view.story.set_teaser_limit(self._desk.layout.section.teaser_limit)
            problem = self.view.fill(fields, asset)
            if problem:
                self.state.image_refusal = problem
        finally:
            self._loading = False

    def _after_load(self) -> None:
        self.state.loaded(self.current_fields())
        self.notice.hide()
        self.form.setEnabled(True)
        self.view.update_hints()
        self._settle_timer.stop()
        self._settle()
        self._header.show_heading(self.state.heading())
        self._update_dirty()
        self.scroll_area.verticalScrollBar().setValue(0)

    def show_nothing(self) -> None:
        self.state.close()
        self._fill(StoryFields(title=""), None)
        self.state.clear_image_messages()
        self._settle_timer.stop()
        self._show_problems()
        self.form.setEnabled(False)
        self.view.update_hints()
        self.word_count_label.clear()
        self.slug_edit.setPlaceholderText("")
        self._header.show_heading(self.state.heading())
        self._update_dirty()
        self.edited.emit(None)  # the preview must not keep showing a story that is gone

    # --- reacting to edits -----------------------------------------------------------------------------

    def _changed(self) -> None:
        if self._loading or not self.state.edited():
            return
        self._update_dirty()
        self._settle_timer.start()

    def _settle(self, *, ask_slugs: bool = True) -> None:
        """After a typing pause: check the form, refresh derived hints, tell the preview. The slug questions
        go to the background lane; their answer comes back to ``_on_slug_facts``."""
        if self.state.mode is FormMode.NONE:
            return
        fields = self.current_fields()
        self._apply_slug_facts(fields)
        self.body_group.show_word_count()
        story = self.edited_story()
        if story is not None:
            self.edited.emit(story)
        if ask_slugs:
            self._slugs.ask(self._slug_question())

    def _slug_question(self) -> SlugQuestion:
        return SlugQuestion(self.title_edit.text(), self.slug_edit.text().strip(), self.state.own_id)

    def _on_slug_facts(self, facts: SlugFacts) -> None:
        """The slug answer of a typing pause: used only if the form still shows what was asked about."""
        if (
            self.state.mode is FormMode.NONE
            or facts.question != self._slug_question()
            or not self.state.checked
        ):
            return
        before = self.state.derived_slug
        self._slugs.accept(facts)
        self._apply_slug_facts(self.current_fields())
        if facts.derived != before and not self.slug_edit.text().strip():
            story = self.edited_story()  # the preview shows the derived slug
            if story is not None:
                self.edited.emit(story)

    def _apply_slug_facts(self, fields: StoryFields) -> None:
        """Check ``fields`` with what is known about slugs, and show the problems."""
        problems = validate_story(fields, teaser_limit=self._desk.layout.section.teaser_limit)
        facts = self._slugs.known(self._slug_question())
        if facts is not None:
            self.state.derived_slug = facts.derived
            if facts.taken is not None:
                problems.append(facts.taken)
        self.slug_edit.setPlaceholderText(self.state.derived_slug)
        self.state.checks_done(problems)
        self._show_problems()

    def _show_problems(self) -> None:
        self.view.show_verdicts(self.state)
        summary = self.state.summary()
        if summary.text:
            self.problem_summary.setText(summary.text)
            self.problem_summary.setStyleSheet(f"color: {severity_color(summary.severity)};")
            self.problem_summary.show()
        else:
            self.problem_summary.hide()
        self._update_actions()

    def _update_dirty(self) -> None:
        fields = self.current_fields()
        flipped = self.state.note_dirty(fields)
        self.dirty_label.setVisible(self.state.dirty)
        if flipped:
            self.dirty_changed.emit(self.state.dirty)
        self._update_actions(fields)

    def _update_actions(self, fields: StoryFields | None = None) -> None:
        why = self.state.why_not_save(fields or self.current_fields())
        self.actions_.update(why, can_revert=self.state.can_revert(), can_delete=self.state.can_delete())

    # --- images ----------------------------------------------------------------------------------------

    def _on_picked(self, outcome: Taken | Refused) -> None:
        if self.view.take_picked(outcome, self.state):
            self._changed()
            if not self.alt_edit.text().strip():
                self.alt_edit.setFocus()
        self._show_problems()

    def _remove_image(self) -> None:
        self.state.clear_image_messages()
        self.image_group.set_image(None)
        self._changed()
        self._show_problems()

    # --- the desk's broadcasts -------------------------------------------------------------------------

    _on_desk_changed = follow_change

    def _on_story_saved(self, story: Story) -> None:
        what = self.state.on_saved_elsewhere(story, saving=self._saving, dirty=self.is_dirty())
        if what is SavedElsewhere.SHOW_AGAIN:
            self.state.removed_id = None
            self._load(story)  # redo brought back what undo took away while it was shown
        elif what is SavedElsewhere.RELOAD:
            self._load(story)
        elif what is SavedElsewhere.WARN:
            self.notice.say(
                f"“{shorten(story.title, 50)}” was changed elsewhere (another save, or undo/redo) since you "
                "opened it. Your edits are kept; saving will ask what to do. Reload shows the saved version.",
                "warning",
                reload=True,
            )

    def _on_story_removed(self, story_id: int) -> None:
        opened = self.state.opened
        what = self.state.on_removed_elsewhere(story_id, deleting=self._deleting, dirty=self.is_dirty())
        if what is RemovedElsewhere.IGNORE or opened is None:
            return
        title = shorten(opened.title, 50)
        if what is RemovedElsewhere.CLOSE:
            self.show_nothing()
            self.state.removed_id = story_id
            self.notice.say(f"“{title}” was deleted. Undo (Ctrl+Z) brings it back.", "info")
            return
        self.become_new_keeping_edits(
            f"“{title}” was deleted while you edited it. Your edits are kept; Save creates it as a new story."
        )

    def become_new_keeping_edits(self, message: str) -> None:
        self.state.become_new()
        self._header.show_heading(self.state.heading())
        self._update_dirty()
        self.notice.say(message, "warning")

    def reload_from_db(self) -> None:
        if self.state.opened is None:
            self.notice.hide()
            return
        self.show_story(self.state.opened.id)

    def _on_new_triggered(self) -> None:
        if self.maybe_leave():
            self.new_story()

    # --- helpers ---------------------------------------------------------------------------------------

    def show_refused(self, problems: list[Problem]) -> None:
        """A save the storage refused: its problems stay beside the fields until the next edit."""
        self.state.save_refused(problems)
        self._show_problems()
        if problems:
            self.view.focus_field(problems[0].field)
