"""*Add variant…* and *Change…*: a name and a validity window for a scheduled layout of the section.

The one form serves both: given a variant (``changing``) it opens filled with its name and window, has no
"start with the main layout" choice, and its OK calls ``VariantService.change`` instead of ``add``.

Times are typed and shown in this computer's time zone (the desk's, as everywhere in the app) and stored in
UTC by ``services.variants``. The name and the window are checked as they are typed with the rules the
service keeps (``domain.schedule``); what only the database knows (an overlap with another variant, a name
whose page another variant has) comes back from the service and shows under the form, which stays open.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.errors import CaEditorError, ValidationError
from ca_editor.domain.schedule import LayoutVariant, name_problem, window_problem
from ca_editor.services.container import Services
from ca_editor.services.variants import MAIN, Window

_FORMAT = "ddd d MMM yyyy, HH:mm"


def _edit(moment: datetime) -> QDateTimeEdit:
    edit = QDateTimeEdit(QDateTime(moment.astimezone().replace(tzinfo=None)))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(_FORMAT)
    return edit


def _moment(edit: QDateTimeEdit) -> datetime:
    """The edit's local time as an aware datetime (``toPython`` gives it naive)."""
    value = edit.dateTime().toPython()
    assert isinstance(value, datetime)
    return value.astimezone()


class VariantDialog(QDialog):
    """Asks for a new variant, or new name and window for ``changing``; ``variant`` holds the variant once
    the service has added or changed it (None until then, and after Cancel)."""

    def __init__(
        self,
        services: Services,
        section_id: int,
        start: datetime,
        parent: QWidget | None = None,
        *,
        changing: LayoutVariant | None = None,
    ) -> None:
        super().__init__(parent)
        self.services, self.section_id, self.changing = services, section_id, changing
        self.variant: LayoutVariant | None = None
        self.setWindowTitle("Change a layout variant" if changing else "Add a layout variant")
        self.setObjectName("variant-dialog")
        self.setMinimumWidth(460)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Weekend, Election night")
        self.name.setAccessibleName("Variant name")
        self.starts = _edit(start)
        self.starts.setAccessibleName("Live from")
        self.ends = _edit(start + timedelta(days=2))
        self.ends.setAccessibleName("Live until")
        self.open_ended = QCheckBox("No end")
        self.open_ended.toggled.connect(lambda on: self.ends.setEnabled(not on))
        self.copy_main = QCheckBox("Start with the main layout's stories")
        self.copy_main.setChecked(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Variant problems")
        self.message.setStyleSheet("font-weight: bold")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        if changing is not None:
            self._fill(changing)
        self._lay_out()
        for signal in (self.name.textChanged, self.starts.dateTimeChanged, self.ends.dateTimeChanged):
            signal.connect(self._check)
        self.open_ended.toggled.connect(self._check)
        self._check()

    def _fill(self, variant: LayoutVariant) -> None:
        self.name.setText(variant.name)
        self.starts.setDateTime(_edit(variant.starts_at).dateTime())
        if variant.ends_at is None:
            self.open_ended.setChecked(True)  # the end field keeps a day after the start, disabled
            self.ends.setDateTime(_edit(variant.starts_at + timedelta(days=1)).dateTime())
        else:
            self.ends.setDateTime(_edit(variant.ends_at).dateTime())
        self.copy_main.setChecked(False)  # not on the form: its block stays, only the name and window change

    def _lay_out(self) -> None:
        until = QHBoxLayout()
        until.addWidget(self.ends, 1)
        until.addWidget(self.open_ended)
        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("Live &from:", self.starts)
        until_label = QLabel("Live &until:")  # a row holding a layout gets no buddy by itself
        until_label.setBuddy(self.ends)
        form.addRow(until_label, until)
        if self.changing is None:
            form.addRow("", self.copy_main)
        zone = datetime.now().astimezone().tzname() or "local"
        note = QLabel(
            f"Times in this computer's time zone ({zone}). The main layout is live when no variant is."
        )
        note.setWordWrap(True)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(note)
        box.addWidget(self.message)
        box.addWidget(self.buttons)

    def asked_window(self) -> Window:
        ends = None if self.open_ended.isChecked() else _moment(self.ends)
        return Window(self.name.text().strip(), _moment(self.starts), ends)

    def _check(self) -> None:
        window = self.asked_window()
        problem = name_problem(window.name) if window.name else None
        problem = problem or window_problem(window.starts_at, window.ends_at)
        self._say(problem[0].upper() + problem[1:] + "." if problem else "")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(window.name) and problem is None)

    def _say(self, text: str) -> None:
        if text != self.message.text():
            self.message.setText(text)
            self.adjustSize()  # a longer reason wraps: the form grows to show all of it

    def accept(self) -> None:
        copy_from = MAIN if self.copy_main.isChecked() else None
        try:
            if self.changing is not None:
                self.variant = self.services.variants.change(
                    self.section_id, self.changing.id, self.asked_window()
                )
            else:
                self.variant = self.services.variants.add(
                    self.section_id, self.asked_window(), copy_from=copy_from
                )
        except ValidationError as exc:  # an overlap, a clash of names: say so, keep the form open
            self._say(" ".join(f"{p.message[0].upper()}{p.message[1:]}." for p in exc.problems))
            return
        except CaEditorError as exc:  # the variant removed meanwhile (another desk): say so, keep the form
            self._say(f"{str(exc)[0].upper()}{str(exc)[1:]}.")
            return
        super().accept()
