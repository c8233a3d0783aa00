"""Section › Settings…: the open section's heading, description, slug, slot count and teaser advice.

The form checks as it is typed with ``settings_problems`` (the rules the service enforces), each problem under
its field, OK disabled while there is one. Saving goes through ``Desk.change_settings``: one undo step, one
broadcast, so the slot pane, the preview and the window title follow. Fewer slots than stories asks first
(``ask``), naming the stories that fall out; they go to 'previously in editor's choice', and undo brings them
back. A refusal from the database (a slug another section has) goes beside its field; anything else (someone
changed the section meanwhile) closes the form and goes to the window's one error place.

"Desk chiefs" names the logins whose sign-off counts on a shared desk (``services.people``); it is saved
first, so a login the server does not know keeps the form open with the reason beside the field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.errors import CaEditorError, Problem, ValidationError
from ca_editor.domain.model import DEFAULT_TEASER_LIMIT
from ca_editor.domain.section_settings import (
    MAX_SLOTS,
    MAX_TEASER_LIMIT,
    SectionSettings,
    settings_problems,
)
from ca_editor.ui.ask import ask
from ca_editor.ui.editor.widgets import FieldMessage
from ca_editor.ui.errors import report

if TYPE_CHECKING:
    from ca_editor.ui.desk import Desk
    from ca_editor.ui.main_window import MainWindow

TAKE_OUT = "Take them out"


def edit_section_settings(window: MainWindow) -> None:
    """The menu's entry: the form for the window's open section, modal."""
    SectionSettingsDialog(window.desk, window).exec()


class SectionSettingsDialog(QDialog):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setWindowTitle("Section settings")
        self.setObjectName("section-settings")
        self.setMinimumWidth(520)
        self._build_fields()
        self.messages = {name: FieldMessage(self) for name in _FIELDS}
        self.slots_note = QLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._lay_out()
        for line in (self.heading, self.slug):
            line.textChanged.connect(self._check)
        self.description.textChanged.connect(self._check)
        self.slots.valueChanged.connect(self._check)
        self.teaser_on.toggled.connect(self._check)
        self.teaser_limit.valueChanged.connect(self._check)
        self.chiefs.textChanged.connect(self._check)  # a refused login's message goes as it is edited
        self._check()

    def _build_fields(self) -> None:
        section = self.desk.layout.section
        self.heading = QLineEdit(section.title)
        self.description = QPlainTextEdit(section.description)
        self.description.setTabChangesFocus(True)
        lines = self.description.fontMetrics().lineSpacing()
        self.description.setFixedHeight(lines * 6)  # five lines of text and the frame
        self.slug = QLineEdit(section.slug)
        self.slots = QSpinBox()
        self.slots.setRange(1, MAX_SLOTS)
        self.slots.setValue(section.slot_count)
        self.teaser_on = QCheckBox("Advise when a card's summary is longer than")
        self.teaser_on.setChecked(section.teaser_limit is not None)
        self.teaser_limit = QSpinBox()
        self.teaser_limit.setRange(1, MAX_TEASER_LIMIT)
        self.teaser_limit.setSuffix(" characters")
        self.teaser_limit.setValue(section.teaser_limit or DEFAULT_TEASER_LIMIT)
        self.teaser_limit.setAccessibleName("Teaser advice length")
        self.chiefs_before = self.desk.services.people.chiefs(self.desk.section_id)
        self.chiefs = QLineEdit(", ".join(self.chiefs_before))
        self.chiefs.setPlaceholderText("database logins, e.g. sam, aigerim (none: anyone may sign off)")
        self.chiefs.setAccessibleName("Desk chiefs")
        shared = self.desk.services.people.shared
        self.chiefs_note = QLabel(
            "Only their sign-off counts as approval; anyone may still send the layout back."
            if shared
            else "Kept for a shared desk: this workstation's database has no logins, so anyone signs off."
        )
        self.chiefs_note.setWordWrap(True)
        self.chiefs_note.setEnabled(False)  # greyed: a remark, not a field

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow("&Heading:", _with_message(self.heading, self.messages["title"]))
        form.addRow("&Description:", _with_message(self.description, self.messages["description"]))
        form.addRow("Slu&g:", _with_message(self.slug, self.messages["slug"]))
        slots_row = QHBoxLayout()
        slots_row.addWidget(self.slots)
        slots_row.addWidget(self.slots_note, 1)
        slots = QWidget()
        slots_column = QVBoxLayout(slots)
        slots_column.setContentsMargins(0, 0, 0, 0)
        slots_column.addLayout(slots_row)
        slots_column.addWidget(self.messages["slot_count"])
        form.addRow("&Slots:", slots)
        teaser_row = QHBoxLayout()
        teaser_row.addWidget(self.teaser_on)
        teaser_row.addWidget(self.teaser_limit)
        teaser_row.addStretch(1)
        teaser = QWidget()
        teaser_column = QVBoxLayout(teaser)
        teaser_column.setContentsMargins(0, 0, 0, 0)
        teaser_column.addLayout(teaser_row)
        teaser_column.addWidget(self.messages["teaser_limit"])
        form.addRow("&Teaser advice:", teaser)
        chiefs = QWidget()
        chiefs_column = QVBoxLayout(chiefs)
        chiefs_column.setContentsMargins(0, 0, 0, 0)
        for part in (self.chiefs, self.messages["chiefs"], self.chiefs_note):
            chiefs_column.addWidget(part)
        form.addRow("Desk &chiefs:", chiefs)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.buttons)

    def settings(self) -> SectionSettings:
        """What the form holds now."""
        return SectionSettings(
            slug=self.slug.text().strip(),
            title=self.heading.text(),
            description=self.description.toPlainText(),
            slot_count=self.slots.value(),
            teaser_limit=self.teaser_limit.value() if self.teaser_on.isChecked() else None,
        )

    def leaving(self) -> list[str]:
        """The headlines of the stories the form's slot count would take out of the block."""
        return [slot.story.title for slot in self.desk.layout.slots[self.slots.value() :]]

    def _check(self) -> None:
        self.teaser_limit.setEnabled(self.teaser_on.isChecked())
        self._show_problems(settings_problems(self.settings()))
        filled = len(self.desk.layout.slots)
        leaving = len(self.leaving())
        note = f"{filled} filled now"
        if leaving:
            note += f"; {leaving} {'story leaves' if leaving == 1 else 'stories leave'} editor's choice"
        self.slots_note.setText(note)

    def _show_problems(self, problems: list[Problem]) -> None:
        for name, message in self.messages.items():
            text = "; ".join(p.message for p in problems if p.field == name)
            message.show_message("error", text)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not any(p.severity == "error" for p in problems))

    def chief_logins(self) -> tuple[str, ...]:
        """The logins in the Desk chiefs field (commas or spaces between them)."""
        return tuple(dict.fromkeys(part for part in self.chiefs.text().replace(",", " ").split()))

    def accept(self) -> None:
        if self.leaving() and not self._confirm_leaving():
            return
        try:
            if self.chief_logins() != self.chiefs_before:
                self.chiefs_before = self.desk.services.people.set_chiefs(
                    self.desk.section_id, self.chief_logins()
                )
            self.desk.change_settings(self.settings())
        except ValidationError as exc:  # e.g. a slug another section has: beside the field, form stays open
            self._show_problems(exc.problems)
            return
        except CaEditorError as exc:  # the desk re-read and shows what is there now; nothing was changed
            super().reject()
            report(self.parentWidget(), exc)
            return
        super().accept()

    def _confirm_leaving(self) -> bool:
        titles = "\n".join(f"• {title}" for title in self.leaving())
        count = self.slots.value()
        slots = "1 slot" if count == 1 else f"{count} slots"
        answer = ask(
            self,
            QMessageBox.Icon.Warning,
            "Fewer slots",
            f"With {slots}, these stories leave editor's choice:\n\n{titles}",
            "They go to the 'previously in editor's choice' list, from where you can put them back. "
            "You can also undo this step.",
            [TAKE_OUT, "Cancel"],
            default="Cancel",
        )
        return answer == TAKE_OUT


_FIELDS = ("title", "description", "slug", "slot_count", "teaser_limit", "chiefs")


def _with_message(field: QWidget, message: FieldMessage) -> QWidget:
    """The field with its problem under it, as one form row."""
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(field)
    column.addWidget(message)
    return holder
