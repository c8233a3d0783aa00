"""File › Bring section back…: the conflicts of a check-in side by side, a choice for each, then Apply.

``MergeDialog`` shows the ``MergeOutcome`` of ``domain/merge.py``: every real conflict (the same field
changed on both desks, the same slot given different stories) as a card with three columns, *when taken
offline* (base), *shared desk now* (theirs) and *your laptop* (mine), and a "Keep theirs" / "Keep mine"
choice under the two that compete. "Take all mine" and "Take all theirs" choose every card at once. Below:
what the merge did without asking (its notices, the stories that no longer fit the block). Apply is
enabled once every conflict has a choice, so nothing is decided by a default nobody saw; Cancel changes
nothing. The losing side is never lost (the check-in keeps it as a copy or a former slot), and the intro
says so, since that is what makes choosing safe.

Each value reads as the merge words it (``Conflict.texts``); a long text is cut at a word
(``ui/merge_values.py``), its whole in the tooltip.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.merge import Conflict, MergeOutcome
from ca_editor.ui.merge_values import shown_text, value_text

Side = Literal["mine", "theirs"]
WIDTH = 1040  # three columns of about 40 characters: a headline on one or two lines
TOOLTIP_LIMIT = 3000  # a body longer than this is read in the story, not a tooltip
COLUMNS = ("When taken offline", "Shared desk now (theirs)", "Your laptop (mine)")


def _plain(text: str, *, name: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # a headline is never markup
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    return label


def _caption(text: str) -> QLabel:
    """A column's caption: smaller and in the palette's placeholder colour, so the values stand out (a
    disabled look is kept for the side that will not be kept)."""
    label = _plain(text, wrap=False)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 0.9)
    label.setFont(font)
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText))
    label.setPalette(palette)
    return label


class ConflictCard(QFrame):
    """One conflict: its label, base / theirs / mine side by side, and the choice between the last two."""

    chosen = Signal()

    def __init__(self, conflict: Conflict, titles: Mapping[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conflict = conflict
        self.setObjectName(f"conflict-{conflict.id}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(16)
        heading = _plain(conflict.label, name="conflict-label")
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        grid.addWidget(heading, 0, 0, 1, 3)
        self.values: list[QLabel] = []
        values = (conflict.base, conflict.theirs, conflict.mine)
        for column, (title, value, text) in enumerate(zip(COLUMNS, values, conflict.texts, strict=True)):
            caption = _caption(title)
            grid.addWidget(caption, 1, column)
            shown = _plain(
                shown_text(text or value_text(value, titles)), name=("base", "theirs", "mine")[column]
            )
            shown.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setToolTip(tooltip(value if isinstance(value, str) and value.strip() else shown.text()))
            shown.setAccessibleName(f"{title}: {conflict.label}")
            grid.addWidget(shown, 2, column)
            grid.setColumnStretch(column, 1)
            self.values.append(shown)
        self.keep_theirs = QRadioButton("Keep theirs")
        self.keep_mine = QRadioButton("Keep mine")
        self.group = QButtonGroup(self)
        for button, side in ((self.keep_theirs, "theirs"), (self.keep_mine, "mine")):
            button.setObjectName(f"keep-{side}")
            button.setAccessibleName(f"Keep {side}: {conflict.label}")
            self.group.addButton(button)
            button.toggled.connect(self._toggled)
        left = Qt.AlignmentFlag.AlignLeft  # as wide as its words: a click beside them is no choice
        grid.addWidget(self.keep_theirs, 3, 1, left)
        grid.addWidget(self.keep_mine, 3, 2, left)

    def choice(self) -> Side | None:
        if self.keep_mine.isChecked():
            return "mine"
        if self.keep_theirs.isChecked():
            return "theirs"
        return None

    def choose(self, side: Side) -> None:
        (self.keep_mine if side == "mine" else self.keep_theirs).setChecked(True)

    def _toggled(self, checked: bool) -> None:
        if not checked:
            return
        side = self.choice()
        for label, name in zip(self.values[1:], ("theirs", "mine"), strict=True):
            label.setEnabled(side == name)  # the side that will not be kept reads muted
        self.chosen.emit()


class MergeDialog(QDialog):
    """The check-in's conflicts and notices; ``choices()`` after Apply (``exec`` returns Accepted)."""

    def __init__(
        self,
        outcome: MergeOutcome,
        *,
        section_title: str,
        titles: Mapping[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("merge-dialog")
        self.setWindowTitle(f"Bring “{section_title}” back")
        self.outcome = outcome
        names = dict(titles or {})
        self.cards = [ConflictCard(conflict, names) for conflict in outcome.conflicts]
        layout = QVBoxLayout(self)
        layout.addWidget(_plain(self._intro(len(self.cards)), name="merge-intro"))
        if self.cards:
            layout.addLayout(self._take_all_row())
            layout.addWidget(self._cards_area(), 1)
        notices = notice_lines(outcome.notices, outcome.fallen_out, names)
        if notices:
            layout.addWidget(self._notices(notices), 0 if self.cards else 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = self.buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setObjectName("apply")
        self.apply_button.setToolTip("Bring the section back with these choices: one step, Ctrl+Z undoes it")
        self.decided = _plain("", name="decided", wrap=False)
        footer = QHBoxLayout()
        footer.addWidget(self.decided, 1)
        footer.addWidget(self.buttons)
        layout.addLayout(footer)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for card in self.cards:
            card.chosen.connect(self._follow)
        self._follow()
        self.resize(WIDTH, self._fitting_height())

    def choices(self) -> dict[str, Side]:
        """Each conflict's id and the side chosen for it (undecided ones are left out)."""
        return {card.conflict.id: side for card in self.cards if (side := card.choice()) is not None}

    def choose_all(self, side: Side) -> None:
        for card in self.cards:
            card.choose(side)

    def _intro(self, count: int) -> str:
        if not count:
            return "Nothing collides: every change made here and on the laptop fits. Apply brings it in."
        what = "One thing was" if count == 1 else f"{count} things were"
        return (
            f"{what} changed both on the shared desk and on your laptop. Choose which to keep for each. "
            "Nothing is lost: a story's losing text is kept as a copy, and a slot's losing story goes to "
            "'previously in editor's choice'."
        )

    def _take_all_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for text, side in (("Take all theirs", "theirs"), ("Take all mine", "mine")):
            button = QPushButton(text)
            button.setObjectName(f"take-all-{side}")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, s=side: self.choose_all(s))
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _fitting_height(self) -> int:
        """Tall enough for a few cards whole (no scroll bar, no blank half dialog); many scroll within 680."""
        area = self.findChild(QScrollArea, "conflicts")
        holder = area.widget() if area is not None else None
        if area is None or holder is None:
            return min(680, self.sizeHint().height())
        cards = holder.sizeHint().height() + 2 * area.frameWidth()
        intro = self.findChild(QLabel, "merge-intro")
        wrapped = 0 if intro is None else intro.sizeHint().height() - intro.heightForWidth(WIDTH - 24)
        return min(680, self.sizeHint().height() - area.sizeHint().height() + cards - wrapped)

    def _cards_area(self) -> QScrollArea:
        holder = QWidget()
        column = QVBoxLayout(holder)
        for card in self.cards:
            column.addWidget(card)
        column.addStretch(1)
        area = QScrollArea()
        area.setObjectName("conflicts")
        area.setWidgetResizable(True)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # texts wrap instead
        area.setWidget(holder)
        return area

    def _notices(self, lines: Sequence[str]) -> QLabel:
        label = _plain("Also brought in without asking:\n" + "\n".join(f"• {line}" for line in lines))
        label.setObjectName("merge-notices")
        return label

    def _follow(self) -> None:
        done = len(self.choices())
        total = len(self.cards)
        self.apply_button.setEnabled(done == total)
        if total:
            self.decided.setText(f"{done} of {total} decided")


def tooltip(whole: str) -> str:
    """The whole text as a tooltip: rich text, so Qt wraps it (a plain one is one line, however long)."""
    cut = whole if len(whole) <= TOOLTIP_LIMIT else whole[:TOOLTIP_LIMIT] + "…"
    return f"<p style='white-space:pre-wrap'>{html.escape(cut)}</p>"


def notice_lines(notices: Sequence[str], fallen_out: Sequence[str], titles: Mapping[str, str]) -> list[str]:
    """The merge's notices, then one line naming the stories that no longer fit the block."""
    lines = list(notices)
    if fallen_out:
        names = ", ".join(value_text(key, titles) for key in fallen_out)
        lines.append(f"No longer fit the block, now in 'previously in editor's choice': {names}")
    return lines
