"""Above the slot pane: which layout of the section the desk edits, its schedule, and the preview "as of".

The **Layout** combo lists the main layout and the section's scheduled variants (``services.variants``);
choosing one calls ``Desk.select_variant``, so the one slot pane (drag, keyboard twins, overrides, undo)
edits that layout. *Section › Add layout variant…* (also on the bar; ``ui/variant_dialog.py``), *Change…*
(*Section › Change layout variant…*: the same dialog, filled with the chosen variant's name and window) and
*Remove* change the schedule (not undo steps: the desk re-reads the section after them). The **timeline**
(``ui/timeline.py``) shows which layout is live when over the next days, gaps and overlaps marked; a click
on a segment edits that layout. A section without variants shows no bar at all (the slot pane keeps its
height). **Preview as of** shows in the preview the page as it will be at that date and time (the layout
live then, ``VariantService.layout_as_of``) until it is unticked.

Variants are read when the bar opens, after its own changes and after a reload or another desk's change
(``Change.everything`` or another process): a slot step reads nothing more (``tests/ui/test_sql_budget.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.changes import Change, Origin
from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.local_time import clock_time
from ca_editor.domain.schedule import LayoutVariant, live_variant, timeline_days
from ca_editor.ui.ask import ask
from ca_editor.ui.desk import Desk
from ca_editor.ui.errors import report
from ca_editor.ui.preview import PreviewPane
from ca_editor.ui.timeline import TimelineWidget
from ca_editor.ui.variant_dialog import VariantDialog

DAYS_SHOWN = 7
REMOVE = "Remove the variant"


def window_text(variant: LayoutVariant) -> str:
    """``Sat 12 Dec 00:00 – Mon 14 Dec 06:00`` (``from …`` when open-ended), local time."""
    start = clock_time(variant.starts_at)
    return f"from {start}" if variant.ends_at is None else f"{start} – {clock_time(variant.ends_at)}"


class VariantBar(QWidget):
    layout_chosen = Signal(object)  # int | None: the layout the desk edits now (the status bar follows)

    def __init__(self, desk: Desk, preview: PreviewPane | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.preview = desk, preview
        self.setObjectName("variant-bar")
        self.setAccessibleName("Layout variants")
        self.variants: list[LayoutVariant] = []
        self._pane_heading: object = None
        self._announced: int | None = None
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # tests pin it
        self._build()
        self._as_of_timer = QTimer(self, singleShot=True, interval=0)
        self._as_of_timer.timeout.connect(self._preview_as_of)
        self._clock_tick = QTimer(self, interval=300_000)  # "now" moves along the strip; no read
        self._clock_tick.timeout.connect(self._show_timeline)
        self._clock_tick.start()
        desk.changed.connect(self._desk_changed)
        self.reload()

    def _build(self) -> None:
        self.combo = QComboBox()
        self.combo.setAccessibleName("Layout")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(16)
        self.combo.activated.connect(lambda index: self.choose(self.combo.itemData(index)))
        caption = QLabel("&Layout:")
        caption.setBuddy(self.combo)
        self.add_button = QPushButton("Add variant…")
        self.add_button.setToolTip("A scheduled variant of this section's layout: a name and when it is live")
        self.add_button.clicked.connect(self.add_variant)
        self.add_action = QAction("Add layout &variant…", self)
        self.add_action.setStatusTip(
            "A scheduled variant of this section's layout: a name and when it is live"
        )
        self.add_action.triggered.connect(self.add_variant)
        self.change_button = QPushButton("Change…")
        self.change_button.setToolTip("Rename the chosen variant or move its window")
        self.change_button.clicked.connect(self.change_variant)
        self.change_action = QAction("C&hange layout variant…", self)
        self.change_action.setStatusTip("Rename the chosen variant or move its window")
        self.change_action.triggered.connect(self.change_variant)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the chosen variant with its slots and sign-offs")
        self.remove_button.clicked.connect(self.remove_variant)
        self.timeline = TimelineWidget()
        self.timeline.layout_chosen.connect(self.choose)
        self.as_of = QCheckBox("Preview as &of")
        self.as_of.setToolTip("Show the page in the preview as it will be at that date and time")
        self.as_of.toggled.connect(self._as_of_toggled)
        self.as_of_edit = QDateTimeEdit()
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat("ddd d MMM, HH:mm")
        self.as_of_edit.setAccessibleName("Preview as of")
        self.as_of_edit.setDateTime(QDateTime.currentDateTime())
        self.as_of_edit.dateTimeChanged.connect(lambda _: self._as_of_timer.start())
        self.as_of_note = QLabel()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (caption, self.combo, self.add_button, self.change_button, self.remove_button):
            row.addWidget(widget, 1 if widget is self.combo else 0)
        as_of_row = QHBoxLayout()
        as_of_row.setContentsMargins(0, 0, 0, 0)
        for part in (self.as_of, self.as_of_edit, self.as_of_note):
            as_of_row.addWidget(part)
        as_of_row.addStretch(1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 4)
        box.setSpacing(3)
        box.addLayout(row)
        box.addWidget(self.timeline)
        box.addLayout(as_of_row)

    def above(self, pane: QWidget) -> QWidget:
        """The bar over ``pane`` (the slot pane), as one widget for the dock."""
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self)
        column.addWidget(pane, 1)
        holder.setAccessibleName(pane.accessibleName())
        self._pane_heading = getattr(pane, "heading", None)  # the slot pane's: it names the layout edited
        self._follow_selection()
        return holder

    # --- reading --------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the section's variants again and show them."""
        try:
            self.variants = self.desk.services.variants.variants(self.desk.section_id)
        except CaEditorError as exc:
            report(self, exc)
            return
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem("Main layout", None)
        for variant in self.variants:  # the name; its window in the tooltip and on the timeline
            self.combo.addItem(variant.name, variant.id)
            self.combo.setItemData(
                self.combo.count() - 1, f"Live {window_text(variant)}", Qt.ItemDataRole.ToolTipRole
            )
        self.combo.blockSignals(False)
        scheduled = bool(self.variants)
        self.setVisible(scheduled)
        if not scheduled and self.as_of.isChecked():
            self.as_of.setChecked(False)
        self._show_timeline()
        self._follow_selection()

    def _show_timeline(self) -> None:
        now = self.clock()
        start = now.astimezone().replace(minute=0, second=0, microsecond=0)
        end = start + timedelta(days=DAYS_SHOWN)
        self.timeline.show_segments(timeline_days(self.variants, start, DAYS_SHOWN), start, end, now)

    def _follow_selection(self) -> None:
        chosen = self.desk.variant_id
        index = self.combo.findData(chosen) if chosen is not None else 0
        self.combo.setCurrentIndex(max(index, 0))
        self.combo.setToolTip(
            self.combo.currentData(Qt.ItemDataRole.ToolTipRole) or "The main layout: live when no variant is"
        )
        self.timeline.select(chosen)
        if isinstance(self._pane_heading, QLabel):
            variant = self.desk.layout.variant
            self._pane_heading.setText("Editor's choice" + (f" — {variant.name}" if variant else ""))
        for control in (self.remove_button, self.change_button, self.change_action):
            control.setEnabled(chosen is not None)  # the main layout has no name or window to change
        if chosen != self._announced:
            self._announced = chosen
            self.layout_chosen.emit(chosen)

    def _desk_changed(self, change: Change) -> None:
        if change.everything or change.origin is Origin.OTHER_PROCESS:
            self.reload()  # a reload, an import, a colleague: the schedule may differ
        else:
            self._follow_selection()  # no read: a slot step changes no schedule
        if self.as_of.isChecked() and change.names_layout(self.desk.section_id):
            self._as_of_timer.start()  # after the window has shown the desk's own block

    # --- changing ---------------------------------------------------------------------------------------

    def choose(self, variant_id: int | None) -> None:
        """Edit ``variant_id``'s layout (None: the main one) in the slot pane."""
        try:
            self.desk.select_variant(variant_id)
        except CaEditorError as exc:
            report(self, exc)
        self._follow_selection()

    def add_variant(self) -> VariantDialog:
        start = (
            (self.clock() + timedelta(days=1)).astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
        )
        dialog = VariantDialog(self.desk.services, self.desk.section_id, start, self)
        dialog.finished.connect(lambda _result: self._added(dialog))
        dialog.open()
        return dialog

    def _added(self, dialog: VariantDialog) -> None:  # or changed: the same re-read either way
        if dialog.variant is None:
            return
        self.desk.reload(Origin.WINDOW)  # the section's version moved: the desk reads it again
        self.choose(dialog.variant.id)

    def _chosen(self) -> LayoutVariant | None:
        return next((v for v in self.variants if v.id == self.desk.variant_id), None)

    def change_variant(self) -> VariantDialog | None:
        """The Add dialog filled with the chosen variant; its OK renames it or moves its window."""
        variant = self._chosen()
        if variant is None:
            return None
        dialog = VariantDialog(
            self.desk.services, self.desk.section_id, variant.starts_at, self, changing=variant
        )
        dialog.finished.connect(lambda _result: self._added(dialog))
        dialog.open()
        return dialog

    def remove_variant(self) -> bool:
        variant = self._chosen()
        if variant is None:
            return False
        answer = ask(
            self,
            QMessageBox.Icon.Warning,
            "Remove variant",
            f"Remove the variant “{variant.name}” ({window_text(variant)})?",
            "Its slots and sign-offs go with it, and this cannot be undone. The main layout is not touched.",
            [REMOVE, "Cancel"],
            default="Cancel",
        )
        if answer != REMOVE:
            return False
        try:
            self.desk.services.variants.remove(self.desk.section_id, variant.id)
        except CaEditorError as exc:
            report(self, exc)
            return False
        self.desk.select_variant(None)
        self.desk.reload(Origin.WINDOW)
        return True

    # --- the preview as of ------------------------------------------------------------------------------

    def _as_of_toggled(self, on: bool) -> None:
        if on:
            self._preview_as_of()
        else:
            self.as_of_note.clear()
            if self.preview is not None:
                self.preview.show_section(self.desk.layout)

    def as_of_moment(self) -> datetime:
        value = self.as_of_edit.dateTime().toPython()
        assert isinstance(value, datetime)
        return value.astimezone()

    def _preview_as_of(self) -> None:
        if not self.as_of.isChecked():
            return
        moment = self.as_of_moment()
        live = live_variant(self.variants, moment)
        self.as_of_note.setText(f"shows: {live.name if live else 'main layout'}")
        if (live.id if live is not None else None) == self.desk.variant_id:
            layout = self.desk.layout  # the layout being edited: as the desk holds it, no read
        else:
            try:
                layout = self.desk.services.variants.layout_as_of(self.desk.section_id, moment)
            except CaEditorError as exc:
                report(self, exc)
                return
        if self.preview is not None:
            self.preview.show_section(layout)
