"""The story editor's text fields: the "Story" group (title … tags) and the "Body" group.

Each group fills itself from ``StoryFields`` and reads its part back; ``changed`` fires on any edit (the
editor ignores those made while it fills the form). The status has a hidden row here: the workflow box
moves it by its steps (``Desk.step_status``), and the form only carries it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.model import StoryFields, StoryStatus
from ca_editor.domain.story_form import parse_tags
from ca_editor.domain.validation import MAX_LENGTHS, SUMMARY_ADVISED_LENGTH
from ca_editor.domain.workflow import LABELS
from ca_editor.ui.editor.field_rows import FieldRows, new_form
from ca_editor.ui.editor.markdown import BodyEditor, word_count
from ca_editor.ui.editor.widgets import ERROR_COLOR, WARNING_COLOR, FieldMessage
from ca_editor.ui.plain_text import exact_text

DATE_FORMAT = "yyyy-MM-dd HH:mm"


class StoryGroup(QGroupBox):
    """Title, slug, summary (with its length), byline, date, status and tags."""

    changed = Signal()

    def __init__(self, rows: FieldRows, parent: QWidget | None = None) -> None:
        super().__init__("Story", parent)
        form = new_form(self)
        self.title_edit = QLineEdit()
        rows.add(form, "title", "&Title", self.title_edit, "The headline readers see on every page")
        self.slug_edit = QLineEdit()
        rows.add(
            form,
            "slug",
            "S&lug",
            self.slug_edit,
            "The story's address in the bundle: lower-case letters, digits and hyphens.\n"
            "Leave it blank to derive one from the title (shown greyed out).",
        )
        self._add_summary(rows, form)
        self.byline_edit = QLineEdit()
        rows.add(form, "byline", "B&yline", self.byline_edit, "Who wrote the story")
        self._add_date(rows, form)
        self.status_combo = QComboBox()
        for status, label in LABELS.items():
            self.status_combo.addItem(label, status.value)
        rows.add(
            form,
            "status",
            "St&atus",
            self.status_combo,
            "Draft and Ready stay out of the bundle unless placed in a slot; Approved and Published go in",
        )
        form.setRowVisible(form.rowCount() - 1, False)  # the status moves by the workflow box's steps
        self.tags_edit = QLineEdit()
        self.tags_edit.setPlaceholderText("Kazakhstan, Energy, Politics")
        rows.add(
            form, "tags", "Ta&gs", self.tags_edit, "Comma-separated tags, for example: Kazakhstan, Energy"
        )
        self._connect()

    def _add_summary(self, rows: FieldRows, form: QFormLayout) -> None:
        self.summary_edit = QPlainTextEdit()
        self.summary_edit.setTabChangesFocus(True)
        self.summary_edit.setFixedHeight(self.summary_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.summary_counter = QLabel()
        self.summary_counter.setAccessibleName("Summary length")
        self.teaser_limit: int | None = SUMMARY_ADVISED_LENGTH  # the section's; None: no advice
        self.summary_counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        rows.add(
            form,
            "summary",
            "S&ummary",
            self.summary_edit,
            "The teaser shown on the section page and in the archive",
            self.summary_counter,
        )

    def _add_date(self, rows: FieldRows, form: QFormLayout) -> None:
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
        rows.add(
            form,
            "published_at",
            "&Date",
            self.date_edit,
            "Publication date and time, in this computer's time zone (stored in UTC)",
            self.date_hint,
            holder=date_row,
        )

    def _connect(self) -> None:
        for line in (self.title_edit, self.slug_edit, self.byline_edit, self.tags_edit):
            line.textChanged.connect(self.changed)
        self.summary_edit.textChanged.connect(self.changed)
        self.summary_edit.textChanged.connect(self.update_counter)
        self.date_edit.dateTimeChanged.connect(self.changed)
        self.date_edit.dateTimeChanged.connect(self.update_date_hint)
        self.undated_check.toggled.connect(self._on_undated_toggled)
        self.status_combo.currentIndexChanged.connect(self.changed)

    # --- values ----------------------------------------------------------------------------------------

    def fill(self, fields: StoryFields) -> None:
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
        for line in (self.title_edit, self.slug_edit, self.byline_edit, self.tags_edit):
            line.setCursorPosition(0)  # show the start of a long value, not its end

    def read(self, body: str) -> StoryFields:
        """The group's values (with ``body``) as fields without an image."""
        return StoryFields(
            title=self.title_edit.text(),
            slug=self.slug_edit.text().strip(),
            summary=exact_text(self.summary_edit),
            body=body,
            byline=self.byline_edit.text(),
            published_at=self.published_at(),
            status=StoryStatus(self.status_combo.currentData()),
            tags=parse_tags(self.tags_edit.text()),
        )

    def published_at(self) -> datetime | None:
        if self.undated_check.isChecked():
            return None
        millis = self.date_edit.dateTime().toMSecsSinceEpoch()
        return datetime.fromtimestamp(millis / 1000, UTC)

    # --- hints -----------------------------------------------------------------------------------------

    def set_teaser_limit(self, limit: int | None) -> None:
        """The section's teaser advice (``Section.teaser_limit``): the counter counts against it."""
        self.teaser_limit = limit
        self.update_counter()

    def update_counter(self) -> None:
        length = len(exact_text(self.summary_edit))
        limit = self.teaser_limit
        self.summary_counter.setText(f"{length:,} / {limit}" if limit is not None else f"{length:,}")
        advice = f"Teasers over {limit} characters are cut on phones; " if limit is not None else ""
        self.summary_counter.setToolTip(f"{advice}the limit is {MAX_LENGTHS['summary']:,}")
        if length > MAX_LENGTHS["summary"]:
            color = ERROR_COLOR
        elif limit is not None and length > limit:
            color = WARNING_COLOR
        else:
            color = "palette(placeholder-text)"
        self.summary_counter.setStyleSheet(f"color: {color};")

    def update_date_hint(self) -> None:
        moment = self.published_at()
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
        self.update_date_hint()
        self.changed.emit()


class BodyGroup(QGroupBox):
    """The story text in Markdown, with its word count."""

    changed = Signal()

    def __init__(self, rows: FieldRows, parent: QWidget | None = None) -> None:
        super().__init__("Body", parent)
        column = QVBoxLayout(self)
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
        rows.register("body", self.body_edit, message)
        self.body_edit.textChanged.connect(self.changed)

    def show_word_count(self) -> None:
        words = word_count(self.body_edit.toPlainText())
        self.word_count_label.setText(f"{words:,} word{'s' if words != 1 else ''}")
