"""The export gate's dialog: the checklist's errors, and 'Export anyway' only with a reason.

Slotted stories that are not approved are named on their own: by default the export leaves them off the
page; ticking 'Include them as they are' exports them and the manifest lists them as unapproved.
"""

from __future__ import annotations

import html
import re

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.checklist import CheckReport, Finding, Severity
from ca_editor.domain.model import StoryStatus
from ca_editor.domain.release import MAX_REASON
from ca_editor.ui.icons import icon

UNAPPROVED = "unapproved"


class OverrideDialog(QDialog):
    """Asks whether to export despite ``report``'s errors; ``reason`` and ``include_unapproved`` once
    accepted."""

    def __init__(self, report: CheckReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle("The checklist has errors")
        self.setObjectName("override-dialog")
        self.setAccessibleName("Export checklist errors")
        self.setMinimumWidth(560)
        unapproved = [f for f in report.findings if f.code == UNAPPROVED]
        others = [f for f in report.errors if f.code != UNAPPROVED]
        self._build_findings(report)
        self._build_unapproved(unapproved)
        self._build_reason()
        self._build_buttons()

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.errors)
        layout.addWidget(self.warnings_note)
        layout.addWidget(self.unapproved_box)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)

        self._others = others
        self.include.toggled.connect(self._update)
        self.reason.textChanged.connect(self._update)
        self._update()
        self.reason.setFocus()

    def _build_findings(self, report: CheckReport) -> None:
        """The heading, the list of errors, and a note counting the warnings."""
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.errors = QListWidget()
        self.errors.setAccessibleName("Checklist errors")
        self.errors.setWordWrap(True)
        for finding in report.errors:
            self.errors.addItem(_item(finding))
        self.errors.setMaximumHeight(min(220, 40 + 28 * max(1, len(report.errors))))
        warnings = len(report.warnings)
        self.warnings_note = QLabel(
            f"And {warnings} warning{'s' if warnings != 1 else ''}, which do not stop the export."
            if warnings
            else ""
        )
        self.warnings_note.setVisible(bool(warnings))

    def _build_unapproved(self, unapproved: list[Finding]) -> None:
        """A framed warning naming the stories not approved, with the box that includes them anyway."""
        self.include = QCheckBox("Include them as they are (the manifest lists them as unapproved)")
        self.include.setAccessibleName("Include unapproved stories")
        self.unapproved_box = QFrame()
        self.unapproved_box.setObjectName("unapproved-warning")
        self.unapproved_box.setFrameShape(QFrame.Shape.StyledPanel)
        box = QVBoxLayout(self.unapproved_box)
        names = html.escape("; ".join(f"slot {f.slot}: {_title_of(f)}" for f in unapproved))  # titles: text
        explained = QLabel(
            f"<b>Not approved:</b> {names}.<br>Unless you include them, these stories are left off the "
            "page and out of the bundle."
        )
        explained.setWordWrap(True)
        box.addWidget(explained)
        box.addWidget(self.include)
        self.unapproved_box.setVisible(bool(unapproved))

    def _build_reason(self) -> None:
        self.reason_label = QLabel(
            "Reason for exporting anyway (required; it is recorded in the bundle's manifest with your name):"
        )
        self.reason_label.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Reason for exporting anyway")
        self.reason.setPlaceholderText("e.g. slot 8 is filled in tomorrow's update; the web team knows")
        self.reason.setMaximumHeight(80)
        self.reason_label.setBuddy(self.reason)

    def _build_buttons(self) -> None:
        self.buttons = QDialogButtonBox()
        self.export_button = QPushButton(icon("export"), "Export anyway")
        self.export_button.setAccessibleName("Export anyway")
        self.buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    @property
    def include_unapproved(self) -> bool:
        return self.include.isChecked()

    @property
    def reason_text(self) -> str:
        return " ".join(self.reason.toPlainText().split())[:MAX_REASON]

    @property
    def needs_reason(self) -> bool:
        """Errors remain once the choice about unapproved stories is made (including them makes those
        warnings)."""
        return bool(self._others) or (not self.include.isChecked() and not self.unapproved_box.isHidden())

    def _update(self) -> None:
        count = len(self.report.errors)
        self.heading.setText(
            f"<b>The checklist found {count} error{'s' if count != 1 else ''}.</b> "
            "Fix them and export again, or export anyway."
        )
        needed = self.needs_reason
        self.reason_label.setEnabled(needed)
        self.reason.setEnabled(needed)
        self.export_button.setEnabled(not needed or bool(self.reason_text))
        self.export_button.setText("Export anyway" if needed else "Export with unapproved stories")


# "'Title' is draft, not approved…": the last " is <status>, not approved" ends a title that may hold " is ".
_UNAPPROVED_NAME = re.compile(
    rf"^(.*) is (?:{'|'.join(s.value for s in StoryStatus)}), not approved", re.DOTALL
)


def _title_of(finding: Finding) -> str:
    match = _UNAPPROVED_NAME.match(finding.message)
    return match.group(1) if match else finding.message


def _item(finding: Finding) -> QListWidgetItem:
    where = f"Slot {finding.slot}: " if finding.slot is not None else ""
    name = "problem_error" if finding.severity is Severity.ERROR else "problem_warning"
    return QListWidgetItem(icon(name), where + finding.message)
